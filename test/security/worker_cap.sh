#!/usr/bin/env bash
# test/security/worker_cap.sh — issue 22, "Worker slots" (Medium), and "the worker runs as the role that started the
# migration" (High: SQL in a role's migration rows ran as whoever resumed it). With the caps lowered (ALTER SYSTEM and
# a reload: uuid7.max_workers_per_role = 2, uuid7.max_workers_per_database = 3, uuid7.max_workers = 4 more than run),
# one role starts online migrations of sixteen tiny tables with a huge pause_ms: the third start and every later one
# fail with 53400 (errdetail names the count and the setting) and leave no state behind; another role still starts
# in the same database up to the database's cap (53400 there), and in another database up to the cluster's cap; a
# superuser's parallel query still launches its workers. A superuser who resumes the role's migration gets a worker
# logged in as that role (usename), not as the superuser; the LOGIN check and a vanished starter are refused.
# On 1.6 there was no cap: every start got a worker until max_worker_processes ran out, the parallel query then
# launched 0 workers, and a resumed worker ran as the superuser.
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh
source ../online/lib.sh
source ./lib.sh

# caps SET BASE / caps RESET: per role 2, per database 3, in the cluster BASE + 4 (BASE: uuid7 workers of other suites)
caps() {
	psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "LOAD 'uuid7'" \
		-c "ALTER SYSTEM ${1} uuid7.max_workers_per_role${2:+ = 2}" \
		-c "ALTER SYSTEM ${1} uuid7.max_workers_per_database${2:+ = 3}" \
		-c "ALTER SYSTEM ${1} uuid7.max_workers${2:+ = $(($2 + 4))}" \
		-c "SELECT pg_reload_conf()" >/dev/null
}
trap 'caps RESET 2>/dev/null; online_cleanup' EXIT

online_db cap_b; db_b=$PGDATABASE
online_db cap_a; db_a=$PGDATABASE
mig_role cap_r1 LOGIN; r1=$MIG_ROLE
mig_role cap_r2 LOGIN; r2=$MIG_ROLE
mig_role cap_r3 LOGIN; r3=$MIG_ROLE
for db in "$db_a" "$db_b"; do
	PGDATABASE=$db online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$r1", "$r2", "$r3";
SET ROLE "$r1";
DO \$\$ BEGIN FOR i IN 1 .. 16 LOOP
	EXECUTE format('CREATE TABLE t%s (id bigserial PRIMARY KEY, v int); INSERT INTO t%s (v) SELECT generate_series(1, 10)', i, i);
END LOOP; END \$\$;
SET ROLE "$r2";
CREATE TABLE u1 (id bigserial PRIMARY KEY); INSERT INTO u1 DEFAULT VALUES;
CREATE TABLE u2 (id bigserial PRIMARY KEY); INSERT INTO u2 DEFAULT VALUES;
SET ROLE "$r3";
CREATE TABLE w1 (id bigserial PRIMARY KEY); INSERT INTO w1 DEFAULT VALUES;
RESET ROLE;
CREATE TABLE big AS SELECT g AS n FROM generate_series(1, 200000) g;
ANALYZE big;
SQL
done
PGDATABASE=$db_a

