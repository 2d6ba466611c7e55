-- Migration helper: refusals are listed by the plan, raised by uuid7_migrate with a SQLSTATE, and change nothing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
\set VERBOSITY sqlstate
\set SHOW_CONTEXT never

CREATE TABLE r_parent (id int PRIMARY KEY, n int CHECK (n IS NOT NULL));
CREATE TABLE r_child (id int PRIMARY KEY, parent_id int REFERENCES r_parent, CHECK (parent_id > 0));
CREATE TABLE r_nokey (a int);
CREATE TABLE r_textkey (id text PRIMARY KEY);
CREATE TABLE r_pair (a int, b int, PRIMARY KEY (a, b));
INSERT INTO r_parent SELECT g, g FROM generate_series(1, 10) g;
INSERT INTO r_child SELECT g, g FROM generate_series(1, 10) g;
-- a generated column (adding it rewrites r_child: before the snapshot)
ALTER TABLE r_child ADD COLUMN twice int GENERATED ALWAYS AS (parent_id * 2) STORED;
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
ALTER TABLE r_child DROP COLUMN twice;
CREATE TABLE r_snapshot AS SELECT relname, relfilenode FROM pg_class WHERE relname LIKE 'r\_%' ORDER BY 1;

-- the plan lists every refusal (the CHECK on n with IS NOT NULL only is fine; parent_id > 0 is not)
SELECT step, phase, object, detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent', 'r_nokey', 'r_textkey', 'r_pair', 'r_parent']::regclass[]);
-- uuid7_migrate raises the first one with its SQLSTATE
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[]);
\set VERBOSITY default
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[]);
\set VERBOSITY sqlstate
SELECT uuid7_migrate(ARRAY['r_nokey']::regclass[]);
SELECT uuid7_migrate(ARRAY['r_textkey']::regclass[]);
SELECT uuid7_migrate(ARRAY['r_pair']::regclass[]);
SELECT uuid7_migrate(ARRAY['r_nokey', 'r_nokey']::regclass[]);
SELECT uuid7_migrate(ARRAY['r_does_not_exist']::regclass[]);
SELECT uuid7_migrate(ARRAY[]::regclass[]);
SELECT uuid7_migrate(ARRAY[NULL]::regclass[]);
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[], '{"bogus": 1}');
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[], '{"version": 5}');
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[], '{"tables": {"r_child": {}}}');
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[], '{"tables": {"r_parent": {"timestamp_column": "n"}}}');
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[], '{"tables": {"r_parent": {"timestamp_column": "nope"}}}');
ALTER TABLE r_child DROP CONSTRAINT r_child_parent_id_check;

-- dependencies that cannot be translated
CREATE INDEX r_child_partial ON r_child (id) WHERE parent_id > 5;
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
DROP INDEX r_child_partial;
CREATE INDEX r_child_expr ON r_child ((parent_id + 1));
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
DROP INDEX r_child_expr;
ALTER TABLE r_parent ENABLE ROW LEVEL SECURITY;
CREATE POLICY r_pol ON r_parent USING (id < 100);
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
DROP POLICY r_pol ON r_parent;
CREATE FUNCTION r_trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER r_when BEFORE UPDATE ON r_child FOR EACH ROW WHEN (NEW.parent_id > 3) EXECUTE FUNCTION r_trg();
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
DROP TRIGGER r_when ON r_child;
CREATE FUNCTION r_sqlbody() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT max(id) FROM r_parent; END;
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
DROP FUNCTION r_sqlbody();
-- the wal_level warning of 15-18 (19 enables logical decoding on demand and says nothing) is not this test's topic
SET client_min_messages = error;
CREATE PUBLICATION r_pub FOR TABLE r_parent (id, n);
SET client_min_messages = warning;
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
DROP PUBLICATION r_pub;
ALTER TABLE r_child ALTER COLUMN parent_id SET DEFAULT 1;
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
ALTER TABLE r_child ALTER COLUMN parent_id DROP DEFAULT;
CREATE SCHEMA uuid7_mapping;
CREATE TABLE r_mapclash (old_id bigint);
ALTER TABLE r_mapclash SET SCHEMA uuid7_mapping;
ALTER TABLE uuid7_mapping.r_mapclash RENAME TO r_parent_uuid7_map;
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
DROP TABLE uuid7_mapping.r_parent_uuid7_map;
DROP SCHEMA uuid7_mapping;

-- privileges: a role that does not own the tables
CREATE ROLE r_intruder;
SET ROLE r_intruder;
SELECT detail, sqlstate FROM uuid7_migration_plan(ARRAY['r_parent']::regclass[]);
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[]);
RESET ROLE;

-- after all these refusals, nothing changed
SELECT s.relname, s.relfilenode = c.relfilenode AS same_file
  FROM r_snapshot s JOIN pg_class c USING (relname) ORDER BY 1;
SELECT count(*) AS maps FROM pg_class WHERE relname LIKE '%uuid7_map';
SELECT count(*) AS registered FROM uuid7_state.uuid7_migrated_table;

-- a cancelled migration (statement_timeout) leaves everything as before
INSERT INTO r_parent SELECT g, g FROM generate_series(11, 200000) g;
SET statement_timeout = '50ms';
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[]);
RESET statement_timeout;
SELECT atttypid::regtype FROM pg_attribute WHERE attrelid = 'r_child'::regclass AND attname = 'parent_id';
SELECT count(*) AS maps FROM pg_class WHERE relname LIKE '%uuid7_map';
-- and the same call then succeeds
SELECT uuid7_migrate(ARRAY['r_parent']::regclass[]);
SELECT atttypid::regtype FROM pg_attribute WHERE attrelid = 'r_child'::regclass AND attname = 'parent_id';

-- lookups on a table that was not migrated
SELECT uuid7_mapped_id('r_nokey', 1);
SELECT uuid7_legacy_id('r_nokey', '00000000-0000-0000-0000-000000000000');

DROP TABLE r_child, r_parent, r_nokey, r_textkey, r_pair, r_snapshot, uuid7_mapping.r_parent_uuid7_map;
DROP SCHEMA uuid7_mapping;
DROP FUNCTION r_trg();
DROP ROLE r_intruder;
DELETE FROM uuid7_state.uuid7_migrated_table;
