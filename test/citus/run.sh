#!/usr/bin/env bash
# test/citus/run.sh — uuid7's generators on a real Citus cluster: a coordinator and two workers on 127.0.0.1
# (test/citus/lib.sh), PostgreSQL 17, shared_preload_libraries = 'citus,uuid7'. Run by test/run_major.sh on major 17
# (plain mode only), inside the trixie chroot, as root, with uuid7 installed. Citus is built once from
# $UUID7_CITUS_TARBALL into a cache (test/citus/lib.sh: citus_install).
#
# Checks (docs/citus.md says what they show):
#   - CREATE EXTENSION / ALTER EXTENSION UPDATE on the coordinator reach the workers at the same version, and a
#     worker added later receives the extension at the coordinator's version;
#   - where Citus evaluates the uuid_generate_v7() default: on the coordinator (or the worker the query runs on) for
#     router and multi-row inserts, INSERT ... SELECT pulled to the coordinator, and COPY; on the workers, in the
#     source shards' queries, for a non-key column's default in an INSERT ... SELECT between distributed tables
#     (which Citus repartitions);
#   - $UUID7_CITUS_ROWS rows (default 1000000, the issue's) through the coordinator and as many through a worker into
#     a distributed table, plus multi-row VALUES and COPY on both, plus a reference table: no duplicate, version 7,
#     uuid_v7_timestamp(id) within 1 s of the row's clock_timestamp(), every node's ids strictly increasing in the
#     order that node generated them (across its sessions: uuid7 is preloaded), reference placements identical;
#   - a time-range query on the v7 key (uuid_v7_lower_bound / uuid_v7_upper_bound) goes to all 32 shards and uses
#     each shard's primary key index; uuid_v7_timestamp() in a WHERE clause is sent to the shards.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. scripts/lib.sh
. test/assert.sh
. test/citus/lib.sh
use_major_programs

rows=${UUID7_CITUS_ROWS:-1000000}
small=1000 # rows of each multi-row VALUES and COPY

tarball=${UUID7_CITUS_TARBALL:-}
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	fail "setup: Citus source" "no tarball at UUID7_CITUS_TARBALL=[$tarball]"
	exit 0
fi
started=$SECONDS
if ! citus_install "$tarball"; then
	fail "setup: Citus build" "see the build log above"
	exit 0
fi
log "Citus installed in $((SECONDS - started)) s"
if ! citus_start; then
	fail "setup: Citus cluster start" "see the server log above"
	exit 0
fi
C=$CITUS_PORT_C
W1=$CITUS_PORT_W1
export PGHOST=127.0.0.1 PGPORT=$C PGUSER=postgres PGDATABASE=postgres # sql / check_true: the coordinator
W2=$CITUS_PORT_W2
pass "setup: coordinator and worker 1 running, Citus $(csql "$C" "SELECT extversion FROM pg_extension WHERE extname = 'citus'")"

# ---- the extension reaches the workers --------------------------------------------------------------------------
extver() { csql "$1" "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'uuid7'), 'none')" 2>&1; }
csql "$C" "CREATE EXTENSION uuid7 VERSION '1.6'"
check_eq "extension: CREATE EXTENSION on the coordinator creates it on worker 1 (same version)" 1.6 "$(extver "$W1")"
check_eq "extension: Citus records uuid7 as a distributed object" 1 \
	"$(csql "$C" "SELECT count(*) FROM pg_dist_object WHERE classid = 'pg_extension'::regclass
		AND objid = (SELECT oid FROM pg_extension WHERE extname = 'uuid7')" 2>&1)"
csql "$C" "ALTER EXTENSION uuid7 UPDATE"
check_eq "extension: ALTER EXTENSION UPDATE on the coordinator updates worker 1" "2.0 2.0" "$(extver "$C") $(extver "$W1")"
citus_add_worker2
check_eq "extension: a worker added later receives it at the coordinator's version" 2.0 "$(extver "$W2")"
check_eq "extension: uuid7 is preloaded on every node (node-wide ordering)" "cluster cluster cluster" \
	"$(for p in $C $W1 $W2; do csql "$p" "SELECT uuid7_ordering_scope()"; done | xargs)"

