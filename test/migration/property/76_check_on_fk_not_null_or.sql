-- property: CHECKs on a converted FK column that stay valid on uuid: IS NOT NULL OR, and a partial UNIQUE index on it
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

ALTER TABLE child ADD CONSTRAINT child_p_or_note CHECK (p_id IS NOT NULL OR note IS NOT NULL);
CREATE UNIQUE INDEX child_one_note_per_parent ON child (p_id, note) WHERE p_id IS NOT NULL;
