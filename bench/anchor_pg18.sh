#!/usr/bin/env bash
# bench/anchor_pg18.sh — uuid7 against the anchors on their own server: PostgreSQL 18's core uuidv7() and
# gen_random_uuid(), and the pg_uuidv7 extension, all on one PostgreSQL 18 server, in one run.
#
#   bash bench/anchor_pg18.sh     (as root, from the repo root)
#   ROUNDS=15 ROWS=1000000 BULK_ROUNDS=7 BULK_ROWS=1000000 by default: 6-10 minutes on 2 busy cores once the chroot
#   and its packages are in place (a first run adds ~3 minutes of debootstrap and a few of package installation)
#
# No Debian release this machine runs carries 18, so the run happens in a chroot of sid (test/majors/lib.sh): made
# once with debootstrap (~3 min) and reused. The chroot is this benchmark's own (UUID7_CHROOT_CACHE, default
# /var/cache/uuid7-bench), not the test matrix's: chroot_run unmounts /proc, /sys and /dev of the chroot on exit,
# which would pull them from under a test run sharing it, and pg_uuidv7 stays out of the tests' chroot.
# The work tree is copied into the chroot (copy_tree), then, inside: postgresql-18, postgresql-server-dev-18 and
# postgresql-18-pg-uuidv7 are installed, uuid7 is built and installed for 18, and two throwaway clusters run as user
# postgres, as in bench/generators.sh: plain (uuid7 orders per session) and with shared_preload_libraries = 'uuid7'
# (cluster-wide ordering). pg_uuidv7 gets its own database in the plain cluster: its uuid_generate_v7() has the same
# name as uuid7's. `bash bench/anchor_pg18.sh --inside` runs only this second half, on a sid machine, as root.
#
# (a) Per call: SELECT count(f()) FROM generate_series(1, ROWS), timed inside the server, every generator and the
#     executor floor (count(x) over the same series) once per round in a shuffled order; medians, net of the floor,
#     ratios against core uuidv7() and gen_random_uuid().
# (b) Bulk load with the key as PRIMARY KEY DEFAULT:
#       CREATE TABLE t (id uuid PRIMARY KEY DEFAULT f(), n int) WITH (autovacuum_enabled = off);
#       CHECKPOINT;  then timed:  INSERT INTO t (n) SELECT generate_series(1, BULK_ROWS)
#     once per generator per round, shuffled; medians of the load time, the WAL it wrote, and the sizes of t_pkey
#     and of the heap right after it; ratios. Autovacuum is off for t so that no vacuum of one load runs during the
#     next; the CHECKPOINT before each load makes every load start from the same WAL position relative to the next
#     checkpoint. Server settings are otherwise cluster_start's: PostgreSQL's defaults (shared_buffers 128MB,
#     max_wal_size 1GB) with fsync off.
# Clusters are always stopped, the chroot always unmounted and the copied tree removed. Benchmarks are not tests:
# nothing here fails on a slow machine.
set -euo pipefail
cd "$(dirname "$0")/.."

MAJOR=18
ROUNDS=${ROUNDS:-15}
ROWS=${ROWS:-1000000}
BULK_ROUNDS=${BULK_ROUNDS:-7}
BULK_ROWS=${BULK_ROWS:-1000000}

# ---- On the host: the chroot, the copy of the tree, and this script again inside ----------------------------------
if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench/anchor_pg18.sh: run as root (it makes a chroot)" >&2; exit 1; }
	export UUID7_CHROOT_CACHE=${UUID7_CHROOT_CACHE:-/var/cache/uuid7-bench}
	. scripts/lib.sh
	. test/majors/lib.sh
	suite=$(suite_of_major "$MAJOR")
	chroot_ensure "$suite"
	tree=/build/uuid7-anchor-pg$MAJOR
	copy_tree "$UUID7_CHROOT_CACHE/$suite$tree"
	status=0
	chroot_run "$suite" env ROUNDS="$ROUNDS" ROWS="$ROWS" BULK_ROUNDS="$BULK_ROUNDS" BULK_ROWS="$BULK_ROWS" \
		bash "$tree/bench/anchor_pg18.sh" --inside || status=$?
	rm -rf "${UUID7_CHROOT_CACHE:?}/$suite$tree"
	exit "$status"
fi

# ---- Inside (sid): packages, build, clusters, measurements ----------------------------------------------------------
UUID7_PG_MAJOR=$MAJOR
. scripts/lib.sh
UUID7_PACKAGES="$UUID7_PACKAGES postgresql-$MAJOR-pg-uuidv7"
install_deps
build_and_install