# ---- tables -------------------------------------------------------------------------------------------------------
csql "$C" "
CREATE TABLE ev (id uuid PRIMARY KEY DEFAULT uuid_generate_v7(), node text NOT NULL, k bigint NOT NULL,
	t timestamptz NOT NULL DEFAULT clock_timestamp());
SELECT create_distributed_table('ev', 'id');
CREATE TABLE ev_copy (id uuid PRIMARY KEY, w uuid NOT NULL DEFAULT uuid_generate_v7());
SELECT create_distributed_table('ev_copy', 'id', colocate_with => 'ev');
CREATE TABLE rf (id uuid PRIMARY KEY DEFAULT uuid_generate_v7(), node text NOT NULL, k bigint NOT NULL,
	t timestamptz NOT NULL DEFAULT clock_timestamp());
SELECT create_reference_table('rf');" >/dev/null
check_eq "tables: ev distributed by id in 32 shards, rf a reference table" "32 1" \
	"$(csql "$C" "SELECT (SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'ev'::regclass),
		(SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'rf'::regclass AND partmethod = 'n')" | tr '|' ' ')"

# ---- where the default is evaluated --------------------------------------------------------------------------------
# citus.log_remote_commands shows what the node running the query sends to the shards.
# shellcheck disable=SC2069  # on purpose: the NOTICEs (stderr) are the output, the query's rows are dropped
remote() { psql -X -A -t -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "SET citus.log_remote_commands = on" \
	-c "SET citus.grep_remote_commands = '%${2}%'" -c "$3" 2>&1 >/dev/null; }
uuid_lit="'[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}'::uuid"
for probe in "$C:ev:coordinator" "$C:rf:coordinator" "$W1:ev:worker" "$W1:rf:worker"; do
	IFS=: read -r port tbl where <<<"$probe"
	out=$(remote "$port" "INSERT INTO public.${tbl}_" "INSERT INTO $tbl (node, k) VALUES ('probe', 0), ('probe', 1)")
	if grep -qE "$uuid_lit" <<<"$out" && ! grep -q uuid_generate_v7 <<<"$out"; then
		pass "default: $tbl insert on the $where is sent to the shards with the uuid already generated there"
	else
		fail "default: $tbl insert on the $where is sent to the shards with the uuid already generated there" "$out"
	fi
done
# COPY: the node running it computes the key to route each row; the shards receive it as a column of the data.
for probe in "$C:coordinator" "$W1:worker"; do
	IFS=: read -r port where <<<"$probe"
	out=$(remote "$port" "COPY public.ev_" "COPY ev (node, k) FROM PROGRAM 'printf \"probe\\t7\\nprobe\\t8\\n\"'")
	if grep -qE 'COPY public\.ev_[0-9]+ \(id, node, k, t\) FROM STDIN' <<<"$out"; then
		pass "default: COPY on the $where sends the shards the id it generated (id is a column of the data)"
	else
		fail "default: COPY on the $where sends the shards the id it generated (id is a column of the data)" "$out"
	fi
