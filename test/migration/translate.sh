#!/usr/bin/env bash
# test/migration/translate.sh — what the plan translates instead of refusing (issue 21), offline and online (lib.sh's
# equivalence check in the plain cluster), each with its plan line:
#   - a NULL or an empty array of an integer type beside the key in a view the migration recreates (a UNION branch,
#     COALESCE, CASE, GREATEST, ARRAY[...], the Tasker view's coalesce((SELECT array_agg(c.id) ...), '{}')) becomes
#     NULL::uuid / '{}'::uuid[]; a NULL::bigint beside no key keeps its type;
#   - an index naming an integer operator class that uuid has a class of the same kind for (BRIN minmax-multi and
#     bloom) is dropped before the type change and created again with the uuid class, its parameters kept; a named
#     int8_ops (btree's default) needs nothing.
# Their untranslatable neighbours stay refused with their SQLSTATE: coalesce(p_id, 0), id + 1, a non-empty
# '{1}'::bigint[], an integer operator class that uuid has no class of the kind of.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db translate

mig_setup <<'SQL'
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text);
CREATE TABLE tag (id int PRIMARY KEY, label text);
CREATE TABLE flag (id smallint PRIMARY KEY, label text);
INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 200) g;
INSERT INTO child (p_id, note) SELECT CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + g % 150 END, 'c' || g FROM generate_series(1, 600) g;
INSERT INTO tag SELECT g, 't' || g FROM generate_series(1, 100) g;
INSERT INTO flag SELECT g, 'f' || g FROM generate_series(1, 50) g;

-- views with constants beside the key
CREATE VIEW v_tasker AS SELECT p.id, coalesce((SELECT array_agg(c.id) FROM child c WHERE c.p_id = p.id), '{}') AS child_ids
  FROM parent p;
CREATE MATERIALIZED VIEW mv_tasker AS SELECT p.id, coalesce((SELECT array_agg(c.id) FROM child c WHERE c.p_id = p.id), '{}') AS child_ids
  FROM parent p;
CREATE VIEW v_union AS SELECT p.id, p.name FROM parent p UNION ALL SELECT NULL::bigint, 'none';
CREATE VIEW v_union_first AS SELECT NULL::int AS id, 'none' AS label UNION SELECT t.id, t.label FROM tag t;
CREATE VIEW v_case AS SELECT c.id, CASE WHEN c.note > 'c5' THEN c.p_id ELSE NULL END AS p, greatest(c.p_id, NULL) AS g,
  ARRAY[c.id, NULL] AS arr, coalesce(c.p_id, NULL) AS p2, NULL::bigint AS spare FROM child c;
-- a CASE without ELSE: the view's definition prints the ELSE NULL::bigint the parser added, which is retyped too
CREATE VIEW v_case_no_else AS SELECT CASE WHEN c.note > 'c5' THEN c.p_id END AS p FROM child c;
CREATE VIEW v_on_union AS SELECT u.id FROM v_union u UNION ALL SELECT NULL;
-- above GROUP BY (from PostgreSQL 18 on the column is read through the grouping step)
CREATE VIEW v_grouped AS SELECT coalesce(c.p_id, NULL) AS p, count(*) AS n FROM child c GROUP BY c.p_id;

-- indexes naming integer operator classes
CREATE INDEX child_p_multi ON child USING brin (p_id int8_minmax_multi_ops (values_per_range = 16)) WITH (pages_per_range = 4)
  WHERE note IS NOT NULL;
CREATE INDEX child_p_bloom ON child USING brin (p_id int8_bloom_ops (false_positive_rate = 0.05), note);
COMMENT ON INDEX child_p_bloom IS 'bloom over the parent';
CREATE INDEX child_p_btree ON child (p_id int8_ops);
CREATE INDEX tag_id_multi ON tag USING brin (id int4_minmax_multi_ops);
CREATE INDEX flag_id_bloom ON flag USING brin (id int2_bloom_ops (n_distinct_per_range = 50));
SQL

P="ARRAY['public.parent', 'public.child', 'public.tag', 'public.flag']::regclass[]"
plan_lines() { sql "SELECT phase || '|' || object || '|' || detail FROM uuid7_migration_plan($P) WHERE phase IN ($1) ORDER BY step"; }

