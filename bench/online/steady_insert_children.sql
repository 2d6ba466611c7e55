-- bench/online.sh steady mix: two children of one of the 1000 newest parents (as orders get their lines soon after
-- they are made). Every parent gets its children young and loses them when it is deleted, oldest first, so with
-- twice the weight of insert_parent the child keeps two rows per parent, as loaded. The newest parents are never
-- the ones being deleted: no insert races the delete of its parent.
\set o random(0, 999)
INSERT INTO child (parent_id, created_at, amount, note)
SELECT p.id, now(), g, 'note ' || p.seq FROM parent p, generate_series(1, 2) g
 WHERE p.seq = (SELECT last_value FROM parent_seq_seq) - :o;
