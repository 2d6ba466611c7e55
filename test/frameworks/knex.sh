#!/usr/bin/env bash
# test/frameworks/knex.sh — the Node recipe of docs/frameworks.md, with Knex and node-postgres from the npm registry
# (versions in test/frameworks/knex/package-lock.json, installed once into /var/cache/uuid7-npm): an analytics schema
# (events, provider_configs, event_queue with two foreign keys) from Knex migrations, filled through Knex; then the
# recipe's migration (knex.raw calling uuid7_migrate); then through Knex: reads as before, uuid v7 keys made by the
# database, joins, writes, and `knex migrate:status` / `migrate:latest` with nothing left to do. Without node or npm
# (a suite whose packages lack them) the test is a SKIP, not a FAIL.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

src=$(cd "$(dirname "$0")/knex" && pwd)
command -v node >/dev/null 2>&1 || fw_skip "no node on this suite (package nodejs): Knex recipe not run"
command -v npm >/dev/null 2>&1 || fw_skip "no npm on this suite (package npm): Knex recipe not run"
npm_log=$(mktemp)
if ! modules=$(fw_npm_modules "$src" 2>"$npm_log"); then
	cat "$npm_log"
	why=$(grep -m1 -oE 'npm (ERR!|error) code [A-Z_0-9]+' "$npm_log" | awk '{print $NF}')
	rm -f "$npm_log"
	fw_skip "npm ci of test/frameworks/knex/package-lock.json failed (the npm registry cannot be reached from here${why:+: $why}): Knex recipe not run"
fi
rm -f "$npm_log"
echo "  node $(node --version), knex $(node -p "require('$modules/knex/package.json').version"), pg $(node -p "require('$modules/pg/package.json').version")"

mig_db knex
fw_workdir
cp -r "$src/." "$FW_DIR/"
ln -s "$modules" "$FW_DIR/node_modules"
cd "$FW_DIR" || exit 1
knex() { node node_modules/knex/bin/cli.js --knexfile knexfile.js "$@"; }

fw_run "before: knex migrate:latest creates the analytics schema" knex migrate:latest || exit 1
fw_results node orm_checks.js fill "$FW_DIR/state.json"
check_eq "before: events.id is bigint, provider_configs.id integer" "bigint integer" \
	"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid IN ('events'::regclass, 'provider_configs'::regclass) AND attname = 'id' ORDER BY attrelid::regclass::text" | tr '\n' ' ' | sed 's/ $//')"

check_eq "plan: no refusal" "" "$(mig_plan_refusals "ARRAY['events', 'provider_configs', 'event_queue']::regclass[]")"
cp recipe/*.js migrations/
fw_run "framework check: migrate:status lists the recipe's migration as pending" knex migrate:status
fw_run "recipe: knex migrate:latest runs 20240201000001_uuid7_keys (uuid7_migrate)" knex migrate:latest || exit 1
check_eq "recipe: one migration ran" 1 "$(printf '%s\n' "$FW_OUT" | grep -c 'Batch 2 run: 1 migrations')"
check_eq "after: keys and both foreign keys of event_queue are uuid" \
	"event_queue.event_id event_queue.id event_queue.provider_config_id events.id events.provider_config_id provider_configs.id" \
	"$(sql "SELECT string_agg(table_name || '.' || column_name, ' ' ORDER BY table_name, column_name) FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'uuid' AND column_name <> 'new_id'	-- (mapping tables aside)")"

keys_sql="SELECT string_agg(format('%s.%s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
		regexp_replace(pg_get_expr(d.adbin, d.adrelid), '^[a-z0-9_]+\\.', '')), ' ' ORDER BY c.relname, a.attname)
	FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND a.attname ~ 'id$' LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
	WHERE c.relname IN ('events', 'provider_configs', 'event_queue')"
keys=$(sql "$keys_sql")
check_eq "after: the three keys are uuid DEFAULT uuid_generate_v7()" 3 "$(grep -o 'uuid uuid_generate_v7()' <<<"$keys" | wc -l)"

fw_results node orm_checks.js after "$FW_DIR/state.json"
fw_run "framework check: knex migrate:status" knex migrate:status
check_eq "framework check: migrate:status has no pending migration" 1 "$(printf '%s\n' "$FW_OUT" | grep -c 'No Pending Migration files Found.')"
fw_run "framework check: knex migrate:latest" knex migrate:latest
check_eq "framework check: migrate:latest is already up to date" 1 "$(printf '%s\n' "$FW_OUT" | grep -c 'Already up to date')"

# knex migrate:latest on a new database, every migration from the first (the extension comes with the recipe's)
fresh="fw_knex_fresh_$$"
createdb "$fresh" && MIG_DBS+=("$fresh")
PGDATABASE=$fresh fw_run "replay: knex migrate:latest builds a new database from all the migrations" knex migrate:latest
check_eq "replay: the keys are as in the migrated database" "$keys" "$(PGDATABASE=$fresh sql "$keys_sql")"
