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

-- Storage options as pg_class.reloptions / pg_attribute.attoptions hold them ({name=value, toast.name=value}), as the
-- list that WITH (...) and SET (...) take: every name and value quoted.
CREATE OR REPLACE FUNCTION uuid7_option_list(options text[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT string_agg(
			CASE WHEN position('.' IN split_part(o, '=', 1)) > 0
				 THEN format('%I.%I', split_part(split_part(o, '=', 1), '.', 1), split_part(split_part(o, '=', 1), '.', 2))
				 ELSE quote_ident(split_part(o, '=', 1)) END
			|| '=' || quote_literal(substr(o, position('=' IN o) + 1)), ', ' ORDER BY n)
	  FROM unnest(options) WITH ORDINALITY AS u(o, n)
$fn$;
COMMENT ON FUNCTION uuid7_option_list(text[]) IS
	'internal: storage options (name=value array) as the quoted list WITH (...) and SET (...) take';

-- The row-security policies of a table, quoted and in name order, as one list (NULL when it has none): named by the
-- refusals of the plan and of the online migration when row security would hide rows from the migrating role.
CREATE OR REPLACE FUNCTION uuid7_policy_names(rel oid) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT string_agg(quote_ident(p.polname), ', ' ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = rel
$fn$;
COMMENT ON FUNCTION uuid7_policy_names(oid) IS
	'internal: the row-security policies of a table as a quoted list, NULL when it has none';
