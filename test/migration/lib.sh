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
#                                 On failure the script ends there (every later check would only repeat it). In the
#                                 plain cluster, also the online equivalence below (3 more checks).
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
	local name=$1 tables=$2 opts=${3:-} out rc copy=
	if mig_equivalence_wanted; then copy=$(mig_copy_db); fi
	out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SELECT uuid7_migrate($tables${opts:+, $opts})" \
		-c "SELECT pg_stat_force_next_flush()" -c "SELECT 1" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then pass "$name"; else fail "$name" "uuid7_migrate failed: $out"; exit 1; fi
	if [ -n "$copy" ]; then
		mig_online_equivalence "$name" "$copy" "$tables" "$opts"
		dropdb --force "$copy" >/dev/null 2>&1
	fi
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

# mig_refusal NAME TABLES SQLSTATE PATTERN BLOCKER_SQL UNDO_SQL [ROLE]: BLOCKER_SQL run, then the plan lists a
# refusal with SQLSTATE whose object or detail contains PATTERN, uuid7_migrate raises it (naming it, with a hint) and
# changes nothing (the fingerprint): 3 checks; then UNDO_SQL. ROLE: run the plan and the migration as that role.
mig_refusal() {
	local name=$1 tables=$2 state=$3 pattern=$4 blocker=$5 undo=$6 role=${7:-} before plan out set_role=
	[ -n "$role" ] && set_role="SET ROLE \"$role\";"
	if [ -n "$blocker" ] && ! out=$(sql "$blocker" 2>&1); then
		fail "$name: setup" "$out"
		return
	fi
	before=$(mig_fingerprint)
	plan=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$set_role SELECT sqlstate, object, detail FROM uuid7_migration_plan($tables) WHERE sqlstate IS NOT NULL" 2>&1)
	check_eq "$name: plan lists it with SQLSTATE $state" "$state" \
		"$(printf '%s\n' "$plan" | grep -F -- "$pattern" | cut -d'|' -f1 | sort -u | tr '\n' ' ' | sed 's/ $//')"
	out=$(psql -X -q -c "\\set VERBOSITY verbose" -c "$set_role SELECT uuid7_migrate($tables)" 2>&1)
	if grep -q "ERROR:  $state:" <<<"$out" && grep -qF -- "$pattern" <<<"$out" && grep -q '^HINT:' <<<"$out"; then
		pass "$name: uuid7_migrate raises $state naming it, with a hint"
	else
		fail "$name: uuid7_migrate raises $state naming it, with a hint" "got: $out"
	fi
	check_fingerprint "$name: nothing changed" "$before"
	[ -n "$undo" ] && sql "$undo" >/dev/null
}

# The plan's refusal rows (sqlstate IS NOT NULL) as "sqlstate|object|detail" lines.
mig_plan_refusals() {
	sql "SELECT sqlstate, object, detail FROM uuid7_migration_plan($1${2:+, $2}) WHERE sqlstate IS NOT NULL ORDER BY step"
}

