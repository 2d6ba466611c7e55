#!/usr/bin/env bash
# test/security/fuzz.sh — issue 22, "crash-proof entry points": an ordinary LOGIN role calls every function of the
# extension (found in the catalog, so new ones are covered without a change here) with wrong relation kinds, NULLs,
# extremes and malformed options, and the server must never restart, no call may end in an internal error, and none
# may outlast statement_timeout unless it is one that waits on purpose. On uuid7 1.6 uuid7_migration_lookup() given a
# view, a temporary view or a partitioned table started a heap scan of a relation without storage: SIGSEGV, and the
# postmaster restarted every backend of the cluster. That call is also checked on its own below.
#
# The calls are generated and driven by fuzz.py (one DO block per call inside BEGIN ... ROLLBACK, so nothing
# persists; a session that dies is noted with its call and the rest go on in a new one).
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh; source ../migration/lib.sh; source ./lib.sh

# 5 s: the slowest legitimate call (uuid7_plan_view_ddl of 10k views) takes 1-2 s on an idle 2-core machine
TIMEOUT_MS=5000
# Functions that wait on purpose (for a worker to start or stop, or between lock attempts): statement_timeout ends
# them, which is expected.
SLEEPERS='uuid7_online_start_worker|uuid7_online_stop_worker|uuid7_online_locked|uuid7_migration_start|uuid7_migration_resume'
# Internal errors (XX000, XX001) and system errors (58xxx) that are unavoidable, as "function name|SQLSTATE" lines:
# none so far.
ALLOWED_INTERNAL=''

mig_db fuzz
mig_role fuzz LOGIN; role=$MIG_ROLE
mig_role fuzzvictim LOGIN; victim=$MIG_ROLE
work=$(mktemp -d /tmp/uuid7-fuzz-XXXXXX)
chmod 755 "$work"
# UUID7_FUZZ_KEEP=DIR keeps the calls and their outcomes (calls.tsv) in DIR/<mode>; UUID7_FUZZ_SELFTEST=1 adds a call
# that ends its own session (the suite must then fail, naming it)
trap '[ -n "${UUID7_FUZZ_KEEP:-}" ] && mkdir -p "$UUID7_FUZZ_KEEP" && cp -r "$work" "$UUID7_FUZZ_KEEP/${UUID7_MODE:-plain}"
	rm -rf "$work"; mig_cleanup' EXIT

log_start=0
[ -n "${UUID7_SERVER_LOG:-}" ] && [ -r "$UUID7_SERVER_LOG" ] && log_start=$(stat -c %s "$UUID7_SERVER_LOG")
started_at=$(sql "SELECT pg_postmaster_start_time()")
t0=$SECONDS

