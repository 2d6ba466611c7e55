-- bench/online.sh workload: rename a random parent, found by seq
\set p random(1, :n_parent)
UPDATE parent SET name = 'renamed ' || :p WHERE seq = :p;