check_eq "nothing refused" "" "$(mig_plan_refusals "$P")"
check_eq "plan: one note per constant retyped, before the view it is in" \
"note|public.v_tasker|translated: '{}'::bigint[] in COALESCE beside the key becomes '{}'::uuid[]
note|public.mv_tasker|translated: '{}'::bigint[] in COALESCE beside the key becomes '{}'::uuid[]
note|public.v_union|translated: NULL::bigint in a UNION / INTERSECT / EXCEPT branch beside the key becomes NULL::uuid
note|public.v_union_first|translated: NULL::integer in a UNION / INTERSECT / EXCEPT branch beside the key becomes NULL::uuid
note|public.v_case|translated: NULL::bigint in CASE beside the key becomes NULL::uuid
note|public.v_case|translated: NULL::bigint in GREATEST / LEAST beside the key becomes NULL::uuid
note|public.v_case|translated: NULL::bigint in ARRAY[...] beside the key becomes NULL::uuid
note|public.v_case|translated: NULL::bigint in COALESCE beside the key becomes NULL::uuid
note|public.v_on_union|translated: NULL::bigint in a UNION / INTERSECT / EXCEPT branch beside the key becomes NULL::uuid
note|public.v_grouped|translated: NULL::bigint in COALESCE beside the key becomes NULL::uuid
note|public.v_case_no_else|translated: NULL::bigint in CASE beside the key becomes NULL::uuid" \
	"$(sql "SELECT phase || '|' || object || '|' || detail FROM uuid7_migration_plan($P) WHERE phase = 'note' AND detail LIKE 'translated:%'
			ORDER BY array_position(ARRAY['public.v_tasker', 'public.mv_tasker', 'public.v_union', 'public.v_union_first', 'public.v_case', 'public.v_on_union', 'public.v_grouped', 'public.v_case_no_else'], object), step")"
check_eq "plan: each note comes right before its view's create view step" "0" \
	"$(sql "SELECT count(*) FROM uuid7_migration_plan($P) n WHERE n.phase = 'note' AND n.detail LIKE 'translated:%'
			AND NOT EXISTS (SELECT 1 FROM uuid7_migration_plan($P) c WHERE c.phase = 'create view' AND c.object = n.object AND c.step > n.step
				AND NOT EXISTS (SELECT 1 FROM uuid7_migration_plan($P) x WHERE x.step > n.step AND x.step < c.step AND x.phase <> 'note'))")"
check_eq "plan: the create view statements carry the uuid constants, the spare column keeps its bigint" "t|t|t|t|t|t" \
	"$(sql "SELECT bool_or(statement LIKE '%''{}''::uuid[]) AS child_ids%') FILTER (WHERE object = 'public.v_tasker'),
			bool_or(statement LIKE '%NULL::uuid AS int8%') FILTER (WHERE object = 'public.v_union'),
			bool_or(statement LIKE '%ELSE NULL::uuid%') FILTER (WHERE object = 'public.v_case'),
			bool_or(statement LIKE '%GREATEST(%p_id, NULL::uuid)%') FILTER (WHERE object = 'public.v_case'),
			bool_or(statement LIKE '%ARRAY[%id, NULL::uuid]%') FILTER (WHERE object = 'public.v_case'),
			bool_or(statement LIKE '%NULL::bigint AS spare%') FILTER (WHERE object = 'public.v_case')
		FROM uuid7_migration_plan($P) WHERE phase = 'create view'" | tr -d ' ')"
check_eq "plan: drop index / create index for the named integer classes, the btree int8_ops left to the rebuild" \
"drop index|public.child_p_bloom|created again with the uuid operator class after the tables are altered (column p_id: operator class pg_catalog.int8_bloom_ops becomes pg_catalog.uuid_bloom_ops)
drop index|public.child_p_multi|created again with the uuid operator class after the tables are altered (column p_id: operator class pg_catalog.int8_minmax_multi_ops becomes pg_catalog.uuid_minmax_multi_ops)
drop index|public.tag_id_multi|created again with the uuid operator class after the tables are altered (column id: operator class pg_catalog.int4_minmax_multi_ops becomes pg_catalog.uuid_minmax_multi_ops)
drop index|public.flag_id_bloom|created again with the uuid operator class after the tables are altered (column id: operator class pg_catalog.int2_bloom_ops becomes pg_catalog.uuid_bloom_ops)
create index|public.child_p_bloom|translated: column p_id: operator class pg_catalog.int8_bloom_ops becomes pg_catalog.uuid_bloom_ops
create index|public.child_p_bloom|comment
create index|public.child_p_multi|translated: column p_id: operator class pg_catalog.int8_minmax_multi_ops becomes pg_catalog.uuid_minmax_multi_ops
create index|public.tag_id_multi|translated: column id: operator class pg_catalog.int4_minmax_multi_ops becomes pg_catalog.uuid_minmax_multi_ops
create index|public.flag_id_bloom|translated: column id: operator class pg_catalog.int2_bloom_ops becomes pg_catalog.uuid_bloom_ops" \
	"$(plan_lines "'drop index', 'create index'")"
check_eq "plan: the indexes are dropped before the type change and created after it" "t" \
	"$(sql "SELECT max(step) FILTER (WHERE phase = 'drop index') < min(step) FILTER (WHERE phase = 'alter table')
			AND max(step) FILTER (WHERE phase = 'alter table') < min(step) FILTER (WHERE phase = 'create index')
		FROM uuid7_migration_plan($P)")"
check_eq "plan: the create index statement keeps parameters, storage parameters and predicate" \
	"CREATE INDEX child_p_multi ON public.child USING brin (p_id pg_catalog.uuid_minmax_multi_ops(values_per_range='16')) WITH (pages_per_range='4') WHERE (note IS NOT NULL)" \
	"$(sql "SELECT statement FROM uuid7_migration_plan($P) WHERE phase = 'create index' AND object = 'public.child_p_multi'")"

# the views' rows before, ids as they are; after, each uuid read back through its mapping
tasker_rows() { # $1: view, $2: expression of an id of parent, $3: of child
	sql "SELECT md5(string_agg(l.pid || ':' || array_to_string(ARRAY(SELECT $(printf "$3" x) FROM unnest(v.child_ids) WITH ORDINALITY AS u(x, n) ORDER BY 1), ','), ';' ORDER BY l.pid))
		FROM $1 v, LATERAL (SELECT $(printf "$2" v.id) AS pid) AS l"
}
union_rows() {
	sql "SELECT md5(string_agg(coalesce(l.pid::text, '-') || ':' || v.name, ';' ORDER BY l.pid NULLS FIRST, v.name))
		FROM v_union v, LATERAL (SELECT $(printf "$1" v.id) AS pid) AS l"
}
union_first_rows() {
	sql "SELECT md5(string_agg(coalesce(l.tid::text, '-') || ':' || v.label, ';' ORDER BY l.tid NULLS FIRST, v.label))
		FROM v_union_first v, LATERAL (SELECT $(printf "$1" v.id) AS tid) AS l"
}
case_rows() { # $1: parent id expression, $2: child id expression (%s: the value)
	sql "SELECT md5(string_agg(concat_ws('|', $(printf "$2" v.id), coalesce($(printf "$1" v.p)::text, '-'), coalesce($(printf "$1" v.g)::text, '-'),
			coalesce($(printf "$1" v.p2)::text, '-'),
			array_to_string(ARRAY(SELECT $(printf "$2" u.x) FROM unnest(v.arr) WITH ORDINALITY AS u(x, n) ORDER BY u.n), ',', '-'),
			coalesce(v.spare::text, '-')), ';' ORDER BY $(printf "$2" v.id))) FROM v_case v"
}
on_union_rows() {
	sql "SELECT count(*) || ':' || count(v.id) || ':' || coalesce(sum($(printf "$1" v.id)), 0) FROM v_on_union v"
}
before="$(tasker_rows v_tasker %s %s) $(tasker_rows mv_tasker %s %s) $(union_rows %s) $(union_first_rows %s) $(case_rows %s %s) $(on_union_rows %s)"