# ---- fixtures: one object of every relation kind, owned by the fuzzing role; another role's tables and migrations ----
mig_setup <<SQL
-- (the fuzzing role's migrations create the default mapping schema uuid7_mapping; the victim's name schema fzv)
GRANT CREATE ON DATABASE "$PGDATABASE" TO "$role";
CREATE SCHEMA fz AUTHORIZATION "$role";
CREATE SCHEMA fzv AUTHORIZATION "$victim";
SET ROLE "$victim";
CREATE TABLE fzv.t (id bigint PRIMARY KEY, secret text);
INSERT INTO fzv.t SELECT g, 'secret ' || g FROM generate_series(1, 20) g;
CREATE TABLE fzv.m (id bigint PRIMARY KEY, v text);
INSERT INTO fzv.m SELECT g, 'v' FROM generate_series(1, 20) g;
SELECT uuid7_migrate(ARRAY['fzv.m']::regclass[], '{"mapping_schema": "fzv"}');
CREATE TABLE fzv.o (id bigint PRIMARY KEY, v text);
INSERT INTO fzv.o SELECT g, 'v' FROM generate_series(1, 20) g;
RESET ROLE;
SET ROLE "$role";
CREATE TABLE fz.t (id bigint PRIMARY KEY, v text, ts timestamptz DEFAULT now());
INSERT INTO fz.t SELECT g, repeat('v', 10), now() FROM generate_series(1, 20) g;
CREATE TABLE fz.child (id bigint PRIMARY KEY, t_id bigint CONSTRAINT child_t_fk REFERENCES fz.t);
INSERT INTO fz.child SELECT g, g FROM generate_series(1, 20) g;
CREATE UNLOGGED TABLE fz.u (old_id bigint, new_id uuid);
CREATE VIEW fz.v AS SELECT id AS old_id, NULL::uuid AS new_id FROM fz.t;
CREATE MATERIALIZED VIEW fz.mv AS SELECT id AS old_id, NULL::uuid AS new_id FROM fz.t;
CREATE TABLE fz.pt (old_id bigint, new_id uuid) PARTITION BY RANGE (old_id);
CREATE TABLE fz.pt_1 PARTITION OF fz.pt FOR VALUES FROM (0) TO (1000);
CREATE SEQUENCE fz.seq;
CREATE TYPE fz.ct AS (old_id bigint, new_id uuid);
CREATE TABLE fz.gone (old_id bigint, new_id uuid);
CREATE TABLE fz.m (id bigint PRIMARY KEY, v text);
INSERT INTO fz.m SELECT g, 'v' FROM generate_series(1, 20) g;
SELECT uuid7_migrate(ARRAY['fz.m']::regclass[], '{"mapping_schema": "fz"}');
CREATE TABLE fz.o (id bigint PRIMARY KEY, v text);
INSERT INTO fz.o SELECT g, 'v' FROM generate_series(1, 20) g;
RESET ROLE;
SQL
gone=$(sql "SELECT 'fz.gone'::regclass::oid")
sql "DROP TABLE fz.gone" >/dev/null
foreign=
if [ "$(sql "SELECT count(*) FROM pg_available_extensions WHERE name = 'file_fdw'")" = 1 ] &&
	sql "CREATE EXTENSION file_fdw; CREATE SERVER fz_files FOREIGN DATA WRAPPER file_fdw;
		CREATE FOREIGN TABLE fz.ft (old_id bigint, new_id uuid) SERVER fz_files OPTIONS (filename '/dev/null', format 'csv');
		ALTER FOREIGN TABLE fz.ft OWNER TO \"$role\"" >/dev/null 2>&1; then
	foreign=$(sql "SELECT 'fz.ft'::regclass::oid")
else
	echo "  (file_fdw is not available: no foreign table among the relation kinds)"
fi

# one online migration of each role, left ready (its worker gone) during the fuzz
mid=$(PGOPTIONS="-c role=$role" sql "SELECT uuid7_migration_start(ARRAY['fz.o']::regclass[])" 2>&1)
vmid=$(PGOPTIONS="-c role=$victim" sql "SELECT uuid7_migration_start(ARRAY['fzv.o']::regclass[], '{\"mapping_schema\": \"fzv\"}')" 2>&1)
if ! [[ "$mid" =~ ^[0-9]+$ && "$vmid" =~ ^[0-9]+$ ]]; then
	fail "setup" "online migrations could not be started: $mid / $vmid"
	exit 1
fi
deadline=$((SECONDS + 90))
until [ "$(sql "SELECT count(*) FROM uuid7_migration_status WHERE migration_id IN ($mid, $vmid) AND state = 'ready'")" = 2 ]; do
	if [ "$SECONDS" -ge "$deadline" ]; then
		fail "setup" "the online migrations did not reach ready: $(sql "SELECT string_agg(migration_id || ' ' || state || ' ' || coalesce(last_error, ''), '; ') FROM uuid7_migration_status")"
		exit 1
	fi
	sleep 0.2
done
until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'uuid7%' OR application_name LIKE 'uuid7%'")" = 0 ] ||
	[ "$SECONDS" -ge "$deadline" ]; do sleep 0.2; done

