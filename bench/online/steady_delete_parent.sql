-- bench/online.sh steady mix: delete the oldest parent (first in, first out, by seq: each client takes its own),
-- and its children with it (ON DELETE CASCADE). With insert_parent at the same weight the parent keeps its size.
-- nextval in a sub-select: called once, not once per row scanned.
DELETE FROM parent WHERE seq = (SELECT nextval('parent_del_seq'));