# The contestants, each in one cluster and database. Its floor is the executor floor of its cluster (see the report).
GENERATORS=(gen_random_uuid uuidv7 pg_uuidv7 uuid7 uuid7_preload)
declare -A EXPR=(
	[gen_random_uuid]="gen_random_uuid()"
	[uuidv7]="pg_catalog.uuidv7()"
	[pg_uuidv7]="uuid_generate_v7()"
	[uuid7]="uuid_generate_v7()"
	[uuid7_preload]="uuid_generate_v7()"
)
declare -A HOST DB

# Called directly, not in $(...): a subshell's EXIT trap would stop the cluster it just started.
cluster_start bench-plain plain
plain=$PGHOST
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION uuid7' -c 'CREATE DATABASE pg_uuidv7'
bench_timer_install
PGDATABASE=pg_uuidv7 psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pg_uuidv7'
PGDATABASE=pg_uuidv7 bench_timer_install
cluster_start bench-preload preload
preload=$PGHOST
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION uuid7'
bench_timer_install

for g in "${GENERATORS[@]}" floor_plain floor_preload; do HOST[$g]=$plain DB[$g]=postgres; done
DB[pg_uuidv7]=pg_uuidv7
HOST[uuid7_preload]=$preload HOST[floor_preload]=$preload

# psql_in KEY ARGS...: psql in the contestant's cluster and database.
psql_in() {
	local key=$1
	shift
	PGHOST=${HOST[$key]} PGDATABASE=${DB[$key]} psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"
}

results=$(mktemp)
facts=$(mktemp)
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)

# What each contestant is: the version its ids carry, and how many of 100000 ids made in one statement come out no
# greater than the one before (time-ordered ids that are not strictly increasing within a millisecond show here).
for g in "${GENERATORS[@]}"; do
	case $g in uuid7*) ext=uuid7 ;; pg_uuidv7) ext=pg_uuidv7 ;; *) ext= ;; esac
	psql_in "$g" -F ' ' -c "SELECT '$g', uuid_extract_version(${EXPR[$g]}),
		(SELECT count(*) FILTER (WHERE id <= prev) FROM (SELECT id, lag(id) OVER (ORDER BY n) AS prev
			FROM (SELECT n, ${EXPR[$g]} AS id FROM generate_series(1, 100000) n) s) w),
		coalesce((SELECT extversion FROM pg_extension WHERE extname = '$ext'), 'core')" >>"$facts"
done

# (a) per call
for round in $(seq 1 "$ROUNDS"); do
	for key in $(printf '%s\n' "${GENERATORS[@]}" floor_plain floor_preload | shuf); do
		case $key in
		floor_*) q="SELECT count(x) FROM generate_series(1, $ROWS) x" ;;
		*) q="SELECT count(${EXPR[$key]}) FROM generate_series(1, $ROWS)" ;;
		esac
		ms=$(PGHOST=${HOST[$key]} PGDATABASE=${DB[$key]} bench_time "$q")
		echo "percall $key $ms 0 0 0" >>"$results"
	done
	log "per call: round $round/$ROUNDS done"
done

# (b) bulk load
for round in $(seq 1 "$BULK_ROUNDS"); do
	for key in $(printf '%s\n' "${GENERATORS[@]}" | shuf); do
		psql_in "$key" -c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS t' \
			-c "CREATE TABLE t (id uuid PRIMARY KEY DEFAULT ${EXPR[$key]}, n int) WITH (autovacuum_enabled = off)" \
			-c CHECKPOINT
		lsn=$(psql_in "$key" -c 'SELECT pg_current_wal_insert_lsn()')
		ms=$(PGHOST=${HOST[$key]} PGDATABASE=${DB[$key]} bench_time "INSERT INTO t (n) SELECT generate_series(1, $BULK_ROWS)")
		sizes=$(psql_in "$key" -F ' ' -c "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn'),
			pg_relation_size('t_pkey'), pg_relation_size('t')")
		echo "bulk $key $ms $sizes" >>"$results"
		psql_in "$key" -c 'DROP TABLE t'
	done
	log "bulk load: round $round/$BULK_ROUNDS done"
done

# ---- Report: medians and ratios, computed by the plain cluster's server ---------------------------------------------
echo
echo "PostgreSQL $MAJOR anchor benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
	"load average $load_before before, $(cut -d ' ' -f 1-3 /proc/loadavg) after"
dpkg -l "postgresql-$MAJOR" "postgresql-$MAJOR-pg-uuidv7" 'libssl3*' | awk '$1 == "ii" { print "  " $2 " " $3 }' || true
PGHOST=$plain psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE gen (key text PRIMARY KEY, label text, sort int);
INSERT INTO gen VALUES
	('floor_plain', 'count(x): executor floor', 0),
	('gen_random_uuid', 'gen_random_uuid() (core, v4)', 1),
	('uuidv7', 'uuidv7() (core 18)', 2),
	('pg_uuidv7', 'pg_uuidv7 uuid_generate_v7()', 3),
	('uuid7', 'uuid7 uuid_generate_v7(), per session', 4),
	('floor_preload', 'count(x): floor, preload cluster', 5),
	('uuid7_preload', 'uuid7 uuid_generate_v7(), cluster-wide', 6);
CREATE TEMP TABLE facts (key text, version int, out_of_order int, extversion text);
\copy facts FROM '$facts' WITH (DELIMITER ' ')
CREATE TEMP TABLE runs (phase text, key text, ms float8, wal float8, pkey float8, heap float8);
\copy runs FROM '$results' WITH (DELIMITER ' ')
CREATE TEMP VIEW med AS
	SELECT phase, key, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms,
		min(ms) AS min_ms, max(ms) AS max_ms,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY wal) AS wal,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY pkey) AS pkey,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY heap) AS heap
	FROM runs GROUP BY phase, key;
