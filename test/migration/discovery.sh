#!/usr/bin/env bash
# test/migration/discovery.sh — what the catalog does not say, listed by the plan as notes that block nothing:
# likely soft references (integer and integer-array columns without a foreign key, found by their name or by a
# bounded sample of values found among the keys) with the option text that converts them; columns declared in
# "references", foreign key columns, keys and unrelated integers not listed. Then the routines, rules and policies
# that use a migrated table (uuid7_plan_code) and uuid7_migration_check() after the migration.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db discovery

mig_setup <<'SQL'
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
INSERT INTO users (name) SELECT 'u' || g FROM generate_series(1, 300) g;
-- no constraint: found by name (editor_user_id, users_id), by sample (tags, owner), or declared (declared_id)
CREATE TABLE posts (id int PRIMARY KEY, user_id bigint REFERENCES users, editor_user_id bigint, users_id int,
	tags bigint[], owner int, declared_id bigint, qty int, big_count bigint);
INSERT INTO posts SELECT g, 1 + g % 300, 1 + (g * 7) % 300, 1 + g % 50, ARRAY[1 + g % 300, NULL, 1 + (g * 3) % 300],
	1 + (g * 11) % 300, 1 + g % 300, 1000 + g, 5000000000 + g
  FROM generate_series(1, 500) g;
