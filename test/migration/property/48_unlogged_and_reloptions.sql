-- property: an unlogged table, fillfactor and autovacuum options, replica identity FULL, a clustered index
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

ALTER TABLE child SET (fillfactor = 80, autovacuum_enabled = false);
ALTER TABLE parent REPLICA IDENTITY FULL;
CREATE INDEX child_note ON child (note);
CLUSTER child USING child_note;
CREATE UNLOGGED TABLE scratch (id serial PRIMARY KEY, p_id bigint REFERENCES parent);
INSERT INTO scratch (p_id) VALUES (1), (2);
