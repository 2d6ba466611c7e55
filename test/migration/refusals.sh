#!/usr/bin/env bash
# test/migration/refusals.sh — every case the issue says must be refused. For each: the blocking object is created,
# the database fingerprinted (lib.sh: pg_dump --schema-only + filenodes + sequences + md5 of every table), then
#   - uuid7_migration_plan lists a refusal row with the expected SQLSTATE naming the object,
#   - uuid7_migrate raises that SQLSTATE, its message/detail names the object, and it carries a HINT,
#   - the fingerprint is byte-for-byte unchanged,
# and the blocker is dropped again. SQLSTATEs are those of docs/migration.md: 0A000 untranslatable dependency or
# unsupported key, 42809 not a table, 22023 listed twice, 42P01 no such relation, 42501 privileges, 42P07 mapping
# table exists, 2BP01 identity sequence used elsewhere.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db refusals

mig_setup <<'SQL'
CREATE TABLE canary (id int PRIMARY KEY);
CREATE TABLE parent (id serial PRIMARY KEY, name text NOT NULL, n int NOT NULL DEFAULT 0);
CREATE TABLE child (id serial PRIMARY KEY, parent_id int REFERENCES parent, note text);
CREATE TABLE notes (id int PRIMARY KEY, parent_ref int);
CREATE TABLE nopk (id int NOT NULL, v text);
CREATE TABLE textpk (id text PRIMARY KEY);
CREATE TABLE comppk (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE numpk (id numeric PRIMARY KEY);
CREATE TABLE part (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (1000);
CREATE VIEW parent_view AS SELECT name FROM parent;
CREATE TABLE t_ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE FUNCTION noop_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
INSERT INTO canary VALUES (1);
INSERT INTO parent (name, n) SELECT 'p' || g, g % 10 FROM generate_series(1, 2000) g;
INSERT INTO child (parent_id, note) SELECT 1 + g % 2000, 'c' || g FROM generate_series(1, 4000) g;
INSERT INTO notes SELECT g, 1 + g % 2000 FROM generate_series(1, 100) g;
INSERT INTO nopk SELECT g, 'v' FROM generate_series(1, 100) g;
INSERT INTO part SELECT g FROM generate_series(1, 100) g;
INSERT INTO t_ident DEFAULT VALUES;
SQL


P="ARRAY['public.parent']::regclass[]"
mig_refusal "CHECK comparing the key with a number" "$P" 0A000 parent_id_positive \
	"ALTER TABLE parent ADD CONSTRAINT parent_id_positive CHECK (id > 0)" "ALTER TABLE parent DROP CONSTRAINT parent_id_positive"
mig_refusal "CHECK on a converted FK column" "$P" 0A000 child_parent_small \
	"ALTER TABLE child ADD CONSTRAINT child_parent_small CHECK (parent_id < 1000000)" "ALTER TABLE child DROP CONSTRAINT child_parent_small"
mig_refusal "partial index comparing the key with a number" "$P" 0A000 parent_recent \
	"CREATE INDEX parent_recent ON parent (name) WHERE id > 1000" "DROP INDEX parent_recent"
mig_refusal "expression index on the key" "$P" 0A000 parent_id_expr \
	"CREATE INDEX parent_id_expr ON parent ((id % 10))" "DROP INDEX parent_id_expr"
mig_refusal "RLS policy on the table" "$P" 0A000 parent_low \
	"ALTER TABLE parent ENABLE ROW LEVEL SECURITY; CREATE POLICY parent_low ON parent USING (id < 100)" \
	"DROP POLICY parent_low ON parent; ALTER TABLE parent DISABLE ROW LEVEL SECURITY"
mig_refusal "RLS policy on a child using the FK column" "$P" 0A000 child_pol \
	"CREATE POLICY child_pol ON child USING (parent_id > 10)" "DROP POLICY child_pol ON child"
mig_refusal "RLS policy on another table using the key" "$P" 0A000 notes_pol \
	"CREATE POLICY notes_pol ON notes USING (EXISTS (SELECT 1 FROM parent p WHERE p.id = notes.parent_ref))" "DROP POLICY notes_pol ON notes"
mig_refusal "trigger WHEN on the key" "$P" 0A000 parent_big \
	"CREATE TRIGGER parent_big BEFORE UPDATE ON parent FOR EACH ROW WHEN (NEW.id > 100) EXECUTE FUNCTION noop_trigger()" \
	"DROP TRIGGER parent_big ON parent"
mig_refusal "trigger UPDATE OF the key" "$P" 0A000 parent_upd_of \
	"CREATE TRIGGER parent_upd_of BEFORE UPDATE OF id ON parent FOR EACH ROW EXECUTE FUNCTION noop_trigger()" \
	"DROP TRIGGER parent_upd_of ON parent"
mig_refusal "generated column using the key" "$P" 0A000 id_twice \
	"ALTER TABLE parent ADD COLUMN id_twice bigint GENERATED ALWAYS AS (id * 2) STORED" "ALTER TABLE parent DROP COLUMN id_twice"
mig_refusal "SQL-body function using the key" "$P" 0A000 parent_max \
	"CREATE FUNCTION parent_max() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT max(id) FROM parent; END" "DROP FUNCTION parent_max()"
mig_refusal "publication column list" "$P" 0A000 pub_cols \
	"SET client_min_messages = error; CREATE PUBLICATION pub_cols FOR TABLE parent (id, name)" "DROP PUBLICATION pub_cols"
mig_refusal "publication row filter on the key" "$P" 0A000 pub_filter \
	"SET client_min_messages = error; CREATE PUBLICATION pub_filter FOR TABLE parent WHERE (id > 10)" "DROP PUBLICATION pub_filter"
mig_refusal "rule using the key" "$P" 0A000 parent_rule \
	"CREATE RULE parent_rule AS ON INSERT TO parent WHERE NEW.id < 0 DO INSTEAD NOTHING" "DROP RULE parent_rule ON parent"
mig_refusal "mapping table name already taken" "$P" 42P07 uuid7_mapping.parent_uuid7_map \
	"CREATE SCHEMA IF NOT EXISTS uuid7_mapping; CREATE TABLE uuid7_mapping.parent_uuid7_map (x int)" \
	"DROP TABLE uuid7_mapping.parent_uuid7_map; DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = 'uuid7_mapping'::regnamespace) THEN DROP SCHEMA uuid7_mapping; END IF; END \$\$"
mig_refusal "identity sequence used by another table" "ARRAY['t_ident']::regclass[]" 2BP01 t_ident_id_seq \
	"CREATE TABLE seq_user (x int DEFAULT nextval('t_ident_id_seq'))" "DROP TABLE seq_user"
mig_refusal "FK from a partitioned table whose partition key is the FK column" "$P" 0A000 part_refs \
	"CREATE TABLE part_refs (id int, parent_id int REFERENCES parent) PARTITION BY RANGE (parent_id); CREATE TABLE part_refs_1 PARTITION OF part_refs FOR VALUES FROM (0) TO (10)" \
	"DROP TABLE part_refs"
mig_refusal "migrated key that is also an FK to another migrated key" "ARRAY['parent', 'one_to_one']::regclass[]" 0A000 one_to_one \
	"CREATE TABLE one_to_one (id int PRIMARY KEY REFERENCES parent)" "DROP TABLE one_to_one"
mig_refusal "no primary key" "ARRAY['nopk']::regclass[]" 0A000 nopk "" ""
mig_refusal "text primary key" "ARRAY['textpk']::regclass[]" 0A000 textpk "" ""
mig_refusal "composite primary key" "ARRAY['comppk']::regclass[]" 0A000 comppk "" ""
mig_refusal "numeric primary key" "ARRAY['numpk']::regclass[]" 0A000 numpk "" ""
mig_refusal "partitioned table" "ARRAY['part']::regclass[]" 0A000 part "" ""
mig_refusal "a view is not a table" "ARRAY['parent_view']::regclass[]" 42809 parent_view "" ""
mig_refusal "table listed twice" "ARRAY['parent', 'public.parent']::regclass[]" 22023 parent "" ""
mig_refusal "one bad table makes the whole call fail (all or nothing)" "ARRAY['parent', 'nopk']::regclass[]" 0A000 nopk "" ""

before=$(mig_fingerprint)
check_sqlstate "nonexistent table (dangling OID): plan raises 42P01" 42P01 "SELECT * FROM uuid7_migration_plan(ARRAY[4294967295::oid::regclass])"
check_sqlstate "nonexistent table (dangling OID): migrate raises 42P01" 42P01 "SELECT uuid7_migrate(ARRAY[4294967295::oid::regclass])"
check_sqlstate "nonexistent table by name: 42P01" 42P01 "SELECT uuid7_migrate(ARRAY['no_such_table']::regclass[])"
check_sqlstate "NULL in the list refused" 22004 "SELECT uuid7_migrate(ARRAY[NULL]::regclass[])"
check_sqlstate "empty list refused" 22023 "SELECT uuid7_migrate(ARRAY[]::regclass[])"
check_sqlstate "unknown option refused" 22023 "SELECT uuid7_migrate($P, '{\"no_such_option\": 1}')"
check_sqlstate "hostile mapping_table option: refused or quoted, never executed" 22023 \
	"SELECT uuid7_migrate($P, '{\"tables\": {\"public.parent\": {\"mapping_table\": \"m\\\"; DROP TABLE canary; --  padding to exceed sixty-three bytes ........\"}}}')"
check_fingerprint "invalid calls: nothing changed" "$before"

# Privileges: a role that owns nothing; and a role that owns parent but not the child whose FK must change.
mig_role mig_nobody LOGIN; nobody=$MIG_ROLE
mig_role mig_parent_owner LOGIN; powner=$MIG_ROLE
sql "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"$nobody\"" >/dev/null
mig_refusal "caller owns no table" "$P" 42501 parent "" "" "$nobody"
sql "ALTER TABLE parent OWNER TO \"$powner\"; GRANT CREATE ON SCHEMA public TO \"$powner\"; GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$powner\"" >/dev/null
mig_refusal "caller owns the parent but not the child" "$P" 42501 child "" "" "$powner"
sql "ALTER TABLE parent OWNER TO postgres" >/dev/null

# An operator class named in an index (not the default for the column's type) is kept by the rebuild and refuses uuid:
# 1.6 failed there after the work (42804). One that uuid has a class of the same kind for is translated (translate.sh);
# one that uuid has none for is refused, naming it in the hint.
sql "CREATE OPERATOR FAMILY refusals_int4_fam USING btree; CREATE OPERATOR CLASS refusals_int4_ops FOR TYPE int4 USING btree
	FAMILY refusals_int4_fam AS OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 btint4cmp(int4, int4)" >/dev/null
mig_refusal "index with a named integer operator class that uuid has no counterpart for" "$P" 42804 child_parent_own \
	"CREATE INDEX child_parent_own ON child (parent_id refusals_int4_ops)" ""
check_eq "its hint names the operator class" "t" \
	"$(sql "SELECT bool_and(hint LIKE '%refusals_int4_ops%') FROM uuid7_migration_plan($P) WHERE sqlstate = '42804'")"
sql "DROP INDEX child_parent_own" >/dev/null
mig_refusal "CHECK comparing columns of two different mappings (the key and a reference)" \
	"ARRAY['public.parent', 'public.child']::regclass[]" 0A000 child_not_own_parent \
	"ALTER TABLE child ADD CONSTRAINT child_not_own_parent CHECK (parent_id <> id)" "ALTER TABLE child DROP CONSTRAINT child_not_own_parent"

# A reference that no key answers, under a NOT VALID foreign key: the rewrite fails on it (1.6: 23503 after the work,
# online: blocked at finish). The plan counts in the columns of such foreign keys by default and refuses (23503);
# with "validate": false it counts nothing and notes the foreign key instead.
sql "ALTER TABLE child DROP CONSTRAINT child_parent_id_fkey; INSERT INTO child (parent_id, note) VALUES (999999, 'dangling');
	ALTER TABLE child ADD CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent NOT VALID" >/dev/null
mig_refusal "a dangling reference under a NOT VALID foreign key, counted by default" "$P" 23503 "(the least: 999999)" "" ""
check_sqlstate "the online start refuses it too" 23503 "SELECT uuid7_migration_start($P)"
check_eq "with validate false: a note says to count, no refusal" "note|child_parent_id_fkey on public.child|0" \
	"$(sql "SELECT string_agg(phase || '|' || object, ',') || '|' || (SELECT count(*) FROM uuid7_migration_plan($P, '{\"validate\": false}') WHERE phase = 'refusal')
		FROM uuid7_migration_plan($P, '{\"validate\": false}') WHERE phase = 'note' AND detail LIKE '%\"validate\": false%'")"
mig_refusal "a dangling reference, counted with validate" "$P, '{\"validate\": true}'" 23503 "(the least: 999999)" "" ""
check_sqlstate "the online start with validate refuses it too" 23503 "SELECT uuid7_migration_start($P, '{\"validate\": true}')"
sql "DELETE FROM child WHERE parent_id = 999999; ALTER TABLE child VALIDATE CONSTRAINT child_parent_id_fkey" >/dev/null
check_eq "validate on clean data: no refusal" "0" \
	"$(sql "SELECT count(*) FROM uuid7_migration_plan($P, '{\"validate\": true}') WHERE phase = 'refusal'")"

# Row security that hides key rows from the role that migrates (the owner, under FORCE): those rows would get no
# new key, and 1.6 failed only in the rewrite, with a 23503 that named no policy. Refused by the plan, naming it.
mig_role mig_rls_owner LOGIN; rls_owner=$MIG_ROLE
sql "CREATE TABLE tenant_keys (id int PRIMARY KEY, tenant text NOT NULL);
	INSERT INTO tenant_keys SELECT g, 't' || g % 3 FROM generate_series(1, 300) g;
	ALTER TABLE tenant_keys OWNER TO \"$rls_owner\"; GRANT CREATE ON SCHEMA public TO \"$rls_owner\"" >/dev/null
mig_refusal "row security hides key rows from the migrating owner (FORCE)" "ARRAY['public.tenant_keys']::regclass[]" 42501 \
	tenant_only "ALTER TABLE tenant_keys ENABLE ROW LEVEL SECURITY; ALTER TABLE tenant_keys FORCE ROW LEVEL SECURITY;
	CREATE POLICY tenant_only ON tenant_keys USING (tenant = 't0')" "DROP TABLE tenant_keys" "$rls_owner"

check_eq "canary table survived" 1 "$(sql "SELECT count(*) FROM canary")"
mig_snapshot "$P"
mig_migrate "after all refusals, the same table still migrates" "$P"
mig_check_all

# A mapping table is never a table to migrate: its integer old_id is what uuid7_legacy_id() and uuid7_mapped_id() read.
mig_refusal "a mapping table listed as a table to migrate" "ARRAY['uuid7_mapping.parent_uuid7_map']::regclass[]" 42809 \
	"is the mapping table of a migrated table" "" ""
check_eq "canary table survived every refusal" 1 "$(sql "SELECT count(*) FROM canary")"
