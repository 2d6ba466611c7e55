-- property: what the recreated views carry uses the key as a number: an expression index of a materialized view
-- (p_id % 16), a partial one (WHERE p_id > 100), a rule on a view whose action does arithmetic on the key
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text);
CREATE TABLE audit_log (p_id bigint, next_id bigint);
INSERT INTO parent (id, name) VALUES (1, 'one'), (2, 'two'), (200, 'two hundred');
INSERT INTO child (p_id, note) VALUES (1, 'a'), (2, 'b'), (200, 'c'), (NULL, 'orphan');
CREATE MATERIALIZED VIEW mv AS SELECT c.p_id, count(*) AS n FROM child c GROUP BY c.p_id;
CREATE INDEX mv_bucket ON mv ((p_id % 16));
CREATE INDEX mv_big ON mv (n) WHERE p_id > 100;
CREATE VIEW pv AS SELECT id, name FROM parent;
CREATE RULE pv_log AS ON UPDATE TO pv DO ALSO INSERT INTO audit_log VALUES (NEW.id, NEW.id + 1);
