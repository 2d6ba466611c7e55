#!/usr/bin/env bash
# test/migration/keep_old.sh — the per-table option "keep_old_column" (docs/migration.md): the old integer key stays in
# the table under the name given, NOT NULL with a UNIQUE constraint named <table>_<column>_key, filled in the same single
# rewrite (a table_rewrite event trigger counts the rewrites: exactly one per table). A serial key (bigserial, with a
# child table whose foreign key is converted too) and an identity key (integer, GENERATED ALWAYS). Checked: every row's
# kept value equals its old key through the mapping; NOT NULL and UNIQUE enforced; the index with the planned name;
# rows inserted afterwards get a v7 key and a new integer after the old ones (the default / identity moved, the serial
# sequence kept and owned by the new column); uuid7_legacy_id() still answers; the plan lists every added object; bad
# input (not a name, a name taken, the option on a table not listed, at the top level) is refused (22023, 42701,
# 42P07) and changes nothing; the online start refuses the option (0A000).
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db keep_old

mig_setup <<'SQL'
CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL);
INSERT INTO users (name) SELECT 'u' || g FROM generate_series(1, 400) g;
DELETE FROM users WHERE id % 7 = 0;		-- holes in the old keys
CREATE TABLE orders (id int PRIMARY KEY, user_id bigint REFERENCES users, amount int);
INSERT INTO orders SELECT g, (SELECT min(id) FROM users WHERE id >= 1 + g % 400), g FROM generate_series(1, 600) g;
CREATE TABLE tags (tag_id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text);
INSERT INTO tags (label) SELECT 't' || g FROM generate_series(1, 50) g;
SELECT setval(pg_get_serial_sequence('tags', 'tag_id'), 60);		-- the sequence ahead of the highest key
CREATE TABLE before_users AS SELECT id, name FROM users;
CREATE TABLE before_tags AS SELECT tag_id, label FROM tags;
CREATE TABLE rewrites (relname text);
CREATE FUNCTION count_rewrite() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.rewrites SELECT relname FROM pg_catalog.pg_class WHERE oid = pg_event_trigger_table_rewrite_oid();
END $$;
CREATE EVENT TRIGGER count_rewrites ON table_rewrite EXECUTE FUNCTION count_rewrite();
SQL

tables="ARRAY['public.users', 'public.tags']::regclass[]"
keep='{"tables": {"users": {"keep_old_column": "legacy_user_id"}, "tags": {"keep_old_column": "old_tag"}}}'
opts="$(sql_literal "$keep")::jsonb"

fingerprint() {
	sql "SELECT string_agg(format('%s:%s:%s', c.relname, c.relfilenode, (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
			FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)), ' ' ORDER BY c.relname)
		   FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace"
	sql "SELECT md5(string_agg(t, ',' ORDER BY t)) FROM (SELECT u::text AS t FROM users u UNION ALL SELECT o::text FROM orders o UNION ALL SELECT g::text FROM tags g) s"
	sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'uuid7_mapping'"
}
before=$(fingerprint)

# ---- bad input: refused, nothing changed -------------------------------------------------------------------------
bad() {	# NAME SQLSTATE OPTIONS-JSON [TABLES]: an error of the call, from the plan too
	check_sqlstate "$1" "$2" "SELECT uuid7_migrate(${4:-$tables}, $(sql_literal "$3")::jsonb)"
	check_sqlstate "$1 (plan)" "$2" "SELECT * FROM uuid7_migration_plan(${4:-$tables}, $(sql_literal "$3")::jsonb)"
}
refused() {	# NAME SQLSTATE OPTIONS-JSON: the plan's only refusal; uuid7_migrate raises it
	check_sqlstate "$1" "$2" "SELECT uuid7_migrate($tables, $(sql_literal "$3")::jsonb)"
	check_eq "$1 (plan: one refusal, with a hint)" "$2|true" \
		"$(sql "SELECT string_agg(sqlstate || '|' || (hint IS NOT NULL), ' ') FROM uuid7_migration_plan($tables, $(sql_literal "$3")::jsonb) WHERE phase = 'refusal'")"
}
bad "not a string" 22023 '{"tables": {"users": {"keep_old_column": 5}}}'
bad "an empty name" 22023 '{"tables": {"users": {"keep_old_column": ""}}}'
bad "a name over 63 bytes" 22023 "{\"tables\": {\"users\": {\"keep_old_column\": \"$(printf 'x%.0s' {1..64})\"}}}"
refused "a column the table has" 42701 '{"tables": {"users": {"keep_old_column": "name"}}}'
refused "the key's own name" 42701 '{"tables": {"tags": {"keep_old_column": "tag_id"}}}'
bad "on a table not listed" 22023 '{"tables": {"tags": {"keep_old_column": "old_tag"}}}' "ARRAY['public.users']::regclass[]"
bad "at the top level" 22023 '{"keep_old_column": "legacy"}'
sql "CREATE TABLE users_taken_key (a int)" >/dev/null
refused "its constraint name taken" 42P07 '{"tables": {"users": {"keep_old_column": "taken"}}}'
sql "DROP TABLE users_taken_key" >/dev/null
check_sqlstate "online start refuses keep_old_column (0A000)" 0A000 "SELECT uuid7_migration_start($tables, $opts)"
check_eq "bad input changed nothing" "$before" "$(fingerprint)"
check_eq "bad input: no rewrite" "0" "$(sql "SELECT count(*) FROM rewrites")"