# ---- online ends where offline ends ------------------------------------------------------------------------------
# mig_migrate also runs the same migration online in a copy of the database taken just before, and compares the
# results (issue 20: for every schema the offline migration accepts, the online one ends in the same state, object
# for object, with the same rows; mapping tables aside). Once per major: in the plain cluster only, and not when
# UUID7_EQUIVALENCE=0.
#   mig_dump_shape DB           pg_dump --schema-only of DB as a sorted list of statements, columns of each CREATE
#                                  TABLE in name order (the swap puts converted columns last: the one difference
#                                  documented), comments and SET lines left out
#   mig_catalog_shape DB        what a dump leaves out or words alike: per index validity, clustering and replica
#                                  identity; per constraint validation and deferral; per column statistics target,
#                                  options, identity, generation; per table replica identity and row security; trigger
#                                  enablement; publication membership
#   mig_data_shape DB           per user table: row count and a hash of its rows, each uuid shown as the mapping
#                                  table and old key it stands for, columns in name order
#   mig_copy_db                    a copy of PGDATABASE (dropped on exit); prints its name
#   mig_online_equivalence NAME COPY TABLES [OPTS]
#                                  migrates COPY online (start, ready, finish) and checks that its three shapes equal
#                                  PGDATABASE's, migrated offline (3 checks); a refusal before start for what online
#                                  cannot do (0A000) is one check instead
mig_dump_shape() {
	pg_dump --schema-only --no-comments -d "$1" | python3 -c '
import re, sys
text = re.sub(r"^--.*$", "", sys.stdin.read(), flags=re.M)
out = []
for stmt in text.split(";\n"):
    stmt = stmt.strip()
    # (\restrict lines carry a random key: pg_dump 17.6 and later)
    stmt = "\n".join(l for l in stmt.split("\n") if not re.match(r"\\(un)?restrict ", l)).strip()
    if not stmt or stmt.startswith("SET ") or stmt.startswith("SELECT pg_catalog.set_config"):
        continue
    # the online swap moves converted columns to the end: columns in name order, in tables and statistics
    m = re.match(r"(CREATE (?:UNLOGGED )?TABLE [^\n]*\()\n(.*?)\n\)(.*)$", stmt, re.S)
    if m:
        cols = sorted(line.strip().rstrip(",") for line in m.group(2).split("\n"))
        stmt = m.group(1) + "\n    " + ",\n    ".join(cols) + "\n)" + m.group(3)
    m = re.match(r"(CREATE STATISTICS .* ON )(.*)( FROM [^\n]*)$", stmt, re.S)
    if m and "(" not in m.group(2):
        stmt = m.group(1) + ", ".join(sorted(m.group(2).split(", "))) + m.group(3)
    out.append(stmt)
print("\n;\n".join(sorted(out)))
'
}

mig_catalog_shape() {
	psql -X -A -t -q -d "$1" -v ON_ERROR_STOP=1 <<'SQL'
WITH rels AS (
	SELECT c.oid, c.oid::regclass::text AS rel, c.relkind, c.relreplident, c.relrowsecurity, c.relforcerowsecurity
	  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'p')
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'))
SELECT * FROM (
	SELECT 'table', r.rel, '', format('replident %s rls %s force %s', r.relreplident, r.relrowsecurity, r.relforcerowsecurity) FROM rels r
	UNION ALL
	SELECT 'column', r.rel, a.attname::text, format('stattarget %s options %s identity %s generated %s notnull %s',
		CASE WHEN coalesce(a.attstattarget::int, -1) < 0 THEN 'default' ELSE a.attstattarget::text END,
		(SELECT array_agg(o ORDER BY o) FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_attver=%'), a.attidentity, a.attgenerated, a.attnotnull)
	  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT 'index', r.rel, ci.relname::text, format('valid %s ready %s clustered %s replident %s unique %s',
		i.indisvalid, i.indisready, i.indisclustered, i.indisreplident, i.indisunique)
	  FROM rels r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ci ON ci.oid = i.indexrelid
	UNION ALL
	SELECT 'constraint', r.rel, con.conname::text, format('%s validated %s deferrable %s deferred %s noinherit %s',
		con.contype, con.convalidated, con.condeferrable, con.condeferred, con.connoinherit)
	  FROM rels r JOIN pg_constraint con ON con.conrelid = r.oid
	UNION ALL
	SELECT 'trigger', r.rel, t.tgname::text, format('enabled %s', t.tgenabled)
	  FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT 'publication', r.rel, p.pubname::text, '' FROM rels r JOIN pg_publication_rel pr ON pr.prrelid = r.oid
	  JOIN pg_publication p ON p.oid = pr.prpubid
	UNION ALL
	SELECT 'statistics', r.rel, s.stxname::text, format('target %s kinds %s', coalesce((to_jsonb(s)->>'stxstattarget')::int, -1), s.stxkind)
	  FROM rels r JOIN pg_statistic_ext s ON s.stxrelid = r.oid
) s(kind, rel, name, shape)
ORDER BY kind, rel COLLATE "C", name COLLATE "C";
SQL
}

mig_data_shape() {
	psql -X -A -t -q -d "$1" -v ON_ERROR_STOP=1 -f "$MIG_LIB_DIR/rows_hash.sql" -f - <<'SQL'
CREATE FUNCTION pg_temp.data_shape() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	maps text;
	r record;
BEGIN
	-- (the registry is in the extension's schema)
	PERFORM set_config('search_path', (SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
										WHERE e.extname = 'uuid7') || ', public', true);
	-- every uuid of a mapping table stands for "table:old key" (a uuid no mapping has is shown as it is)
	SELECT string_agg(format('SELECT new_id, %L || '':'' || old_id AS label FROM %s', g.relid::text, g.mapping_table), ' UNION ALL ')
	  INTO maps FROM uuid7_state.uuid7_migrated_table g;
	FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'p')
			    AND n.nspname <> 'mig_snap'		-- the suites' own record of the migration (it counts rewrites)
			    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
			  ORDER BY c.oid::regclass::text COLLATE "C" LOOP
		RETURN NEXT r.rel::text || ' ' || pg_temp.rows_hash(r.rel, maps);
	END LOOP;
END $$;
SELECT * FROM pg_temp.data_shape();
SQL
}

mig_copy_db() {
	local copy="${PGDATABASE}_c$((${#MIG_DBS[@]} + 1))" _
	# (the sessions of the previous statements may still be closing: a copy needs none left on the source)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		if createdb -T "$PGDATABASE" "$copy" 2>/dev/null; then
			MIG_DBS+=("$copy")
			printf '%s\n' "$copy"
			return 0
		fi
		sleep 0.5
	done
	fail "copy of $PGDATABASE" "createdb -T $PGDATABASE $copy failed (a session still connected?)"
	return 1
}

# mig_check_same NAME OFFLINE ONLINE: one check, the two texts equal (the diff on failure)
mig_check_same() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -n 40 | sed 's/^/    /')"
	fi
}

