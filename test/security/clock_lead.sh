#!/usr/bin/env bash
# test/security/clock_lead.sh — issue 22, "The cluster-wide v7 clock can be pushed ahead".
#
# Two sessions of an ordinary role hammer uuid_generate_v7() (then uuid_generate_v6()) in one database, as fast as
# the executor allows (32 calls per row). Checked: every id made during the hammering embeds a time at most 1 ms
# ahead of clock_timestamp() read right after it (the ms field is floored, so nothing beyond the bound is allowed);
# each session's ids are strictly increasing; and, from another database, a fresh id is at most 1 ms ahead of the
# clock. Preloaded, the two sessions and the other database share one ordering state (the attack of the finding);
# in plain mode each session has its own, and the bound holds within the hammering sessions themselves.
#
# Fails on uuid7 1.6: its generators advanced the embedded time by a fixed step per id whenever the clock had not
# moved (245 ns for v7, one 100-ns tick for v6), so the lead grew with the number of calls: 2 x 4M v7 ids made
# faster than one per 245 ns run the shared clock about a second ahead, and every database's ids with it until
# real time caught up (20M calls from four sessions: 14.5 s). 2.0 spends counter bits instead and waits for the
# clock when they run out (src/core/ordering.hpp).
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh; source ../migration/lib.sh; source ./lib.sh

ROWS=${UUID7_CLOCK_LEAD_ROWS:-125000} # x 32 calls per row, per session
mig_db clock_victim
victim_db=$PGDATABASE
mig_db clock_attack
mig_role clock_attacker LOGIN
attacker=$MIG_ROLE

# One session's hammering of generator $1; prints "ids|not increasing|largest lead in µs".
hammer() {
	local f=$1 calls
	calls=$(printf "$f(), %.0s" $(seq 1 32)); calls=${calls%, }
	sec_as "$attacker" "SET work_mem = '512MB';
		WITH g AS MATERIALIZED (
			SELECT n, ARRAY[$calls] AS ids, clock_timestamp() AS clk FROM generate_series(1, $ROWS) n),
		flat AS (SELECT n * 32 + k AS seq, id, clk FROM g, unnest(ids) WITH ORDINALITY AS u(id, k)),
		w AS (SELECT id, clk, lag(id) OVER (ORDER BY seq) AS prev FROM flat)
		SELECT count(*), count(*) FILTER (WHERE prev >= id),
		       max(extract(epoch FROM $2(id) - clk) * 1e6)::bigint FROM w"
}

for gen in v7 v6; do
	if [ $gen = v7 ]; then ts=uuid_v7_timestamp; else ts=uuid_v6_timestamp; fi
	out1=$(mktemp); out2=$(mktemp)
	hammer "uuid_generate_$gen" "$ts" >"$out1" 2>&1 &
	p1=$!
	hammer "uuid_generate_$gen" "$ts" >"$out2" 2>&1 &
	p2=$!
	wait $p1; wait $p2
	# From another database, right after: the shared state (preloaded) must not carry the hammering's lead.
	victim=$(psql -X -A -t -q -d "$victim_db" -c "SELECT extract(epoch FROM $ts(uuid_generate_$gen()) - clock_timestamp()) * 1e6 <= 1000")
	for s in 1 2; do
		r=$(cat "$([ $s = 1 ] && echo "$out1" || echo "$out2")")
		IFS='|' read -r n bad lead <<<"$r"
		check_eq "$gen session $s: all $((ROWS * 32)) ids made" "$((ROWS * 32))" "$n"
		check_eq "$gen session $s: ids strictly increasing" 0 "$bad"
		check_true "$gen session $s: no id more than 1 ms ahead of the clock during the hammering (largest lead ${lead} µs)" \
			"SELECT ${lead:-NULL}::bigint <= 1000"
	done
	check_eq "$gen from another database after the hammering: at most 1 ms ahead of the clock" t "$victim"
	rm -f "$out1" "$out2"
done
