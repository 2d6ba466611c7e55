#!/usr/bin/env bash
# test/migration/references.sh — declared references (option "references"): columns that hold keys of a migrated
# table without a foreign key constraint, converted through the mapping in the same single rewrite of their table.
# Each kind: a plain bigint column -> uuid, a bigint[] -> uuid[] (order and NULL elements kept), a text column of
# digits -> the uuid's text (still text), a polymorphic (type, id) pair -> text holding the uuid for the declared
# type, every other row's value unchanged. Dangling values: counted by the plan (23503, with the option that keeps
# them NULL), an error at migrate time, set NULL with "dangling": "null". Invalid declarations: 22023 / 42P01 / 42703,
# nothing changed. The online start refuses the option (0A000).
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db references

mig_setup <<'SQL'
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
INSERT INTO users (name) SELECT 'u' || g FROM generate_series(1, 300) g;
-- no constraint anywhere below
CREATE TABLE posts (id int PRIMARY KEY, editor_id bigint, small_editor int, tags bigint[], note text);
CREATE INDEX posts_editor_idx ON posts (editor_id);
INSERT INTO posts SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 1 + g % 300 END, 1 + (g * 7) % 300,
	CASE WHEN g % 11 = 0 THEN NULL WHEN g % 13 = 0 THEN '{}' ELSE ARRAY[1 + g % 300, NULL, 1 + (g * 3) % 300] END, 'n' || g
  FROM generate_series(1, 500) g;
CREATE TABLE admin_log (id int PRIMARY KEY, object_id text, object_vc varchar(64));
INSERT INTO admin_log SELECT g, CASE WHEN g % 9 = 0 THEN NULL ELSE (1 + g % 300)::text END, (1 + (g * 5) % 300)::text
  FROM generate_series(1, 400) g;
CREATE TABLE comments (id int PRIMARY KEY, subject_type text NOT NULL, subject_id bigint);
INSERT INTO comments SELECT g, CASE g % 3 WHEN 0 THEN 'User' WHEN 1 THEN 'Post' ELSE 'Photo' END,
	CASE WHEN g % 17 = 0 THEN NULL WHEN g % 3 = 0 THEN 1 + g % 300 ELSE 100000 + g END
  FROM generate_series(1, 600) g;
SQL

tables="ARRAY['public.users']::regclass[]"
refs='{"references": [
	{"column": "public.posts.editor_id", "to": "users"},
	{"column": "public.posts.small_editor", "to": "public.users"},
	{"column": "public.posts.tags", "to": "users"},
	{"column": "public.admin_log.object_id", "to": "users"},
	{"column": "public.admin_log.object_vc", "to": "users"},
	{"column": "public.comments.subject_id", "to": "users", "type_column": "subject_type", "type_value": "User"}]}'
opts="$(sql_literal "$refs")::jsonb"

fingerprint() {
	sql "SELECT string_agg(format('%s:%s:%s', c.relname, c.relfilenode, (SELECT string_agg(format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
			FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)), ' ' ORDER BY c.relname)
		   FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
	sql "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT p::text AS t FROM posts p UNION ALL SELECT a::text FROM admin_log a
		 UNION ALL SELECT c::text FROM comments c UNION ALL SELECT u::text FROM users u) s"
	sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'uuid7_mapping'"
}

