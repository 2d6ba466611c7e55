#!/usr/bin/env bash
# test/extension/upgrade.sh — ALTER EXTENSION uuid7 UPDATE from the first release reaches exactly what a fresh
# CREATE EXTENSION installs: same member objects, same function labels and comments, and data made with the old
# version keeps working.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/assert.sh

fresh=uuid7_fresh_$$
upgraded=uuid7_upgraded_$$
databases=()
drop_databases() { local db; for db in "${databases[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done; }
trap drop_databases EXIT
# new_database NAME: creates it, dropped on exit
new_database() { createdb "$1" || { fail "setup" "createdb $1 failed"; exit 1; }; databases+=("$1"); }
new_database "$fresh"
new_database "$upgraded"

default_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" uuid7.control)
first_version=1.0

# Every member object with what defines its behaviour. Functions: signature, labels, settings, privileges, comment,
# body or C symbol. Tables and views: kind, row security, privileges, comment, columns in order (type, NOT NULL,
# default, comment), constraints, indexes, policies, whether pg_dump keeps its rows; a view's definition.
members_sql="SELECT pg_describe_object(classid, objid, 0) || coalesce(' | ' || (
	SELECT concat_ws(' ', provolatile, proisstrict, proparallel, proleakproof, prosecdef, proconfig::text, proacl::text,
	                 md5(prosrc), probin, obj_description(p.oid, 'pg_proc'))
	FROM pg_proc p WHERE classid = 'pg_proc'::regclass AND p.oid = objid), '') || coalesce(' | ' || (
	SELECT concat_ws(' | ', c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text, obj_description(c.oid, 'pg_class'),
		CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END,
		(SELECT string_agg(concat_ws(' ', a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
				pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)), ', ' ORDER BY a.attnum)
		   FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
		(SELECT string_agg(co.conname || ' ' || pg_get_constraintdef(co.oid), ', ' ORDER BY co.conname)
		   FROM pg_constraint co WHERE co.conrelid = c.oid AND co.contype <> 'n'),
		(SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY 1) FROM pg_index i WHERE i.indrelid = c.oid),
		(SELECT string_agg(concat_ws(' ', po.polname, po.polcmd, po.polpermissive, po.polroles::regrole[]::text,
				pg_get_expr(po.polqual, po.polrelid), pg_get_expr(po.polwithcheck, po.polrelid)), ', ' ORDER BY po.polname)
		   FROM pg_policy po WHERE po.polrelid = c.oid),
		c.oid = ANY ((SELECT e.extconfig FROM pg_extension e WHERE e.extname = 'uuid7')::oid[]))
	FROM pg_class c WHERE classid = 'pg_class'::regclass AND c.oid = objid), '')
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

# From every released version (the frozen scripts), with nothing in it: the update reaches exactly the catalog above.
released_versions=$(ls src/sql/frozen | grep -o '[0-9]\+\.[0-9]\+' | sort -uV | tr '\n' ' ')
check_eq "the frozen scripts are the releases 1.0 to 1.6" "1.0 1.1 1.2 1.3 1.4 1.5 1.6 " "$released_versions"
for version in $released_versions; do
	db=uuid7_from_${version/./_}_$$
	new_database "$db"
	PGDATABASE=$db sql "CREATE EXTENSION uuid7 VERSION '$version'; ALTER EXTENSION uuid7 UPDATE" >/dev/null
	check_eq "$version updates to the default version" "$default_version" \
		"$(PGDATABASE=$db sql "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"
	check_eq "upgraded from $version has exactly the fresh install's catalog" "$fresh_members" "$(PGDATABASE=$db sql "$members_sql")"
	dropdb "$db" >/dev/null 2>&1
done

# On 18+ every release before 1.6 refuses every migration: 18 records NOT NULL as a constraint of its own, which
# their plan took for an expression on the key (fixed in 1.6). No migration of theirs can exist there to carry across
# an update; on 18+ this checks that refusal instead, and that the updated extension migrates.
old_releases_migrate=$(sql "SELECT current_setting('server_version_num')::int < 180000")

# From the previous release (1.1): a table migrated offline keeps its mapping lookups across the update, and the
# update adds the online migration.
previous=uuid7_previous_$$
new_database "$previous"
export PGDATABASE=$previous
sql "CREATE EXTENSION uuid7 VERSION '1.1';
	CREATE TABLE p (id serial PRIMARY KEY, n int);
	CREATE TABLE c (id serial PRIMARY KEY, p_id int REFERENCES p);
	INSERT INTO p (n) SELECT g FROM generate_series(1, 100) g;
	INSERT INTO c (p_id) SELECT g FROM generate_series(1, 100) g" >/dev/null
if [ "$old_releases_migrate" = t ]; then
	sql "SELECT uuid7_migrate(ARRAY['p']::regclass[])" >/dev/null
else
	check_sqlstate "18+: 1.1 refuses the migration (it takes 18's NOT NULL constraint for an expression)" 0A000 \
		"SELECT uuid7_migrate(ARRAY['p']::regclass[])"
