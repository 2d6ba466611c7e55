-- Migration helper: views and materialized views on converted columns are recreated equivalently.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
\set VERBOSITY sqlstate

CREATE ROLE mv_owner;
CREATE ROLE mv_reader;
CREATE TABLE v_users (id serial PRIMARY KEY, name text);
CREATE TABLE v_orders (id bigserial PRIMARY KEY, user_id int REFERENCES v_users, total numeric);
INSERT INTO v_users (name) SELECT 'u' || g FROM generate_series(1, 20) g;
INSERT INTO v_orders (user_id, total) SELECT 1 + g % 20, g FROM generate_series(1, 100) g;
CREATE VIEW v_user_orders WITH (security_barrier = true) AS
	SELECT u.id AS user_id, u.name, o.id AS order_id, o.total FROM v_users u JOIN v_orders o ON o.user_id = u.id;
CREATE VIEW v_totals AS SELECT user_id, sum(total) AS total FROM v_user_orders GROUP BY user_id;	-- built on a view
CREATE MATERIALIZED VIEW v_mat AS SELECT user_id, count(*) AS n FROM v_orders GROUP BY user_id;
CREATE UNIQUE INDEX v_mat_user ON v_mat (user_id);
GRANT SELECT ON v_users, v_orders TO mv_owner;
ALTER VIEW v_user_orders OWNER TO mv_owner;
GRANT SELECT ON v_totals TO mv_reader;
GRANT SELECT (user_id) ON v_mat TO mv_reader;
COMMENT ON VIEW v_totals IS 'per-user totals';
COMMENT ON COLUMN v_user_orders.name IS 'the user name';
COMMENT ON COLUMN v_users.name IS 'kept on the table column';
CREATE TABLE v_before AS
	SELECT c.relname, c.relkind, c.reloptions, pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS acl,
		   obj_description(c.oid, 'pg_class') AS comment,
		   (SELECT string_agg(attname || ':' || coalesce(col_description(c.oid, attnum), '') || ':' || coalesce(attacl::text, ''), ',' ORDER BY attnum)
			  FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0) AS columns,
		   (SELECT string_agg(pg_get_indexdef(indexrelid), ',') FROM pg_index WHERE indrelid = c.oid) AS indexes,
		   pg_get_viewdef(c.oid) AS definition
	  FROM pg_class c WHERE c.relname IN ('v_user_orders', 'v_totals', 'v_mat');
CREATE TABLE v_before_rows AS SELECT user_id, total FROM v_totals;

-- one line per kind of step (17 added the MAINTAIN privilege: a view's owner has one grant more to restore there)
SELECT phase, object, detail FROM uuid7_migration_plan(ARRAY['v_users', 'v_orders']::regclass[])
 WHERE phase IN ('drop view', 'create view') GROUP BY phase, object, detail ORDER BY min(step);
SELECT count(*) AS planned_steps FROM uuid7_migration_plan(ARRAY['v_users', 'v_orders']::regclass[]) WHERE phase <> 'note' \gset
SELECT r - 'steps' AS migrated, (r->>'steps')::int = :planned_steps AS steps_as_planned
  FROM (SELECT uuid7_migrate(ARRAY['v_users', 'v_orders']::regclass[]) AS r) s;

-- same names, kinds, options, owners, grants, comments, indexes (column types differ: compare names only)
SELECT b.relname, b.relkind = c.relkind AS kind, b.reloptions IS NOT DISTINCT FROM c.reloptions AS options,
	   b.owner = pg_get_userbyid(c.relowner) AS owner, b.acl IS NOT DISTINCT FROM c.relacl::text AS grants,
	   b.comment IS NOT DISTINCT FROM obj_description(c.oid, 'pg_class') AS comment,
	   b.columns = (SELECT string_agg(attname || ':' || coalesce(col_description(c.oid, attnum), '') || ':' || coalesce(attacl::text, ''), ',' ORDER BY attnum)
					  FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0) AS columns,
	   b.indexes IS NOT DISTINCT FROM (SELECT string_agg(pg_get_indexdef(indexrelid), ',') FROM pg_index WHERE indrelid = c.oid) AS indexes,
	   b.definition = pg_get_viewdef(c.oid) AS definition
  FROM v_before b JOIN pg_class c USING (relname) ORDER BY 1;
SELECT c.relispopulated, (SELECT count(*) FROM v_mat) AS mat_rows FROM pg_class c WHERE c.relname = 'v_mat';
SELECT count(*) AS same_totals FROM v_before_rows b JOIN v_totals t ON t.user_id = uuid7_mapped_id('v_users', b.user_id) AND t.total = b.total;
SELECT col_description('v_users'::regclass, 2);
SELECT has_table_privilege('mv_reader', 'v_totals', 'SELECT') AS reader_can_select,
	   has_column_privilege('mv_reader', 'v_mat', 'user_id', 'SELECT') AS reader_column;

DROP VIEW v_totals, v_user_orders;
DROP MATERIALIZED VIEW v_mat;
DROP TABLE v_orders, v_users, v_before, v_before_rows, uuid7_mapping.v_users_uuid7_map, uuid7_mapping.v_orders_uuid7_map;
DROP SCHEMA uuid7_mapping;
DROP ROLE mv_owner;
DROP ROLE mv_reader;
DELETE FROM uuid7_state.uuid7_migrated_table;
