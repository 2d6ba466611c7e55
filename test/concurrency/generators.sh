#!/usr/bin/env bash
# test/concurrency/generators.sh — several sessions generating at once.
#
# Both modes: no duplicate v7 or v6 across 4 concurrent sessions, each session's ids strictly increasing.
# Preloaded (UUID7_MODE=preload): the ordering is cluster-wide — no two sessions share an embedded position, and an
# id generated right after another session's burst is greater than everything in that burst, even though the
# burst ran the embedded clock ahead of real time.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/assert.sh

SESSIONS=4
PER_SESSION=${UUID7_CONCURRENCY_ROWS:-250000}
db=uuid7_concurrency_$$
createdb "$db" || { fail "setup" "createdb failed"; exit 1; }
export PGDATABASE=$db
trap 'dropdb --if-exists "$db" >/dev/null 2>&1' EXIT
sql "CREATE EXTENSION uuid7" >/dev/null
sql "CREATE UNLOGGED TABLE ids (session int, n int, v7 uuid, v6 uuid)" >/dev/null

expected_scope=session
[ "${UUID7_MODE:-plain}" = preload ] && expected_scope=cluster
check_eq "ordering scope is $expected_scope" "$expected_scope" "$(sql "SELECT uuid7_ordering_scope()")"

# A barrier: the holder keeps an exclusive advisory lock while the workers queue for a shared one, so all
# workers start generating at the same moment.
psql -X -q -c "BEGIN" -c "SELECT pg_advisory_lock(4242)" -c "SELECT pg_sleep(1.5)" -c "SELECT pg_advisory_unlock(4242)" -c "COMMIT" >/dev/null &
holder=$!
sleep 0.5
workers=()
for s in $(seq 1 "$SESSIONS"); do
	psql -X -q -v ON_ERROR_STOP=1 -c "SELECT pg_advisory_lock_shared(4242)" \
		-c "INSERT INTO ids SELECT $s, n, uuid_generate_v7(), uuid_generate_v6() FROM generate_series(1, $PER_SESSION) n" \
		>/dev/null &
	workers+=($!)
done
worker_failures=0
for pid in "${workers[@]}"; do wait "$pid" || worker_failures=$((worker_failures + 1)); done
wait "$holder"
check_eq "all $SESSIONS sessions finished" 0 "$worker_failures"

total=$((SESSIONS * PER_SESSION))
check_eq "rows generated" "$total" "$(sql "SELECT count(*) FROM ids")"
check_eq "no duplicate v7 across sessions" "$total" "$(sql "SELECT count(DISTINCT v7) FROM ids")"
check_eq "no duplicate v6 across sessions" "$total" "$(sql "SELECT count(DISTINCT v6) FROM ids")"
# A random block shared across fork() would hand every session the same tails.
check_eq "random tails distinct across sessions (no random block shared across fork)" "$total" \
	"$(sql "SELECT count(DISTINCT substr(v7::text, 20)) FROM ids")"
check_eq "each session's v7 strictly increasing" 0 "$(sql "SELECT count(*) FROM (SELECT v7, lag(v7) OVER (PARTITION BY session ORDER BY n) AS prev FROM ids) t WHERE v7 <= prev")"
check_eq "each session's v6 strictly increasing" 0 "$(sql "SELECT count(*) FROM (SELECT v6, lag(v6) OVER (PARTITION BY session ORDER BY n) AS prev FROM ids) t WHERE v6 <= prev")"
# The sessions really ran at the same time: every pair of sessions' time spans overlaps.
check_true "sessions generated concurrently" "WITH span AS (SELECT session, min(uuid_v7_timestamp(v7)) lo,
	max(uuid_v7_timestamp(v7)) hi FROM ids GROUP BY session)
	SELECT bool_and(a.lo <= b.hi AND b.lo <= a.hi) FROM span a JOIN span b ON a.session < b.session"

if [ "$expected_scope" = cluster ]; then
	# One shared clock state: every id comes from one strictly increasing position (src/core/ordering.hpp), so
	# no two sessions share one. The position is the time fields plus the counter bits: v7's 8 low counter bits
	# are the top of rand_b (byte 8's low 6 bits, byte 9's top 2), v6's 6-bit counter is the top of clock_seq
	# (byte 8's low 6 bits). Per-session state would repeat positions (two sessions, one clock reading). The
	# time fields alone may repeat by design: once the lead over the clock passes half its bound (a clock that
	# stepped back, a rate above one id per 244 ns) the counter bits count instead of the time fields.
	check_eq "v7 positions distinct cluster-wide" "$total" "$(sql "SELECT count(DISTINCT (substr(v7::text, 1, 18),
		(get_byte(uuid_send(v7), 8) & 63) << 2 | get_byte(uuid_send(v7), 9) >> 6)) FROM ids")"
	check_eq "v6 positions distinct cluster-wide" "$total" "$(sql "SELECT count(DISTINCT (substr(v6::text, 1, 18),
		get_byte(uuid_send(v6), 8) & 63)) FROM ids")"

	for round in 1 2 3; do
		# The burst: 2M calls in one statement, faster than one per 245 ns, run the embedded time ahead of the real
		# clock. The witness, generated last in the same session, is greater than everything in the burst.
		witness=$(psql -X -A -t -q -c "SELECT count(uuid_generate_v7()) + count(uuid_generate_v6()) FROM generate_series(1, 2000000)" \
			-c "SELECT uuid_generate_v7() || ' ' || uuid_generate_v6()" | tail -n 1)
		after=$(sql "SELECT uuid_generate_v7() || ' ' || uuid_generate_v6()")
		check_true "round $round: v7 from another session after a burst is greater than the whole burst" \
			"SELECT '${after% *}'::uuid > '${witness% *}'::uuid"
		check_true "round $round: v6 from another session after a burst is greater than the whole burst" \
			"SELECT '${after#* }'::uuid > '${witness#* }'::uuid"
	done
fi
