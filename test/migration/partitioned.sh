#!/usr/bin/env bash
# test/migration/partitioned.sh — declaratively partitioned tables, offline (issue 14).
#
# Schema: events range-partitioned by month (a partition in schema "Archive" with a quoted name, attached with another
# column order; four monthly partitions, May itself range-partitioned in halves (two levels), a default partition),
# bigserial key, primary key (id, created_at); event_queue hash-partitioned by consumer, identity key, referencing
# events (id, created_at) and provider_configs (unpartitioned); threads, partitioned, referencing itself; a view over
# events and one over a partition. One uuid7_migrate() call migrates the four: one mapping table per migrated table
# (none per partition), every partition rewritten once, rows in the partition they were in, new keys in old-key order
# across the whole tree, the foreign keys to and from the partitioned tables and their per-partition copies under the same names, the
# indexes of the parent on every partition and the index of one partition only, pruning over a time range. The online migration refuses partitioned tables (0A000), and the plan
# refuses integer partition keys (PARTITION BY RANGE (id), HASH on a converted column), a partition listed alone and
# INHERITS, each with its own message. With timestamp_column on the partition key, a v7 key range is a time range.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db partitioned
mig_setup <<'SQL'
CREATE SCHEMA "Archive";
CREATE TABLE provider_configs (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE events (
	id bigserial,
	created_at timestamptz NOT NULL,
	kind text NOT NULL,
	payload jsonb,
	PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
-- a partition in another schema with a quoted name, columns in another order, attached
CREATE TABLE "Archive"."events 2025" (payload jsonb, kind text NOT NULL, created_at timestamptz NOT NULL, id bigint NOT NULL);
ALTER TABLE events ATTACH PARTITION "Archive"."events 2025" FOR VALUES FROM ('2025-01-01 00:00+00') TO ('2026-01-01 00:00+00');
CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2026-02-01 00:00+00');
CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-03-01 00:00+00');
CREATE TABLE events_2026_03 PARTITION OF events FOR VALUES FROM ('2026-03-01 00:00+00') TO ('2026-04-01 00:00+00');
CREATE TABLE events_2026_04 PARTITION OF events FOR VALUES FROM ('2026-04-01 00:00+00') TO ('2026-05-01 00:00+00');
-- two levels: May is partitioned again, in halves
CREATE TABLE events_2026_05 PARTITION OF events FOR VALUES FROM ('2026-05-01 00:00+00') TO ('2026-06-01 00:00+00') PARTITION BY RANGE (created_at);
CREATE TABLE events_2026_05_early PARTITION OF events_2026_05 FOR VALUES FROM ('2026-05-01 00:00+00') TO ('2026-05-16 00:00+00');
CREATE TABLE "Archive"."Events May/Late" PARTITION OF events_2026_05 FOR VALUES FROM ('2026-05-16 00:00+00') TO ('2026-06-01 00:00+00');
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_kind_id_idx ON events (kind, id);
CREATE INDEX events_created_at_idx ON events (created_at);
-- an index of one partition only
CREATE INDEX events_2026_02_errors_idx ON events_2026_02 (id) WHERE kind = 'error';

CREATE TABLE event_queue (
	id bigint GENERATED ALWAYS AS IDENTITY,
	consumer text NOT NULL,
	event_id bigint NOT NULL,
	event_created_at timestamptz NOT NULL,
	provider_id integer REFERENCES provider_configs,
	attempts int NOT NULL DEFAULT 0,
	PRIMARY KEY (id, consumer),
	CONSTRAINT event_queue_event_fkey FOREIGN KEY (event_id, event_created_at) REFERENCES events (id, created_at) ON DELETE CASCADE
) PARTITION BY HASH (consumer);
CREATE TABLE event_queue_0 PARTITION OF event_queue FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE event_queue_1 PARTITION OF event_queue FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE event_queue_2 PARTITION OF event_queue FOR VALUES WITH (MODULUS 3, REMAINDER 2);
CREATE INDEX event_queue_event_idx ON event_queue (event_id, event_created_at);

-- a partitioned table referencing itself, and a view over the partitioned events
CREATE TABLE threads (
	id bigserial,
	created_at timestamptz NOT NULL,
	parent_id bigint,
	parent_at timestamptz,
	PRIMARY KEY (id, created_at),
	CONSTRAINT threads_parent_fkey FOREIGN KEY (parent_id, parent_at) REFERENCES threads (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE threads_2026 PARTITION OF threads FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2027-01-01 00:00+00');
CREATE TABLE threads_other PARTITION OF threads DEFAULT;
CREATE VIEW recent_errors AS SELECT id, created_at FROM events WHERE kind = 'error';
-- a view over one partition only
CREATE VIEW february AS SELECT id, kind FROM events_2026_02;

INSERT INTO threads (created_at) SELECT timestamptz '2025-12-20 00:00+00' + g * interval '1 day' FROM generate_series(1, 40) g;
INSERT INTO threads (created_at, parent_id, parent_at) SELECT created_at + interval '1 hour', id, created_at FROM threads;
INSERT INTO provider_configs (name) SELECT 'provider ' || g FROM generate_series(1, 5) g;
-- old keys interleave across partitions: id order is not time order
INSERT INTO events (created_at, kind, payload)
SELECT timestamptz '2025-11-01 00:00+00' + ((g * 7919) % 9000) * interval '1 hour',
	   (ARRAY['click', 'view', 'error'])[1 + g % 3], jsonb_build_object('n', g)
  FROM generate_series(1, 3000) g;
INSERT INTO event_queue (consumer, event_id, event_created_at, provider_id)
SELECT 'consumer ' || (e.id % 7), e.id, e.created_at, CASE WHEN e.id % 4 = 0 THEN NULL ELSE 1 + e.id % 5 END
  FROM events e WHERE e.id % 3 <> 0;
ANALYZE;
SQL

tables="ARRAY['public.events', 'public.event_queue', 'public.provider_configs', 'public.threads']::regclass[]"
leaves="SELECT c.oid::regclass::text FROM pg_partition_tree('events') t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf
		UNION ALL SELECT c.oid::regclass::text FROM pg_partition_tree('event_queue') t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf
		UNION ALL SELECT c.oid::regclass::text FROM pg_partition_tree('threads') t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf"
counts_sql="SELECT string_agg(r || '=' || n, ' ' ORDER BY r) FROM (SELECT tableoid::regclass::text AS r, count(*) AS n FROM events GROUP BY 1
		UNION ALL SELECT tableoid::regclass::text, count(*) FROM event_queue GROUP BY 1) s"
filenodes_sql="SELECT string_agg(l || '=' || pg_relation_filenode(l::regclass), ' ' ORDER BY l) FROM ($leaves) AS x(l)"

fk_tree_sql="WITH RECURSIVE t(oid, root) AS (SELECT oid, conname FROM pg_constraint WHERE contype = 'f' AND conparentid = 0
			AND conrelid = 'event_queue'::regclass UNION ALL SELECT k.oid, t.root FROM pg_constraint k JOIN t ON k.conparentid = t.oid)
		SELECT string_agg(root || ':' || n, ' ' ORDER BY root) FROM (SELECT root, count(*) AS n FROM t GROUP BY root) s"
idx_tree_sql="SELECT string_agg(i || ':' || n, ' ' ORDER BY i) FROM (SELECT p.relname AS i,
			(SELECT count(*) FROM pg_partition_tree(p.oid) t JOIN pg_class c ON c.oid = t.relid WHERE c.relkind = 'i') AS n
			FROM pg_class p WHERE p.relname IN ('events_pkey', 'events_kind_id_idx', 'events_created_at_idx', 'event_queue_pkey', 'event_queue_event_idx')) s"

check_eq "setup: 13 leaf partitions, each with rows" "13|13" \
	"$(sql "SELECT count(*), count(*) FILTER (WHERE c.reltuples > 0) FROM ($leaves) AS x(l) JOIN pg_class c ON c.oid = l::regclass")"
check_eq "plan lists no refusal" "" "$(mig_plan_refusals "$tables")"
check_eq "plan: one mapping table per migrated table, none per partition" \
	"uuid7_mapping.event_queue_uuid7_map uuid7_mapping.events_uuid7_map uuid7_mapping.provider_configs_uuid7_map uuid7_mapping.threads_uuid7_map" \
	"$(sql "SELECT string_agg(DISTINCT object, ' ' ORDER BY object) FROM uuid7_migration_plan($tables) WHERE phase = 'mapping'")"
check_eq "plan: one ALTER TABLE per partitioned table (PostgreSQL applies it to the partitions)" \
	"public.event_queue public.events public.provider_configs public.threads" \
	"$(sql "SELECT string_agg(object, ' ' ORDER BY object) FROM uuid7_migration_plan($tables) WHERE phase = 'alter table'")"

counts_before=$(sql "$counts_sql")
filenodes_before=$(sql "$filenodes_sql")
fk_tree_before=$(sql "$fk_tree_sql")
idx_tree_before=$(sql "$idx_tree_sql")
order_before=$(sql "SELECT md5(string_agg(tableoid::regclass::text || ':' || id, ',' ORDER BY id)) FROM events")

# ---- online: refused, nothing changed ----------------------------------------------------------------------------
before=$(mig_fingerprint)
out=$(psql -X -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migration_start($tables)" 2>&1)
if grep -qE "ERROR:  0A000: cannot migrate.*: table public.events is partitioned" <<<"$out" &&
	grep -q "^HINT:  .*uuid7_migrate()" <<<"$out"; then
	pass "online: uuid7_migration_start refuses the partitioned table (0A000), pointing to uuid7_migrate()"
else
	fail "online: uuid7_migration_start refuses the partitioned table (0A000), pointing to uuid7_migrate()" "got: $out"
fi
check_sqlstate "online: refused too when only a table it references is listed (event_queue is partitioned)" 0A000 \
	"SELECT uuid7_migration_start(ARRAY['public.provider_configs']::regclass[])"
check_fingerprint "online: the refusals changed nothing" "$before"

# ---- all or nothing: migrated, then rolled back in the caller's transaction -------------------------------------
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "SELECT uuid7_migrate($tables)" \
	-c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'events_2026_03'::regclass AND attname = 'id' AND atttypid = 'uuid'::regtype" \
	-c "ROLLBACK" 2>&1)
check_eq "rollback: inside the transaction every partition's key was uuid" 1 "$(printf '%s\n' "$out" | sed -n '$p')"
check_fingerprint "rollback: everything as before (filenodes, rows, catalog)" "$before"

# ---- all or nothing: an error in the middle (after events' partitions are rewritten) undoes everything -----------
# (a queue row naming a provider that does not exist, written with triggers off: the rewrite of event_queue, after
# the one of events, finds no new key for it)
sql "SET session_replication_role = replica; INSERT INTO event_queue (consumer, event_id, event_created_at, provider_id)
	SELECT 'consumer 1', id, created_at, 999 FROM events WHERE id = 2" >/dev/null
before_error=$(mig_fingerprint)
check_sqlstate "an error during the rewrite fails the whole call (23503)" 23503 "SELECT uuid7_migrate($tables)"
check_fingerprint "after the error: every partition, mapping, constraint and row as before" "$before_error"
sql "DELETE FROM event_queue WHERE provider_id = 999" >/dev/null

# ---- the migration -----------------------------------------------------------------------------------------------
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(events, event_queue, provider_configs, threads) succeeds" "$tables"
mig_check_all

check_eq "rows per partition as before" "$counts_before" "$(sql "$counts_sql")"
check_eq "every row in the partition it was in, key order kept across the whole tree (through the mapping)" "$order_before" \
	"$(sql "SELECT md5(string_agg(tableoid::regclass::text || ':' || uuid7_legacy_id('events', id), ',' ORDER BY id)) FROM events")"
check_eq "key order across partitions: new keys sort as old keys, tree-wide" 0 \
	"$(sql "SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY id) a, row_number() OVER (ORDER BY uuid7_legacy_id('events', id)) b FROM events) x WHERE a <> b")"
