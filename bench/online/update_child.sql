-- bench/online.sh workload: a random child (child.id stays bigint: only parent's key is migrated)
\set c random(1, :n_child)
UPDATE child SET amount = amount + 1 WHERE id = :c;