-- an unrelated table with a serial key inside the range of users' keys: not listed (its own key)
CREATE TABLE tiny (id serial PRIMARY KEY, label text);
INSERT INTO tiny (label) SELECT 't' || g FROM generate_series(1, 20) g;
-- code written against integer keys
CREATE FUNCTION posts_of(p_user bigint) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY SELECT p.id::bigint FROM posts p WHERE p.user_id = p_user;
END $$;
CREATE FUNCTION user_name(bigint) RETURNS text LANGUAGE sql AS 'SELECT name FROM users WHERE id = $1';
CREATE FUNCTION user_list() RETURNS TABLE (uid bigint, uname text) LANGUAGE sql AS 'SELECT id, name FROM public."users"';
CREATE FUNCTION users_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.name = 'fixed' THEN NEW.id := 0; END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER users_stamp BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_stamp();
CREATE FUNCTION unrelated(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b /* superusers_id */';
CREATE FUNCTION user_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM users; END;
CREATE FUNCTION parent_word(parent int) RETURNS int LANGUAGE sql AS 'SELECT parent + 1 /* FROM users */';
CREATE POLICY posts_mine ON posts USING (owner > 0);
SQL

tables="ARRAY['public.users']::regclass[]"
opts='{"references": [{"column": "public.posts.declared_id", "to": "public.users"}]}'
notes() { sql "SELECT object || '|' || detail FROM uuid7_migration_plan($tables, '$opts') WHERE phase = 'note' AND detail LIKE 'likely reference%' ORDER BY step"; }
out=$(notes)
check_eq "discovery: the likely references listed, in order" \
	"$(printf '%s\n' public.posts.editor_user_id public.posts.users_id public.posts.tags public.posts.owner)" \
	"$(printf '%s\n' "$out" | cut -d'|' -f1)"
check_eq "discovery: the name rule *_user_id, the sample, the option text" \
	'public.posts.editor_user_id|likely reference to public.users.id without a foreign key (column bigint; name rule *_user_id; 200 of 200 sampled values found among the keys (100%)): to convert it with the key, add to the options {"references": [{"column": "public.posts.editor_user_id", "to": "public.users"}]}' \
	"$(printf '%s\n' "$out" | sed -n 1p)"
check_eq "discovery: the name rule <table>_id on a narrower column" \
	'public.posts.users_id|likely reference to public.users.id without a foreign key (column integer; name rule users_id; 200 of 200 sampled values found among the keys (100%)): to convert it with the key, add to the options {"references": [{"column": "public.posts.users_id", "to": "public.users"}]}' \
	"$(printf '%s\n' "$out" | sed -n 2p)"
check_eq "discovery: an id array found by its sampled elements" \
	'public.posts.tags|likely reference to public.users.id without a foreign key (array column bigint[]; 200 of 200 sampled values found among the keys (100%)): to convert it with the key, add to the options {"references": [{"column": "public.posts.tags", "to": "public.users"}]}' \
	"$(printf '%s\n' "$out" | sed -n 3p)"
check_eq "discovery: owner found by its sample alone" "1" "$(printf '%s\n' "$out" | grep -c '^public.posts.owner|.*(column integer; 200 of 200 sampled values')"
check_eq "discovery: not listed: the foreign key column, the declared one, unrelated and wider integers, other keys" "0" \
	"$(sql "SELECT count(*) FROM uuid7_migration_plan($tables, '$opts') WHERE object IN ('public.posts.user_id', 'public.posts.declared_id', 'public.posts.qty', 'public.posts.big_count', 'public.posts.id', 'public.tiny.id', 'public.users.id')")"
check_eq "discovery: the plan's notes refuse nothing" "0" \
	"$(sql "SELECT count(*) FROM uuid7_migration_plan($tables, '$opts') WHERE phase = 'refusal'")"
check_eq "discovery: without the declaration, declared_id is listed too" "1" \
	"$(sql "SELECT count(*) FROM uuid7_migration_plan($tables) WHERE phase = 'note' AND object = 'public.posts.declared_id'")"
# the suggested option text converts the column: the plan takes it and lists the column no more
sugg=$(sql "SELECT substring(detail from '\{\"references\": \[(.*)\]\}\$') FROM uuid7_migration_plan($tables, '$opts') WHERE object = 'public.posts.owner'")
check_eq "discovery: the suggested option, declared, is not listed again" "0" \
	"$(sql "SELECT count(*) FROM uuid7_migration_plan($tables, '{\"references\": [{\"column\": \"public.posts.declared_id\", \"to\": \"public.users\"}, $sugg]}') WHERE object = 'public.posts.owner' AND phase = 'note'")"

# ---- code that uses the key: listed by the plan before, found by uuid7_migration_check() after -----------------
code=$(sql "SELECT object || '|' || detail FROM uuid7_migration_plan($tables, '$opts') WHERE phase = 'note' AND (detail LIKE '%uses the changed key%' OR object ~ '^(rule|policy) ') ORDER BY step")
check_eq "code: the routines listed by the plan, not the unrelated one" \
	"$(printf '%s\n' 'public.posts_of(bigint)' 'public.user_count()' 'public.user_list()' 'public.user_name(bigint)' 'public.users_stamp()' 'policy posts_mine on public.posts')" \
	"$(printf '%s\n' "$code" | cut -d'|' -f1)"
check_eq "code: the PL/pgSQL function, why and its integer argument" \
	'public.posts_of(bigint)|function plpgsql uses the changed key: its source names public.posts and its column user_id (integer argument p_user bigint, result bigint: may no longer match the uuid key); the migration does not change it: update it, then run uuid7_migration_check()' \
	"$(printf '%s\n' "$code" | sed -n 1p)"
check_eq "code: the set-returning function's RETURNS TABLE columns" \
	'public.user_list()|function sql uses the changed key: its source names public.users (integer result uid bigint: may no longer match the uuid key); the migration does not change it: update it, then run uuid7_migration_check()' \
	"$(printf '%s\n' "$code" | sed -n 3p)"
check_eq "code: an SQL-standard body, by pg_depend" \
	'public.user_count()|function sql uses the changed key: its body uses public.users (integer result bigint: may no longer match the uuid key); the migration does not change it: update it, then run uuid7_migration_check()' \
	"$(printf '%s\n' "$code" | sed -n 2p)"
check_eq "code: a policy on a table whose columns change" \
	'policy posts_mine on public.posts|policy on public.posts, whose columns change: its expressions are kept as written; check they still mean what they did with uuid keys' \
	"$(printf '%s\n' "$code" | sed -n 6p)"
check_eq "code: the trigger function, by its trigger" \
	'public.users_stamp()|trigger function plpgsql uses the changed key: trigger users_stamp on public.users calls it; the migration does not change it: update it, then run uuid7_migration_check()' \
	"$(printf '%s\n' "$code" | sed -n 5p)"

mig_migrate "discovery: uuid7_migrate runs with the notes in its plan" "$tables" "'$opts'"
check_eq "discovery: the declared column converted, the listed ones left as they were" "bigint|bigint[]|uuid" \
	"$(sql "SELECT string_agg(format_type(atttypid, NULL), '|' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'posts'::regclass AND attname IN ('declared_id', 'editor_user_id', 'tags')")"

chk=$(sql "SELECT object || '|' || coalesce(sqlstate, '') || '|' || problem FROM uuid7_migration_check() ORDER BY object, problem")
check_eq "check: each routine that breaks, with the server's error" \
	"$(printf '%s\n' \
		'public.posts_of(bigint)|42883|operator does not exist: uuid = bigint (in its source: p.user_id = p_user)' \
		'public.user_list()|42P13|return type mismatch in function declared to return record' \
		'public.user_name(bigint)|42883|operator does not exist: uuid = bigint' \
		'public.users_stamp()||assigns a column that is uuid now: new.id := 0 (a value that is not a uuid fails when the trigger runs)')" \
	"$chk"
check_eq "check: SECURITY INVOKER, search_path pinned" 'false|{"search_path=pg_catalog, pg_temp",check_function_bodies=on}' \
	"$(sql "SELECT prosecdef || '|' || proconfig::text FROM pg_proc WHERE proname = 'uuid7_migration_check'")"
