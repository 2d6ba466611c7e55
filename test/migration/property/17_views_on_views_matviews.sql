-- property: views on views, a materialized view with an index, grants and comments, a matview WITH NO DATA
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v1 AS SELECT p.id, p.name, c.id AS child_id FROM parent p JOIN child c ON c.p_id = p.id;
CREATE VIEW v2 AS SELECT id, count(child_id) AS n FROM v1 GROUP BY id;
CREATE VIEW v3 AS SELECT * FROM v2 WHERE n > 1;
CREATE MATERIALIZED VIEW mv AS SELECT c.p_id, count(*) AS n FROM child c GROUP BY c.p_id;
CREATE UNIQUE INDEX mv_p ON mv (p_id);
CREATE MATERIALIZED VIEW mv_empty AS SELECT id FROM parent WITH NO DATA;
COMMENT ON VIEW v2 IS 'children per parent';
COMMENT ON COLUMN v2.n IS 'how many';
COMMENT ON MATERIALIZED VIEW mv IS 'cached';
GRANT SELECT ON v1, v3, mv TO uuid7_prop_reader;
