-- bench/online.sh steady mix: rename a random live parent (see steady_update_child.sql)
\set o random(0, :n_parent - 1)
UPDATE parent SET name = 'renamed ' || seq WHERE seq = (SELECT last_value FROM parent_seq_seq) - :o;
