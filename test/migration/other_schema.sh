#!/usr/bin/env bash
# test/migration/other_schema.sh — FKs from another schema (not on search_path) with quoted mixed-case names, and
# hostile identifiers: spaces, double and single quotes, upper case, reserved words, multi-byte UTF-8, 63-byte
# table/column/constraint names (two 63-byte tables sharing a 53-byte prefix, so derived names must not collide),
# and names that are SQL injection attempts. Everything is migrated in one call; a canary table must survive.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db other_schema

p53=$(printf 'p%.0s' $(seq 1 53))
t63a="${p53}_alpha_001"
t63b="${p53}_alpha_002"
c63=$(printf 'k%.0s' $(seq 1 63))
f63=$(printf 'f%.0s' $(seq 1 63))
[ "${#t63a}" -eq 63 ] && [ "${#c63}" -eq 63 ] || { fail "setup" "63-byte names are not 63 bytes"; exit 1; }

mig_setup <<SQL
CREATE TABLE canary (id int PRIMARY KEY);
INSERT INTO canary VALUES (1);
CREATE SCHEMA "Sales Dept";
CREATE SCHEMA "audit";
CREATE TABLE public."Customers" ("Customer ID" serial PRIMARY KEY, "Full Name" text NOT NULL);
CREATE TABLE "Sales Dept"."Order ""Lines""" (
	id bigserial PRIMARY KEY,
	"Customer ID" int REFERENCES public."Customers" ON DELETE CASCADE,
	"select" int NOT NULL
);
CREATE INDEX "Order Lines by Customer" ON "Sales Dept"."Order ""Lines""" ("Customer ID", "select");
CREATE TABLE "Sales Dept"."user" ("order" integer PRIMARY KEY, "group" text);
CREATE TABLE audit."from" (id int PRIMARY KEY, "user order" int CONSTRAINT "FK to ""user"" (order)" REFERENCES "Sales Dept"."user",
	"Customer ID" int REFERENCES public."Customers");
CREATE TABLE "${t63a}" ("${c63}" bigint PRIMARY KEY, v text);
CREATE TABLE "${t63b}" ("${c63}" bigint PRIMARY KEY, "${f63}" bigint CONSTRAINT "${f63}" REFERENCES "${t63a}");
CREATE TABLE "evil'); DROP TABLE canary; --" ("id""); DROP TABLE canary; --" int PRIMARY KEY, note text);
CREATE TABLE "x"" ; DROP TABLE canary; --" (id int PRIMARY KEY,
	evil_ref int REFERENCES "evil'); DROP TABLE canary; --");
CREATE TABLE "Ünïcødé ✓ Täble" ("Schlüssel" int PRIMARY KEY, "x"" ; DROP TABLE canary; -- ref" int REFERENCES "x"" ; DROP TABLE canary; --");

INSERT INTO public."Customers" ("Customer ID", "Full Name") SELECT g * 3, 'Customer ' || g FROM generate_series(1, 500) g ORDER BY md5(g::text);
INSERT INTO "Sales Dept"."Order ""Lines""" ("Customer ID", "select") SELECT 3 * (1 + g % 500), g FROM generate_series(1, 3000) g;
INSERT INTO "Sales Dept"."user" SELECT -g, 'g' || g FROM generate_series(1, 400) g;
INSERT INTO audit."from" SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE -(1 + g % 400) END, 3 * (1 + g % 500) FROM generate_series(1, 1000) g;
INSERT INTO "${t63a}" SELECT g, 'v' || g FROM generate_series(1, 1000) g ORDER BY md5(g::text);
INSERT INTO "${t63b}" SELECT g, 1 + g % 1000 FROM generate_series(1, 1000) g;
INSERT INTO "evil'); DROP TABLE canary; --" SELECT g, 'n' FROM generate_series(1, 200) g;
INSERT INTO "x"" ; DROP TABLE canary; --" SELECT g, 1 + g % 200 FROM generate_series(1, 200) g;
INSERT INTO "Ünïcødé ✓ Täble" SELECT g, 1 + g % 200 FROM generate_series(1, 200) g;
SQL

tables="ARRAY['public.\"Customers\"', '\"Sales Dept\".\"user\"', '\"${t63a}\"', '\"${t63b}\"',
	'\"evil''); DROP TABLE canary; --\"', '\"x\"\" ; DROP TABLE canary; --\"', '\"Ünïcødé ✓ Täble\"']::regclass[]"