mig_snapshot "$P"
mig_migrate "translated constants and operator classes: the migration succeeds" "$P"

PARENT="uuid7_legacy_id('parent', %s)"
CHILD="uuid7_legacy_id('child', %s)"
after="$(tasker_rows v_tasker "$PARENT" "$CHILD") $(tasker_rows mv_tasker "$PARENT" "$CHILD") $(union_rows "$PARENT") \
$(union_first_rows "uuid7_legacy_id('tag', %s)") $(case_rows "$PARENT" "$CHILD") $(on_union_rows "$PARENT")"
check_eq "the recreated views return the same rows, ids mapped" "$before" "$after"

while IFS= read -r rel; do
	check_empty "$rel: rows equal to before, converted columns through the mapping" "SELECT * FROM mig_snap.diff_rows($(sql_literal "$rel"))"
done < <(sql "SELECT rel FROM mig_snap.copies ORDER BY rel")
check_empty "constraints as before" "SELECT * FROM mig_snap.diff_cons()"
check_empty "every validated foreign key holds on the data" "SELECT * FROM mig_snap.diff_fk_data()"
check_eq "view column types: the key and the constants beside it uuid, the spare column still bigint" \
	"v_case.arr uuid[] v_case.g uuid v_case.id uuid v_case.p uuid v_case.p2 uuid v_case.spare bigint v_case_no_else.p uuid v_grouped.n bigint v_grouped.p uuid v_on_union.id uuid v_tasker.child_ids uuid[] v_tasker.id uuid v_union.id uuid v_union_first.id uuid" \
	"$(sql "SELECT string_agg(c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ' ' ORDER BY c.relname, a.attname)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relname IN ('v_tasker', 'v_union', 'v_union_first', 'v_case', 'v_on_union', 'v_grouped', 'v_case_no_else') AND a.attnum > 0 AND a.atttypid <> 'text'::regtype")"