fi
sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
[ "$old_releases_migrate" = t ] || sql "SELECT uuid7_migrate(ARRAY['p']::regclass[])" >/dev/null
check_eq "1.1 updates to the default version" "$default_version" \
	"$(sql "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"
check_eq "upgraded from 1.1 has exactly the fresh install's objects" "$fresh_members" "$(sql "$members_sql")"
check_true "a mapping made by 1.1 (on 18+: by the updated version) resolves after the update" \
	"SELECT uuid7_legacy_id('p', uuid7_mapped_id('p', 42)) = 42 AND (SELECT count(*) FROM c JOIN p ON p.id = c.p_id) = 100"
check_true "the online migration functions exist after the update" \
	"SELECT to_regprocedure('uuid7_migration_start(regclass[], jsonb)') IS NOT NULL AND to_regclass('uuid7_migration_status') IS NOT NULL"

# online_database NAME VERSION: a database (PGDATABASE) at VERSION with p (500 rows) and c (1000 rows, p_id NOT NULL
# REFERENCES p), ready for an online migration of p
online_database() {
	new_database "uuid7_$1_$$"
	export PGDATABASE=uuid7_$1_$$
	sql "CREATE EXTENSION uuid7 VERSION '$2';
		CREATE TABLE p (id serial PRIMARY KEY, n int);
		CREATE TABLE c (id serial PRIMARY KEY, p_id int NOT NULL REFERENCES p);
		INSERT INTO p (n) SELECT g FROM generate_series(1, 500) g;
		INSERT INTO c (p_id) SELECT 1 + g % 500 FROM generate_series(1, 1000) g" >/dev/null
}
# online_state: the table of online migrations, where the extension's version has it (2.0: in schema uuid7_state)
online_state() { sql "SELECT coalesce(to_regclass('uuid7_state.uuid7_online_migration')::text, 'uuid7_online_migration')"; }
# wait_migration ID COLUMN VALUE: until the online migration's COLUMN of ID is VALUE (60 s at most)
wait_migration() {
	local state_table
	state_table=$(online_state)
	for _ in $(seq 1 300); do
		[ "$(sql "SELECT $2 FROM $state_table WHERE id = $1")" = "$3" ] && return
		sleep 0.2
	done
}

# From 1.2: an online migration that is ready when the extension is updated is finished by the swap of 1.3 on, which keeps
# NOT NULL on a referencing column (a 1.2 migration has its NOT NULL proof for the key only: the swap scans for it).
online_database inflight 1.2
if [ "$old_releases_migrate" = t ]; then
	mid=$(sql "SELECT uuid7_migration_start(ARRAY['p']::regclass[])")
	wait_migration "${mid:-0}" state ready
	check_eq "a 1.2 online migration reaches ready" "ready" "$(sql "SELECT state FROM uuid7_online_migration WHERE id = ${mid:-0}")"
	sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
	check_eq "1.2 with a migration in flight updates to the default version" "$default_version" \
		"$(sql "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"
	check_eq "upgraded from 1.2 has exactly the fresh install's objects" "$fresh_members" "$(sql "$members_sql")"
	check_eq "the status view reads the 1.2 migration after the update: ready" "ready" \
		"$(sql "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = ${mid:-0}")"
	sql "SELECT uuid7_migration_finish(${mid:-0})" >/dev/null
	check_eq "finished after the update: p.id uuid NOT NULL with its default, c.p_id uuid NOT NULL" "p.id uuid t t|c.p_id uuid t f" \
		"$(sql "SELECT string_agg(format('%s.%s %s %s %s', attrelid::regclass, attname, atttypid::regtype, attnotnull, atthasdef), '|' ORDER BY attrelid::regclass::text DESC)
			FROM pg_attribute WHERE attrelid IN ('p'::regclass, 'c'::regclass) AND attname IN ('id', 'p_id') AND (attrelid = 'p'::regclass OR attname = 'p_id')")"
	check_true "every child of the 1.2 migration references its parent's new key" \
		"SELECT count(*) = 1000 AND bool_and(uuid7_legacy_id('p', c.p_id) BETWEEN 1 AND 500) FROM c JOIN p ON p.id = c.p_id"
else
	check_sqlstate "18+: 1.2 refuses to start an online migration (18's NOT NULL constraint)" 0A000 \
		"SELECT uuid7_migration_start(ARRAY['p']::regclass[])"
	sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
	check_eq "upgraded from 1.2 has exactly the fresh install's objects" "$fresh_members" "$(sql "$members_sql")"
fi