done
# INSERT ... SELECT between co-located tables with a volatile default on the target: Citus does not push it down as
# one statement per shard pair but repartitions: each source shard's SELECT, run on its worker, computes the default.
plan=$(csql "$C" "EXPLAIN (COSTS OFF) INSERT INTO ev_copy (id) SELECT id FROM ev" 2>&1)
out=$(remote "$C" "uuid_generate_v7" "INSERT INTO ev_copy (id) SELECT id FROM ev")
check_eq "default: INSERT ... SELECT ev -> ev_copy repartitions; each of the 32 source shards' queries computes w on its worker" \
	"1 32" "$(grep -c 'INSERT/SELECT method: repartition' <<<"$plan") $(grep -cE "worker_partition_query_result\\(.*'SELECT id, public\\.uuid_generate_v7\\(\\) AS w FROM public\\.ev_[0-9]+ ev" <<<"$out")"
plan=$(csql "$C" "EXPLAIN (COSTS OFF) INSERT INTO ev (node, k) SELECT 'x', g FROM generate_series(1, 10) g" 2>&1)
check_true "default: INSERT ... SELECT without the key is pulled to the coordinator (which fills the key)" \
	"SELECT $(grep -c 'INSERT/SELECT method: pull to coordinator' <<<"$plan") = 1"
csql "$C" "DELETE FROM ev; DELETE FROM ev_copy; DELETE FROM rf"

# ---- inserts ----------------------------------------------------------------------------------------------------
# k numbers each node's rows in the order that node generated them, across its sessions; node names the node.
values() { # values NODE FROM COUNT: a multi-row VALUES list
	seq "$2" $(($2 + $3 - 1)) | sed "s/.*/('$1', &)/" | paste -sd,
}
load() { # load PORT NODE TABLE: multi-row VALUES, COPY, then INSERT ... SELECT of $rows (each its own session)
	local port=$1 node=$2 tbl=$3 n=$4 t0
	csql "$port" "INSERT INTO $tbl (node, k) VALUES $(values "$node" 1 "$small")" &&
		seq $((small + 1)) $((2 * small)) | sed "s/^/$node\t/" |
		psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
			-c "\\copy $tbl (node, k) FROM STDIN" || return 1
	t0=$SECONDS
	csql "$port" "INSERT INTO $tbl (node, k) SELECT '$node', $((2 * small)) + g FROM generate_series(1, $n) g" || return 1
	log "$n rows into $tbl through the $node: $((SECONDS - t0)) s"
}
if load "$C" coordinator ev "$rows"; then pass "insert: $rows rows + VALUES + COPY into ev through the coordinator"; else
	fail "insert: into ev through the coordinator" "see above"; fi
if load "$W1" worker1 ev "$rows"; then pass "insert: $rows rows + VALUES + COPY into ev on worker 1"; else
	fail "insert: into ev on worker 1" "see above"; fi
if load "$C" coordinator rf 10000 && load "$W2" worker2 rf 10000; then
	pass "insert: VALUES + COPY + INSERT ... SELECT into rf through the coordinator and on worker 2"
else fail "insert: into rf" "see above"; fi

total=$((2 * (rows + 2 * small)))
for port in "$C" "$W2"; do
	check_eq "ev (query from :$port): $total rows, all distinct, all version 7" "$total $total 0" \
		"$(csql "$port" "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE uuid_version(id) <> 7) FROM ev" | tr '|' ' ')"
done
check_eq "ev: uuid_v7_timestamp(id) within 1 s of the row's clock_timestamp() on every row" 0 \
	"$(csql "$C" "SELECT count(*) FROM ev WHERE abs(extract(epoch FROM uuid_v7_timestamp(id) - t)) >= 1")"
check_eq "ev: no id more than 1 ms ahead of its row's clock_timestamp()" 0 \
	"$(csql "$C" "SELECT count(*) FROM ev WHERE uuid_v7_timestamp(id) > t + interval '1 ms'")"
# Ordering: per node, strictly increasing in generation order (k) across that node's sessions.
order_sql="WITH s AS MATERIALIZED (SELECT node, k, id FROM %s)
	SELECT node || ':' || count(*) FILTER (WHERE p IS NOT NULL AND id <= p) || ':' || count(*)
	FROM (SELECT node, id, lag(id) OVER (PARTITION BY node ORDER BY k) AS p FROM s) x GROUP BY node ORDER BY node"