if ! sql "SELECT 'timeout_ms', '$TIMEOUT_MS'
UNION ALL SELECT 'ext_schema', extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'uuid7'
UNION ALL SELECT 'table', 'fz.t'::regclass::oid::text
UNION ALL SELECT 'table_name', 'fz.t'
UNION ALL SELECT 'migrated', 'fz.m'::regclass::oid::text
UNION ALL SELECT 'mapping', 'fz.m_uuid7_map'::regclass::oid::text
UNION ALL SELECT 'mapping_name', 'fz.m_uuid7_map'
UNION ALL SELECT 'online_table', 'fz.o'::regclass::oid::text
UNION ALL SELECT 'online_table_name', 'fz.o'
UNION ALL SELECT 'unlogged', 'fz.u'::regclass::oid::text
UNION ALL SELECT 'view', 'fz.v'::regclass::oid::text
UNION ALL SELECT 'matview', 'fz.mv'::regclass::oid::text
UNION ALL SELECT 'partitioned', 'fz.pt'::regclass::oid::text
UNION ALL SELECT 'partition', 'fz.pt_1'::regclass::oid::text
UNION ALL SELECT 'sequence', 'fz.seq'::regclass::oid::text
UNION ALL SELECT 'index', 'fz.t_pkey'::regclass::oid::text
UNION ALL SELECT 'composite', typrelid::text FROM pg_type WHERE oid = 'fz.ct'::regtype
UNION ALL SELECT 'toast', reltoastrelid::text FROM pg_class WHERE oid = 'fz.t'::regclass
UNION ALL SELECT 'fk', oid::text FROM pg_constraint WHERE conname = 'child_t_fk'
UNION ALL SELECT 'victim_table', 'fzv.t'::regclass::oid::text
UNION ALL SELECT 'victim_index', 'fzv.t_pkey'::regclass::oid::text
UNION ALL SELECT 'victim_mapping', 'fzv.m_uuid7_map'::regclass::oid::text
UNION ALL SELECT 'victim_migrated', 'fzv.m'::regclass::oid::text
UNION ALL SELECT 'state_table', 'uuid7_state.uuid7_online_migration'::regclass::oid::text
UNION ALL SELECT 'dropped', '$gone'
UNION ALL SELECT 'foreign', '$foreign'
UNION ALL SELECT 'migration', '$mid'
UNION ALL SELECT 'victim_migration', '$vmid'" 2>&1 | tr '|' '\t' >"$work/fixtures" || grep -q ERROR "$work/fixtures"; then
	fail "setup" "the fixtures could not be read: $(cat "$work/fixtures")"
	exit 1
fi
state_before=$(sql "SELECT id, state, worker_pid, last_error FROM uuid7_state.uuid7_online_migration ORDER BY id")
before=$(mig_fingerprint | grep -v '^sequence|')
t_setup=$((SECONDS - t0))

# ---- the 1.6 finding on its own: lookups through relations without storage -------------------------------------
sec_sqlstate_as "uuid7_migration_lookup(view) as an ordinary role: 42809" "$role" 42809 \
	"SELECT uuid7_migration_lookup('fz.v'::regclass, 1)"
sec_sqlstate_as "uuid7_migration_lookup(temporary view) as an ordinary role: 42809" "$role" 42809 \
	"CREATE TEMP VIEW tv AS SELECT 1::bigint AS old_id, NULL::uuid AS new_id; SELECT uuid7_migration_lookup('tv'::regclass, 1)"
sec_sqlstate_as "uuid7_migration_lookup(partitioned table) as an ordinary role: 42809" "$role" 42809 \
	"SELECT uuid7_migration_lookup('fz.pt'::regclass, 1)"
check_eq "the server did not restart after those lookups" "$started_at" "$(sql "SELECT pg_postmaster_start_time()")"

# ---- the fuzz ----------------------------------------------------------------------------------------------------
t1=$SECONDS
PGUSER=$role FUZZ_ROLE=$role FUZZ_SUPERUSER=${PGUSER:-postgres} FUZZ_SLEEPERS="^($SLEEPERS)\\(" python3 ./fuzz.py "$work/fixtures" "$work" ||
	fail "fuzz.py ran to its end" "exit status $?"
t_fuzz=$((SECONDS - t1))
touch "$work/calls.tsv" "$work/functions.tsv" "$work/sessions.txt"

nfun=$(wc -l <"$work/functions.tsv")
ncalls=$(wc -l <"$work/calls.tsv")
check_true "the catalog lists more than 40 functions of the extension ($nfun)" "SELECT $nfun > 40"
check_true "more than 1000 calls were made ($ncalls)" "SELECT $ncalls > 1000"
check_eq "every function found was called" "" "$(awk -F'\t' '$2 < 1 {print $1}' "$work/functions.tsv")"

# one FAIL line per call (at most 40 per check; the count is in the last one)
fail_calls() {
	local name=$1 lines=$2 n
	if [ -z "$lines" ]; then
		pass "$name"
		return
	fi
	n=$(printf '%s\n' "$lines" | wc -l)
	printf '%s\n' "$lines" | head -n 40 | while IFS=$'\t' read -r id _ label state ms msg; do
		fail "$name" "call $id $label: $state after $ms ms: $msg"
	done
	[ "$n" -gt 40 ] && fail "$name" "... and $((n - 40)) more calls"
}