check_eq "the indexes: the uuid classes with their parameters; names, storage parameters, predicate, comment kept" \
"child_p_bloom|CREATE INDEX child_p_bloom ON public.child USING brin (p_id uuid_bloom_ops (false_positive_rate='0.05'), note)|bloom over the parent
child_p_btree|CREATE INDEX child_p_btree ON public.child USING btree (p_id)|
child_p_multi|CREATE INDEX child_p_multi ON public.child USING brin (p_id uuid_minmax_multi_ops (values_per_range='16')) WITH (pages_per_range='4') WHERE (note IS NOT NULL)|
flag_id_bloom|CREATE INDEX flag_id_bloom ON public.flag USING brin (id uuid_bloom_ops (n_distinct_per_range='50'))|
tag_id_multi|CREATE INDEX tag_id_multi ON public.tag USING brin (id uuid_minmax_multi_ops)|" \
	"$(sql "SELECT c.relname || '|' || pg_get_indexdef(c.oid) || '|' || coalesce(obj_description(c.oid, 'pg_class'), '') FROM pg_class c
		WHERE c.relkind = 'i' AND c.relname IN ('child_p_bloom', 'child_p_btree', 'child_p_multi', 'flag_id_bloom', 'tag_id_multi') ORDER BY 1")"
check_eq "a lookup by uuid through the new BRIN index finds the same children" "3" \
	"$(sql "SET enable_seqscan = off; SELECT count(*) FROM child WHERE p_id = uuid7_mapped_id('parent', 5) AND note IS NOT NULL")"

# ---- the neighbours that stay refused ---------------------------------------------------------------------------
mig_db translate_refused
mig_setup <<'SQL'
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text);
INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 20) g;
INSERT INTO child (p_id, note) SELECT 1 + g % 20, 'c' || g FROM generate_series(1, 60) g;
CREATE OPERATOR FAMILY uuid7_test_int8_fam USING btree;
CREATE OPERATOR CLASS uuid7_test_int8_ops FOR TYPE int8 USING btree FAMILY uuid7_test_int8_fam AS
  OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 btint8cmp(int8, int8);
SQL
P2="ARRAY['public.parent', 'public.child']::regclass[]"
refused_view() {
	local name=$1 state=$2 view=$3 definition=$4
	mig_refusal "$name" "$P2" "$state" "$view" "CREATE VIEW $view AS $definition" "DROP VIEW $view"
}
refused_view "coalesce(c.p_id, 0): a number beside the key" 42804 v_zero "SELECT c.id, coalesce(c.p_id, 0) AS p FROM child c"
refused_view "p.id + 1" 42883 v_plus "SELECT p.id + 1 AS next_id FROM parent p"
refused_view "a non-empty '{1}'::bigint[] beside the key" 42846 v_one \
	"SELECT p.id, coalesce((SELECT array_agg(c.id) FROM child c WHERE c.p_id = p.id), '{1}') AS child_ids FROM parent p"
refused_view "UNION with the number 0 beside the key" 42804 v_union_zero "SELECT p.id FROM parent p UNION SELECT 0"
mig_refusal "an integer operator class with no uuid counterpart" "$P2" 42804 child_p_own \
	"CREATE INDEX child_p_own ON child (p_id uuid7_test_int8_ops)" "DROP INDEX child_p_own"
check_eq "a view with a spare NULL::bigint beside no key: accepted, and no translation note" "|0" \
	"$(sql "CREATE VIEW v_spare AS SELECT p.id, NULL::bigint AS spare FROM parent p" >/dev/null
		sql "SELECT coalesce(string_agg(sqlstate, ',') FILTER (WHERE phase = 'refusal'), '') || '|' || count(*) FILTER (WHERE detail LIKE 'translated:%')
			FROM uuid7_migration_plan($P2)")"