filenodes_after=$(sql "$filenodes_sql")
check_eq "every leaf partition has a new filenode" 13 \
	"$(join -v1 <(tr ' ' '\n' <<<"$filenodes_before" | sort) <(tr ' ' '\n' <<<"$filenodes_after" | sort) | wc -l)"
check_eq "every leaf partition rewritten exactly once (table_rewrite events)" "13|1|1" \
	"$(sql "SELECT count(*), min(n), max(n) FROM (SELECT l, (SELECT count(*) FROM mig_snap.rewrites w WHERE w.relid = l::regclass) AS n FROM ($leaves) AS x(l)) s")"
check_eq "one mapping table per migrated table, registered under the partitioned table's name" \
	"event_queue events provider_configs threads|4" \
	"$(sql "SELECT string_agg(relid::text, ' ' ORDER BY relid::text), (SELECT count(*) FROM pg_class WHERE relname LIKE '%uuid7_map') FROM uuid7_state.uuid7_migrated_table")"
check_eq "uuid7_mapped_id / uuid7_legacy_id by the parent's name" "1|t" \
	"$(sql "SELECT uuid7_legacy_id('events', uuid7_mapped_id('events', 1)), uuid7_mapped_id('events', 1) IN (SELECT id FROM events)")"
check_eq "every partition's key is uuid with the uuid7 default" "13|13" \
	"$(sql "SELECT count(*), count(*) FILTER (WHERE format_type(a.atttypid, NULL) = 'uuid' AND pg_get_expr(d.adbin, d.adrelid) LIKE '%uuid_generate_v7()')
			FROM ($leaves) AS x(l) JOIN pg_attribute a ON a.attrelid = l::regclass AND a.attname = 'id'
			LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum")"
