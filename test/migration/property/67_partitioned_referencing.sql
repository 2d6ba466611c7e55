-- property: an FK from a partitioned table (its partitions follow the root)
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE TABLE part_refs (id int, p_id bigint REFERENCES parent) PARTITION BY RANGE (id);
CREATE TABLE part_refs_1 PARTITION OF part_refs FOR VALUES FROM (0) TO (10);
INSERT INTO part_refs VALUES (1, 1);
