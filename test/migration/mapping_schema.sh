#!/usr/bin/env bash
# test/migration/mapping_schema.sh — where the mapping tables and the extension's own tables go (issue 21).
#
# Mapping tables go by default to schema uuid7_mapping, not the application's: the migration creates it (a plan line of
# its own, phase 'schema', once per call) when it is missing, reuses it when the migrating role owns it, and refuses
# (42501, nothing changed) when another role owns it or the role may not create it. "mapping_schema" still chooses.
# The extension's state is in schema uuid7_state, a member of the extension: a schema-only dump of a migrated database
# has none of it as user DDL, and loads into a fresh database that has the extension (what ActiveRecord's
# db:schema:load and every CI run do with the application's schema).
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db mapping_schema
mig_role map_owner LOGIN; owner=$MIG_ROLE
mig_role map_squatter; squatter=$MIG_ROLE
mig_role map_nocreate LOGIN; nocreate=$MIG_ROLE

mig_setup <<SQL
CREATE TABLE a (id serial PRIMARY KEY, n int);
CREATE TABLE a_child (id serial PRIMARY KEY, a_id int REFERENCES a);
CREATE TABLE c (id bigserial PRIMARY KEY);
INSERT INTO a (n) SELECT g FROM generate_series(1, 100) g;
INSERT INTO a_child (a_id) SELECT 1 + g % 100 FROM generate_series(1, 200) g;
INSERT INTO c SELECT FROM generate_series(1, 50);
CREATE TABLE d (id int PRIMARY KEY);
INSERT INTO d SELECT generate_series(1, 20);
ALTER TABLE d OWNER TO "$owner";
CREATE SCHEMA own AUTHORIZATION "$owner";
CREATE TABLE f (id int PRIMARY KEY);
INSERT INTO f SELECT generate_series(1, 20);
ALTER TABLE f OWNER TO "$nocreate";
SQL

check_eq "no schema uuid7_mapping before any migration" "" "$(sql "SELECT to_regnamespace('uuid7_mapping')")"
check_eq "the state tables are in schema uuid7_state, a member of the extension" \
	"uuid7_migrated_table uuid7_online_column uuid7_online_migration uuid7_online_object uuid7_online_table|e" \
	"$(sql "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) || '|' ||
		(SELECT d.deptype::text FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = 'uuid7_state'::regnamespace
		    AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uuid7'))
		FROM pg_class c WHERE c.relnamespace = 'uuid7_state'::regnamespace AND c.relkind = 'r'")"
check_eq "no table of the extension in its own schema (public; its status view is there)" 0 \
	"$(sql "SELECT count(*) FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')")"

# A role without CREATE on the database cannot make the default schema: refused before anything is done.
mig_refusal "no CREATE on the database to make uuid7_mapping" "ARRAY['f']::regclass[]" 42501 \
	"permission denied to create schema uuid7_mapping" "" "" "$nocreate"

# Several tables in one call share one CREATE SCHEMA line, before the first mapping step.
P2="ARRAY['a', 'c']::regclass[]"
check_eq "the plan creates the schema once, before the mapping tables" \
	"lock|  schema|uuid7_mapping|CREATE SCHEMA uuid7_mapping  schema|uuid7_mapping|GRANT USAGE ON SCHEMA uuid7_mapping TO PUBLIC  mapping|uuid7_mapping.a_uuid7_map|" \
	"$(sql "SELECT string_agg(phase || '|' || CASE WHEN phase = 'lock' THEN '' ELSE object || '|' || CASE WHEN phase = 'schema' THEN statement ELSE '' END END, '  ' ORDER BY step)
		FROM uuid7_migration_plan($P2) WHERE step <= 4")"
check_eq "one schema's lines for two tables" 2 "$(sql "SELECT count(*) FROM uuid7_migration_plan($P2) WHERE phase = 'schema'")"
check_eq "the plan changed nothing" "" "$(sql "SELECT to_regnamespace('uuid7_mapping')")"

P="ARRAY['a']::regclass[]"
mig_snapshot "$P"
mig_migrate "the first migration creates uuid7_mapping" "$P"
mig_check_all
check_eq "uuid7_mapping is owned by the migrating role, the mapping table in it" "$(sql "SELECT current_user")|uuid7_mapping.a_uuid7_map" \
	"$(sql "SELECT pg_get_userbyid(nspowner) || '|' || (SELECT mapping_table::text FROM uuid7_state.uuid7_migrated_table WHERE relid = 'a'::regclass) FROM pg_namespace WHERE nspname = 'uuid7_mapping'")"
check_true "every role may look up tables in uuid7_mapping (their own privileges apply)" \
	"SELECT has_schema_privilege('public', 'uuid7_mapping', 'USAGE') AND NOT has_schema_privilege('public', 'uuid7_mapping', 'CREATE')"
check_true "the lookups find the mapping through the registry" \
	"SELECT uuid7_legacy_id('a', uuid7_mapped_id('a', 42)) = 42 AND uuid7_mapped_id('a', 42) = (SELECT new_id FROM uuid7_mapping.a_uuid7_map WHERE old_id = 42)"
check_eq "no mapping table in the application's schema" 0 "$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname LIKE '%uuid7\_map'")"