check_eq "event_queue.event_id and provider_id through their mappings (every FK relation kept)" 0 \
	"$(sql "SELECT count(*) FROM event_queue q LEFT JOIN events e ON e.id = q.event_id AND e.created_at = q.event_created_at
			WHERE e.id IS NULL OR (q.provider_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM provider_configs p WHERE p.id = q.provider_id))")"
check_eq "the per-partition copies of the foreign keys are back (referencing and referenced sides)" "$fk_tree_before" "$(sql "$fk_tree_sql")"
check_eq "(the foreign keys had per-partition copies: event_queue's 3 partitions, events' 9)" \
	"event_queue_event_fkey:13 event_queue_provider_id_fkey:4" "$fk_tree_before"
check_eq "the self-reference of threads holds through the mapping (40 replies to their parents)" 40 \
	"$(sql "SELECT count(*) FROM threads r JOIN threads p ON p.id = r.parent_id AND p.created_at = r.parent_at
			WHERE uuid7_legacy_id('threads', r.parent_id) = uuid7_legacy_id('threads', p.id) AND r.created_at = p.created_at + interval '1 hour'")"
check_eq "the view over the partitioned table is back and reads uuid keys" "uuid|1000" \
	"$(sql "SELECT pg_typeof(id) || '|' || count(*) OVER () FROM recent_errors LIMIT 1")"
