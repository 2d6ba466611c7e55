-- property: DISTINCT ON (the FK) ORDER BY the key, ORDER BY id LIMIT, DISTINCT
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_latest AS SELECT DISTINCT ON (c.p_id) c.p_id, c.id, c.note FROM child c ORDER BY c.p_id, c.id DESC;
CREATE VIEW v_first AS SELECT id, name FROM parent ORDER BY id LIMIT 3;
CREATE VIEW v_distinct AS SELECT DISTINCT p_id FROM child;
