-- property: partial, expression (on other columns), covering INCLUDE (id), DESC NULLS LAST, hash, BRIN default, fillfactor, unique multi-column indexes
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE INDEX child_note_partial ON child (note) WHERE note IS NOT NULL;
CREATE INDEX parent_lower_name ON parent (lower(name));
CREATE INDEX child_note_incl ON child (note) INCLUDE (id, p_id);
CREATE INDEX child_p_desc ON child (p_id DESC NULLS LAST, id) WITH (fillfactor = 70);
CREATE INDEX child_p_hash ON child USING hash (p_id);
CREATE INDEX child_p_brin ON child USING brin (p_id) WITH (pages_per_range = 16);
CREATE UNIQUE INDEX parent_name_id ON parent (name, id);
CREATE INDEX child_loops ON child (id) WHERE p_id IS NULL;
