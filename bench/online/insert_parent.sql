-- bench/online.sh workload: a new parent (its key comes from the column default: bigserial, then uuid after the swap)
\set r random(1, 1000000000)
INSERT INTO parent (created_at, name, payload)
VALUES (now(), 'parent ' || :r, left(repeat(md5(:r::text), 3), 60 + :r % 41));
