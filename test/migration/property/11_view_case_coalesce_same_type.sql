-- property: views with CASE and COALESCE between converted columns of one mapping, IS NULL tests
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_case AS SELECT c.id, CASE WHEN c.p_id IS NULL THEN 'none' ELSE 'some' END AS has_parent,
  coalesce(c.p_id, p.id) AS any_parent, nullif(c.p_id, p.id) AS other
  FROM child c LEFT JOIN parent p ON p.id = c.p_id;
