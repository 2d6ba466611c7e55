#!/usr/bin/env bash
# test/migration/rehearsal.sh — the plan rehearses the views it recreates (issue 21): a view that cannot be created
# again once the key is uuid is a refusal of the plan, with the error the migration would have raised after
# rewriting every table, and uuid7_migrate and uuid7_migration_start raise it before touching anything. Views that
# work on uuid are accepted and migrate (offline, and online in a copy: lib.sh's equivalence check). The rehearsal
# leaves nothing behind.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db rehearsal

mig_setup <<'SQL'
CREATE TABLE parent (id bigserial PRIMARY KEY, gone int, name text NOT NULL);
ALTER TABLE parent DROP COLUMN gone;	-- a dropped column before the others: the stand-ins keep column numbers
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text COLLATE "C");
INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 300) g;
INSERT INTO child (p_id, note) SELECT 1 + g % 300, 'c' || g FROM generate_series(1, 900) g;
SQL

P="ARRAY['public.parent', 'public.child']::regclass[]"

# A view the migration could not create again: refused by the plan, by uuid7_migrate and at the online start.
bad_view() {
	local name=$1 state=$2 view=$3 definition=$4
	mig_refusal "$name" "$P" "$state" "$view" "CREATE VIEW $view AS $definition" ""
	check_sqlstate "$name: uuid7_migration_start refuses it ($state)" "$state" "SELECT uuid7_migration_start($P)"
	sql "DROP VIEW $view CASCADE" >/dev/null
}

# (Tasker's coalesce((SELECT array_agg(c.id) ...), '{}') and UNION ALL ... NULL::bigint are translated: translate.sh.)
bad_view "COALESCE of an id array with '{1}'" 42846 v_tasker_one \
	"SELECT p.id, coalesce((SELECT array_agg(c.id) FROM child c WHERE c.p_id = p.id), '{1}') AS child_ids FROM parent p"
bad_view "UNION ALL with the number 0" 42804 v_union \
	"SELECT p.id, p.name FROM parent p UNION ALL SELECT 0, 'none'"
bad_view "coalesce(c.p_id, 0)" 42804 v_coalesce "SELECT c.id, coalesce(c.p_id, 0) AS p FROM child c"
bad_view "p.id % 16" 42883 v_modulo "SELECT p.id % 16 AS bucket, count(*) FROM parent p GROUP BY 1"
bad_view "WHERE p.id > 100" 42883 v_compare "SELECT p.id, p.name FROM parent p WHERE p.id > 100"
bad_view "p.id + 1" 42883 v_plus "SELECT p.id + 1 AS next_id FROM parent p"
mig_refusal "a materialized view with arithmetic on a converted FK" "$P" 42883 mv_plus \
	"CREATE MATERIALIZED VIEW mv_plus AS SELECT c.p_id * 2 AS twice FROM child c" "DROP MATERIALIZED VIEW mv_plus"

# max() over uuid: refused exactly where the major has no max(uuid)
if [ "$(sql "SELECT to_regprocedure('pg_catalog.max(uuid)') IS NULL")" = t ]; then
	bad_view "max(c.id) on a major without max(uuid)" 42883 v_max "SELECT c.p_id, max(c.id) AS last_child FROM child c GROUP BY c.p_id"
else
	sql "CREATE VIEW v_max AS SELECT c.p_id, max(c.id) AS last_child FROM child c GROUP BY c.p_id" >/dev/null
	check_eq "max(c.id) on a major with max(uuid): no refusal" "" "$(mig_plan_refusals "$P")"
	sql "DROP VIEW v_max" >/dev/null
fi

# A view built on a refused view is not rehearsed (it goes with it): one refusal, naming the first.
sql "CREATE VIEW v_bad AS SELECT p.id + 1 AS n FROM parent p; CREATE VIEW v_on_bad AS SELECT n FROM v_bad" >/dev/null
refusals=$(mig_plan_refusals "$P")
check_eq "a view on a refused view: one refusal" 1 "$(printf '%s\n' "$refusals" | grep -c .)"
check_eq "a view on a refused view: the refusal names the view that fails" "42883|public.v_bad" \
	"$(printf '%s\n' "$refusals" | cut -d'|' -f1,2)"
sql "DROP VIEW v_bad CASCADE" >/dev/null

# Several failing views: one refusal each, in dependency order.
sql "CREATE VIEW v_a AS SELECT p.id + 1 AS n FROM parent p; CREATE VIEW v_b AS SELECT c.p_id % 2 AS m FROM child c" >/dev/null
check_eq "two failing views: two refusals" "42883|public.v_a
42883|public.v_b" "$(mig_plan_refusals "$P" | cut -d'|' -f1,2 | sort)"
sql "DROP VIEW v_a, v_b" >/dev/null

# What the migration creates again on a recreated view is rehearsed on its stand-in too: the indexes of a
# materialized view (an expression and a predicate that use the key as a number) and a rule of a view (arithmetic on
# NEW.id in its action). One refusal each, naming the object; a view whose index and rule work on uuid passes.
sql "CREATE TABLE rule_log (p_id bigint, next_id bigint);
	CREATE MATERIALIZED VIEW mv_k AS SELECT c.p_id, count(*) AS n FROM child c GROUP BY c.p_id;
	CREATE INDEX mv_k_bucket ON mv_k ((p_id % 16)); CREATE INDEX mv_k_big ON mv_k (n) WHERE p_id > 100;
	CREATE UNIQUE INDEX mv_k_ok ON mv_k (p_id) WHERE p_id IS NOT NULL;
	CREATE VIEW pv AS SELECT id, name FROM parent;
	CREATE RULE pv_log AS ON UPDATE TO pv DO ALSO INSERT INTO rule_log VALUES (NEW.id, NEW.id + 1)" >/dev/null
