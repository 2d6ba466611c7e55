#!/usr/bin/env bash
# test/frameworks/django.sh — the Django recipe of docs/frameworks.md, with Debian's python3-django: a custom user
# model with profile, tokens and social accounts, plus django.contrib.admin (django_admin_log). The schema comes from
# Django's own migrations (0001 made by makemigrations), the data from the ORM; then the recipe's migrations
# (test/frameworks/django/accounts/migrations: 0002 calls uuid7_migrate, 0003 rewrites the admin log's generic
# references through uuid7_mapped_id), the model change (UUID7AutoField) with `migrate --fake` for the AlterFields
# Django would otherwise run; then through the ORM: reads as before, uuid v7 keys made by the database, joins,
# writes, every generic reference resolving, and Django's checks: no model change left, nothing to migrate.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

src=$(cd "$(dirname "$0")/django" && pwd)
[ -x "$FW_PYTHON" ] && "$FW_PYTHON" -c 'import django, psycopg2' 2>/dev/null ||
	{ fail "setup" "Django or psycopg2 missing for $FW_PYTHON (python3-django python3-psycopg2)"; exit 1; }
echo "  Django $("$FW_PYTHON" -c 'import django; print(django.get_version())')"

mig_db django
fw_workdir
cp -r "$src/." "$FW_DIR/"
cd "$FW_DIR" || exit 1
manage() { PYTHONDONTWRITEBYTECODE=1 "$FW_PYTHON" manage.py "$@"; }

# Before: every key a BigAutoField (the recipe's model lines taken out), the recipe's migrations set aside.
mkdir recipe && mv accounts/migrations/0002_uuid7_keys.py accounts/migrations/0003_uuid7_generic_refs.py recipe/
cp accounts/models.py recipe/models.py
sed -i 's/^\( *\)id = UUID7AutoField(.*/\1pass/' accounts/models.py
fw_run "before: makemigrations makes 0001_initial" manage makemigrations accounts || exit 1
fw_run "before: migrate creates the schema" manage migrate --no-input || exit 1
fw_results "$FW_PYTHON" orm_checks.py fill "$FW_DIR/state.json"
check_eq "before: accounts_user.id is bigint" bigint \
	"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'accounts_user'::regclass AND attname = 'id'")"

# The recipe: preview, then the migration that calls uuid7_migrate.
check_eq "plan: no refusal" "" "$(mig_plan_refusals "ARRAY['accounts_user', 'accounts_profile', 'accounts_token', 'accounts_socialaccount']::regclass[]")"
cp recipe/0002_uuid7_keys.py recipe/0003_uuid7_generic_refs.py accounts/migrations/
fw_run "recipe: migrate accounts 0002_uuid7_keys (uuid7_migrate)" manage migrate accounts 0002_uuid7_keys || exit 1
check_eq "after 0002: key and referencing columns are uuid (accounts_*, m2m tables, django_admin_log.user_id)" \
	"accounts_profile.id accounts_profile.user_id accounts_socialaccount.id accounts_socialaccount.user_id accounts_token.id accounts_token.user_id accounts_user.id accounts_user_groups.user_id accounts_user_user_permissions.user_id django_admin_log.user_id" \
	"$(sql "SELECT string_agg(table_name || '.' || column_name, ' ' ORDER BY table_name, column_name) FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'uuid' AND column_name <> 'new_id'	-- (mapping tables aside)")"
check_eq "after 0002: django_admin_log.object_id is still text (a generic reference: no foreign key)" text \
	"$(sql "SELECT data_type FROM information_schema.columns WHERE table_name = 'django_admin_log' AND column_name = 'object_id'")"
fw_results "$FW_PYTHON" orm_checks.py trap "$FW_DIR/state.json"
fw_run "recipe: migrate accounts 0003_uuid7_generic_refs (uuid7_mapped_id)" manage migrate accounts 0003_uuid7_generic_refs || exit 1

