-- src/sql/migrate_derive.sql — deterministic keys: the "deterministic_keys" option of uuid7_migration_plan() and
-- uuid7_migrate(), and the keyed hash that derives each new key from (secret, table, old key).
--
-- The secret is never stored: uuid7_migrate() reads it from its options and passes it as the bind parameter $1 of the
-- statements that fill the mapping tables; the plan shows those statements with $1, never the value.

CREATE OR REPLACE FUNCTION uuid7_migration_derive(secret bytea, schema_name text, table_name text, old_id bigint) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid7_migration_derive'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid7_migration_derive(bytea, text, text, bigint) IS
	'the deterministic key of old key old_id of table schema_name.table_name: a v7 whose 48-bit time field is old_id (0 to 2^48-1) and whose other bits come from HMAC-SHA-256(secret, table, old_id); what uuid7_migrate() with "deterministic_keys" puts in the mapping table; secret of at least 16 bytes';

-- The secret of the "deterministic_keys" option as bytes (its UTF-8), or NULL without the option. Errors (22023) name
-- what is wrong, never the value.
CREATE OR REPLACE FUNCTION uuid7_derive_secret(options jsonb) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	dk jsonb;
	k text;
	secret bytea;
BEGIN
	IF options IS NULL OR jsonb_typeof(options) <> 'object' OR NOT options ? 'deterministic_keys' THEN
		RETURN NULL;
	END IF;
	dk := options->'deterministic_keys';
	IF jsonb_typeof(dk) <> 'object' THEN
		RAISE EXCEPTION 'option "deterministic_keys" must be an object with a "secret"' USING ERRCODE = '22023',
			HINT = 'Write "deterministic_keys": {"secret": "..."}, the secret passed as a bind parameter, not in the statement''s text.';
	END IF;
	FOR k IN SELECT jsonb_object_keys(dk) LOOP
		IF k <> 'secret' THEN
			RAISE EXCEPTION 'unknown key "%" in option "deterministic_keys"', k USING ERRCODE = '22023',
				HINT = 'Its only key is "secret".';
		END IF;
	END LOOP;
	IF NOT dk ? 'secret' OR jsonb_typeof(dk->'secret') <> 'string' THEN
		RAISE EXCEPTION 'the "secret" of option "deterministic_keys" must be a string' USING ERRCODE = '22023';
	END IF;
	secret := convert_to(dk->>'secret', 'UTF8');
	IF octet_length(secret) < 16 THEN
		RAISE EXCEPTION 'the secret of deterministic keys is too short' USING ERRCODE = '22023',
			DETAIL = format('It has %s bytes; at least 16 are needed.', octet_length(secret)),
			HINT = 'Use a long random string, e.g. 32 bytes from a password manager, and keep it where the migration''s callers can read it, not in the database.';
	END IF;
	RETURN secret;
END;
$fn$;
COMMENT ON FUNCTION uuid7_derive_secret(jsonb) IS
	'internal to uuid7_migration_plan() and uuid7_migrate(): checks the "deterministic_keys" option (22023) and returns its secret as UTF-8 bytes, or NULL without the option';

-- Deterministic keys are v7 in old-key order: a table migrated with them cannot ask for v6 or a timestamp column.
CREATE OR REPLACE FUNCTION uuid7_derive_check(tbl text, version integer, timestamp_column text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF version <> 7 THEN
		RAISE EXCEPTION 'option "deterministic_keys" makes v7 keys, and table % asks for version %', tbl, version
			USING ERRCODE = '22023', HINT = 'Leave out "version" (or set it to 7), or migrate this table in a call without "deterministic_keys".';
	ELSIF timestamp_column IS NOT NULL THEN
		RAISE EXCEPTION 'option "deterministic_keys" orders keys by the old key, and table % asks for timestamp_column %', tbl, quote_ident(timestamp_column)
			USING ERRCODE = '22023', HINT = 'Leave out "timestamp_column", or migrate this table in a call without "deterministic_keys".';
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_derive_check(text, integer, text) IS
	'internal to uuid7_migration_plan(): refuses (22023) version 6 or a timestamp_column together with "deterministic_keys"';

-- The statement that fills the mapping table of tbl with derived keys: the secret is its parameter $1 (bytea), which
-- uuid7_migrate() binds; the table is named by schema and name as they are now (not by OID, which differs between
-- databases).
CREATE OR REPLACE FUNCTION uuid7_derive_fill(tbl regclass, map text, key_column text) RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT format('INSERT INTO %s (old_id, new_id) SELECT s.k, %s.uuid7_migration_derive($1, %L, %L, s.k) FROM (SELECT %I AS k FROM %I.%I ORDER BY 1 OFFSET 0) AS s',
				  map, @extschema@.uuid7_extension_schema(), ns.nspname, c.relname, key_column, ns.nspname, c.relname)
	  FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
	 WHERE c.oid = tbl;
$fn$;
COMMENT ON FUNCTION uuid7_derive_fill(regclass, text, text) IS
	'internal to uuid7_migration_plan(): the INSERT that fills a mapping table with deterministic keys, the secret left as parameter $1';