check_eq "an index of a materialized view and a rule of a view that use the key as a number: one refusal each" \
"42883|public.mv_k_big
42883|public.mv_k_bucket
42883|pv_log on public.pv" "$(mig_plan_refusals "$P" | cut -d'|' -f1,2 | sort)"
sql "DROP RULE pv_log ON pv; DROP INDEX mv_k_bucket, mv_k_big" >/dev/null
check_eq "the same views with an index that works on uuid: no refusal" "" "$(mig_plan_refusals "$P")"
sql "DROP MATERIALIZED VIEW mv_k; DROP VIEW pv; DROP TABLE rule_log" >/dev/null

# The rehearsal leaves nothing behind, in the session that planned.
check_eq "no stand-in left after the plan (same session)" "0" \
	"$(psql -X -A -t -q -c "SELECT count(*) FROM uuid7_migration_plan($P)" \
		-c "SELECT count(*) FROM pg_class WHERE relname LIKE 'uuid7\\_stand\\_in\\_%'" | tail -n 1)"

# CHECKs and indexes that keep their meaning on uuid are accepted (1.6 refused every CHECK but IS [NOT] NULL):
# comparisons of two columns of one mapping (the mapping is one to one and keeps the order), and default operator
# classes whose access method has one for uuid (BRIN, hash).
mig_setup <<'SQL'
CREATE TABLE transition (id bigserial PRIMARY KEY, from_id bigint NOT NULL REFERENCES parent, to_id bigint REFERENCES parent,
  CONSTRAINT transition_moves CHECK (from_id <> to_id), CONSTRAINT transition_forward CHECK (to_id IS NULL OR from_id < to_id));
INSERT INTO transition (from_id, to_id) SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE g + 1 + g % 7 END FROM generate_series(1, 280) g;
CREATE INDEX transition_loops ON transition (id) WHERE from_id = to_id;
CREATE INDEX child_p_brin ON child USING brin (p_id);
CREATE INDEX child_p_hash ON child USING hash (p_id);
SQL

# Views that work on uuid: accepted, and the migration recreates them (column names, a renamed view column, a view
# on a view, a materialized view, an aggregate and a cast to text of the key).
mig_setup <<'SQL'
CREATE VIEW v_join AS SELECT p.id, p.name, count(c.id) AS children, array_agg(c.id ORDER BY c.id) AS child_ids
  FROM parent p LEFT JOIN child c ON c.p_id = p.id GROUP BY p.id, p.name;
CREATE VIEW v_top AS SELECT id, children FROM v_join WHERE children > 2;
CREATE VIEW v_renamed AS SELECT p.id, p.id::text AS id_text FROM parent p;
ALTER VIEW v_renamed RENAME COLUMN id TO parent_key;
CREATE VIEW v_on_renamed AS SELECT parent_key, id_text FROM v_renamed WHERE parent_key IS NOT NULL;
CREATE VIEW v_collate AS SELECT c.id, c.note FROM child c WHERE c.note < 'c5' ORDER BY c.id;
CREATE MATERIALIZED VIEW mv_counts AS SELECT c.p_id, count(*) AS n FROM child c GROUP BY c.p_id;
CREATE VIEW v_exists AS SELECT p.* FROM parent p WHERE EXISTS (SELECT 1 FROM child c WHERE c.p_id = p.id)
  AND p.id IN (SELECT c.p_id FROM child c WHERE c.note IS NOT NULL);
SQL
check_eq "views that work on uuid: no refusal" "" "$(mig_plan_refusals "$P")"
before_rows=$(sql "SELECT (SELECT count(*) FROM v_top) || ' ' || (SELECT count(*) FROM v_on_renamed) || ' ' || (SELECT count(*) FROM v_collate) || ' ' || (SELECT count(*) FROM mv_counts) || ' ' || (SELECT count(*) FROM v_exists)")
mig_snapshot "$P"
mig_migrate "views that work on uuid: the migration succeeds" "$P"
mig_check_all
check_eq "the recreated views return the same number of rows" "$before_rows" \
	"$(sql "SELECT (SELECT count(*) FROM v_top) || ' ' || (SELECT count(*) FROM v_on_renamed) || ' ' || (SELECT count(*) FROM v_collate) || ' ' || (SELECT count(*) FROM mv_counts) || ' ' || (SELECT count(*) FROM v_exists)")"
check_eq "the CHECKs over two columns of one mapping still hold on every row" "0" \
	"$(sql "SELECT count(*) FROM transition WHERE NOT (from_id <> to_id AND (to_id IS NULL OR from_id < to_id))")"
check_sqlstate "and still reject what they rejected (from = to: 23514)" 23514 \
	"INSERT INTO transition (from_id, to_id) SELECT id, id FROM parent LIMIT 1"
check_eq "the renamed view column keeps its name and becomes uuid" "uuid" \
	"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'v_renamed'::regclass AND attname = 'parent_key'")"