# From 1.3: a migration started by 1.3 has a generated PL/pgSQL sync function per table. Updated to 1.4 in the middle
# of the backfill, its triggers keep the twins current, and 1.4's swap drops those functions.
online_database plpgsql 1.3
if [ "$old_releases_migrate" = t ]; then
	# batch_blocks 1 with a long pause: the worker is still backfilling when the extension is updated
	mid=$(sql "SELECT uuid7_migration_start(ARRAY['p']::regclass[], '{\"batch_blocks\": 1, \"pause_ms\": 60000}')")
	wait_migration "${mid:-0}" phase backfill
	check_eq "1.3 migration with its generated sync functions, backfilling" "backfill 2" \
		"$(sql "SELECT m.phase || ' ' || (SELECT count(*) FROM pg_proc WHERE proname LIKE 'uuid7\_sync\_%') FROM uuid7_online_migration m WHERE m.id = ${mid:-0}")"
	sql "SELECT uuid7_online_stop_worker(${mid:-0})" >/dev/null
	sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
	check_eq "1.3 with a migration in flight updates to the default version" "$default_version" \
		"$(sql "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"
	check_eq "upgraded from 1.3 has exactly the fresh install's objects" "$fresh_members" "$(sql "$members_sql")"
	# rows written after the update go through the 1.3 triggers
	sql "INSERT INTO p (n) VALUES (501); INSERT INTO c (p_id) VALUES (501), (7)" >/dev/null
	sql "UPDATE uuid7_state.uuid7_online_migration SET options = options || '{\"pause_ms\": 0, \"batch_blocks\": 64}' WHERE id = ${mid:-0}; SELECT uuid7_migration_resume(${mid:-0})" >/dev/null
	wait_migration "${mid:-0}" state ready
	check_eq "the 1.3 migration reaches ready under 1.4" "ready" "$(sql "SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = ${mid:-0}")"
	sql "SELECT uuid7_migration_finish(${mid:-0})" >/dev/null
	check_true "finished by 1.4: every child references its parent's new key, the 1.3 sync functions are gone" \
		"SELECT count(*) = 1002 AND bool_and(uuid7_legacy_id('p', c.p_id) BETWEEN 1 AND 501)
			AND NOT EXISTS (SELECT FROM pg_proc WHERE proname LIKE 'uuid7\_sync\_%') FROM c JOIN p ON p.id = c.p_id"
else
	check_sqlstate "18+: 1.3 refuses to start an online migration (18's NOT NULL constraint)" 0A000 \
		"SELECT uuid7_migration_start(ARRAY['p']::regclass[])"
	sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
	check_eq "upgraded from 1.3 has exactly the fresh install's objects" "$fresh_members" "$(sql "$members_sql")"
fi

# From 1.6: the state moves from the extension's schema to schema uuid7_state (2.0) with its rows: a table migrated
# offline keeps its registry row, and an online migration in flight resumes and finishes.
online_database state 1.6
sql "CREATE TABLE q (id serial PRIMARY KEY, n int); INSERT INTO q (n) SELECT g FROM generate_series(1, 300) g;
	SELECT uuid7_migrate(ARRAY['q']::regclass[])" >/dev/null
registry_16=$(sql "SELECT relid || ' ' || mapping_table || ' ' || migrated_by FROM uuid7_migrated_table")
mid=$(sql "SELECT uuid7_migration_start(ARRAY['p']::regclass[], '{\"batch_blocks\": 1, \"pause_ms\": 60000}')")
# (in flight: stopped after its first steps, in whatever phase they reached)
sleep 2
sql "SELECT uuid7_online_stop_worker(${mid:-0})" >/dev/null
online_16=$(sql "SELECT id || ' ' || tables::text || ' ' || phase || ' ' || started_by FROM uuid7_online_migration")
check_eq "1.6: a migration in flight, a table migrated offline" "${mid:-0} {p} true $(sql "SELECT current_user") q q_uuid7_map $(sql "SELECT current_user")" \
	"$(sql "SELECT id || ' ' || tables::text || ' ' || (phase IN ('map', 'expand', 'backfill')) || ' ' || started_by FROM uuid7_online_migration") $registry_16"
sql "ALTER EXTENSION uuid7 UPDATE" >/dev/null
check_eq "upgraded from 1.6 with state has exactly the fresh install's objects" "$fresh_members" "$(sql "$members_sql")"
check_eq "the 1.6 registry row is in uuid7_state" "$registry_16" \
	"$(sql "SELECT relid || ' ' || mapping_table || ' ' || migrated_by FROM uuid7_state.uuid7_migrated_table")"
check_eq "the 1.6 online migration is in uuid7_state" "$online_16" \
	"$(sql "SELECT id || ' ' || tables::text || ' ' || phase || ' ' || started_by FROM uuid7_state.uuid7_online_migration")"
check_eq "no state table is left in the extension's schema" "0" \
	"$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname LIKE 'uuid7\_%'")"
check_true "the 1.6 mapping still resolves" "SELECT uuid7_legacy_id('q', uuid7_mapped_id('q', 42)) = 42"
sql "UPDATE uuid7_state.uuid7_online_migration SET options = options || '{\"pause_ms\": 0, \"batch_blocks\": 64}' WHERE id = ${mid:-0};
	SELECT uuid7_migration_resume(${mid:-0})" >/dev/null
wait_migration "${mid:-0}" state ready
sql "SELECT uuid7_migration_finish(${mid:-0})" >/dev/null
check_true "the 1.6 migration finishes after the update: every child references its parent's new key" \
	"SELECT count(*) = 1000 AND bool_and(uuid7_legacy_id('p', c.p_id) BETWEEN 1 AND 500) FROM c JOIN p ON p.id = c.p_id"