# ---- the plan lists every added object ---------------------------------------------------------------------------
plan=$(sql "SELECT phase || ' | ' || object || ' | ' || coalesce(statement, '') FROM uuid7_migration_plan($tables, $opts) ORDER BY step")
has() { if grep -qF -- "$2" <<<"$plan"; then pass "plan: $1"; else fail "plan: $1" "no [$2] in: $plan"; fi; }
has "users: the column, filled in the rewrite" 'ADD COLUMN legacy_user_id bigint NOT NULL GENERATED ALWAYS AS ('
has "users: its UNIQUE constraint, named predictably" 'ADD CONSTRAINT users_legacy_user_id_key UNIQUE (legacy_user_id)'
has "users: the reverse lookup, a temporary SQL function, made before" 'CREATE FUNCTION pg_temp.uuid7_keep_'
has "users: and dropped after" 'DROP FUNCTION pg_temp.uuid7_keep_'
has "users: generation dropped after" 'ALTER TABLE public.users ALTER COLUMN legacy_user_id DROP EXPRESSION'
has "users: the serial default moves" "ALTER TABLE public.users ALTER COLUMN legacy_user_id SET DEFAULT nextval('public.users_id_seq'::regclass)"
has "users: the sequence kept, owned by the new column" 'ALTER SEQUENCE public.users_id_seq OWNED BY public.users.legacy_user_id'
has "tags: the column (integer)" 'ADD COLUMN old_tag integer NOT NULL GENERATED ALWAYS AS ('
has "tags: its UNIQUE constraint" 'ADD CONSTRAINT tags_old_tag_key UNIQUE (old_tag)'
has "tags: the identity moves" 'ALTER TABLE public.tags ALTER COLUMN old_tag ADD GENERATED ALWAYS AS IDENTITY'
has "tags: the identity continues" "pg_get_serial_sequence('public.tags', 'old_tag')"
check_eq "plan: the serial sequence is not dropped" "0" "$(grep -c 'DROP SEQUENCE' <<<"$plan")"
check_eq "plan: one ALTER TABLE rewrite per migrated table" "2" "$(grep -c '^alter table | public\.\(users\|tags\) ' <<<"$plan")"

# ---- migrate -------------------------------------------------------------------------------------------------------
mig_migrate "migrate with keep_old_column" "$tables" "$opts"

check_eq "exactly one rewrite of each table (table_rewrite events)" "orders:1 tags:1 users:1" \
	"$(sql "SELECT string_agg(relname || ':' || n, ' ' ORDER BY relname) FROM (SELECT relname, count(*) AS n FROM rewrites GROUP BY relname) s")"
check_eq "users: every old key kept in its row (through the mapping)" "$(sql "SELECT count(*) FROM before_users")" \
	"$(sql "SELECT count(*) FROM before_users b JOIN uuid7_mapping.users_uuid7_map m ON m.old_id = b.id
			 JOIN users u ON u.id = m.new_id AND u.legacy_user_id = b.id AND u.name = b.name")"
check_eq "users: no other rows" "$(sql "SELECT count(*) FROM before_users")" "$(sql "SELECT count(*) FROM users")"
check_eq "tags: every old key kept in its row (through the mapping)" "50" \
	"$(sql "SELECT count(*) FROM before_tags b JOIN uuid7_mapping.tags_uuid7_map m ON m.old_id = b.tag_id
			 JOIN tags t ON t.tag_id = m.new_id AND t.old_tag = b.tag_id AND t.label = b.label")"
check_true "uuid7_legacy_id() answers the kept value" \
	"SELECT bool_and(uuid7_legacy_id('users', id) = legacy_user_id) AND count(*) > 0 FROM users"
