-- property: a view with GROUPING SETS over the FK, count(*) FILTER, bool_or, and a view with EXISTS / IN (subquery)
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_sets AS SELECT c.p_id, c.note, count(*) FILTER (WHERE c.amount > 0) AS positive, bool_or(c.note IS NULL) AS some_null
  FROM child c GROUP BY GROUPING SETS ((c.p_id), (c.note), ());
CREATE VIEW v_exists AS SELECT p.* FROM parent p WHERE EXISTS (SELECT 1 FROM child c WHERE c.p_id = p.id)
  AND p.id IN (SELECT c.p_id FROM child c WHERE c.note IS NOT NULL);