-- Per call: ns per row, and net of the floor of the contestant's own cluster.
CREATE TEMP VIEW call AS
	SELECT m.key, m.ms * 1e6 / $ROWS AS ns, (m.ms - f.ms) * 1e6 / $ROWS AS net
	FROM med m JOIN med f ON f.phase = 'percall' AND f.key = CASE m.key WHEN 'uuid7_preload' THEN 'floor_preload'
		WHEN 'floor_preload' THEN 'floor_preload' ELSE 'floor_plain' END
	WHERE m.phase = 'percall';
CREATE TEMP VIEW load AS SELECT * FROM med WHERE phase = 'bulk';
\pset format aligned
\pset footer off
\echo
\echo Contestants (ids of one statement of 100000: how many are not greater than the one before)
SELECT g.label AS generator, f.extversion AS version, f.version AS uuid_version, f.out_of_order
FROM facts f JOIN gen g USING (key) ORDER BY g.sort;
\echo (a) Per call: median of $ROUNDS rounds of SELECT count(f()) FROM generate_series(1, $ROWS); ns per row
SELECT g.label AS generator, round(c.ns::numeric, 1) AS ns_per_row, round(c.net::numeric, 1) AS net_of_floor,
	r.*
FROM call c JOIN gen g USING (key) CROSS JOIN call v7 CROSS JOIN call v4
	LEFT JOIN LATERAL (SELECT
		round((c.ns / v7.ns)::numeric, 3) AS "row ÷ uuidv7()",
		round((c.net / v7.net)::numeric, 3) AS "net ÷ uuidv7()",
		round((c.ns / v4.ns)::numeric, 3) AS "row ÷ gen_random_uuid()",
		round((c.net / v4.net)::numeric, 3) AS "net ÷ gen_random_uuid()"
		WHERE c.key NOT LIKE 'floor%') r ON true
WHERE v7.key = 'uuidv7' AND v4.key = 'gen_random_uuid'
ORDER BY g.sort;
\echo (b) Bulk load: median of $BULK_ROUNDS rounds of INSERT INTO t (n) SELECT generate_series(1, $BULK_ROWS),
\echo     id uuid PRIMARY KEY DEFAULT f()
SELECT g.label AS generator, round(l.ms::numeric) AS ms,
	round(l.min_ms::numeric) || '–' || round(l.max_ms::numeric) AS "min–max",
	round((l.ms * 1e6 / $BULK_ROWS)::numeric) AS ns_per_row,
	round((l.pkey / 1048576)::numeric, 1) AS pkey_mb, round((l.heap / 1048576)::numeric, 1) AS heap_mb,
	round((l.wal / 1048576)::numeric, 1) AS wal_mb
FROM load l JOIN gen g USING (key) ORDER BY g.sort;
\echo Bulk load ratios (same run)
SELECT g.label AS generator,
	round((l.ms / v7.ms)::numeric, 3) AS "time ÷ uuidv7()",
	round((l.ms / v4.ms)::numeric, 3) AS "time ÷ gen_random_uuid()",
	round((l.pkey / v7.pkey)::numeric, 3) AS "pkey ÷ uuidv7()",
	round((l.pkey / v4.pkey)::numeric, 3) AS "pkey ÷ gen_random_uuid()",
	round((l.wal / v7.wal)::numeric, 3) AS "WAL ÷ uuidv7()",
	round((l.wal / v4.wal)::numeric, 3) AS "WAL ÷ gen_random_uuid()"
FROM load l JOIN gen g USING (key), load v7, load v4
WHERE v7.key = 'uuidv7' AND v4.key = 'gen_random_uuid'
ORDER BY g.sort;
SQL
rm -f "$results" "$facts"
