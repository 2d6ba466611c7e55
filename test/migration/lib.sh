# test/migration/lib.sh — helpers shared by the scripted migration tests. Source it after ../assert.sh:
# shellcheck shell=bash disable=SC2034,SC2120
#
#   source "$(dirname "$0")/../assert.sh"
#   source "$(dirname "$0")/lib.sh"
#
# (test/run_all.sh runs every test/migration/*.sh; run on its own, this file does nothing and records nothing.)
#
#   mig_db NAME                   create database mig_NAME_<pid> with CREATE EXTENSION uuid7, export PGDATABASE,
#                                 drop it on exit; exits the script (one FAIL line) when the migration engine is missing
#   mig_role NAME [OPTIONS]       create role NAME_<pid> (dropped on exit); sets MIG_ROLE to its name
#   mig_fingerprint [DB]          print the full state of DB: pg_dump --schema-only, extension versions, every user
#                                 relation's filenode, sequence positions, and per table row count + md5 of its rows
#   mig_snapshot TABLES           record the before state (lib.sql, schema mig_snap); TABLES is a SQL regclass[]
#                                 expression, e.g. "ARRAY['public.events','public.event_queue']::regclass[]"
#   mig_migrate NAME TABLES [OPTS]  one check: uuid7_migrate(TABLES[, OPTS]) succeeds; then flushes statistics.
#                                 On failure the script ends there (every later check would only repeat it).
#   mig_check_all                 the standard after-migration checks against the snapshot (one PASS/FAIL each)
#   mig_key_col TABLE COLUMN      one check: the column is uuid NOT NULL, same position, DEFAULT uuid_generate_v7(),
#                                 no identity, no owned sequence
#   check_fingerprint NAME BEFORE one check: mig_fingerprint equals BEFORE (the diff is shown on failure)
#   check_empty NAME SQL          one check: the query returns no rows (the rows are shown on failure)
#   mig_setup < SQL               build the schema and data (ends the script with one FAIL line on error)
#   mig_plan_refusals TABLES      the plan's refusal rows, "sqlstate|object|detail"

[ "${BASH_SOURCE[0]}" = "$0" ] && exit 0

MIG_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MIG_DBS=()
MIG_ROLES=()

mig_cleanup() {
	local db role
	for db in "${MIG_DBS[@]}"; do
		dropdb --if-exists --force "$db" >/dev/null 2>&1 || true
	done
	for role in "${MIG_ROLES[@]}"; do
		psql -X -q -d postgres -c "DROP ROLE IF EXISTS \"$role\"" >/dev/null 2>&1 || true
	done
	MIG_DBS=()
	MIG_ROLES=()
}

# Create a cluster-wide role (name made unique per run: NAME_<pid>), dropped on exit after the databases; its name
# is left in MIG_ROLE (not printed: a command substitution would lose the registration).
mig_role() {
	local role="$1_$$"
	psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE ROLE \"$role\" ${2:-}" >/dev/null || { fail "setup" "CREATE ROLE $role"; exit 1; }
	MIG_ROLES+=("$role")
	MIG_ROLE=$role
}
trap mig_cleanup EXIT
trap 'exit 130' INT TERM

# Create a database with the extension at the version that has the migration helper.
mig_createdb() {
	local db=$1
	createdb "$db" || return 1
	MIG_DBS+=("$db")
	psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION uuid7" >/dev/null || return 1
	if [ "$(psql -X -A -t -d "$db" -c "SELECT to_regproc('uuid7_migrate') IS NULL")" = t ]; then
		psql -X -q -d "$db" -c "ALTER EXTENSION uuid7 UPDATE" >/dev/null 2>&1
		psql -X -q -d "$db" -c "ALTER EXTENSION uuid7 UPDATE TO '1.1'" >/dev/null 2>&1
	fi
	[ "$(psql -X -A -t -d "$db" -c "SELECT to_regproc('uuid7_migrate') IS NOT NULL")" = t ]
}

mig_db() {
	local db="mig_$1_$$"
	if ! mig_createdb "$db"; then
		fail "setup" "database $db with the uuid7 migration helper (uuid7_migrate) could not be created"
		exit 1
	fi
	export PGDATABASE=$db
}

check_empty() {
	local name=$1 out
	out=$(sql "$2" 2>&1)
	check_eq "$name" "" "$out"
}

mig_fingerprint() {
	local db=${1:-$PGDATABASE}
	# pg_dump >= 15.14 wraps its output in \restrict/\unrestrict with a random key: not part of the state.
	pg_dump --schema-only -d "$db" | grep -Ev '^\\(un)?restrict ' || echo "pg_dump failed"
	psql -X -A -t -q -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'extension', extname, extversion, extconfig::regclass[]::text FROM pg_extension ORDER BY extname;
SELECT 'relation', c.oid::regclass::text, c.relkind, c.relfilenode, c.relispopulated, c.reloptions::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast_)?temp'
ORDER BY c.oid::regclass::text COLLATE "C";
SELECT 'sequence', schemaname, sequencename, last_value FROM pg_sequences
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 2, 3;
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C"), '''')) FROM %s t',
	c.oid::regclass::text, c.oid::regclass)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND c.relispopulated
	AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname !~ '^pg_(toast_)?temp'