# The model change: UUID7AutoField keys. makemigrations writes the AlterFields the database already has; run for
# real they would cast integers to uuid here, and on a database built from scratch (Django 3.2) drop the m2m tables'
# foreign keys without adding them back. So its operations go into SeparateDatabaseAndState(state_operations=...):
# Django's state changes, no SQL runs, on this database or any other (migrate --fake would cover this one only).
cp recipe/models.py accounts/models.py
fw_run "recipe: makemigrations writes the AlterFields of the keys" manage makemigrations accounts --name uuid7_model_keys
m4=accounts/migrations/0004_uuid7_model_keys.py
check_eq "recipe: 0004 alters the 4 keys" 4 "$(grep -c 'migrations.AlterField' "$m4")"
"$FW_PYTHON" - "$m4" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read().rstrip()
assert text.endswith("]") and text.count("    operations = [") == 1
text = text.replace("    operations = [", "    operations = [migrations.SeparateDatabaseAndState(state_operations=[", 1)
open(path, "w").write(text + ")]\n")
PY
fw_run "recipe: sqlmigrate 0004 (state only: no SQL)" manage sqlmigrate accounts 0004_uuid7_model_keys
check_eq "recipe: 0004 runs no SQL" 0 "$(printf '%s\n' "$FW_OUT" | grep -c 'ALTER TABLE')"
fw_run "recipe: migrate accounts 0004" manage migrate accounts 0004_uuid7_model_keys
fw_run "framework check: makemigrations --check --dry-run" manage makemigrations --check --dry-run
check_eq "framework check: no changes detected" "No changes detected" "$FW_OUT"
fw_run "framework check: migrate" manage migrate --no-input
check_eq "framework check: migrate has nothing to apply" 1 "$(printf '%s\n' "$FW_OUT" | grep -c 'No migrations to apply.')"
fw_run "framework check: showmigrations accounts" manage showmigrations accounts
check_eq "framework check: every accounts migration applied" 0 "$(printf '%s\n' "$FW_OUT" | grep -c '\[ \]')"

fw_results "$FW_PYTHON" orm_checks.py after "$FW_DIR/state.json"
check_eq "after: the generic references left hold uuids (none an integer key)" 0 \
	"$(sql "SELECT count(*) FROM django_admin_log WHERE object_id !~ '^[0-9a-f]{8}-'")"

# A database built from all the migrations (what Django's test runner does): 0002 creates the extension and
# migrates empty tables, 0004 changes Django's state only; the schema equals the migrated database's.
keys_sql="SELECT string_agg(format('%s.%s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
		regexp_replace(pg_get_expr(d.adbin, d.adrelid), '^[a-z0-9_]+\\.', '')), ' ' ORDER BY c.relname)
	FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
	WHERE c.relname IN ('accounts_user', 'accounts_profile', 'accounts_token', 'accounts_socialaccount')"
keys=$(sql "$keys_sql")
check_eq "after: the four keys are uuid DEFAULT uuid_generate_v7()" 4 "$(grep -o 'uuid uuid_generate_v7()' <<<"$keys" | wc -l)"
fresh="fw_django_fresh_$$"
createdb "$fresh" && MIG_DBS+=("$fresh")
export PGDATABASE=$fresh
fw_run "replay: migrate builds a new database from all the migrations (as the test runner does)" manage migrate --no-input
check_eq "replay: the keys are as in the migrated database" "$keys" "$(sql "$keys_sql")"
fw_run "replay: makemigrations --check --dry-run" manage makemigrations --check --dry-run
fw_results "$FW_PYTHON" orm_checks.py write -
check_eq "replay: the schema (pg_dump --schema-only) equals the migrated database's" "" \
	"$(diff <(pg_dump --schema-only -d "${MIG_DBS[0]}" | grep -Ev '^\\(un)?restrict ') <(pg_dump --schema-only -d "$fresh" | grep -Ev '^\\(un)?restrict ') | head -n 20)"
