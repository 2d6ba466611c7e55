-- property: a view whose key column was renamed, a view on it, a view with a COLLATE column ordered by id
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_renamed AS SELECT p.id, p.id::text AS id_text FROM parent p;
ALTER VIEW v_renamed RENAME COLUMN id TO parent_key;
CREATE VIEW v_on_renamed AS SELECT parent_key, id_text FROM v_renamed WHERE parent_key IS NOT NULL;
CREATE VIEW v_collate AS SELECT c.id, c.note COLLATE "C" AS note FROM child c WHERE c.note < 'c5' ORDER BY c.id;