# ---- invalid declarations: an error at once, nothing changed ------------------------------------------------------
before=$(fingerprint)
bad() {	# NAME SQLSTATE REFERENCE-JSON
	check_sqlstate "$1" "$2" "SELECT uuid7_migrate($tables, $(sql_literal "{\"references\": [$3]}")::jsonb)"
	check_sqlstate "$1 (plan)" "$2" "SELECT * FROM uuid7_migration_plan($tables, $(sql_literal "{\"references\": [$3]}")::jsonb)"
}
check_sqlstate "references must be an array" 22023 "SELECT uuid7_migrate($tables, '{\"references\": {}}')"
bad "unknown key in a reference" 22023 '{"column": "public.posts.editor_id", "to": "users", "colour": 1}'
bad "column not schema.table.column" 22023 '{"column": "posts.editor_id", "to": "users"}'
bad "unknown table" 42P01 '{"column": "public.nope.editor_id", "to": "users"}'
bad "unknown column" 42703 '{"column": "public.posts.nope", "to": "users"}'
bad "table not migrated" 22023 '{"column": "public.posts.editor_id", "to": "posts"}'
bad "wrong type (a boolean column)" 22023 '{"column": "public.users.name", "to": "users", "type_column": "name", "type_value": "x"}'
check_sqlstate "wrong type (numeric)" 22023 "ALTER TABLE posts ADD COLUMN price numeric;
	SELECT uuid7_migrate($tables, '{\"references\": [{\"column\": \"public.posts.price\", \"to\": \"users\"}]}')"
bad "the migrated key itself" 22023 '{"column": "public.users.id", "to": "users"}'
bad "declared twice" 22023 '{"column": "public.posts.editor_id", "to": "users"}, {"column": "public.posts.editor_id", "to": "users"}'
bad "dangling neither error nor null" 22023 '{"column": "public.posts.editor_id", "to": "users", "dangling": "zero"}'
bad "type_column without type_value" 22023 '{"column": "public.comments.subject_id", "to": "users", "type_column": "subject_type"}'
bad "unknown type_column" 42703 '{"column": "public.comments.subject_id", "to": "users", "type_column": "kind", "type_value": "User"}'
bad "polymorphic array" 22023 '{"column": "public.posts.tags", "to": "users", "type_column": "note", "type_value": "x"}'
sql "ALTER TABLE posts DROP COLUMN price" >/dev/null
check_sqlstate "a column under a foreign key" 22023 "CREATE TABLE fk_child (id int PRIMARY KEY, user_id bigint REFERENCES users);
	SELECT uuid7_migrate($tables, '{\"references\": [{\"column\": \"public.fk_child.user_id\", \"to\": \"users\"}]}')"
sql "DROP TABLE IF EXISTS fk_child" >/dev/null
check_sqlstate "varchar too short for a uuid" 22023 "CREATE TABLE short_ref (id int PRIMARY KEY, uid varchar(20));
	SELECT uuid7_migrate($tables, '{\"references\": [{\"column\": \"public.short_ref.uid\", \"to\": \"users\"}]}')"
sql "DROP TABLE IF EXISTS short_ref" >/dev/null
check_sqlstate "online start refuses references (0A000)" 0A000 "SELECT uuid7_migration_start($tables, $opts)"
check_eq "invalid declarations changed nothing" "$before" "$(fingerprint)"

# ---- a view on a declared column is refused (0A000), nothing changed ----------------------------------------------
sql "CREATE VIEW post_editors AS SELECT id, editor_id FROM posts" >/dev/null
check_eq "plan: a view on a declared column is refused" "0A000" \
	"$(sql "SELECT string_agg(DISTINCT sqlstate, ',') FROM uuid7_migration_plan($tables, $opts) WHERE phase = 'refusal' AND detail LIKE '%post_editors%'")"
check_sqlstate "migrate: the view is refused" 0A000 "SELECT uuid7_migrate($tables, $opts)"
sql "DROP VIEW post_editors" >/dev/null

# ---- dangling values: counted by the plan, an error at migrate time, nothing changed ------------------------------
sql "INSERT INTO posts VALUES (9001, 5000, 1, '{1,6000,NULL,7000}', 'dangling'), (9002, 1, 1, '[0:1]={2,3}', 'lower bound 0');
     INSERT INTO admin_log VALUES (9001, 'abc', '1'), (9002, '5001', '2'), (9003, ' 7', '3');
     INSERT INTO comments VALUES (9001, 'User', 8000), (9002, 'Photo', 8000)" >/dev/null
before=$(fingerprint)
check_eq "plan: dangling values counted per reference, 23503, hint naming \"dangling\"" \
	"23503|public.admin_log.object_id|3|t
