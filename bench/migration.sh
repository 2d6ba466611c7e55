#!/usr/bin/env bash
# bench/migration.sh — uuid7_migrate() against the naive hand-written script (bench/naive_migration.sql), same
# data, same run: wall time and final on-disk size.
#
#   bench/migration.sh                    as root on a fresh machine after `make install`
#   BENCH_SCALE=0.02 bench/migration.sh   quick check (scale 1.0 = parent 5M rows, child_a 5M, child_b 10M)
#
# Schema: parent (bigserial key, UNIQUE (tenant_id, id)); child_a → parent (parent_id); child_b → parent with the
# composite FK (tenant_id, parent_id). Both methods migrate parent's key: parent.id and both children's FK
# columns become uuid. The data is loaded once, vacuumed, and copied (CREATE DATABASE ... TEMPLATE, file copy)
# so both methods start from byte-identical databases. Starts its own throwaway cluster (scripts/lib.sh), tuned
# for bulk work; prints a markdown table.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

BENCH_SCALE=${BENCH_SCALE:-1.0}
n_parent=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 5000000 * s }')
n_child_a=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 5000000 * s }')
n_child_b=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 10000000 * s }')
[ "$n_parent" -ge 100 ] || { echo "BENCH_SCALE too small" >&2; exit 2; }

cluster_start bench plain || exit 1
cat >>"$UUID7_CLUSTER_DIR/data/postgresql.conf" <<CONF
shared_buffers = 2GB
maintenance_work_mem = 1GB
work_mem = 256MB
max_wal_size = 10GB
checkpoint_timeout = 30min
fsync = off
synchronous_commit = off
full_page_writes = off
max_parallel_maintenance_workers = 1
CONF
as_server_user "$(pg_bindir)/pg_ctl" -D "$UUID7_CLUSTER_DIR/data" -l "$UUID7_SERVER_LOG" -w -t 120 restart >/dev/null ||
	{ cat "$UUID7_SERVER_LOG" >&2; exit 1; }

q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }

log "loading parent $n_parent, child_a $n_child_a, child_b $n_child_b rows (scale $BENCH_SCALE)"
t0=$(now)
q -d postgres -c "CREATE DATABASE bench_src" || exit 1
q -d bench_src <<SQL || exit 1
CREATE EXTENSION uuid7;
CREATE TABLE parent (
	id bigserial PRIMARY KEY,
	tenant_id int NOT NULL,
	name text NOT NULL,
	created_at timestamptz NOT NULL,
	CONSTRAINT parent_tenant_id_id_key UNIQUE (tenant_id, id)
);
CREATE TABLE child_a (
	id bigserial PRIMARY KEY,
	parent_id bigint NOT NULL CONSTRAINT child_a_parent_id_fkey REFERENCES parent (id),
	amount int NOT NULL,
	note text
);
CREATE TABLE child_b (
	id bigserial PRIMARY KEY,
	tenant_id int NOT NULL,
	parent_id bigint NOT NULL,
	qty int NOT NULL,
	CONSTRAINT child_b_parent_fkey FOREIGN KEY (tenant_id, parent_id) REFERENCES parent (tenant_id, id)
);
ALTER TABLE child_a DROP CONSTRAINT child_a_parent_id_fkey;
ALTER TABLE child_b DROP CONSTRAINT child_b_parent_fkey;
INSERT INTO parent (tenant_id, name, created_at)
SELECT g % 1000, 'parent ' || g, '2020-01-01'::timestamptz + g * interval '1 second' FROM generate_series(1, $n_parent) g;
INSERT INTO child_a (parent_id, amount, note)
SELECT 1 + (g::bigint * 7919) % $n_parent, g % 10000, CASE WHEN g % 3 = 0 THEN 'note ' || g END FROM generate_series(1, $n_child_a) g;
INSERT INTO child_b (tenant_id, parent_id, qty)
SELECT p % 1000, p, g % 50 FROM generate_series(1, $n_child_b) g, LATERAL (SELECT 1 + (g::bigint * 104729) % $n_parent AS p) x;
ALTER TABLE child_a ADD CONSTRAINT child_a_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id);
ALTER TABLE child_b ADD CONSTRAINT child_b_parent_fkey FOREIGN KEY (tenant_id, parent_id) REFERENCES parent (tenant_id, id);
CREATE INDEX child_a_parent_id_idx ON child_a (parent_id);
CREATE INDEX child_b_tenant_parent_idx ON child_b (tenant_id, parent_id);
SQL
q -d bench_src -c "VACUUM (FREEZE, ANALYZE)" || exit 1
q -d postgres -c "CHECKPOINT" -c "CREATE DATABASE bench_naive TEMPLATE bench_src STRATEGY FILE_COPY" \
	-c "CREATE DATABASE bench_helper TEMPLATE bench_src STRATEGY FILE_COPY" -c "DROP DATABASE bench_src" || exit 1
log "loaded in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s"

size_sql="SELECT pg_total_relation_size('parent') + pg_total_relation_size('child_a') + pg_total_relation_size('child_b')"
size_before=$(q -d bench_naive -c "$size_sql")

log "naive script"
q -d postgres -c "CHECKPOINT" >/dev/null
t0=$(now)
q -d bench_naive -f bench/naive_migration.sql >/dev/null || { echo "naive script failed" >&2; exit 1; }
t_naive=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
size_naive=$(q -d bench_naive -c "$size_sql")
map_naive=$(q -d bench_naive -c "SELECT pg_total_relation_size('parent_id_map')")

log "uuid7_migrate"
q -d postgres -c "CHECKPOINT" >/dev/null
t0=$(now)
q -d bench_helper -c "SELECT uuid7_migrate(ARRAY['public.parent']::regclass[])" >/dev/null || { echo "uuid7_migrate failed" >&2; exit 1; }
t_helper=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
size_helper=$(q -d bench_helper -c "$size_sql")
map_helper=$(q -d bench_helper -c "SELECT pg_total_relation_size(mapping_table) FROM uuid7_migrated_table WHERE relid = 'parent'::regclass")

# Same end state: the three key/FK columns are uuid in both, and the relationships are intact.
check_sql="SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attrelid::regclass::text) FROM pg_attribute
	WHERE (attrelid, attname) IN (('parent'::regclass, 'id'), ('child_a'::regclass, 'parent_id'), ('child_b'::regclass, 'parent_id'))"
for db in bench_naive bench_helper; do
	[ "$(q -d "$db" -c "$check_sql")" = "uuid,uuid,uuid" ] || { echo "$db: key columns are not all uuid" >&2; exit 1; }
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }'; }
echo
echo "parent $n_parent rows, child_a $n_child_a rows (FK parent_id), child_b $n_child_b rows (FK (tenant_id, parent_id)); scale $BENCH_SCALE"
echo "size = pg_total_relation_size of the three tables (heap, TOAST, indexes); before: $(mb "$size_before") MB"
echo
echo "| method | wall time (s) | size after (MB) | mapping table (MB) |"
echo "|---|---:|---:|---:|"
echo "| naive script (bench/naive_migration.sql) | $t_naive | $(mb "$size_naive") | $(mb "$map_naive") |"
echo "| \`uuid7_migrate(ARRAY['parent'])\` | $t_helper | $(mb "$size_helper") | $(mb "$map_helper") |"
echo "| naive ÷ helper | $(ratio "$t_naive" "$t_helper") | $(ratio "$size_naive" "$size_helper") | $(ratio "$map_naive" "$map_helper") |"