check_eq "the view over one partition is back, reading uuid keys, the same rows" "uuid|$(sql "SELECT count(*) FROM events_2026_02")" \
	"$(sql "SELECT pg_typeof(id) || '|' || count(*) OVER () FROM february LIMIT 1")"
check_eq "the index of one partition only is kept, same definition" \
	"CREATE INDEX events_2026_02_errors_idx ON public.events_2026_02 USING btree (id) WHERE (kind = 'error'::text)" \
	"$(sql "SELECT pg_get_indexdef('events_2026_02_errors_idx'::regclass)")"
check_eq "the parent's indexes keep their partition index on every partition" "$idx_tree_before" "$(sql "$idx_tree_sql")"
check_eq "(one index per leaf and per partitioned partition below each parent index)" \
	"event_queue_event_idx:3 event_queue_pkey:3 events_created_at_idx:8 events_kind_id_idx:8 events_pkey:8" "$idx_tree_before"
check_eq "the cascade still follows the foreign key to the partitioned table" "1|0" \
	"$(sql "SELECT count(*) FROM event_queue WHERE event_id = uuid7_mapped_id('events', 1)")|$(sql "DELETE FROM events WHERE id = uuid7_mapped_id('events', 1)" >/dev/null; sql "SELECT count(*) FROM event_queue WHERE event_id = uuid7_mapped_id('events', 1)")"