23503|public.comments.subject_id (where subject_type = 'User')|1|t
23503|public.posts.editor_id|1|t
23503|public.posts.tags|2|t" \
	"$(sql "SELECT sqlstate, object, substring(detail FROM 'holds ([0-9]+) value'), hint LIKE '%\"dangling\": \"null\"%'
			  FROM uuid7_migration_plan($tables, $opts) WHERE phase = 'refusal' ORDER BY object")"
out=$(psql -X -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migrate($tables, $opts)" 2>&1)
if grep -q "ERROR:  23503:" <<<"$out" && grep -q '^HINT:.*dangling' <<<"$out"; then pass "migrate: dangling values are an error (23503, hint)"; else fail "migrate: dangling values are an error (23503, hint)" "$out"; fi
out=$(psql -X -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migrate($tables, $(sql_literal "$(sql "SELECT $(sql_literal "$refs")::jsonb || '{\"validate\": false}'")")::jsonb)" 2>&1)
if grep -q "ERROR:  23503:" <<<"$out" && grep -q 'declared reference' <<<"$out"; then pass "migrate without counting (validate false): the rewrite still refuses a dangling value (23503)"; else fail "migrate without counting: 23503 at the rewrite" "$out"; fi
check_eq "dangling refusals changed nothing" "$before" "$(fingerprint)"

# ---- the migration, with "dangling": "null" on every reference ------------------------------------------------------
nrefs=$(sql "SELECT jsonb_set(r, '{references}', (SELECT jsonb_agg(e || '{\"dangling\": \"null\"}') FROM jsonb_array_elements(r->'references') e))
	FROM (SELECT $(sql_literal "$refs")::jsonb AS r) x")
nopts="$(sql_literal "$nrefs")::jsonb"
check_eq "plan with \"dangling\": \"null\": no refusal" "" "$(mig_plan_refusals "$tables" "$nopts")"
check_eq "plan notes the values that become NULL" "4" \
	"$(sql "SELECT count(*) FROM uuid7_migration_plan($tables, $nopts) WHERE phase = 'note' AND detail LIKE '%become NULL%'")"
check_eq "plan: one ALTER TABLE per table, the declared columns in it" "public.admin_log|2 public.comments|1 public.posts|3 public.users|0" \
	"$(sql "SELECT string_agg(format('%s|%s', object, (SELECT count(*) FROM regexp_matches(statement, 'uuid7_reference_(lookup|array|text)\(', 'g'))), ' ' ORDER BY object)
			  FROM uuid7_migration_plan($tables, $nopts) WHERE phase = 'alter table'")"
sql "CREATE SCHEMA before;  -- the originals, to compare with after
	CREATE TABLE before.posts AS SELECT * FROM posts;
	CREATE TABLE before.admin_log AS SELECT * FROM admin_log;
	CREATE TABLE before.comments AS SELECT * FROM comments" >/dev/null
sql "CREATE TABLE before.files AS SELECT c.relname, pg_relation_filenode(c.oid) AS fn FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'" >/dev/null
mig_migrate "uuid7_migrate(users) with declared references" "$tables" "$nopts"

m="uuid7_mapping.users_uuid7_map"
check_eq "types: editor_id uuid, small_editor uuid, tags uuid[], object_id text, object_vc varchar(64), subject_id text" \
	"editor_id:uuid small_editor:uuid tags:uuid[] subject_id:text object_id:text object_vc:character varying(64)" \
	"$(sql "SELECT string_agg(format('%s:%s', attname, format_type(atttypid, atttypmod)), ' ' ORDER BY attrelid::regclass::text DESC, attnum)
			  FROM pg_attribute WHERE attrelid IN ('posts'::regclass, 'admin_log'::regclass, 'comments'::regclass)
			   AND attname IN ('editor_id', 'small_editor', 'tags', 'object_id', 'object_vc', 'subject_id')")"
check_eq "each referencing table rewritten once (new relfilenode), no UPDATE, no dead tuples" "" \
	"$(sql "SELECT string_agg(b.relname, ',') FROM before.files b JOIN pg_class c ON c.relname = b.relname AND c.relnamespace = 'public'::regnamespace
			 WHERE b.relname IN ('posts', 'admin_log', 'comments') AND pg_relation_filenode(c.oid) = b.fn")"
check_eq "no UPDATE and no dead tuples in the referencing tables" "0|0" \
	"$(sql "SELECT sum(n_tup_upd), sum(n_dead_tup) FROM pg_stat_user_tables WHERE relname IN ('posts', 'admin_log', 'comments') AND schemaname = 'public'")"
check_eq "editor_id: every value through the mapping, NULLs kept, the dangling one NULL" "0|50|1" \
	"$(sql "SELECT count(*) FILTER (WHERE p.editor_id IS DISTINCT FROM (SELECT new_id FROM $m WHERE old_id = b.editor_id)),
			  count(*) FILTER (WHERE b.editor_id IS NULL AND p.editor_id IS NULL),
			  count(*) FILTER (WHERE b.editor_id = 5000 AND p.editor_id IS NULL)
		 FROM posts p JOIN before.posts b USING (id)")"
check_eq "small_editor (integer): through the mapping" "0" \
	"$(sql "SELECT count(*) FROM posts p JOIN before.posts b USING (id) WHERE p.small_editor IS DISTINCT FROM (SELECT new_id FROM $m WHERE old_id = b.small_editor)")"
check_eq "tags: element by element, order and NULL elements kept, NULL and empty arrays kept" "0|45|35" \
	"$(sql "SELECT count(*) FILTER (WHERE p.id <> 9002 AND p.tags IS DISTINCT FROM (CASE WHEN b.tags IS NULL THEN NULL ELSE coalesce((SELECT array_agg(mm.new_id ORDER BY u.n) FROM unnest(b.tags) WITH ORDINALITY AS u(e, n) LEFT JOIN $m mm ON mm.old_id = u.e), '{}') END)),
			  count(*) FILTER (WHERE p.tags IS NULL), count(*) FILTER (WHERE p.tags = '{}')
		 FROM posts p JOIN before.posts b USING (id)")"
check_eq "tags: the dangling row became {new(1),NULL,NULL,NULL}" "t" \
	"$(sql "SELECT tags = ARRAY[(SELECT new_id FROM $m WHERE old_id = 1), NULL, NULL, NULL] FROM posts WHERE id = 9001")"
check_eq "tags: the lower bound is kept ('[0:1]={2,3}')" "0|t" \
	"$(sql "SELECT array_lower(tags, 1), tags[0] = (SELECT new_id FROM $m WHERE old_id = 2) AND tags[1] = (SELECT new_id FROM $m WHERE old_id = 3) FROM posts WHERE id = 9002")"
check_eq "object_id / object_vc: the uuid's text, NULLs kept, dangling ('abc', '5001', ' 7') NULL" "0|0|44|3" \
	"$(sql "SELECT count(*) FILTER (WHERE b.object_id ~ '^[0-9]+$' AND b.id < 9000 AND a.object_id IS DISTINCT FROM (SELECT new_id::text FROM $m WHERE old_id = b.object_id::bigint)),
			  count(*) FILTER (WHERE a.object_vc IS DISTINCT FROM (SELECT new_id::text FROM $m WHERE old_id = b.object_vc::bigint)),
			  count(*) FILTER (WHERE b.object_id IS NULL AND a.object_id IS NULL),
			  count(*) FILTER (WHERE b.id > 9000 AND a.object_id IS NULL)
		 FROM admin_log a JOIN before.admin_log b USING (id)")"
check_eq "comments: 'User' rows hold the uuid's text (dangling one NULL); every other type's value kept as text; NULLs kept" \
	"0|0|0|1" \
	"$(sql "SELECT count(*) FILTER (WHERE b.subject_type = 'User' AND b.id < 9000 AND c.subject_id IS DISTINCT FROM (SELECT new_id::text FROM $m WHERE old_id = b.subject_id)),
			  count(*) FILTER (WHERE b.subject_type <> 'User' AND c.subject_id IS DISTINCT FROM b.subject_id::text),
			  count(*) FILTER (WHERE (b.subject_id IS NULL) <> (c.subject_id IS NULL) AND b.id < 9000),
			  count(*) FILTER (WHERE b.id = 9001 AND c.subject_id IS NULL)
		 FROM comments c JOIN before.comments b USING (id)")"
check_eq "comments: the Photo row with the same dangling number keeps it" "8000" "$(sql "SELECT subject_id FROM comments WHERE id = 9002")"
check_eq "the index on editor_id was rebuilt for uuid" "CREATE INDEX posts_editor_idx ON public.posts USING btree (editor_id)|t" \
	"$(sql "SELECT pg_get_indexdef('posts_editor_idx'::regclass), indisvalid FROM pg_index WHERE indexrelid = 'posts_editor_idx'::regclass")"
check_true "joins work: posts.editor_id = users.id" "SELECT count(*) = 451 FROM posts p JOIN users u ON u.id = p.editor_id"

# ---- two migrated tables: a polymorphic pair over both, a self-reference, a table with a foreign key and a soft one ----
sql "CREATE SCHEMA \"App\"" >/dev/null
mig_setup <<'SQL'
CREATE TABLE "App".orgs (id int PRIMARY KEY, parent int, name text);
INSERT INTO "App".orgs SELECT g, CASE WHEN g > 1 THEN g / 2 END, 'o' || g FROM generate_series(1, 50) g;
CREATE TABLE "App".people (id bigint PRIMARY KEY, org_id int REFERENCES "App".orgs, "Manager" bigint);
INSERT INTO "App".people SELECT g, 1 + g % 50, CASE WHEN g > 1 THEN g - 1 END FROM generate_series(1, 80) g;
CREATE TABLE "App".events (id int PRIMARY KEY, kind varchar(10), target text COLLATE "C");
INSERT INTO "App".events SELECT g, CASE g % 3 WHEN 0 THEN 'org' WHEN 1 THEN 'person' ELSE 'other' END,
	CASE g % 3 WHEN 0 THEN (1 + g % 50)::text WHEN 1 THEN (1 + g % 80)::text ELSE 'x-' || g END
  FROM generate_series(1, 300) g;
CREATE TABLE before.events AS SELECT * FROM "App".events;
CREATE TABLE before.people AS SELECT * FROM "App".people;
CREATE TABLE before.orgs AS SELECT * FROM "App".orgs;
SQL
t2="ARRAY['\"App\".orgs', '\"App\".people']::regclass[]"
refs2='{"references": [
	{"column": "\"App\".orgs.parent", "to": "\"App\".orgs"},
	{"column": "\"App\".people.\"Manager\"", "to": "people"},
	{"column": "\"App\".events.target", "to": "orgs", "type_column": "kind", "type_value": "org"},
	{"column": "\"App\".events.target", "to": "people", "type_column": "kind", "type_value": "person"}]}'
bad2() {	# NAME SQLSTATE REFERENCES-JSON
	check_sqlstate "$1" "$2" "SELECT uuid7_migrate($t2, $(sql_literal "{\"references\": [$3]}")::jsonb)"
}
bad2 "polymorphic: the same type value twice" 22023 '{"column": "\"App\".events.target", "to": "orgs", "type_column": "kind", "type_value": "org"}, {"column": "\"App\".events.target", "to": "people", "type_column": "kind", "type_value": "org"}'
bad2 "polymorphic mixed with a plain declaration of the column" 22023 '{"column": "\"App\".events.target", "to": "orgs", "type_column": "kind", "type_value": "org"}, {"column": "\"App\".events.target", "to": "people"}'
bad2 "the column of a foreign key to a migrated key" 22023 '{"column": "\"App\".people.org_id", "to": "orgs"}'
bad2 "identifiers are case-sensitive when quoted (\"Manager\" vs Manager)" 42703 '{"column": "\"App\".people.Manager", "to": "people"}'
check_eq "plan: no refusal" "" "$(mig_plan_refusals "$t2" "$(sql_literal "$refs2")::jsonb")"
check_eq "plan: people rewritten once with its foreign key column, its key and its declared reference" "1|t" \
	"$(sql "SELECT count(*), bool_and(statement LIKE '%org_id%' AND statement LIKE '%\"Manager\"%' AND statement LIKE '%ALTER COLUMN id TYPE%')
			  FROM uuid7_migration_plan($t2, $(sql_literal "$refs2")::jsonb) WHERE phase = 'alter table' AND object = '\"App\".people'")"
mig_migrate "uuid7_migrate(orgs, people) with a self-reference and a two-way polymorphic pair" "$t2" "$(sql_literal "$refs2")::jsonb"
mo='uuid7_mapping.orgs_uuid7_map'; mp='uuid7_mapping.people_uuid7_map'
check_eq "orgs.parent (a self-reference): through the orgs mapping, NULL kept" "0|1" \
	"$(sql "SELECT count(*) FILTER (WHERE o.parent IS DISTINCT FROM (SELECT new_id FROM $mo m WHERE m.old_id = b.parent)), count(*) FILTER (WHERE o.parent IS NULL)
		 FROM \"App\".orgs o JOIN $mo k ON k.new_id = o.id JOIN before.orgs b ON b.id = k.old_id")"
