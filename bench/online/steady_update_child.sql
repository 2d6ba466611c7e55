-- bench/online.sh steady mix: one child of a random live parent (the newest n_parent seqs: insert_parent and
-- steady_delete_parent run at the same weight; a seq just deleted finds nothing, a no-op), found through
-- the parent's seq and the foreign key, so the statement is the same before and after the swap
\set o random(0, :n_parent - 1)
UPDATE child SET amount = amount + 1
 WHERE id = (SELECT c.id FROM parent p JOIN child c ON c.parent_id = p.id
			  WHERE p.seq = (SELECT last_value FROM parent_seq_seq) - :o LIMIT 1);
