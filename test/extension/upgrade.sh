#!/usr/bin/env bash
# test/extension/upgrade.sh — ALTER EXTENSION uuid7 UPDATE from the first release reaches exactly what a fresh
# CREATE EXTENSION installs: same member objects, same function labels and comments, and data made with the old
# version keeps working.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/assert.sh

fresh=uuid7_fresh_$$
upgraded=uuid7_upgraded_$$
createdb "$fresh" && createdb "$upgraded" || { fail "setup" "createdb failed"; exit 1; }
trap 'dropdb --if-exists "$fresh" >/dev/null 2>&1; dropdb --if-exists "$upgraded" >/dev/null 2>&1' EXIT

default_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" uuid7.control)
first_version=1.0

# Every member object with what defines its behaviour (functions: signature, labels, comment, body or C symbol).
members_sql="SELECT pg_describe_object(classid, objid, 0) || coalesce(' | ' || (
	SELECT concat_ws(' ', provolatile, proisstrict, proparallel, proleakproof, prosecdef, proconfig::text,
	                 md5(prosrc), probin, obj_description(p.oid, 'pg_proc'))
	FROM pg_proc p WHERE classid = 'pg_proc'::regclass AND p.oid = objid), '')
FROM pg_depend WHERE deptype = 'e' AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uuid7')
ORDER BY 1"

PGDATABASE=$fresh sql "CREATE EXTENSION uuid7" >/dev/null
PGDATABASE=$upgraded sql "CREATE EXTENSION uuid7 VERSION '$first_version'" >/dev/null
check_eq "first release installs as $first_version" "$first_version" \
	"$(PGDATABASE=$upgraded sql "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"

# Data made with the first release.
PGDATABASE=$upgraded sql "CREATE TABLE t (id uuid PRIMARY KEY DEFAULT uuid_generate_v7(), n int);
	INSERT INTO t (n) SELECT g FROM generate_series(1, 1000) g" >/dev/null

PGDATABASE=$upgraded sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
check_eq "ALTER EXTENSION UPDATE reaches the default version" "$default_version" \
	"$(PGDATABASE=$upgraded sql "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"

fresh_members=$(PGDATABASE=$fresh sql "$members_sql")
upgraded_members=$(PGDATABASE=$upgraded sql "$members_sql")
check_eq "upgraded install has exactly the fresh install's objects" "$fresh_members" "$upgraded_members"
export PGDATABASE=$fresh
check_true "fresh install has members" "SELECT count(*) > 15 FROM pg_depend WHERE deptype = 'e' AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uuid7')"

export PGDATABASE=$upgraded
sql "INSERT INTO t (n) VALUES (1001)" >/dev/null
check_true "data from $first_version keeps its order after the update" \
	"SELECT bool_and(rn = n) FROM (SELECT n, row_number() OVER (ORDER BY id) rn FROM t) s"
check_true "generators work after the update" "SELECT uuid_version(uuid_generate_v7()) = 7"

# From the previous release (1.1): a table migrated offline keeps its mapping lookups across the update, and the
# update adds the online migration.
previous=uuid7_previous_$$
createdb "$previous" || { fail "setup" "createdb failed"; exit 1; }
trap 'dropdb --if-exists "$fresh" >/dev/null 2>&1; dropdb --if-exists "$upgraded" >/dev/null 2>&1; dropdb --if-exists "$previous" >/dev/null 2>&1' EXIT
export PGDATABASE=$previous
sql "CREATE EXTENSION uuid7 VERSION '1.1';
	CREATE TABLE p (id serial PRIMARY KEY, n int);
	CREATE TABLE c (id serial PRIMARY KEY, p_id int REFERENCES p);
	INSERT INTO p (n) SELECT g FROM generate_series(1, 100) g;
	INSERT INTO c (p_id) SELECT g FROM generate_series(1, 100) g;
	SELECT uuid7_migrate(ARRAY['p']::regclass[])" >/dev/null
sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
check_eq "1.1 updates to the default version" "$default_version" \
	"$(sql "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"
check_eq "upgraded from 1.1 has exactly the fresh install's objects" "$fresh_members" "$(sql "$members_sql")"
check_true "a mapping made by 1.1 still resolves after the update" \
	"SELECT uuid7_legacy_id('p', uuid7_mapped_id('p', 42)) = 42 AND (SELECT count(*) FROM c JOIN p ON p.id = c.p_id) = 100"
check_true "the online migration functions exist after the update" \
	"SELECT to_regprocedure('uuid7_migration_start(regclass[], jsonb)') IS NOT NULL AND to_regclass('uuid7_migration_status') IS NOT NULL"

# From 1.2: an online migration that is ready when the extension is updated is finished by 1.3's swap, which keeps
# NOT NULL on a referencing column (a 1.2 migration has its NOT NULL proof for the key only: the swap scans for it).
inflight=uuid7_inflight_$$
createdb "$inflight" || { fail "setup" "createdb failed"; exit 1; }
trap 'dropdb --if-exists "$fresh" >/dev/null 2>&1; dropdb --if-exists "$upgraded" >/dev/null 2>&1; dropdb --if-exists "$previous" >/dev/null 2>&1; dropdb --if-exists "$inflight" >/dev/null 2>&1' EXIT
export PGDATABASE=$inflight
sql "CREATE EXTENSION uuid7 VERSION '1.2';
	CREATE TABLE p (id serial PRIMARY KEY, n int);
	CREATE TABLE c (id serial PRIMARY KEY, p_id int NOT NULL REFERENCES p);
	INSERT INTO p (n) SELECT g FROM generate_series(1, 500) g;
	INSERT INTO c (p_id) SELECT 1 + g % 500 FROM generate_series(1, 1000) g" >/dev/null
mid=$(sql "SELECT uuid7_migration_start(ARRAY['p']::regclass[])")
for _ in $(seq 1 300); do
	[ "$(sql "SELECT state FROM uuid7_online_migration WHERE id = ${mid:-0}")" = ready ] && break
	sleep 0.2
done
check_eq "a 1.2 online migration reaches ready" "ready" "$(sql "SELECT state FROM uuid7_online_migration WHERE id = ${mid:-0}")"
sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
check_eq "1.2 with a migration in flight updates to the default version" "$default_version" \
	"$(sql "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"
check_eq "upgraded from 1.2 has exactly the fresh install's objects" "$fresh_members" "$(sql "$members_sql")"
check_eq "the status view of 1.3 reads the 1.2 migration: ready" "ready" \
	"$(sql "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = ${mid:-0}")"
sql "SELECT uuid7_migration_finish(${mid:-0})" >/dev/null
check_eq "finished by 1.3: p.id uuid NOT NULL with its default, c.p_id uuid NOT NULL" "p.id uuid t t|c.p_id uuid t f" \
	"$(sql "SELECT string_agg(format('%s.%s %s %s %s', attrelid::regclass, attname, atttypid::regtype, attnotnull, atthasdef), '|' ORDER BY attrelid::regclass::text DESC)
		FROM pg_attribute WHERE attrelid IN ('p'::regclass, 'c'::regclass) AND attname IN ('id', 'p_id') AND (attrelid = 'p'::regclass OR attname = 'p_id')")"
check_true "every child of the 1.2 migration references its parent's new key" \
	"SELECT count(*) = 1000 AND bool_and(uuid7_legacy_id('p', c.p_id) BETWEEN 1 AND 500) FROM c JOIN p ON p.id = c.p_id"