check_eq "ev: each node's ids strictly increase in the order it generated them (0 inversions)" \
	"coordinator:0:$((rows + 2 * small)) worker1:0:$((rows + 2 * small))" \
	"$(csql "$C" "${order_sql//%s/ev}" | xargs)"
check_eq "rf: each node's ids strictly increase in the order it generated them" \
	"coordinator:0:12000 worker2:0:12000" "$(csql "$W1" "${order_sql//%s/rf}" | xargs)"
check_eq "rf: 24000 distinct rows, every placement identical" "1 24000" \
	"$(csql "$C" "SELECT count(DISTINCT result), max(split_part(result, ' ', 1)) FROM run_command_on_placements('rf',
		\$\$SELECT count(*) || ' ' || md5(string_agg(id::text || t::text, ',' ORDER BY id)) FROM %s\$\$)" | tr '|' ' ')"
check_eq "rf: uuid_v7_timestamp(id) within 1 s of clock_timestamp(), no duplicate" "0 24000" \
	"$(csql "$C" "SELECT count(*) FILTER (WHERE abs(extract(epoch FROM uuid_v7_timestamp(id) - t)) >= 1),
		count(DISTINCT id) FROM rf" | tr '|' ' ')"
# Across nodes nothing is promised beyond the clock: the two nodes' ranges of time overlap only if they ran at once.

# ---- push-down of the range helpers and the inspection functions -----------------------------------------------------
csql "$C" "ANALYZE ev" >/dev/null
# a 20 ms window in the middle of the coordinator's rows, whole milliseconds
read -r lo hi <<<"$(csql "$C" "SELECT date_trunc('milliseconds', m), date_trunc('milliseconds', m) + interval '19 ms'
	FROM (SELECT uuid_v7_timestamp(id) AS m FROM ev WHERE node = 'coordinator' AND k = $((rows / 2 + 2 * small))) x" |
	sed -E 's/ /T/g; s/\|/ /')"
range="id >= uuid_v7_lower_bound('$lo') AND id <= uuid_v7_upper_bound('$hi')"
plan=$(csql "$C" "SET citus.explain_all_tasks = on; EXPLAIN (COSTS OFF) SELECT count(*) FROM ev WHERE $range" 2>&1)
tasks=$(sed -nE 's/.*Task Count: ([0-9]+).*/\1/p' <<<"$plan" | head -n 1)
idx=$(grep -cE '(Index Only Scan|Index Scan|Bitmap Index Scan) (using|on) ev_pkey_[0-9]+' <<<"$plan")
seqs=$(grep -c 'Seq Scan' <<<"$plan")
check_eq "pushdown: a time-range query on the v7 key goes to 32 shards, each scanning its primary key index" \
	"32 32 0" "$tasks $idx $seqs" || true
[ "$tasks $idx $seqs" = "32 32 0" ] || echo "$plan" | head -n 40
log "the range query's plan, one task of 32 shown:"
csql "$C" "EXPLAIN (COSTS OFF) SELECT count(*) FROM ev WHERE $range" >&2
plan=$(csql "$C" "EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM ev
	WHERE uuid_v7_timestamp(id) BETWEEN '$lo' AND '$hi'" 2>&1)
check_eq "pushdown: uuid_v7_timestamp() in WHERE is sent to the shards" "32 1" \
	"$(sed -nE 's/.*Task Count: ([0-9]+).*/\1/p' <<<"$plan" | head -n 1) $(grep -c 'Query: SELECT .*uuid_v7_timestamp(id)' <<<"$plan" | sed 's/^[1-9][0-9]*$/1/')"
n_range=$(csql "$C" "SELECT count(*) FROM ev WHERE $range")
check_eq "pushdown: the bound helpers and uuid_v7_timestamp() select the same rows" "$n_range" \
	"$(csql "$C" "SELECT count(*) FROM ev WHERE uuid_v7_timestamp(id) BETWEEN '$lo' AND '$hi'")"
check_true "pushdown: the window holds rows (the check above is not vacuous)" "SELECT $n_range > 0"
id=$(csql "$C" "SELECT id FROM ev WHERE node = 'worker1' AND k = 7")
plan=$(csql "$C" "EXPLAIN (COSTS OFF) SELECT * FROM ev WHERE id = '$id'" 2>&1)
check_eq "pushdown: a lookup by v7 key is a router query on one shard's index" "1 1" \
	"$(sed -nE 's/.*Task Count: ([0-9]+).*/\1/p' <<<"$plan") $(grep -cE 'Index (Only )?Scan using ev_pkey_' <<<"$plan")"

if citus_logs_have_crash; then
	fail "no backend terminated by a signal on any node" "$(grep -h 'terminated by signal' "$CITUS_DIR"/*.log | head -n 3)"
else
	pass "no backend terminated by a signal on any node"
fi
citus_stop
log "test/citus/run.sh: $((SECONDS - started)) s"
