-- property: window functions over the key: row_number, lag, first_value, PARTITION BY the FK
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_window AS SELECT c.id, c.p_id, row_number() OVER (PARTITION BY c.p_id ORDER BY c.id) AS rn,
  lag(c.id) OVER (ORDER BY c.id) AS prev_id, first_value(c.id) OVER w AS first_in_parent
  FROM child c WINDOW w AS (PARTITION BY c.p_id ORDER BY c.id);