# A second migration reuses the schema: no schema line.
check_eq "the next plan has no schema line" 0 "$(sql "SELECT count(*) FROM uuid7_migration_plan(ARRAY['c']::regclass[]) WHERE phase = 'schema'")"
mig_migrate "a second migration reuses uuid7_mapping" "ARRAY['c']::regclass[]"
check_eq "its mapping table is there too" "uuid7_mapping.c_uuid7_map" \
	"$(sql "SELECT mapping_table FROM uuid7_state.uuid7_migrated_table WHERE relid = 'c'::regclass")"

# Squatting: uuid7_mapping owned by a role the migrating role is not (its owner could drop the mapping tables).
sql "ALTER SCHEMA uuid7_mapping OWNER TO \"$squatter\"" >/dev/null
# (the suites' rewrite counter, an event trigger, writes as whoever migrates)
sql "GRANT USAGE ON SCHEMA mig_snap TO \"$owner\"; GRANT INSERT ON mig_snap.rewrites TO \"$owner\"" >/dev/null
mig_refusal "uuid7_mapping owned by another role" "ARRAY['d']::regclass[]" 42501 \
	"is owned by role $squatter" "" "" "$owner"
check_eq "the refusal names the owner, with a hint to pass mapping_schema" "42501|t" \
	"$(sql "SET ROLE \"$owner\"; SELECT sqlstate || '|' || CASE WHEN hint LIKE '%\"mapping_schema\"%' THEN 't' ELSE 'f' END FROM uuid7_migration_plan(ARRAY['d']::regclass[]) WHERE phase = 'refusal'")"
# An explicit mapping_schema is honoured (and the squatted default not looked at).
check_eq "with mapping_schema, no refusal and no schema line" "0|0" \
	"$(sql "SET ROLE \"$owner\"; SELECT count(*) FILTER (WHERE phase = 'refusal') || '|' || count(*) FILTER (WHERE phase = 'schema')
		FROM uuid7_migration_plan(ARRAY['d']::regclass[], '{\"mapping_schema\": \"own\"}')")"
out=$(sql "SET ROLE \"$owner\"; SELECT uuid7_migrate(ARRAY['d']::regclass[], '{\"mapping_schema\": \"own\"}') ->> 'tables'" 2>&1)
check_eq "the owner migrates with mapping_schema" '["public.d"]' "$out"
check_eq "its mapping table is in the schema given" "own.d_uuid7_map" \
	"$(sql "SELECT mapping_table FROM uuid7_state.uuid7_migrated_table WHERE relid = 'd'::regclass")"
sql "ALTER SCHEMA uuid7_mapping OWNER TO CURRENT_USER" >/dev/null