fail_calls "every call reported its outcome" "$(awk -F'\t' '$4 == "NONE"' "$work/calls.tsv")"
fail_calls "no call ended its session (crash, FATAL, or hang)" "$(awk -F'\t' '$4 == "DEAD" || $4 == "HUNG"' "$work/calls.tsv")"
fail_calls "no call raised an internal error (XX000, XX001) or a system error (58xxx)" \
	"$(awk -F'\t' -v allowed="$ALLOWED_INTERNAL" '
		BEGIN { n = split(allowed, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
		($4 ~ /^XX00[01]$/ || $4 ~ /^58/) { fn = $2; sub(/\(.*/, "", fn); if (!((fn "|" $4) in ok)) print }' "$work/calls.tsv")"
# (a call ended by statement_timeout ran once more with six times the time: fuzz.py; ended again, it is 57014 here)
fail_calls "no call outlasted statement_timeout except the functions that wait on purpose" \
	"$(awk -F'\t' -v s="^($SLEEPERS)\\\\(" '$4 == "57014" && $2 !~ s' "$work/calls.tsv")"
fail_calls "no call at all (sleepers included) ran more than 1 s past statement_timeout (it ignored the cancel)" \
	"$(awk -F'\t' -v limit="$TIMEOUT_MS" '$5 > limit + 1000' "$work/calls.tsv")"

# ---- nothing the calls did persisted ------------------------------------------------------------------------------
check_eq "the migrations' state is as before the fuzz (every call was rolled back)" "$state_before" \
	"$(sql "SELECT id, state, worker_pid, last_error FROM uuid7_state.uuid7_online_migration ORDER BY id")"
after=$(mig_fingerprint | grep -v '^sequence|')
if [ "$before" = "$after" ]; then
	pass "the database is as before the fuzz (schema, relations, rows; sequences aside)"
else
	fail "the database is as before the fuzz (schema, relations, rows; sequences aside)" \
		"$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | grep '^[<>]' | head -n 20)"
fi


# ---- committed online migrations with extreme options their start accepts ---------------------------------------
# The calls above are rolled back, so no worker ever acts on a hostile option. Here each accepted extreme runs for
# real on a table of its own (with a child), as the ordinary role, three at a time: the worker must reach ready,
# failed or blocked without an internal error — or still be at work at the deadline, for the last three, which slow
# it down on purpose — and uuid7_migration_abort() must then put the tables back. A start refused for want of a
# worker slot (class 53) is not a failure here.
t2=$SECONDS
# (@T@: the table's name)
OPTION_SETS=('{"batch_blocks": 1, "map_batch": 1, "vacuum_every": 1}'
	'{"batch_blocks": 2147483647, "map_batch": 2147483647, "vacuum_every": 2147483647}'
	'{"lock_timeout_ms": 1, "lock_retries": 1}'
	'{"lock_timeout_ms": 2147483647, "lock_retries": 2147483647, "work_percent": 100}'
	"{\"version\": 6, \"tables\": {\"@T@\": {\"mapping_table\": \"a\\\"b'c\"}}}"
	'{"tables": {"@T@": {"mapping_table": "@T@ map", "version": 6}}, "mapping_schema": "fz"}'
	'{"work_percent": 1}'
	'{"pause_ms": 2147483647}'
	'{"pause_ms": 2147483647, "work_percent": 1, "batch_blocks": 2147483647}')
as_role() { PGOPTIONS="-c role=$role -c client_min_messages=warning" "$@"; }
for ((b = 0; b < ${#OPTION_SETS[@]}; b += 3)); do
	ids=()
	for ((i = b; i < b + 3 && i < ${#OPTION_SETS[@]}; i++)); do
		opts=${OPTION_SETS[$i]//@T@/fz.w$i}
		as_role sql "CREATE TABLE fz.w$i (id bigint PRIMARY KEY, v text);
			CREATE TABLE fz.w${i}_child (id bigint PRIMARY KEY, w_id bigint REFERENCES fz.w$i);
			INSERT INTO fz.w$i SELECT g, 'v' FROM generate_series(1, 50) g;
			INSERT INTO fz.w${i}_child SELECT g, 1 + g % 50 FROM generate_series(1, 50) g" >/dev/null
		out=$(as_role psql -X -A -t -q -v VERBOSITY=sqlstate \
			-c "SELECT uuid7_migration_start(ARRAY['fz.w$i']::regclass[], '${opts//\'/\'\'}')" 2>&1)
		if [[ "$out" =~ ^[0-9]+$ ]]; then
			ids+=("$out:$i")
		elif [[ "$out" =~ ERROR:\ +53 ]]; then
			echo "  online migration with options $opts: refused for want of a worker slot ($out)"
		else
			fail "online migration with options $opts: started" "$out"
		fi
	done
	deadline=$((SECONDS + (b + 3 >= ${#OPTION_SETS[@]} ? 4 : 20)))
	for entry in "${ids[@]}"; do
		id=${entry%%:*}; i=${entry#*:}; opts=${OPTION_SETS[$i]//@T@/fz.w$i}
		until [[ "$(sql "SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = $id")" =~ ^(ready|failed|blocked)$ ]] ||
			[ "$SECONDS" -ge "$deadline" ]; do sleep 0.2; done
		st=$(sql "SELECT state || '|' || coalesce(last_error, '') FROM uuid7_state.uuid7_online_migration WHERE id = $id")
		echo "  online migration $id with options $opts: ${st%%|*} ${st#*|}"
		if [[ "${st#*|}" =~ ^(XX00[01]|58) ]]; then
			fail "online migration with options $opts: no internal error" "$st"
		else
			pass "online migration with options $opts: no internal error"
		fi
		out=$(as_role sql "SELECT uuid7_migration_abort($id) IS NOT NULL" 2>&1)
		check_eq "online migration with options $opts: aborted by its role" t "$out"
		check_eq "online migration with options $opts: aborted, no worker, the tables as before" "aborted||50|50|" \
			"$(sql "SELECT m.state || '|' || coalesce(m.worker_pid::text, '') || '|' || (SELECT count(*) FROM fz.w$i)
				|| '|' || (SELECT count(*) FROM fz.w${i}_child) || '|' || coalesce((SELECT string_agg(attname, ',')
					FROM pg_attribute WHERE attrelid IN ('fz.w$i'::regclass, 'fz.w${i}_child'::regclass)
					AND attnum > 0 AND NOT attisdropped AND attname NOT IN ('id', 'v', 'w_id')), '')
				FROM uuid7_state.uuid7_online_migration m WHERE m.id = $id" 2>&1)"
	done
done
t_online=$((SECONDS - t2))

# ---- the server and the state afterwards -----------------------------------------------------------------------
check_eq "the server did not restart during the fuzz (pg_postmaster_start_time)" "$started_at" \
	"$(sql "SELECT pg_postmaster_start_time()" 2>&1)"
if [ -n "${UUID7_SERVER_LOG:-}" ] && [ -r "$UUID7_SERVER_LOG" ]; then
	check_eq "the server log shows no process killed by a signal or exiting with an error code" "" \
		"$(tail -c +"$((log_start + 1))" "$UUID7_SERVER_LOG" |
			grep -E 'terminated by signal|was terminated|server process .* exited with exit code [^01]' | head -n 5)"
else
	fail "the server log shows no process killed by a signal" "UUID7_SERVER_LOG is not set or not readable"
fi
deadline=$((SECONDS + 20))
until [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type NOT IN ('client backend', 'autovacuum worker')")" = 0 ] ||
	[ "$SECONDS" -ge "$deadline" ]; do sleep 0.2; done
check_eq "no background worker the fuzz started is left" "" \
	"$(sql "SELECT string_agg(pid || ' ' || backend_type, ', ') FROM pg_stat_activity WHERE datname = current_database()
		AND backend_type NOT IN ('client backend', 'autovacuum worker')")"
# ---- what the fuzz saw, for the log ------------------------------------------------------------------------------
echo "  $nfun functions, $ncalls calls; setup ${t_setup}s, fuzz ${t_fuzz}s, committed online migrations ${t_online}s"
echo "  SQLSTATEs returned:"
awk -F'\t' '{ n[$4]++ } END { for (s in n) printf "    %s %d\n", s, n[s] }' "$work/calls.tsv" | sort
echo "  slowest calls:"
sort -t$'\t' -k5,5nr "$work/calls.tsv" | head -n 5 | awk -F'\t' '{ printf "    %s ms %s %s\n", $5, $4, $3 }'
[ -s "$work/sessions.txt" ] && { echo "  session deaths:"; sed 's/^/    /' "$work/sessions.txt"; }
exit 0
