-- property: a materialized view with a window, JSON and ORDER BY the key, two indexes, an owner
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL, kind int NOT NULL DEFAULT 0);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text, amount numeric);
INSERT INTO parent (id, name, kind) VALUES (1, 'one', 1), (2, 'two', 2), (3, '', 0), (100, 'hundred', 3), (9223372036854775806, 'big', 1);
INSERT INTO child (p_id, note, amount) VALUES (1, 'a', 1.5), (1, NULL, 0), (2, 'b', -3), (NULL, 'orphan', NULL), (9223372036854775806, 'edge', 1e10);

CREATE MATERIALIZED VIEW mv_feed AS SELECT c.id, c.p_id, rank() OVER (PARTITION BY c.p_id ORDER BY c.id) AS r,
  jsonb_build_object('id', c.id, 'p', c.p_id) AS doc FROM child c ORDER BY c.id;
CREATE INDEX mv_feed_p ON mv_feed (p_id, r);
CREATE UNIQUE INDEX mv_feed_id ON mv_feed (id);
ALTER MATERIALIZED VIEW mv_feed OWNER TO uuid7_prop_owner;