# ActiveRecord 7.1+ creates every schema of its schema.rb (create_schema "uuid7_state") before the extensions: an
# empty uuid7_state is made again as the extension's own; one holding anything makes CREATE EXTENSION fail, untouched.
ar="mig_mapping_schema_ar_$$"
createdb "$ar" && MIG_DBS+=("$ar")
check_eq "an empty uuid7_state made before CREATE EXTENSION becomes the extension's own" "t" \
	"$(psql -X -A -t -q -d "$ar" -v ON_ERROR_STOP=1 -c "CREATE SCHEMA uuid7_state" -c "CREATE EXTENSION uuid7" \
		-c "SELECT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
			WHERE d.classid = 'pg_namespace'::regclass AND d.objid = 'uuid7_state'::regnamespace AND d.deptype = 'e' AND e.extname = 'uuid7')" 2>&1)"
squat="mig_mapping_schema_squat_$$"
createdb "$squat" && MIG_DBS+=("$squat")
out=$(psql -X -A -t -q -d "$squat" -v VERBOSITY=sqlstate -c "CREATE SCHEMA uuid7_state" -c "CREATE TABLE uuid7_state.mine (x int)" \
	-c "CREATE EXTENSION uuid7" 2>&1)
check_eq "a uuid7_state holding anything: CREATE EXTENSION fails (42P06) and leaves it as it was" "42P06|1|f" \
	"$(grep -oE '42P06' <<<"$out" | head -n 1)|$(psql -X -A -t -q -d "$squat" -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'uuid7_state'::regnamespace" -c "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'uuid7')" | paste -sd'|')"

# The ActiveRecord scenario in spirit: the application's schema, dumped, loads into a fresh database with the extension.
dump=$(mktemp /tmp/uuid7-mapping-schema-XXXXXX.sql)
pg_dump --schema-only -d "$PGDATABASE" | grep -Ev '^\\(un)?restrict ' >"$dump"
# (PostgreSQL 16's beta pg_dump writes the row security of an extension's own tables, ENABLE and policies, as user
# DDL, which the released ones do not: there those are left out of the comparison and of the load, and only those)
if pg_dump --version | grep -q '16beta'; then
	awk 'BEGIN { RS = ";\n"; ORS = ";\n" } !/(CREATE POLICY [^\n]* ON uuid7_state\.|ALTER TABLE uuid7_state\.[^\n]* ENABLE ROW LEVEL SECURITY)/' \
		"$dump" >"$dump.kept" && mv "$dump.kept" "$dump"
fi
check_eq "the schema-only dump has no DDL of the extension's state" 0 "$(grep -c 'uuid7_state' "$dump")"
check_true "the schema-only dump has the mapping schema and tables" \
	"SELECT $(grep -c 'CREATE SCHEMA uuid7_mapping;' "$dump") = 1 AND $(grep -c 'CREATE TABLE uuid7_mapping\.' "$dump") = 2"
fresh="mig_mapping_schema_fresh_$$"
createdb "$fresh" && MIG_DBS+=("$fresh")
out=$(psql -X -q -d "$fresh" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION uuid7" -f "$dump" 2>&1)
check_eq "it loads into a fresh database that has the extension, without error" "" "$(grep -E 'ERROR|FATAL' <<<"$out")"
check_eq "the loaded database has the application's tables and the mapping tables" "5|3" \
	"$(psql -X -A -t -d "$fresh" -c "SELECT count(*) FILTER (WHERE relnamespace = 'public'::regnamespace) || '|' ||
		count(*) FILTER (WHERE relnamespace IN ('uuid7_mapping'::regnamespace, 'own'::regnamespace)) FROM pg_class WHERE relkind = 'r'
		AND relnamespace IN ('public'::regnamespace, 'uuid7_mapping'::regnamespace, 'own'::regnamespace) AND relname NOT LIKE 'mig\_%'")"
rm -f "$dump"
