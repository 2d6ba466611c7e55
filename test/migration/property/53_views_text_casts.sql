-- property: views casting the key to text, string_agg of ids, format() and concatenation
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_text AS SELECT p.id::text AS key_text, 'parent-' || p.id AS label, format('%s/%s', p.id, p.name) AS path,
  (SELECT string_agg(c.id::text, ',' ORDER BY c.id) FROM child c WHERE c.p_id = p.id) AS children FROM parent p;
