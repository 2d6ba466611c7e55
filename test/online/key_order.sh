#!/usr/bin/env bash
# test/online/key_order.sh — issue 20, "Key order". The offline migration gives the new keys in old-key order; online
# must too, over the whole range of every integer type. On 1.6 the map started above the type's lowest value, so
# the lowest key (-9223372036854775808) was left to the backfill and got the last new key. Three tables (smallint,
# integer, bigint keys), each holding its type's minimum and maximum, zero, -1 and a run of ordinary keys, mapped
# in several batches; after finish the mapping tables and the tables themselves are checked: ordered by new key,
# the old keys ascend, and each child follows its parent.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

online_db key_order
online_setup <<'SQL'
CREATE TABLE k16 (id smallint PRIMARY KEY, note text);
CREATE TABLE k32 (id integer PRIMARY KEY, note text);
CREATE TABLE k64 (id bigint PRIMARY KEY, note text);
INSERT INTO k16 SELECT x, 'edge' FROM unnest(ARRAY[-32768, -1, 0, 32767]::smallint[]) x;
INSERT INTO k32 SELECT x, 'edge' FROM unnest(ARRAY[-2147483648, -1, 0, 2147483647]) x;
INSERT INTO k64 SELECT x, 'edge' FROM unnest(ARRAY[-9223372036854775808, -1, 0, 9223372036854775807]) x;
INSERT INTO k16 SELECT g, 'row' FROM generate_series(1, 500) g;
INSERT INTO k32 SELECT g * 1000, 'row' FROM generate_series(1, 500) g;
INSERT INTO k64 SELECT g * 1000000000000, 'row' FROM generate_series(-250, 250) g WHERE g <> 0;
CREATE TABLE refs (id bigserial PRIMARY KEY, a smallint REFERENCES k16, b integer REFERENCES k32, c bigint REFERENCES k64);
INSERT INTO refs (a, b, c) SELECT x, y, z FROM ROWS FROM (unnest(ARRAY[-32768, 32767]::smallint[]),
	unnest(ARRAY[-2147483648, 2147483647]), unnest(ARRAY[-9223372036854775808, 9223372036854775807])) AS r(x, y, z);
SQL

mid=$(online_start "ARRAY['k16', 'k32', 'k64']::regclass[]" "'{\"map_batch\": 100, \"pause_ms\": 0}'")
mid=${mid:-0}
check_eq "the run reaches ready" "ready" "$(online_wait "$mid" 120)"
check_eq "finish" "$mid" "$(sql "SELECT uuid7_migration_finish($mid)->>'migration_id'")"

for t in k16 k32 k64; do
	check_eq "$t: ordered by new key, the old keys ascend (inversions)" 0 \
		"$(sql "SELECT count(*) FROM (SELECT old_id, lag(old_id) OVER (ORDER BY new_id) AS prev FROM uuid7_mapping.${t}_uuid7_map) s WHERE prev > old_id")"
	check_eq "$t: the lowest old key has the lowest new key, the highest the highest" "t|t" \
		"$(sql "SELECT (SELECT old_id FROM uuid7_mapping.${t}_uuid7_map ORDER BY new_id LIMIT 1) = (SELECT min(old_id) FROM uuid7_mapping.${t}_uuid7_map),
		              (SELECT old_id FROM uuid7_mapping.${t}_uuid7_map ORDER BY new_id DESC LIMIT 1) = (SELECT max(old_id) FROM uuid7_mapping.${t}_uuid7_map)")"
	check_eq "$t: the table's keys in uuid order are its old keys in order" 0 \
		"$(sql "SELECT count(*) FROM (SELECT m.old_id, lag(m.old_id) OVER (ORDER BY t.id) AS prev
		                               FROM $t t JOIN uuid7_mapping.${t}_uuid7_map m ON m.new_id = t.id) s WHERE prev > old_id")"
done
check_eq "rows: every table kept its rows (k16|k32|k64)" "504|504|504" \
	"$(sql "SELECT (SELECT count(*) FROM k16) || '|' || (SELECT count(*) FROM k32) || '|' || (SELECT count(*) FROM k64)")"
check_eq "the references to the edge keys follow their parents" "2|2|2" \
	"$(sql "SELECT (SELECT count(*) FROM refs r JOIN uuid7_mapping.k16_uuid7_map m ON m.new_id = r.a WHERE m.old_id IN (-32768, 32767)) || '|' ||
	               (SELECT count(*) FROM refs r JOIN uuid7_mapping.k32_uuid7_map m ON m.new_id = r.b WHERE m.old_id IN (-2147483648, 2147483647)) || '|' ||
	               (SELECT count(*) FROM refs r JOIN uuid7_mapping.k64_uuid7_map m ON m.new_id = r.c
	                 WHERE m.old_id IN (-9223372036854775808, 9223372036854775807))")"
online_check_no_crash
