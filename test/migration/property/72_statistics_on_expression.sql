-- property: extended statistics on an expression of the FK column ((p_id % 10))
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE STATISTICS child_p_mod ON (p_id % 10), note FROM child;
