-- property: views with count, array_agg ORDER BY id, GROUP BY the key, HAVING, a join
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_join AS SELECT p.id, p.name, count(c.id) AS children, array_agg(c.id ORDER BY c.id) AS child_ids
  FROM parent p LEFT JOIN child c ON c.p_id = p.id GROUP BY p.id, p.name HAVING count(*) > 0;
CREATE VIEW v_sum AS SELECT c.p_id, sum(c.amount) AS total, count(DISTINCT c.id) AS n FROM child c GROUP BY c.p_id;
