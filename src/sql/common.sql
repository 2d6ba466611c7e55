-- src/sql/common.sql — helpers every topic calls.

-- The quoted schema of the extension, for statements built at run time.
CREATE OR REPLACE FUNCTION uuid7_extension_schema() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT quote_ident(ns.nspname) FROM pg_extension e JOIN pg_namespace ns ON ns.oid = e.extnamespace WHERE e.extname = 'uuid7'
$fn$;
COMMENT ON FUNCTION uuid7_extension_schema() IS
	'internal: the quoted name of the schema uuid7 is installed in';
