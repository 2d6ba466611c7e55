-- src/sql/online_sync.sql — the sync trigger that keeps the uuid twins current while the application writes.

-- What the sync trigger of a table is given: the migration, then per converted column (in name order) the column,
-- its twin, the mapping table and the uuid version. The step attaches the trigger with these; the trigger checks
-- its own arguments against them.
CREATE OR REPLACE FUNCTION uuid7_online_sync_args(migration bigint, relid regclass) RETURNS text[]
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	-- positional: in an SQL function a column named like a parameter would win
	SELECT ARRAY[$1::text] || array_agg(a.arg ORDER BY oc.attname, a.n)
	  FROM uuid7_state.uuid7_online_column oc
	  JOIN uuid7_state.uuid7_online_table s ON s.migration_id = oc.migration_id AND s.relid = oc.source
	 CROSS JOIN LATERAL (VALUES (1, oc.attname::text), (2, oc.new_name::text), (3, s.mapping_table::text),
								(4, s.uuid_version::text)) AS a(n, arg)
	 WHERE oc.migration_id = $1 AND oc.relid = $2
$fn$;
COMMENT ON FUNCTION uuid7_online_sync_args(bigint, regclass) IS
	'internal to the online migration: the arguments of the sync trigger of a table (the migration id, then column, twin, mapping table and uuid version per converted column)';

-- The mapping table of each converted column, in the order of uuid7_online_sync_args(): the sync trigger writes to
-- these, never to a table its arguments name (another role with TRIGGER on the table can rewrite those).
CREATE OR REPLACE FUNCTION uuid7_online_sync_mappings(migration bigint, relid regclass) RETURNS oid[]
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT array_agg(s.mapping_table::oid ORDER BY oc.attname)
	  FROM uuid7_state.uuid7_online_column oc
	  JOIN uuid7_state.uuid7_online_table s ON s.migration_id = oc.migration_id AND s.relid = oc.source
	 WHERE oc.migration_id = $1 AND oc.relid = $2
$fn$;
COMMENT ON FUNCTION uuid7_online_sync_mappings(bigint, regclass) IS
	'internal to the online migration: the mapping table of each converted column of a table, in the order of uuid7_online_sync_args()';

CREATE OR REPLACE FUNCTION uuid7_online_sync() RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'uuid7_online_sync';
COMMENT ON FUNCTION uuid7_online_sync() IS
	'internal to the online migration: BEFORE INSERT OR UPDATE row trigger that keeps each uuid twin equal to the mapping of its integer column, extending the mapping for new keys';
