-- property: comments on tables, columns, constraints, indexes; table and column grants; tables owned by another role
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

COMMENT ON TABLE parent IS 'the parents';
COMMENT ON COLUMN parent.id IS 'the key';
COMMENT ON COLUMN child.p_id IS 'the parent';
COMMENT ON CONSTRAINT child_p_id_fkey ON child IS 'belongs to';
GRANT SELECT, INSERT ON parent TO uuid7_prop_reader;
GRANT SELECT (id, note), UPDATE (note) ON child TO uuid7_prop_reader;
GRANT USAGE ON SEQUENCE parent_id_seq TO uuid7_prop_reader;
ALTER TABLE child OWNER TO uuid7_prop_owner;
