#!/usr/bin/env bash
# test/migration/many_tables.sh — a whole application schema in one call (issue 21, "Limits"): 1.6 stopped at 32
# mapping tables per transaction with 54000, after the work. 40 tables, each with a foreign key to the one before and
# to the first, migrate in one uuid7_migrate call: no limit, every reference follows its table's mapping.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db many_tables
N=40
{
	echo "CREATE TABLE t1 (id serial PRIMARY KEY);"
	echo "INSERT INTO t1 SELECT FROM generate_series(1, 50);"
	for i in $(seq 2 $N); do
		echo "CREATE TABLE t$i (id serial PRIMARY KEY, prev_id int REFERENCES t$((i - 1)), first_id int REFERENCES t1);"
		echo "INSERT INTO t$i (prev_id, first_id) SELECT 1 + g % 50, 1 + (g * 7) % 50 FROM generate_series(1, 50) g;"
	done
} | mig_setup
tables="ARRAY[$(seq -s, 1 $N | sed 's/\([0-9]\+\)/'"'"'public.t\1'"'"'/g')]::regclass[]"
refs_before=$(sql "SELECT md5(string_agg(prev_id || ':' || first_id, ',' ORDER BY id)) FROM t$N")
check_eq "$N tables: the plan refuses nothing" "" "$(mig_plan_refusals "$tables")"
mig_snapshot "$tables"
mig_migrate "$N tables in one call" "$tables"
mig_check_all
check_eq "$N mapping tables registered" "$N" "$(sql "SELECT count(*) FROM uuid7_state.uuid7_migrated_table")"
check_eq "the last table's references follow their tables' mappings" "$refs_before" \
	"$(sql "SELECT md5(string_agg(uuid7_legacy_id('t$((N - 1))', prev_id) || ':' || uuid7_legacy_id('t1', first_id), ',' ORDER BY uuid7_legacy_id('t$N', id))) FROM t$N")"