check_eq "setup: seven tables resolve" 7 "$(sql "SELECT cardinality($tables)")"
check_eq "plan lists no refusal" "" "$(mig_plan_refusals "$tables")"
check_eq "canary table survived the plan" 1 "$(sql "SELECT count(*) FROM canary")"
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(seven hostile tables) succeeds" "$tables"
check_eq "canary table survived" 1 "$(sql "SELECT count(*) FROM canary")"
mig_check_all

check_eq "FK columns in other schemas converted" "uuid|uuid|uuid" \
	"$(sql "SELECT string_agg(format_type(atttypid, atttypmod), '|' ORDER BY attrelid::regclass::text, attname) FROM pg_attribute
		WHERE (attrelid = '\"Sales Dept\".\"Order \"\"Lines\"\"\"'::regclass AND attname = 'Customer ID')
		   OR (attrelid = 'audit.\"from\"'::regclass AND attname IN ('user order', 'Customer ID'))")"
check_eq "mapping lookups by quoted names" "Customer 7|21" \
	"$(sql "SELECT \"Full Name\" FROM public.\"Customers\" WHERE \"Customer ID\" = uuid7_mapped_id('public.\"Customers\"', 21)")|$(sql "SELECT uuid7_legacy_id('public.\"Customers\"', \"Customer ID\") FROM public.\"Customers\" WHERE \"Full Name\" = 'Customer 7'")"
check_eq "two 63-byte tables got two distinct mapping tables" "2|2" \
	"$(sql "SELECT count(DISTINCT mapping_table), count(*) FROM uuid7_state.uuid7_migrated_table WHERE relid::text LIKE '%${p53}%'")"
check_eq "63-byte FK constraint name kept" "1" "$(sql "SELECT count(*) FROM pg_constraint WHERE conname = '${f63}' AND contype = 'f'")"
check_eq "injection-named table mapped both ways" "t" \
	"$(sql "SELECT bool_and(uuid7_mapped_id('\"evil''); DROP TABLE canary; --\"', uuid7_legacy_id('\"evil''); DROP TABLE canary; --\"', \"id\"\"); DROP TABLE canary; --\")) = \"id\"\"); DROP TABLE canary; --\") FROM \"evil'); DROP TABLE canary; --\"")"

# A caller whose search_path puts look-alike functions and operators first: the migration must not call them.
mig_db search_path
mig_setup <<'SQL'
CREATE SCHEMA trap;
CREATE TABLE things (id serial PRIMARY KEY, name text);
CREATE TABLE thing_parts (id serial PRIMARY KEY, thing_id int REFERENCES things);
INSERT INTO things (name) SELECT 't' || g FROM generate_series(1, 500) g;
INSERT INTO thing_parts (thing_id) SELECT 1 + g % 500 FROM generate_series(1, 1000) g;
CREATE FUNCTION trap.uuid_generate_v7() RETURNS uuid LANGUAGE sql AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;
CREATE FUNCTION trap.uuid7_mapped_id(regclass, bigint) RETURNS uuid LANGUAGE sql AS $$ SELECT NULL::uuid $$;
CREATE FUNCTION trap.quote_ident(text) RETURNS text LANGUAGE sql AS $$ SELECT 'canary' $$;
CREATE FUNCTION trap.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT 'canary' $$;
CREATE FUNCTION trap.int_eq_trap(int, int) RETURNS bool LANGUAGE sql AS $$ SELECT false $$;
CREATE OPERATOR trap.= (LEFTARG = int, RIGHTARG = int, FUNCTION = trap.int_eq_trap);
SQL
tables="ARRAY['public.things']::regclass[]"
mig_snapshot "$tables"
out=$(PGOPTIONS="-c search_path=trap,public" psql -X -q -v ON_ERROR_STOP=1 -c "SELECT uuid7_migrate($tables)" \
	-c "SELECT pg_stat_force_next_flush()" -c "SELECT 1" 2>&1 >/dev/null)
check_eq "uuid7_migrate with search_path = trap, public succeeds" "" "$out"
mig_check_all
check_true "new keys come from the extension's generator, not trap.uuid_generate_v7()" \
	"WITH n AS (INSERT INTO things (name) VALUES ('new') RETURNING id) SELECT substr(id::text, 15, 1) = '7' FROM n"
check_true "new keys come from the extension's generator even for a trap search_path session" \
	"SET search_path = trap, public; WITH n AS (INSERT INTO public.things (name) VALUES ('new2') RETURNING id) SELECT substr(id::text, 15, 1) = '7' FROM n"
