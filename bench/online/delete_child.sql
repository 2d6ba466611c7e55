-- bench/online.sh workload: a random child (already deleted: 0 rows, fine)
\set c random(1, :n_child)
DELETE FROM child WHERE id = :c;
