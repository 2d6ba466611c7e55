#!/usr/bin/env bash
# test/migration/indexes.sh — every index shape that includes the key or a converted FK column: unique
# multi-column, DESC NULLS LAST, INCLUDE, partial with a predicate not on the key, fillfactor, hash, BRIN,
# NULLS NOT DISTINCT, a partial predicate that only tests the FK column IS NOT NULL; plus what hangs on indexes:
# CLUSTER ON, REPLICA IDENTITY USING INDEX, index comments, extended statistics. pg_get_indexdef must be equal.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db indexes

mig_setup <<'SQL'
CREATE TABLE warehouses (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE items (
	id bigserial PRIMARY KEY,
	sku text NOT NULL,
	kind text NOT NULL,
	price numeric NOT NULL,
	created_at timestamptz NOT NULL,
	warehouse_id int REFERENCES warehouses,
	CONSTRAINT items_sku_id_key UNIQUE (sku, id) DEFERRABLE
);
CREATE INDEX items_kind_id_desc ON items (kind, id DESC NULLS LAST);
CREATE INDEX items_created_incl ON items (created_at) INCLUDE (id, price);
CREATE INDEX items_cheap_partial ON items (id) WHERE price < 10;
CREATE INDEX items_ff ON items (id, kind) WITH (fillfactor = 70);
CREATE INDEX items_id_hash ON items USING hash (id);
CREATE INDEX items_id_brin ON items USING brin (id) WITH (pages_per_range = 16);
CREATE INDEX items_wh_partial ON items (warehouse_id) WHERE warehouse_id IS NOT NULL;
CREATE UNIQUE INDEX items_wh_sku_nnd ON items (warehouse_id, sku) NULLS NOT DISTINCT;
CREATE UNIQUE INDEX items_sku_key ON items (sku);
CREATE INDEX items_id_desc ON items (id DESC);
COMMENT ON INDEX items_kind_id_desc IS 'per-kind listing, newest first';
ALTER TABLE items CLUSTER ON items_kind_id_desc;
ALTER TABLE items REPLICA IDENTITY USING INDEX items_sku_key;
CREATE STATISTICS items_kind_id_stats (ndistinct, dependencies) ON kind, id FROM items;
INSERT INTO warehouses (name) SELECT 'w' || g FROM generate_series(1, 40) g;
INSERT INTO items (id, sku, kind, price, created_at, warehouse_id)
SELECT g * 10, 'sku-' || g, (ARRAY['a', 'b', 'c', 'd'])[1 + g % 4], (g % 50) / 2.0, '2024-01-01'::timestamptz + g * interval '1 min',
	CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + g % 40 END
FROM generate_series(1, 5000) g ORDER BY md5(g::text);
ANALYZE items;
SQL

tables="ARRAY['public.items', 'public.warehouses']::regclass[]"
check_eq "plan lists no refusal" "" "$(mig_plan_refusals "$tables")"
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(items, warehouses) succeeds" "$tables"
mig_check_all

check_eq "CLUSTER ON index kept" "items_kind_id_desc" \
	"$(sql "SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'items'::regclass AND indisclustered")"
check_eq "REPLICA IDENTITY USING INDEX kept" "i|items_sku_key" \
	"$(sql "SELECT relreplident::text || '|' || (SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'items'::regclass AND indisreplident) FROM pg_class WHERE oid = 'items'::regclass")"
check_eq "index comment kept" "per-kind listing, newest first" "$(sql "SELECT obj_description('items_kind_id_desc'::regclass, 'pg_class')")"
check_eq "extended statistics object kept, on kind and id" "items_kind_id_stats|id, kind" \
	"$(sql "SELECT stxname || '|' || (SELECT string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = stxrelid AND attnum = ANY (stxkeys)) FROM pg_statistic_ext WHERE stxrelid = 'items'::regclass")"
check_eq "the indexes are used: key lookup by index" "t" \
	"$(sql "SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT * FROM items WHERE id = uuid7_mapped_id('items', 50)" | grep -qE 'Index (Only )?Scan|Bitmap' && echo t)"
check_eq "DEFERRABLE unique constraint still deferrable" "t" \
	"$(sql "SELECT condeferrable FROM pg_constraint WHERE conname = 'items_sku_id_key'")"
check_eq "index reloptions kept" "items_ff {fillfactor=70}|items_id_brin {pages_per_range=16}" \
	"$(sql "SELECT string_agg(relname || ' ' || reloptions::text, '|' ORDER BY relname) FROM pg_class WHERE reloptions IS NOT NULL AND relname LIKE 'items%'")"
