#!/usr/bin/env bash
# test/frameworks/rails.sh — the Rails recipe of docs/frameworks.md, with Debian's ruby-activerecord (ActiveRecord
# without the rest of Rails): users, orders (a foreign key to users) and comments with a polymorphic reference to
# either (commentable_type + commentable_id). The schema comes from ActiveRecord migrations, the data from the models;
# then the recipe's migrations (test/frameworks/rails/db/migrate: uuid7_migrate through execute, then the polymorphic
# ids converted through uuid7_mapped_id); then through ActiveRecord: reads as before, uuid v7 keys made by the
# database, joins, writes, every polymorphic reference resolving, no pending migration, and the schema dump
# (db/schema.rb) with uuid keys and DEFAULT uuid_generate_v7().
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

src=$(cd "$(dirname "$0")/rails" && pwd)
fw_need ruby
ruby -e 'require "active_record"; require "pg"' 2>/dev/null ||
	{ fail "setup" "ActiveRecord or pg missing for ruby (ruby-activerecord ruby-pg)"; exit 1; }
echo "  ActiveRecord $(ruby -e 'require "active_record"; print ActiveRecord::VERSION::STRING'), ruby $(ruby -e 'print RUBY_VERSION')"

mig_db rails
fw_workdir
cp -r "$src/." "$FW_DIR/"
cd "$FW_DIR" || exit 1
mkdir recipe && mv db/migrate/20240201* recipe/

fw_run "before: the ActiveRecord migration creates users, orders, comments" ruby orm_checks.rb migrate || exit 1
fw_results ruby orm_checks.rb fill "$FW_DIR/state.json"
check_eq "before: users.id and comments.commentable_id are bigint" "bigint bigint" \
	"$(sql "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE (a.attrelid, a.attname) IN (('users'::regclass, 'id'), ('comments'::regclass, 'commentable_id')) ORDER BY a.attrelid::regclass::text DESC" | tr '\n' ' ' | sed 's/ $//')"

check_eq "plan: no refusal" "" "$(mig_plan_refusals "ARRAY['users', 'orders', 'comments']::regclass[]")"
cp recipe/* db/migrate/
fw_run "recipe: migration Uuid7Keys (uuid7_migrate)" ruby orm_checks.rb migrate 20240201000001 || exit 1
check_eq "after Uuid7Keys: comments.commentable_id is still bigint (polymorphic: no foreign key)" bigint \
	"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'comments'::regclass AND attname = 'commentable_id'")"
fw_results ruby orm_checks.rb trap "$FW_DIR/state.json"
fw_run "recipe: migration Uuid7PolymorphicComments (uuid7_mapped_id)" ruby orm_checks.rb migrate || exit 1

fw_results ruby orm_checks.rb after "$FW_DIR/state.json"
fw_run "framework check: schema dump (db/schema.rb)" ruby orm_checks.rb dump
schema=$FW_OUT
for t in users orders comments; do
	check_eq "schema dump: $t has a uuid key with DEFAULT uuid_generate_v7()" 1 \
		"$(printf '%s\n' "$FW_OUT" | grep -cF "create_table \"$t\", id: :uuid, default: -> { \"uuid_generate_v7()\" }")"
done
check_eq "schema dump: orders.user_id and comments.commentable_id are uuid" 2 \
	"$(printf '%s\n' "$FW_OUT" | grep -cE 't\.uuid "(user_id|commentable_id)", null: false')"
check_eq "schema dump: the foreign key orders -> users is kept" 1 "$(printf '%s\n' "$FW_OUT" | grep -cF 'add_foreign_key "orders", "users"')"
check_eq "schema dump: complete (no \"Could not dump table\"), no uuid7 table" 0 \
	"$(printf '%s\n' "$FW_OUT" | grep -cE 'Could not dump|create_table "[^"]*uuid7|add_foreign_key "uuid7')"
# `rails db:schema:load` into a new database (enable_extension "uuid7" creates the extension), whose dump is the same
printf '%s\n' "$schema" >"$FW_DIR/schema.rb"
fresh="fw_rails_fresh_$$"
createdb "$fresh" && MIG_DBS+=("$fresh")
PGDATABASE=$fresh fw_run "framework check: schema.rb loads into a new database (then its dump)" ruby orm_checks.rb load "$FW_DIR/schema.rb"
check_eq "framework check: the new database dumps the same schema.rb" "$schema" "$FW_OUT"
# `rails db:migrate` on a new database, every migration from the first (the extension comes with Uuid7Keys)
fresh2="fw_rails_replay_$$"
createdb "$fresh2" && MIG_DBS+=("$fresh2")
PGDATABASE=$fresh2 fw_run "replay: every migration on a new database" ruby orm_checks.rb migrate
PGDATABASE=$fresh2 fw_run "replay: schema dump of that database" ruby orm_checks.rb dump
check_eq "replay: it dumps the same schema.rb" "$schema" "$FW_OUT"
