# test/online/lib.sh — helpers shared by the online migration suites (test/online/*.sh). Source it after
# ../assert.sh; it sources ../migration/lib.sh (mig_cleanup, check_empty, sql_literal, mig_fingerprint).
# shellcheck shell=bash disable=SC2034
#
# (test/run_all.sh runs every test/online/*.sh; run on its own, this file does nothing and records nothing.)
#
#   online_db NAME                 create database onl_NAME_<pid> with CREATE EXTENSION uuid7 (the default version),
#                                  export PGDATABASE, drop it on exit; exits the script (one FAIL line) when that
#                                  cannot be done
#   online_setup < SQL             build the schema and data (ends the script with one FAIL line on error)
#   online_start TABLES [OPTS]     uuid7_migration_start(TABLES[, OPTS]): prints the id, or nothing (and records a FAIL)
#   online_wait ID [SECONDS]       poll uuid7_migration_status until every row of ID is ready, failed, blocked or
#                                  stopped (default 90 s); prints that state ("mixed:..." / "timeout:..." otherwise)
#   online_wait_for NAME SQL [SECONDS]  poll until SQL returns t; one FAIL line (and return 1) on timeout
#   online_status_line ID          the status of migration ID on one line, per table (for a failure's stderr)
#   online_kill9 PID               kill -9 a worker on purpose (the postmaster then restarts every backend); the pid
#                                  is remembered so online_check_no_crash does not count it
#   online_wait_recovery           wait until the server accepts connections again (after a kill -9)
#   online_bg NAME CMD...          run CMD in the background, remembered and killed on exit
#   online_log                     the server log since the suite started (UUID7_SERVER_LOG must be set)
#   online_check_no_crash          one check: since the suite started, the server log shows no backend killed by a
#                                  signal other than the workers killed on purpose
#   online_schema_sig [DB]         the shape of the user tables: columns (name, type, not null, default; in name
#                                  order, as the online swap moves converted columns to the end), constraints with
#                                  pg_get_constraintdef, indexes with pg_get_indexdef, triggers, sequences

[ "${BASH_SOURCE[0]}" = "$0" ] && exit 0

ONLINE_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../migration/lib.sh
source "$ONLINE_LIB_DIR/../migration/lib.sh"

ONLINE_KILLED=()
ONLINE_BG=()
# Where the server log stood when the suite started: only what follows is this suite's.
ONLINE_LOG_START=0
if [ -n "${UUID7_SERVER_LOG:-}" ] && [ -r "$UUID7_SERVER_LOG" ]; then
	ONLINE_LOG_START=$(stat -c %s "$UUID7_SERVER_LOG")
fi

online_cleanup() {
	local pid
	for pid in "${ONLINE_BG[@]}"; do
		kill -- "$pid" 2>/dev/null
		pkill -P "$pid" 2>/dev/null
	done
	ONLINE_BG=()
	wait 2>/dev/null
	mig_cleanup
}
trap online_cleanup EXIT

online_db() {
	local db="onl_$1_$$"
	if ! createdb "$db"; then
		fail "setup" "createdb $db"
		exit 1
	fi
	MIG_DBS+=("$db")
	if ! psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION uuid7" >/dev/null ||
		[ "$(psql -X -A -t -d "$db" -c "SELECT to_regproc('uuid7_migration_start') IS NOT NULL")" != t ]; then
		fail "setup" "database $db with uuid7 (uuid7_migration_start) could not be created"
		exit 1
	fi
	export PGDATABASE=$db
}

online_setup() {
	local out
	if ! out=$(psql -X -q -v ON_ERROR_STOP=1 -f - 2>&1 >/dev/null); then
		fail "setup" "schema script failed: $out"
		exit 1
	fi
}

online_start() {
	local tables=$1 opts=${2:-} out
	if out=$(sql "SELECT uuid7_migration_start($tables${opts:+, $opts})" 2>&1); then
		printf '%s\n' "$out"
	else
		fail "uuid7_migration_start($tables${opts:+, $opts})" "$out"
	fi
}

online_wait() {
	local id=$1 secs=${2:-90} deadline st
	deadline=$((SECONDS + secs))
	while :; do
		st=$(sql "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $id" 2>/dev/null)
		case "$st" in
		ready | failed | blocked | stopped | finished | aborted)
			printf '%s\n' "$st"
			return 0
			;;
		esac
		if [ "$SECONDS" -ge "$deadline" ]; then
			printf 'timeout:%s\n' "$st"
			return 1
		fi
		sleep 0.1
	done
}