plan=$(sql "EXPLAIN (COSTS OFF) SELECT count(*) FROM events WHERE created_at >= '2026-02-01 00:00+00' AND created_at < '2026-03-01 00:00+00'")
if grep -q 'events_2026_02' <<<"$plan" && [ "$(grep -cE 'events_(2026_0[13-5]|default)|Archive' <<<"$plan")" -eq 0 ]; then
	pass "partition pruning: a February range scans events_2026_02 only"
else
	fail "partition pruning: a February range scans events_2026_02 only" "$plan"
fi
plan=$(sql "EXPLAIN (COSTS OFF) SELECT * FROM events WHERE created_at >= '2026-05-20 00:00+00' AND created_at < '2026-05-25 00:00+00'")
if grep -q 'Events May/Late' <<<"$plan" && ! grep -qE 'events_2026_05_early|events_2026_0[1-4]|events_default' <<<"$plan"; then
	pass "partition pruning on two levels: late May scans \"Archive\".\"Events May/Late\" only"
else
	fail "partition pruning on two levels: late May scans \"Archive\".\"Events May/Late\" only" "$plan"
fi
check_eq "new rows after the migration: v7 keys from the default, routed to their partitions" "events_2026_03|7 events_default|7" \
	"$(sql "INSERT INTO events (created_at, kind) VALUES ('2026-03-05 00:00+00', 'view'), ('2027-01-01 00:00+00', 'view')
			RETURNING tableoid::regclass::text || '|' || substr(id::text, 15, 1)" | tr '\n' ' ' | sed 's/ $//')"
check_eq "a new queue row takes a uuid key (the identity is gone)" "uuid" \
	"$(sql "INSERT INTO event_queue (consumer, event_id, event_created_at) SELECT 'consumer 1', id, created_at FROM events LIMIT 1 RETURNING pg_typeof(id)")"

# ---- timestamp_column on a table partitioned by that column: a v7 key range is a time range ----------------------
mig_db partitioned_ts
mig_setup <<'SQL'
CREATE TABLE readings (id bigserial, taken_at timestamptz NOT NULL, value numeric, PRIMARY KEY (id, taken_at)) PARTITION BY RANGE (taken_at);
CREATE TABLE readings_2026_01 PARTITION OF readings FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2026-02-01 00:00+00');
CREATE TABLE readings_2026_02 PARTITION OF readings FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-03-01 00:00+00');
CREATE TABLE readings_rest PARTITION OF readings DEFAULT;
INSERT INTO readings (taken_at, value)
SELECT timestamptz '2026-01-10 00:00+00' + ((g * 7919) % 2000) * interval '37 minutes', g FROM generate_series(1, 2000) g;
SQL
ts_tables="ARRAY['public.readings']::regclass[]"
ts_opts="'{\"tables\": {\"readings\": {\"timestamp_column\": \"taken_at\"}}}'"
feb_before=$(sql "SELECT count(*) FROM readings_2026_02")
mig_migrate "uuid7_migrate(readings, timestamp_column taken_at) succeeds" "$ts_tables" "$ts_opts"
check_eq "each key carries its row's time (to the millisecond)" 0 \
	"$(sql "SELECT count(*) FROM readings WHERE uuid_v7_timestamp(id) <> date_trunc('milliseconds', taken_at)")"
