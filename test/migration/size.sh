#!/usr/bin/env bash
# test/migration/size.sh — no bloat: after the migration each rewritten table (heap, with its TOAST) and each of its
# indexes is at most 5% larger than a fresh load of the same rows (CREATE TABLE ... (LIKE ...), INSERT ... SELECT,
# then the same CREATE INDEX statements). The comparison is first validated on the tables *before* the migration
# (a freshly loaded table matches its fresh copy), so a failure after it means the migration left bloat.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db size

mig_setup <<'SQL'
CREATE TABLE products (id bigserial PRIMARY KEY, sku text NOT NULL UNIQUE, description text NOT NULL, price numeric NOT NULL,
	created_at timestamptz NOT NULL);
CREATE INDEX products_created ON products (created_at) INCLUDE (id);
CREATE TABLE order_lines (id bigserial PRIMARY KEY, product_id bigint NOT NULL REFERENCES products, qty int NOT NULL,
	note text);
CREATE INDEX order_lines_product ON order_lines (product_id, qty);
INSERT INTO products (sku, description, price, created_at)
SELECT 'sku-' || g, repeat('descr ' || g || ' ', 1 + g % 6), (g % 997) / 3.0, '2024-01-01'::timestamptz + g * interval '1 min'
FROM generate_series(1, 40000) g;
INSERT INTO order_lines (product_id, qty, note)
SELECT 1 + (g * 31) % 40000, 1 + g % 9, CASE WHEN g % 4 = 0 THEN 'gift wrap' END FROM generate_series(1, 80000) g;
-- indexes as a bulk load leaves them (built once, not grown by inserts), so the "before" comparison is like for like
REINDEX TABLE products;
REINDEX TABLE order_lines;
-- builds a fresh copy of a table with the same rows and the same indexes; returns one line per relation:
-- "name|actual bytes|fresh bytes"
CREATE FUNCTION size_compare(t regclass) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	fresh text := 'fresh_' || (SELECT relname FROM pg_class WHERE oid = t);
	i record;
	n int := 0;
BEGIN
	EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING DEFAULTS INCLUDING STORAGE)', fresh, t);
	EXECUTE format('INSERT INTO %I SELECT * FROM %s', fresh, t);
	RETURN NEXT format('%s heap+toast|%s|%s', t, pg_table_size(t) - pg_relation_size(t, 'fsm') - pg_relation_size(t, 'vm'),
		pg_table_size(fresh) - pg_relation_size(fresh, 'fsm') - pg_relation_size(fresh, 'vm'));
	FOR i IN SELECT indexrelid, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = t ORDER BY indexrelid::regclass::text LOOP
		n := n + 1;
		EXECUTE regexp_replace(i.def, '^CREATE (UNIQUE )?INDEX \S+ ON \S+ ', format('CREATE \1INDEX %I ON %I ', fresh || '_i' || n, fresh));
		RETURN NEXT format('%s|%s|%s', i.indexrelid::regclass, pg_relation_size(i.indexrelid), pg_relation_size(format('%I', fresh || '_i' || n)));
	END LOOP;
	EXECUTE format('DROP TABLE %I', fresh);
END $$;
SQL

# check_sizes LABEL: one check per relation: actual <= 1.05 * fresh
check_sizes() {
	local label=$1 rel actual fresh
	while IFS='|' read -r rel actual fresh; do
		if [ "$actual" -le $((fresh * 105 / 100)) ]; then
			pass "$label: $rel within 5% of a fresh load ($actual vs $fresh bytes)"
		else
			fail "$label: $rel within 5% of a fresh load" "$actual bytes vs fresh $fresh bytes"
		fi
	done < <(sql "SELECT * FROM size_compare('products') UNION ALL SELECT * FROM size_compare('order_lines')")
}

check_sizes "before (method check)"
tables="ARRAY['public.products']::regclass[]"
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(products) succeeds" "$tables"
mig_check_all
check_sizes "after migration"
check_true "the migrated key index is smaller than the table (sanity)" \
	"SELECT pg_relation_size('products_pkey') < pg_relation_size('products')"
