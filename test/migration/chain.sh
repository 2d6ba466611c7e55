#!/usr/bin/env bash
# test/migration/chain.sh — customers ← orders ← order_items, plus order_items → customers directly, all three
# migrated in one call listed child-first (the engine must order the work itself). order_items.id is a plain
# bigint key with no default; orders.id a serial; customers.id an identity ALWAYS smallint.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db chain

mig_setup <<'SQL'
CREATE TABLE customers (
	id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email text NOT NULL UNIQUE
);
CREATE TABLE orders (
	id serial PRIMARY KEY,
	customer_id smallint NOT NULL REFERENCES customers ON DELETE RESTRICT,
	placed_at timestamptz NOT NULL,
	total numeric(12, 2) NOT NULL
);
CREATE INDEX orders_customer_placed ON orders (customer_id, placed_at);
CREATE TABLE order_items (
	id bigint PRIMARY KEY,
	order_id integer NOT NULL REFERENCES orders ON DELETE CASCADE,
	billed_customer_id smallint REFERENCES customers (id),
	sku text NOT NULL,
	qty int NOT NULL CHECK (qty > 0)
);
CREATE INDEX order_items_order ON order_items (order_id);
INSERT INTO customers (id, email) OVERRIDING SYSTEM VALUE
SELECT (400 - g)::smallint, 'c' || g || '@example.com' FROM generate_series(1, 300) g;
INSERT INTO orders (id, customer_id, placed_at, total)
SELECT g * 5, (400 - (1 + g % 300))::smallint, '2024-01-01'::timestamptz + g * interval '1 hour', (g % 997) / 3.0
FROM generate_series(1, 2000) g ORDER BY md5(g::text);
SELECT setval('orders_id_seq', 10001);
INSERT INTO order_items (id, order_id, billed_customer_id, sku, qty)
SELECT 1000000000000 + g * 13, 5 * (1 + g % 2000), CASE WHEN g % 4 = 0 THEN NULL ELSE (400 - (1 + g % 300))::smallint END,
	'sku-' || (g % 50), 1 + g % 7
FROM generate_series(1, 6000) g ORDER BY md5(g::text);
SQL

tables="ARRAY['public.order_items', 'public.orders', 'public.customers']::regclass[]"
check_eq "setup: row counts" "300|2000|6000" \
	"$(sql "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders), (SELECT count(*) FROM order_items)")"
check_eq "plan lists no refusal" "" "$(mig_plan_refusals "$tables")"
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(order_items, orders, customers) succeeds" "$tables"
mig_check_all

check_eq "all six key and FK columns are uuid" "6" \
	"$(sql "SELECT count(*) FROM pg_attribute WHERE atttypid = 'uuid'::regtype AND attrelid IN ('customers'::regclass, 'orders'::regclass, 'order_items'::regclass)")"
check_eq "join through the chain gives the same per-customer totals" 0 \
	"$(sql "SELECT count(*) FROM (
		(SELECT uuid7_legacy_id('customers', c.id), sum(i.qty) FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_items i ON i.order_id = o.id GROUP BY 1)
		EXCEPT (SELECT c.id, sum(i.qty) FROM mig_snap.copy_1 c JOIN mig_snap.copy_3 o ON o.customer_id = c.id JOIN mig_snap.copy_2 i ON i.order_id = o.id GROUP BY 1)) x")"
check_sqlstate "ON DELETE RESTRICT kept" "$(restrict_violation_sqlstate)" "DELETE FROM customers WHERE id = uuid7_mapped_id('customers', 399)"