check_eq "people.\"Manager\": through the people mapping" "0|uuid" \
	"$(sql "SELECT count(*) FILTER (WHERE p.\"Manager\" IS DISTINCT FROM (SELECT new_id FROM $mp m WHERE m.old_id = b.\"Manager\")), min(pg_typeof(p.\"Manager\")::text)
		 FROM \"App\".people p JOIN $mp k ON k.new_id = p.id JOIN before.people b ON b.id = k.old_id")"
check_eq "events.target: 'org' rows through orgs, 'person' rows through people, 'other' rows unchanged; type and collation kept" "0|0|0|text|C" \
	"$(sql "SELECT count(*) FILTER (WHERE b.kind = 'org' AND e.target IS DISTINCT FROM (SELECT new_id::text FROM $mo WHERE old_id = b.target::bigint)),
			  count(*) FILTER (WHERE b.kind = 'person' AND e.target IS DISTINCT FROM (SELECT new_id::text FROM $mp WHERE old_id = b.target::bigint)),
			  count(*) FILTER (WHERE b.kind = 'other' AND e.target IS DISTINCT FROM b.target),
			  (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"App\".events'::regclass AND attname = 'target'),
			  (SELECT collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation WHERE attrelid = '\"App\".events'::regclass AND attname = 'target')
		 FROM \"App\".events e JOIN before.events b USING (id)")"

