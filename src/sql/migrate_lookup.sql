-- src/sql/migrate_lookup.sql — old key -> new key: the C helpers of the rewrite and the lookups of migrated tables.

-- C helpers used by the statements the plan generates.
CREATE OR REPLACE FUNCTION uuid7_migration_next(map regclass, version integer, ts timestamptz, from_column boolean) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid7_migration_next'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION uuid7_migration_next(regclass, integer, timestamptz, boolean) IS
	'internal to uuid7_migrate(): the next new key (v7 or v6) of the run filling mapping table map, strictly increasing in call order; from ts when from_column, else from the clock';

CREATE OR REPLACE FUNCTION uuid7_migration_lookup(map regclass, old_id bigint) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid7_migration_lookup'
	LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION uuid7_migration_lookup(regclass, bigint) IS
	'internal to uuid7_migrate(): old key -> new key through a mapping table, loaded once per transaction into memory; a missing key is an error; needs SELECT on the table (or on old_id and new_id), and a table whose row-level security applies to the caller is refused (42501)';

CREATE OR REPLACE FUNCTION uuid7_mapping_table(tbl regclass) RETURNS regclass
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	map regclass;
BEGIN
	SELECT m.mapping_table INTO map FROM uuid7_state.uuid7_migrated_table m WHERE m.relid = tbl;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % has not been migrated by uuid7_migrate()', tbl USING ERRCODE = '55000',
			HINT = 'uuid7_state.uuid7_migrated_table lists the migrated tables.';
	END IF;
	RETURN map;
END;
$fn$;
COMMENT ON FUNCTION uuid7_mapping_table(regclass) IS
	'the mapping table (old_id -> new_id) of a table migrated by uuid7_migrate(); 55000 for any other table';

CREATE OR REPLACE FUNCTION uuid7_mapped_id(tbl regclass, old_id bigint) RETURNS uuid
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	result uuid;
BEGIN
	EXECUTE format('SELECT new_id FROM %s WHERE old_id = $1', @extschema@.uuid7_mapping_table(tbl))
		INTO result USING old_id;
	RETURN result;
END;
$fn$;
COMMENT ON FUNCTION uuid7_mapped_id(regclass, bigint) IS
	'the uuid key that replaced an old integer key of a migrated table (NULL when the old key is unknown)';

CREATE OR REPLACE FUNCTION uuid7_legacy_id(tbl regclass, new_id uuid) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	result bigint;
BEGIN
	EXECUTE format('SELECT old_id FROM %s WHERE new_id = $1', @extschema@.uuid7_mapping_table(tbl))
		INTO result USING new_id;
	RETURN result;
END;
$fn$;
COMMENT ON FUNCTION uuid7_legacy_id(regclass, uuid) IS
	'the old integer key that a uuid key of a migrated table replaced (NULL when the uuid is not in the mapping)';