workers() { sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'uuid7 migration'${1:+ AND $1}"; }
base=$(workers)
caps SET "$base" || { fail "setup" "ALTER SYSTEM SET uuid7.max_workers..."; exit 1; }
online_wait_for "the lowered caps are in force in new sessions" \
	"SELECT current_setting('uuid7.max_workers_per_role', true) = '2' AND current_setting('uuid7.max_workers', true) = '$((base + 4))'" 10 || exit 1

# (three roles: the mapping tables in public, where each may create; uuid7_mapping would be the first one's)
slow="'{\"pause_ms\": 2000000000, \"mapping_schema\": \"public\"}'"
# Starts ROLE's migration of TABLE in DB: prints the id, or the error (VERBOSITY verbose: "ERROR:  53400: ...", DETAIL).
start_as() {
	psql -X -A -t -q -d "$2" -c "\\set VERBOSITY verbose" -c "SET ROLE \"$1\"" -c "SET statement_timeout = '30s'" \
		-c "SELECT uuid7_migration_start(ARRAY['$3']::regclass[], $slow)" 2>&1
}

# ---- one role: two workers, then 53400 ---------------------------------------------------------------------------------
id1=$(start_as "$r1" "$db_a" t1)
id2=$(start_as "$r1" "$db_a" t2)
check_eq "the role's first two starts get workers (per-role cap 2)" "t|2" \
	"$([[ "$id1" =~ ^[0-9]+$ && "$id2" =~ ^[0-9]+$ ]] && echo t || echo "f: $id1 / $id2")|$(workers "usename = '$r1'")"
out=$(start_as "$r1" "$db_a" t3)
check_eq "the third start fails with 53400, errdetail with the count and uuid7.max_workers_per_role" "53400|1" \
	"$(sed -nE 's/^ERROR:  ([0-9A-Z]{5}):.*/\1/p' <<<"$out" | head -n 1)|$(grep -c '^DETAIL:  2 already run as this role, and uuid7.max_workers_per_role is 2\.$' <<<"$out")"
check_eq "the refused start left no state: no migration row, no mapping table, no twin column, no trigger" "2|t|0|0" \
	"$(sql "SELECT (SELECT count(*) FROM uuid7_state.uuid7_online_migration), to_regclass('t3_uuid7_map') IS NULL,
		(SELECT count(*) FROM pg_attribute WHERE attrelid = 't3'::regclass AND attname LIKE 'uuid7_new_%' AND NOT attisdropped),
		(SELECT count(*) FROM pg_trigger WHERE tgrelid = 't3'::regclass)")"
started=0
for i in $(seq 4 16); do
	[[ "$(start_as "$r1" "$db_a" "t$i")" =~ ^[0-9]+$ ]] && started=$((started + 1))
done
check_eq "thirteen more starts of the role's tables: none gets a worker; the role still runs 2, the cluster 2 more" "0|2|$((base + 2))" \
	"$started|$(workers "usename = '$r1'")|$(workers)"

# ---- another role: the database's cap, then another database, then the cluster's cap ----------------------------------
out=$(start_as "$r2" "$db_a" u1)
check_eq "another role starts in the same database (3rd worker of the database)" "t" "$([[ "$out" =~ ^[0-9]+$ ]] && echo t || echo "f: $out")"
out=$(start_as "$r2" "$db_a" u2)
check_eq "its second start there passes its role's cap but not the database's: 53400, uuid7.max_workers_per_database" "53400|1" \
	"$(sed -nE 's/^ERROR:  ([0-9A-Z]{5}):.*/\1/p' <<<"$out" | head -n 1)|$(grep -c '^DETAIL:  3 already run in this database, and uuid7.max_workers_per_database is 3\.$' <<<"$out")"
out=$(start_as "$r2" "$db_b" u2)
check_eq "it starts in another database (4th worker of the cluster, beyond $base of other suites)" "t" "$([[ "$out" =~ ^[0-9]+$ ]] && echo t || echo "f: $out")"
out=$(start_as "$r3" "$db_b" w1)
check_eq "a third role in that database: the cluster's cap, 53400, uuid7.max_workers" "53400|1" \
	"$(sed -nE 's/^ERROR:  ([0-9A-Z]{5}):.*/\1/p' <<<"$out" | head -n 1)|$(grep -c "^DETAIL:  $((base + 4)) already run in the cluster, and uuid7.max_workers is $((base + 4))\.\$" <<<"$out")"
check_eq "uuid7 workers: 4 more in the cluster (3 in $db_a, 1 in $db_b)" "$((base + 4))|3|1" \
	"$(workers)|$(workers "datname = '$db_a'")|$(workers "datname = '$db_b'")"

# ---- a superuser's parallel query still gets its workers --------------------------------------------------------------
out=$(psql -X -A -t -q -c "SET max_parallel_workers_per_gather = 2" -c "SET parallel_setup_cost = 0" -c "SET parallel_tuple_cost = 0" \
	-c "SET min_parallel_table_scan_size = 0" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM big" 2>&1)
check_eq "a superuser's parallel query launches the 2 workers it plans" "Workers Launched: 2" \
	"$(grep -oE 'Workers Launched: [0-9]+' <<<"$out" | head -n 1)"

# ---- a superuser resuming the role's migration gets a worker that logs in as the role ----------------------------------
w=$(sql "SELECT uuid7_online_worker_pid($id1)")
sql "SELECT pg_terminate_backend($w)" >/dev/null
online_wait_for "the worker of migration $id1 is gone" "SELECT uuid7_online_worker_pid($id1) IS NULL" 30
check_eq "a superuser resumes it" "t" "$(sql "SELECT uuid7_migration_resume($id1) > 0" 2>&1)"
check_eq "the resumed worker logs in as the role that started the migration, not as the superuser" "$r1|f" \
	"$(sql "SELECT a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
		WHERE a.pid = uuid7_online_worker_pid($id1)")"

w=$(sql "SELECT uuid7_online_worker_pid($id2)")
sql "SELECT pg_terminate_backend($w)" >/dev/null
online_wait_for "the worker of migration $id2 is gone" "SELECT uuid7_online_worker_pid($id2) IS NULL" 30
sql "ALTER ROLE \"$r1\" NOLOGIN" >/dev/null
check_sqlstate "a superuser's resume of a migration whose starter may not log in: 28000" 28000 "SELECT uuid7_migration_resume($id2)"
sql "ALTER ROLE \"$r1\" LOGIN; UPDATE uuid7_state.uuid7_online_migration SET starter = 0 WHERE id = $id2" >/dev/null
check_sqlstate "a superuser's resume of a migration whose starter no longer exists: 42704" 42704 "SELECT uuid7_migration_resume($id2)"
check_eq "neither refused resume started a worker" "" "$(sql "SELECT uuid7_online_worker_pid($id2)")"
sql "UPDATE uuid7_state.uuid7_online_migration SET starter = '\"$r1\"'::regrole WHERE id = $id2" >/dev/null

# ---- clean up: abort everything (the caps are reset on exit) ----------------------------------------------------------
for db in "$db_a" "$db_b"; do
	psql -X -q -d "$db" -c "SET client_min_messages = warning" \
		-c "SELECT uuid7_migration_abort(id) FROM uuid7_state.uuid7_online_migration WHERE state NOT IN ('finished', 'aborted')" >/dev/null 2>&1
done
check_eq "after the aborts no uuid7 worker of this suite is left" "0" "$(workers "datname IN ('$db_a', '$db_b')")"
online_check_no_crash