mig_online_equivalence() {
	local name=$1 copy=$2 tables=$3 opts=${4:-} mid out st deadline
	name="$name — online ends where offline ends"
	if ! mid=$(psql -X -A -t -q -d "$copy" -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate \
		-c "SELECT uuid7_migration_start($tables, ${opts:-'{}'}::jsonb || '{\"pause_ms\": 0, \"batch_blocks\": 1000}')" 2>&1); then
		if grep -q "0A000" <<<"$mid"; then
			pass "$name: refused before start, as documented ($(grep -o '0A000.*' <<<"$mid" | head -n 1))"
			dropdb --force "$copy" >/dev/null 2>&1
			return 0
		fi
		fail "$name" "uuid7_migration_start failed: $mid"
		return 1
	fi
	deadline=$((SECONDS + 600))
	while :; do
		st=$(psql -X -A -t -q -d "$copy" -c "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $mid" 2>&1)
		case "$st" in ready | failed | blocked | stopped) break ;; esac
		[ "$SECONDS" -ge "$deadline" ] && break
		sleep 0.2
	done
	if [ "$st" != ready ] || ! out=$(psql -X -A -t -q -d "$copy" -v ON_ERROR_STOP=1 -c "SELECT uuid7_migration_finish($mid)" 2>&1); then
		fail "$name" "the online run did not finish ($st): ${out:-} $(psql -X -A -t -q -d "$copy" -c "SELECT last_error FROM uuid7_state.uuid7_online_migration WHERE id = $mid" 2>&1)"
		return 1
	fi
	mig_check_same "$name: pg_dump --schema-only" "$(mig_dump_shape "$PGDATABASE")" "$(mig_dump_shape "$copy")"
	mig_check_same "$name: catalog" "$(mig_catalog_shape "$PGDATABASE")" "$(mig_catalog_shape "$copy")"
	mig_check_same "$name: rows" "$(mig_data_shape "$PGDATABASE")" "$(mig_data_shape "$copy")"
}

# Whether mig_migrate compares with the online migration (once per major: the plain cluster).
mig_equivalence_wanted() {
	[ "${UUID7_EQUIVALENCE:-1}" != 0 ] && [ "${UUID7_MODE:-plain}" = plain ]
}