check_true "types: uuid key, bigint / integer kept column, NOT NULL" \
	"SELECT format_type(a.atttypid, NULL) = 'bigint' AND a.attnotnull AND a.attgenerated = '' FROM pg_attribute a WHERE a.attrelid = 'users'::regclass AND a.attname = 'legacy_user_id'"
check_true "tags.old_tag: integer, NOT NULL, identity ALWAYS" \
	"SELECT format_type(a.atttypid, NULL) = 'integer' AND a.attnotnull AND a.attidentity = 'a' FROM pg_attribute a WHERE a.attrelid = 'tags'::regclass AND a.attname = 'old_tag'"
check_true "the index with the planned name, unique, on the kept column" \
	"SELECT count(*) = 2 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_constraint con ON con.conindid = c.oid AND con.contype = 'u'
	  WHERE i.indisunique AND (c.relname, i.indrelid) IN (('users_legacy_user_id_key', 'users'::regclass), ('tags_old_tag_key', 'tags'::regclass))"
check_sqlstate "NOT NULL enforced" 23502 "INSERT INTO users (name, legacy_user_id) VALUES ('x', NULL)"
check_sqlstate "UNIQUE enforced" 23505 "INSERT INTO users (name, legacy_user_id) VALUES ('x', 1)"
check_eq "no temporary function left in the catalog" "0" "$(sql "SELECT count(*) FROM pg_proc WHERE proname ~ '^uuid7_keep_[0-9]+\$'")"
check_true "the child's foreign key converted and holding" \
	"SELECT count(*) = 600 FROM orders o JOIN users u ON u.id = o.user_id JOIN before_users b ON b.id = u.legacy_user_id"

# ---- rows inserted afterwards --------------------------------------------------------------------------------------
old_max=$(sql "SELECT max(id) FROM before_users")
new=$(sql "INSERT INTO users (name) VALUES ('later') RETURNING substr(id::text, 15, 1) || ' ' || (legacy_user_id > $old_max)::text")
check_eq "users: a new row gets a v7 key and a new integer after the old ones" "7 true" "$new"
new=$(sql "INSERT INTO tags (label) VALUES ('later') RETURNING substr(tag_id::text, 15, 1) || ' ' || old_tag")
check_eq "tags: a new row gets a v7 key and the identity's next value (after the old sequence)" "7 61" "$new"
check_sqlstate "tags: the identity stays ALWAYS" 428C9 "INSERT INTO tags (label, old_tag) VALUES ('x', 1000)"
check_true "the serial sequence owned by the kept column" \
	"SELECT pg_get_serial_sequence('users', 'legacy_user_id') = 'public.users_id_seq'"


# ---- a long table name (the constraint name shortened with an md5), a smallint key without a default ----------------
long=t_$(printf 'k%.0s' {1..50})
mig_setup <<SQL
CREATE TABLE $long (code smallint PRIMARY KEY, v text);
INSERT INTO $long SELECT g, 'v' || g FROM generate_series(1, 30) g;
SQL
t2="ARRAY['public.$long']::regclass[]"
o2="'{\"tables\": {\"$long\": {\"keep_old_column\": \"old_code\"}}}'::jsonb"
ixname=$(sql "SELECT substring(statement from 'ADD CONSTRAINT ([a-z0-9_]+) UNIQUE') FROM uuid7_migration_plan($t2, $o2) WHERE phase = 'alter table'")
check_true "long name: the planned constraint name fits 63 bytes and ends in _key" \
	"SELECT octet_length('$ixname') <= 63 AND '$ixname' LIKE 't\_kkk%\_key' AND '$ixname' <> '${long}_old_code_key'"
check_eq "no default: the plan says new rows must give the kept column a value" "1" \
	"$(sql "SELECT count(*) FROM uuid7_migration_plan($t2, $o2) WHERE phase = 'note' AND detail LIKE '%must give column old_code a value%'")"
mig_migrate "migrate a smallint key, kept" "$t2" "$o2"
check_true "smallint kept: type, values, the constraint with the planned name" \
	"SELECT (SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = '$long'::regclass AND attname = 'old_code') = 'smallint'
	    AND (SELECT count(*) FROM $long WHERE 'v' || old_code = v) = 30
	    AND EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '$long'::regclass AND conname = '$ixname' AND contype = 'u')"
check_sqlstate "no default: a new row without the kept value is refused (NOT NULL)" 23502 "INSERT INTO $long (v) VALUES ('x')"
