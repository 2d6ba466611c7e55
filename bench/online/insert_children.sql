-- bench/online.sh workload: two children of a random existing parent, found by seq (not migrated), so the
-- statement is the same whether parent.id and child.parent_id are bigint or uuid
\set p random(1, :n_parent)
INSERT INTO child (parent_id, created_at, amount, note)
SELECT p.id, now(), g, 'note ' || :p FROM parent p, generate_series(1, 2) g WHERE p.seq = :p;