online_status_line() {
	sql "SELECT string_agg(format('%s: %s/%s, %s of %s rows, %s lock attempt(s), last error: %s', table_name, phase, state,
			rows_done, coalesce(rows_total::text, '?'), lock_attempts, coalesce(last_error, '-')), '; ' ORDER BY table_name::text)
		   FROM uuid7_migration_status WHERE migration_id = $1" 2>&1
}

online_wait_for() {
	local name=$1 query=$2 secs=${3:-60} deadline
	deadline=$((SECONDS + secs))
	while [ "$(sql "$query" 2>/dev/null)" != t ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			fail "$name" "not reached within $secs s: $query"
			return 1
		fi
		sleep 0.05
	done
}

online_kill9() {
	ONLINE_KILLED+=("$1")
	kill -9 "$1"
}

online_wait_recovery() {
	local deadline=$((SECONDS + 90))
	sleep 0.2
	until pg_isready -q && psql -X -q -d "$PGDATABASE" -c "SELECT 1" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			fail "server accepts connections again after the kill" "not within 90 s"
			exit 1
		fi
		sleep 0.1
	done
}

online_bg() {
	local name=$1
	shift
	"$@" &
	ONLINE_BG+=($!)
	eval "$name=\$!"
}

online_log() {
	tail -c +"$((ONLINE_LOG_START + 1))" "$UUID7_SERVER_LOG"
}

online_check_no_crash() {
	local lines pid
	if [ -z "${UUID7_SERVER_LOG:-}" ] || [ ! -r "$UUID7_SERVER_LOG" ]; then
		pass "server log: no unexpected signal deaths (no log to read: skipped)"
		return
	fi
	lines=$(online_log |
		grep -E 'terminated by signal|was terminated by exception|server process .* exited with exit code [^01]')
	for pid in "${ONLINE_KILLED[@]}"; do
		lines=$(printf '%s\n' "$lines" | grep -v "(PID $pid) was terminated by signal 9")
	done
	lines=$(printf '%s\n' "$lines" | sed '/^$/d')
	check_eq "server log: no process died by a signal except the ${#ONLINE_KILLED[@]} worker(s) killed on purpose" "" "$lines"
}

online_schema_sig() {
	psql -X -A -t -q -d "${1:-$PGDATABASE}" -v ON_ERROR_STOP=1 <<'SQL'
WITH rels AS (
	SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = 'public' AND c.relkind = 'r'
		AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'))
SELECT * FROM (
	SELECT 'column', r.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
		|| coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
	FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	UNION ALL
	SELECT 'constraint', r.relname, c.conname, c.contype::text || ' ' || pg_get_constraintdef(c.oid) || CASE WHEN c.convalidated THEN '' ELSE ' (not validated)' END
	FROM rels r JOIN pg_constraint c ON c.conrelid = r.oid
	UNION ALL
	SELECT 'index', r.relname, ci.relname, pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)' END
	FROM rels r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ci ON ci.oid = i.indexrelid
	UNION ALL
	SELECT 'trigger', r.relname, t.tgname, pg_get_triggerdef(t.oid)
	FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT 'sequence', '', c.relname, ''
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'S'
		AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
			AND (d.deptype = 'e' OR d.refobjid IN (SELECT e.objid FROM pg_depend e WHERE e.classid = 'pg_class'::regclass AND e.deptype = 'e')))
	UNION ALL
	SELECT 'function', '', p.proname, pg_get_function_identity_arguments(p.oid)
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
		AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
) s(kind, rel, name, def)
ORDER BY kind, rel COLLATE "C", name COLLATE "C";
SQL
}

# ---- online ends where offline ends (the shapes: ../migration/lib.sh) ---------------------------------------------
#   online_equivalence NAME TABLES [OPTS]
#                                  copies PGDATABASE, migrates the original offline (uuid7_migrate) and the copy online
#                                  (start, ready, finish), and checks that the three shapes are equal (3 checks); the
#                                  copy's name is left in ONLINE_COPY (dropped on exit)
online_equivalence() {
	local name=$1 tables=$2 opts=${3:-} copy out
	ONLINE_COPY=
	copy=$(mig_copy_db) || return 1
	if ! out=$(sql "SELECT uuid7_migrate($tables${opts:+, $opts})" 2>&1); then
		fail "$name: online ends where offline ends" "the offline migration failed: $out"
		return 1
	fi
	mig_online_equivalence "$name" "$copy" "$tables" "$opts" && ONLINE_COPY=$copy
}
