-- property: a security_barrier view, a WITH LOCAL/CASCADED CHECK OPTION view, security_invoker
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE VIEW v_barrier WITH (security_barrier) AS SELECT id, name FROM parent WHERE kind > 0;
CREATE VIEW v_checked AS SELECT id, p_id, note FROM child WHERE note IS NOT NULL WITH CASCADED CHECK OPTION;
CREATE VIEW v_local WITH (check_option = local, security_invoker = true) AS SELECT id, name, kind FROM parent WHERE kind < 3;
