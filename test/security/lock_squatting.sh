#!/usr/bin/env bash
# test/security/lock_squatting.sh — issue 22, "Advisory-lock squatting" (Medium). A LOGIN role with no privilege at
# all holds every advisory lock it can guess for another role's online migration and the next ones (the keys of uuid7
# 1.6: (1970628964, id) marked a live worker, (1970629989, id) was the start/step gate; and the bigint forms) while
# it runs, is killed, resumed, aborted, and a new one starts. It also sets its application_name to the worker's.
# Shows: the backfill goes on, the killed worker's migration says stopped, resume and abort work, a new start does
# not wait, and the stranger cannot take the new locks through the extension's functions either (uuid7_online_gate,
# uuid7_online_launch). On 1.6 the backfill froze, the status said running, resume failed with 55006, abort could not
# stop the "worker" (the stranger's session) and the new start waited until statement_timeout (57014).
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh
source ../online/lib.sh
source ./lib.sh

online_db squat
mig_role sq_owner LOGIN; owner=$MIG_ROLE
mig_role sq_stranger LOGIN; stranger=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner";
SET ROLE "$owner";
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
INSERT INTO parent (name) SELECT 'parent ' || g FROM generate_series(1, 20000) g;
CREATE TABLE other (id bigserial PRIMARY KEY, name text NOT NULL);
INSERT INTO other (name) SELECT 'other ' || g FROM generate_series(1, 100) g;
VACUUM ANALYZE parent, other;
SQL

as_owner() { PGOPTIONS="-c role=$owner" "$@"; }
rows_done() { sql "SELECT rows_done FROM uuid7_migration_status WHERE migration_id = $1 AND role = 'key'"; }
state_of() { sql "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $1"; }

# ---- a running backfill proceeds while the stranger holds every key -----------------------------------------------
id=$(as_owner online_start "ARRAY['parent']::regclass[]" "'{\"batch_blocks\": 1, \"pause_ms\": 150}'")
[ -n "$id" ] || exit 1
online_wait_for "the owner's migration reaches the backfill" \
	"SELECT bool_and(phase = 'backfill' AND rows_done > 0) FROM uuid7_migration_status WHERE migration_id = $id" 60 || exit 1
worker=$(sql "SELECT uuid7_online_worker_pid($id)")

keys=""
for k in "$id" "$((id + 1))" "$((id + 2))"; do
	keys+="SELECT pg_advisory_lock(1970629989, $k), pg_advisory_lock((1970629989::bigint << 32) + $k);"
	keys+="SELECT pg_advisory_lock(1970628964, $k), pg_advisory_lock((1970628964::bigint << 32) + $k), pg_advisory_lock($k);"
done
# The stranger logs in as itself, calls itself the worker, takes the keys (on 1.6 the live worker's key waits for the
# worker's end) and stays.
PGUSER=$stranger PGAPPNAME="uuid7 migration $id" online_bg holder \
	psql -X -q -c "$keys" -c "SELECT pg_sleep(600)" >/dev/null 2>&1
online_wait_for "the stranger holds the 15 advisory keys" \
	"SELECT count(*) = 15 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
	  WHERE a.usename = '$stranger' AND l.locktype = 'advisory' AND l.granted" 10

r1=$(rows_done "$id")
sleep 2
r2=$(rows_done "$id")
check_eq "the backfill proceeds while the stranger holds the keys (rows_done $r1, then $r2 two seconds later)" "t" \
	"$([ "${r2:-0}" -gt "${r1:-0}" ] && echo t || echo f)"
check_eq "the live worker's lock is an object lock on uuid7_state.uuid7_online_migration (objsubid 1), held by the worker" \
	"object|1|$worker" \
	"$(sql "SELECT l.locktype, l.objsubid, l.pid FROM pg_locks l
		 WHERE l.classid = 'uuid7_state.uuid7_online_migration'::regclass AND l.objid = $id AND l.granted AND l.mode = 'ExclusiveLock'")"