ORDER BY c.oid::regclass::text COLLATE "C"
\gexec
SQL
}

# One check: the fingerprint now equals BEFORE (a fingerprint string); on failure the message is the unified diff.
check_fingerprint() {
	local name=$1 before=$2 after
	after=$(mig_fingerprint)
	if [ "$before" = "$after" ]; then
		pass "$name"
	else
		fail "$name" "state changed: $(diff -u <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 1,2d | grep '^[-+]' | head -n 20)"
	fi
}

mig_snapshot() {
	local tables=$1
	if [ "$(sql "SELECT to_regnamespace('mig_snap') IS NULL")" = t ]; then
		psql -X -q -v ON_ERROR_STOP=1 -f "$MIG_LIB_DIR/lib.sql" >/dev/null || { fail "snapshot" "lib.sql failed to load"; exit 1; }
	fi
	sql "SELECT mig_snap.take($tables)" >/dev/null || { fail "snapshot" "mig_snap.take failed"; exit 1; }
}

# Runs the migration in its own session, then forces that session's statistics out (pg_stat_force_next_flush takes
# effect when the session next goes idle, i.e. before "SELECT 1"), so n_tup_upd/n_dead_tup are current afterwards.
mig_migrate() {
	local name=$1 tables=$2 opts=${3:-} out rc
	out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SELECT uuid7_migrate($tables${opts:+, $opts})" \
		-c "SELECT pg_stat_force_next_flush()" -c "SELECT 1" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then pass "$name"; else fail "$name" "uuid7_migrate failed: $out"; exit 1; fi
}

mig_key_col() {
	local rel=$1 col=$2 attnum
	attnum=$(sql "SELECT keyattnum FROM mig_snap.targets WHERE rel = $(sql_literal "$rel")")
	check_eq "$rel.$col: uuid NOT NULL, position $attnum, DEFAULT uuid_generate_v7(), no identity, no sequence" \
		"uuid|t|$attnum||uuid_generate_v7()|" \
		"$(sql "SELECT format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attnum, a.attidentity,
				regexp_replace(pg_get_expr(d.adbin, d.adrelid), '^[a-z0-9_]+\.', ''),
				pg_get_serial_sequence($(sql_literal "$rel"), a.attname)
			FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			WHERE a.attrelid = $(sql_literal "$rel")::regclass AND a.attname = $(sql_literal "$col")")"
}

# A bash string as a SQL string literal.
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

# The SQLSTATE of an ON DELETE/UPDATE RESTRICT violation: restrict_violation (23001) from PostgreSQL 18 on,
# foreign_key_violation (23503) before, as for NO ACTION.
restrict_violation_sqlstate() {
	sql "SELECT CASE WHEN current_setting('server_version_num')::int >= 180000 THEN '23001' ELSE '23503' END"
}

mig_check_all() {
	local rel col
	while IFS= read -r rel; do
		check_empty "$rel: rows equal to before, converted columns through the mapping" \
			"SELECT * FROM mig_snap.diff_rows($(sql_literal "$rel"))"
	done < <(sql "SELECT rel FROM mig_snap.copies ORDER BY rel")
	while IFS='|' read -r rel col; do
		check_empty "$rel: new keys v7, in old key order, mapping both ways" "SELECT * FROM mig_snap.diff_key($(sql_literal "$rel"))"
		mig_key_col "$rel" "$col"
	done < <(sql "SELECT rel, keycol FROM mig_snap.targets ORDER BY ord")
	check_empty "columns: names, positions, NOT NULL, comments, grants, types and defaults as before" "SELECT * FROM mig_snap.diff_cols()"
	check_empty "constraints: same names, pg_get_constraintdef and convalidated" "SELECT * FROM mig_snap.diff_cons()"
	check_empty "indexes: same names and pg_get_indexdef, all valid" "SELECT * FROM mig_snap.diff_idx()"
	check_empty "views and matviews: same definition, options, owner, grants, comment" "SELECT * FROM mig_snap.diff_views()"
	check_empty "key sequences removed, other sequences kept" "SELECT * FROM mig_snap.diff_seqs()"
	check_empty "affected tables rewritten exactly once, no UPDATE/DELETE, no dead tuples; others untouched" \
		"SELECT * FROM mig_snap.diff_rewrites()"
	check_empty "every validated foreign key holds on the data" "SELECT * FROM mig_snap.diff_fk_data()"
}

# Build the schema: SQL on stdin, stopped at the first error (which ends the script with one FAIL line). Ends with
# a statistics flush so the snapshot sees the setup's counters.
mig_setup() {
	local out
	if ! out=$(psql -X -q -v ON_ERROR_STOP=1 -f - -c "SELECT pg_stat_force_next_flush()" -c "SELECT 1" 2>&1 >/dev/null); then
		fail "setup" "schema script failed: $out"
		exit 1
	fi
}

# The plan's refusal rows (sqlstate IS NOT NULL) as "sqlstate|object|detail" lines.
mig_plan_refusals() {
	sql "SELECT sqlstate, object, detail FROM uuid7_migration_plan($1${2:+, $2}) WHERE sqlstate IS NOT NULL ORDER BY step"
}