# ---- refused by the plan: a multidimensional array, a default on an integer reference; nothing changed -------------
mig_setup <<'SQL'
CREATE TABLE accounts (id int PRIMARY KEY);
INSERT INTO accounts SELECT generate_series(1, 10);
CREATE TABLE grid (id int PRIMARY KEY, cells bigint[], owner_id bigint DEFAULT 1);
INSERT INTO grid VALUES (1, '{{1,2},{3,4}}', 1), (2, '{5}', 2);
SQL
before=$(fingerprint)
t3="ARRAY['public.accounts']::regclass[]"
r3="$(sql_literal '{"references": [{"column": "public.grid.cells", "to": "accounts"}, {"column": "public.grid.owner_id", "to": "accounts"}]}')::jsonb"
check_eq "plan: a multidimensional array (22023) and the default on owner_id (0A000) are refused, with hints" "0A000|t 22023|t" \
	"$(sql "SELECT string_agg(format('%s|%s', sqlstate, hint IS NOT NULL), ' ' ORDER BY sqlstate)
			  FROM uuid7_migration_plan($t3, $r3) WHERE phase = 'refusal'")"
check_sqlstate "migrate: refused" 0A000 "SELECT uuid7_migrate($t3, $r3)"
check_eq "the refusals changed nothing" "$before" "$(fingerprint)"