# ---- nor can the stranger take the new locks through the extension --------------------------------------------------
# the owner's migration does not exist for the stranger (row security of the state: least disclosure)
sec_sqlstate_as "the stranger cannot close the gate of the owner's migration (uuid7_online_gate exclusive): 42704" \
	"$stranger" 42704 "SELECT uuid7_online_gate($id, true)"
check_eq "the stranger's shared gate on the owner's migration holds nothing after the call" "t|0" \
	"$(sec_as "$stranger" "SELECT g, (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'object')
		FROM (SELECT uuid7_online_gate($id, false) AS g OFFSET 0) s")"
sec_sqlstate_as "the stranger cannot close the gate of a migration yet to start: 42704" \
	"$stranger" 42704 "SELECT uuid7_online_gate($((id + 1)), true)"
check_eq "the stranger's shared gate on a migration yet to start holds nothing after the call" "t|0" \
	"$(sec_as "$stranger" "SELECT g, (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'object')
		FROM (SELECT uuid7_online_gate($((id + 1)), false) AS g OFFSET 0) s")"
sec_sqlstate_as "the stranger cannot launch a worker for the owner's migration: 42704" \
	"$stranger" 42704 "SELECT uuid7_online_launch($id)"

# ---- the killed worker's migration says stopped; resume and abort work ----------------------------------------------
sql "SELECT pg_terminate_backend($worker)" >/dev/null
online_wait_for "the terminated worker is gone" "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $worker)" 30
check_eq "after the kill: status stopped (the stranger's keys and application_name make nothing look alive)" "stopped|" \
	"$(sql "SELECT string_agg(DISTINCT state, ','), uuid7_online_worker_pid($id) FROM uuid7_migration_status WHERE migration_id = $id")"
newpid=$(as_owner psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET statement_timeout = '20s'" -c "SELECT uuid7_migration_resume($id)" 2>&1)
[[ "$newpid" =~ ^[0-9]+$ ]] || { fail "the owner resumes it" "$newpid"; newpid=0; }
check_eq "the owner resumes it: a new 'uuid7 migration' worker, running as the owner" "uuid7 migration|$owner" \
	"$(sql "SELECT backend_type, usename FROM pg_stat_activity WHERE pid = $newpid")"
check_eq "after the resume: status running, worker_pid is the new worker" "running|t" \
	"$(sql "SELECT string_agg(DISTINCT state, ','), bool_and(uuid7_online_worker_pid($id) = $newpid)
		FROM uuid7_migration_status WHERE migration_id = $id")"
out=$(as_owner psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET statement_timeout = '30s'" -c "SET client_min_messages = warning" \
	-c "SELECT uuid7_migration_abort($id) ->> 'migration_id'" 2>&1)
check_eq "the owner aborts it" "$id" "$out"
check_eq "aborted, no worker left" "aborted|0" \
	"$(sql "SELECT (SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = $id),
		(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'uuid7 migration' AND datname = current_database())")"

# ---- a new start does not wait for the stranger's keys of the next ids ----------------------------------------------
out=$(as_owner psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET statement_timeout = '20s'" \
	-c "SELECT uuid7_migration_start(ARRAY['other']::regclass[], '{\"pause_ms\": 2000000000}')" 2>&1)
check_eq "a new start returns at once although the stranger holds the keys of ids $((id + 1)) and $((id + 2))" "$((id + 1))" "$out"
check_eq "... and its worker is running" "running|uuid7 migration" \
	"$(sql "SELECT string_agg(DISTINCT s.state, ','), (SELECT backend_type FROM pg_stat_activity WHERE pid = uuid7_online_worker_pid($((id + 1))))
		FROM uuid7_migration_status s WHERE s.migration_id = $((id + 1))")"
out=$(as_owner psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET statement_timeout = '30s'" -c "SET client_min_messages = warning" \
	-c "SELECT uuid7_migration_abort($((id + 1))) ->> 'migration_id'" 2>&1)
check_eq "... and is aborted" "$((id + 1))" "$out"

kill "$holder" 2>/dev/null
online_check_no_crash
