-- uuid7 1.6 -> 2.0, the part CREATE OR REPLACE cannot do. The engine's SQL is laid out by topic (src/sql/) and the
-- scripts are built from it, so the upgrade replays every topic file after this part.

-- The state holds data, never statements: the statement that builds an index or foreign key twin is derived from the
-- catalog when it is built (from the object it is the twin of), and the trigger functions of migrations started
-- before 1.4 are found from their triggers. Migrations in flight keep going: their twins' sources are read off the
-- names the engine gave them (uuid7_ix_<index oid>, uuid7_fk_<constraint oid>) since 1.1.
ALTER TABLE uuid7_online_object ADD COLUMN source oid;
COMMENT ON COLUMN uuid7_online_object.source IS
	'the index, CHECK constraint or foreign key the object is the twin of (2.0; NULL for the NOT NULL proof): its statement is derived from the catalog when it is built, never stored';
UPDATE uuid7_online_object SET source = substring(new_name FROM '^uuid7_(?:ix|fk)_([0-9]+)$')::oid
 WHERE kind IN ('index', 'foreign key');
ALTER TABLE uuid7_online_object DROP COLUMN create_sql;
ALTER TABLE uuid7_online_table DROP COLUMN sync_function;
-- CHECK constraints over a converted column get a twin too (2.0)
ALTER TABLE uuid7_online_object DROP CONSTRAINT uuid7_online_object_kind_check,
	ADD CONSTRAINT uuid7_online_object_kind_check CHECK (kind IN ('index', 'notnull', 'check', 'foreign key'));
-- the one text of the state that is put into a statement as it is: only the clauses the engine writes
ALTER TABLE uuid7_online_object ADD CONSTRAINT uuid7_online_object_deferrable_clause_check
	CHECK (deferrable_clause IN ('', ' DEFERRABLE', ' DEFERRABLE INITIALLY DEFERRED'));

-- A migration's starter by OID: a role renamed keeps its migrations, and a new role given the old name is not taken for
-- it. Migrations whose starter is gone already get NULL (nobody acts as it; a superuser may set it).
-- (regrole: a dump names the role, and a restore finds it by that name in the cluster it goes to.)
ALTER TABLE uuid7_online_migration ADD COLUMN starter regrole;
COMMENT ON COLUMN uuid7_online_migration.starter IS
	'the role that started the migration (2.0): resume, finish, abort and the worker act as this role, whatever its name is now';
UPDATE uuid7_online_migration m SET starter = r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) m.started_by;

-- Backups: the online state is extension configuration, so that pg_dump carries it (1.6 dumped the registry only, and
-- a dump taken during a migration restored with sync triggers that refused every write). A restored copy of the state
-- is told apart by its home (NULL here: migrations in flight are stamped by their next step, without a re-scan).
ALTER TABLE uuid7_online_migration ADD COLUMN home text;
COMMENT ON COLUMN uuid7_online_migration.home IS
	'uuid7_online_home() when the state was last written by the engine (2.0): a restored copy of the state has another, and its first step makes the state valid there (uuid7_online_rehome)';
SELECT pg_catalog.pg_extension_config_dump('uuid7_online_migration', '');
SELECT pg_catalog.pg_extension_config_dump('uuid7_online_migration_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('uuid7_online_table', '');
SELECT pg_catalog.pg_extension_config_dump('uuid7_online_column', '');
SELECT pg_catalog.pg_extension_config_dump('uuid7_online_object', '');

-- Nobody but the owner writes the state any more: the extension's functions do (state_writes.sql). With UPDATE or
-- DELETE granted, any role could LOCK a state table in ACCESS EXCLUSIVE mode and stall every online migration, and
-- write the progress columns of its own migrations to values the engine then acts on.
REVOKE INSERT, UPDATE, DELETE ON uuid7_migrated_table, uuid7_online_migration, uuid7_online_table,
	uuid7_online_column, uuid7_online_object FROM PUBLIC;
DROP POLICY uuid7_migrated_table_add ON uuid7_migrated_table;
DROP POLICY uuid7_online_migration_write ON uuid7_online_migration;
DROP POLICY uuid7_online_table_write ON uuid7_online_table;
DROP POLICY uuid7_online_column_write ON uuid7_online_column;
DROP POLICY uuid7_online_object_write ON uuid7_online_object;

-- The default schema of the mapping tables (uuid7_mapping) is created by the start of the migration that first needs
-- it; its abort drops it again (when empty), as everything else the migration added.
ALTER TABLE uuid7_online_migration ADD COLUMN created_schema name;
COMMENT ON COLUMN uuid7_online_migration.created_schema IS
	'the schema of the mapping tables that the start created (2.0; uuid7_mapping, or NULL): abort drops it again unless something else is in it by then';

-- The state moves to a schema of its own, uuid7_state, a member of the extension (see src/sql/state_tables.sql): in the
-- extension's schema, tools that dump an application's schema took the tables for the application's. ALTER TABLE
-- SET SCHEMA keeps the rows, the OIDs (a running worker's locks are tagged with uuid7_online_migration's OID), the
-- identity sequence, policies, grants and the tables' place in the extension's configuration.
CREATE SCHEMA uuid7_state;
COMMENT ON SCHEMA uuid7_state IS 'the uuid7 extension''s own state: migrated tables and online migrations (read them through the functions and uuid7_migration_status)';
GRANT USAGE ON SCHEMA uuid7_state TO PUBLIC;
ALTER TABLE uuid7_migrated_table SET SCHEMA uuid7_state;
ALTER TABLE uuid7_online_migration SET SCHEMA uuid7_state;
ALTER TABLE uuid7_online_table SET SCHEMA uuid7_state;
ALTER TABLE uuid7_online_column SET SCHEMA uuid7_state;
ALTER TABLE uuid7_online_object SET SCHEMA uuid7_state;
