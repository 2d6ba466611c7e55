-- property: json building: json_build_object, jsonb_agg, to_jsonb of a row, row_to_json
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_json AS SELECT p.id, json_build_object('id', p.id, 'name', p.name) AS doc,
  (SELECT jsonb_agg(c.id ORDER BY c.id) FROM child c WHERE c.p_id = p.id) AS children, to_jsonb(p) AS whole
  FROM parent p;
CREATE VIEW v_row_json AS SELECT row_to_json(c) AS j FROM child c;