check_eq "a v7 key range over February selects the rows of partition readings_2026_02" "$feb_before|$feb_before" \
	"$(sql "SELECT count(*) FROM readings WHERE id >= uuid_v7_lower_bound('2026-02-01 00:00+00') AND id < uuid_v7_lower_bound('2026-03-01 00:00+00')")|$(sql "SELECT count(*) FROM readings WHERE id >= uuid_v7_lower_bound('2026-02-01 00:00+00') AND id < uuid_v7_lower_bound('2026-03-01 00:00+00') AND tableoid = 'readings_2026_02'::regclass")"
check_eq "new keys in (taken_at, old key) order across the partitions" 0 \
	"$(sql "SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY id) a, row_number() OVER (ORDER BY taken_at, uuid7_legacy_id('readings', id)) b FROM readings) x WHERE a <> b")"

# ---- refusals ----------------------------------------------------------------------------------------------------
mig_db partitioned_refusals
mig_setup <<'SQL'
CREATE TABLE by_id (id bigint PRIMARY KEY, note text) PARTITION BY RANGE (id);
CREATE TABLE by_id_1 PARTITION OF by_id FOR VALUES FROM (0) TO (1000);
CREATE TABLE sub_by_id (id bigint, created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
CREATE TABLE sub_by_id_2026 PARTITION OF sub_by_id FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY HASH (id);
CREATE TABLE sub_by_id_2026_0 PARTITION OF sub_by_id_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE sub_by_id_2026_1 PARTITION OF sub_by_id_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE logs (id bigserial, created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
CREATE TABLE logs_2026 PARTITION OF logs FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE log_refs (id bigserial, log_id bigint NOT NULL, log_at timestamptz NOT NULL, PRIMARY KEY (id, log_id),
	FOREIGN KEY (log_id, log_at) REFERENCES logs (id, created_at)) PARTITION BY HASH (log_id);
CREATE TABLE log_refs_0 PARTITION OF log_refs FOR VALUES WITH (MODULUS 1, REMAINDER 0);
CREATE TABLE wide (id bigint, tenant int, created_at timestamptz NOT NULL, PRIMARY KEY (id, tenant, created_at)) PARTITION BY RANGE (created_at);
CREATE TABLE legacy (id bigserial PRIMARY KEY);
CREATE TABLE legacy_child () INHERITS (legacy);
SQL
mig_refusal "PARTITION BY RANGE (id)" "ARRAY['public.by_id']::regclass[]" 0A000 \
	"the integer key id of table public.by_id is in the partition key of public.by_id (PARTITION BY RANGE (id))" "" ""
mig_refusal "a second level hashed on id" "ARRAY['public.sub_by_id']::regclass[]" 0A000 \
	"is in the partition key of public.sub_by_id_2026 (PARTITION BY HASH (id))" "" ""
mig_refusal "a referencing column in a partition key" "ARRAY['public.logs']::regclass[]" 0A000 \
	"column log_id of table public.log_refs becomes uuid, but it is in the partition key of public.log_refs (PARTITION BY HASH (log_id))" "" ""
mig_refusal "primary key with another column beside the partition key" "ARRAY['public.wide']::regclass[]" 0A000 \
	"primary key wide_pkey of partitioned table public.wide is not one smallint, integer or bigint column beside the partition key columns" "" ""
mig_refusal "a partition listed alone" "ARRAY['public.logs_2026']::regclass[]" 0A000 \
	"table public.logs_2026 is a partition of public.logs: a partitioned table is migrated whole, through its root" "" ""
mig_refusal "legacy inheritance (parent)" "ARRAY['public.legacy']::regclass[]" 0A000 \
	"table public.legacy is part of an inheritance tree (INHERITS)" "" ""
mig_refusal "legacy inheritance (child)" "ARRAY['public.legacy_child']::regclass[]" 0A000 \
	"table public.legacy_child is part of an inheritance tree (INHERITS)" "" ""
exit 0
