-- src/sql/state_tables.sql — the extension's own tables (install script only).

-- The extension's own tables: the registry of migrated tables and the state of online migrations. CREATE TABLE cannot
-- be replayed, so this file is part of the install script only; an upgrade changes these tables in its hand-written
-- part (src/sql/upgrade/).

-- The tables live in a schema of their own, uuid7_state, a member of the extension (it goes with DROP EXTENSION, and
-- pg_dump writes no DDL for it): beside the application's tables in the extension's schema (usually public), tools
-- that dump a schema's tables as the application's own (ActiveRecord's schema.rb, Django's and Prisma's schema diffs)
-- took them for the application's, and loading such a dump into a database with the extension failed on their
-- foreign keys. Everything a user calls or reads (functions, the status view) stays in the extension's schema. The
-- code finds it as the schema of that name that is a member of the extension (src/pg/online_locks.cpp).
-- ActiveRecord 7.1 and later write every schema of the database into schema.rb (create_schema "uuid7_state") and
-- create them before the extensions: an EMPTY schema of that name is dropped here and made again as the extension's
-- own (nothing is lost: DROP SCHEMA without CASCADE drops nothing in it, and refuses when anything is, default
-- privileges included). One that holds anything makes CREATE EXTENSION fail: the extension never adopts what a role
-- made, nor takes it away.
DO $drop_empty$
BEGIN
	DROP SCHEMA IF EXISTS uuid7_state RESTRICT;
EXCEPTION WHEN dependent_objects_still_exist THEN
	NULL;	-- not empty: CREATE SCHEMA below fails, naming it
END
$drop_empty$;
CREATE SCHEMA uuid7_state;
COMMENT ON SCHEMA uuid7_state IS 'the uuid7 extension''s own state: migrated tables and online migrations (read them through the functions and uuid7_migration_status)';
-- every role reads the state (under row security, below); nobody but the extension's owner creates anything in it
GRANT USAGE ON SCHEMA uuid7_state TO PUBLIC;

-- Registry of migrated tables: one row per table, pointing at its mapping table. Registered with
-- pg_extension_config_dump so pg_dump keeps its rows. The mapping tables themselves are ordinary tables (not
-- members of the extension): DROP EXTENSION cannot remove them silently (their new_id default depends on
-- uuid_generate_v7(), so DROP EXTENSION without CASCADE is refused, and CASCADE drops only that default).

CREATE TABLE uuid7_state.uuid7_migrated_table (
	relid regclass PRIMARY KEY,
	key_column name NOT NULL,
	old_type regtype NOT NULL,
	mapping_table regclass NOT NULL,
	uuid_version integer NOT NULL CHECK (uuid_version IN (6, 7)),
	timestamp_column name,
	migrated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	migrated_by name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE uuid7_state.uuid7_migrated_table IS
	'tables migrated to uuid keys by uuid7_migrate(), with their old key -> new key mapping tables';
SELECT pg_catalog.pg_extension_config_dump('uuid7_state.uuid7_migrated_table', '');

-- Every role reads the state under row security (the policies' expressions are in state_policies.sql, replayed by
-- upgrades); none but the owner writes it: the extension's functions do (state_writes.sql), after their own checks.
GRANT SELECT ON uuid7_state.uuid7_migrated_table TO PUBLIC;
ALTER TABLE uuid7_state.uuid7_migrated_table ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_migrated_table_read ON uuid7_state.uuid7_migrated_table FOR SELECT USING (false);

-- ---- state: everything the worker needs to stop and resume lives in these tables ----------------------------

CREATE TABLE uuid7_state.uuid7_online_migration (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tables regclass[] NOT NULL,
	options jsonb NOT NULL,			-- as given to uuid7_migration_start()
	plan_options jsonb NOT NULL,	-- the part uuid7_migration_plan() understands
	phase text NOT NULL DEFAULT 'map'
		CHECK (phase IN ('map', 'expand', 'backfill', 'index', 'constrain', 'verify', 'ready', 'finished', 'aborted')),
	state text NOT NULL DEFAULT 'running'
		CHECK (state IN ('running', 'waiting', 'failed', 'blocked', 'ready', 'finished', 'aborted')),
	worker_pid integer,
	lock_attempts integer NOT NULL DEFAULT 0,
	key_time_base timestamptz,		-- new keys of existing rows are made from here on, one millisecond per batch
	last_error text,
	started_by name NOT NULL DEFAULT CURRENT_USER,
	started_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	finished_at timestamptz,
	-- when the worker was handed its last top-level statement: the next step rests in proportion to its duration
	run_started_at timestamptz,
	-- the role that started it (started_by is its name at the start): regrole, so that a dump names it and a restore
	-- finds it by that name in the cluster it goes to, where OIDs differ
	starter regrole,
	home text,						-- where the state was written: see uuid7_online_home()
	created_schema name				-- the schema of the mapping tables the start created (abort drops it when empty)
);
COMMENT ON TABLE uuid7_state.uuid7_online_migration IS
	'online migrations started by uuid7_migration_start(): phase, state and options of each';
COMMENT ON COLUMN uuid7_state.uuid7_online_migration.starter IS
	'the role that started the migration (2.0): resume, finish, abort and the worker act as this role, whatever its name is now';
COMMENT ON COLUMN uuid7_state.uuid7_online_migration.created_schema IS
	'the schema of the mapping tables that the start created (2.0; uuid7_mapping, or NULL): abort drops it again unless something else is in it by then';
COMMENT ON COLUMN uuid7_state.uuid7_online_migration.home IS
	'uuid7_online_home() when the state was last written by the engine (2.0): a restored copy of the state has another, and its first step makes the state valid there (uuid7_online_rehome)';

CREATE TABLE uuid7_state.uuid7_online_table (
	migration_id bigint NOT NULL REFERENCES uuid7_state.uuid7_online_migration (id) ON DELETE CASCADE,
	relid regclass NOT NULL,
	ord integer NOT NULL,			-- processing order: listed tables first, in list order
	is_key boolean NOT NULL,		-- listed (its primary key is converted), else only referencing
	key_column name,
	old_type regtype,
	mapping_table regclass,
	uuid_version integer,
	map_cursor bigint,				-- last old key given a new key by the map phase
	map_batches integer NOT NULL DEFAULT 0,
	map_done boolean NOT NULL DEFAULT false,
	blocks_total bigint,
	next_block bigint NOT NULL DEFAULT 0,
	rows_total bigint,
	rows_done bigint NOT NULL DEFAULT 0,
	batches_since_vacuum integer NOT NULL DEFAULT 0,
	vacuums integer NOT NULL DEFAULT 0,
	backfill_started_at timestamptz,
	backfill_done_at timestamptz,
	-- map rounds: the highest key a round maps, and the transactions it waits for first (see uuid7_online_step_map)
	map_horizon bigint,
	map_wait text[],
	map_round_start bigint,
	vacuumed_after text,
	PRIMARY KEY (migration_id, relid)
);
COMMENT ON TABLE uuid7_state.uuid7_online_table IS
	'tables altered by an online migration, with the backfill cursor of each';
COMMENT ON COLUMN uuid7_state.uuid7_online_table.map_round_start IS
	'the map cursor when the current map round started (NULL in the first round)';
COMMENT ON COLUMN uuid7_state.uuid7_online_table.vacuumed_after IS
	'the last phase at whose end the worker handed out a VACUUM of this table (1.6)';

CREATE TABLE uuid7_state.uuid7_online_column (
	migration_id bigint NOT NULL REFERENCES uuid7_state.uuid7_online_migration (id) ON DELETE CASCADE,
	relid regclass NOT NULL,
	attname name NOT NULL,			-- the integer column
	new_name name NOT NULL,			-- its uuid twin until the swap
	source regclass NOT NULL,		-- the listed table whose mapping gives the values
	PRIMARY KEY (migration_id, relid, attname)
);
COMMENT ON TABLE uuid7_state.uuid7_online_column IS
	'integer columns converted by an online migration and the uuid column that replaces each at the swap';

CREATE TABLE uuid7_state.uuid7_online_object (
	migration_id bigint NOT NULL REFERENCES uuid7_state.uuid7_online_migration (id) ON DELETE CASCADE,
	ord integer NOT NULL,
	kind text NOT NULL CONSTRAINT uuid7_online_object_kind_check CHECK (kind IN ('index', 'notnull', 'check', 'foreign key')),
	relid regclass NOT NULL,
	old_name name,					-- index or constraint it replaces at the swap
	contype "char",					-- p or u when the index backs that constraint
	deferrable_clause text NOT NULL DEFAULT ''
		CONSTRAINT uuid7_online_object_deferrable_clause_check
		CHECK (deferrable_clause IN ('', ' DEFERRABLE', ' DEFERRABLE INITIALLY DEFERRED')),
	new_name name NOT NULL,
	validate boolean NOT NULL DEFAULT true,
	done boolean NOT NULL DEFAULT false,
	source oid,						-- the index, CHECK or foreign key it is the twin of (NULL for notnull); a restore finds it again by old_name
	PRIMARY KEY (migration_id, ord)
);
COMMENT ON TABLE uuid7_state.uuid7_online_object IS
	'indexes and constraints an online migration builds beside the old ones and swaps in';
COMMENT ON COLUMN uuid7_state.uuid7_online_object.source IS
	'the index, CHECK constraint or foreign key the object is the twin of (2.0; NULL for the NOT NULL proof): its statement is derived from the catalog when it is built, never stored';

-- Extension configuration: pg_dump carries their rows (and the next migration id), so that a dump taken during a
-- migration restores into a database where the sync triggers work and the migration can be resumed, finished or
-- aborted (docs/online-migration.md, "Backups during a migration"). Their row order on restore follows the foreign keys.
SELECT pg_catalog.pg_extension_config_dump('uuid7_state.uuid7_online_migration', '');
SELECT pg_catalog.pg_extension_config_dump('uuid7_state.uuid7_online_migration_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('uuid7_state.uuid7_online_table', '');
SELECT pg_catalog.pg_extension_config_dump('uuid7_state.uuid7_online_column', '');
SELECT pg_catalog.pg_extension_config_dump('uuid7_state.uuid7_online_object', '');

-- Read under row security, written only through the extension's functions (state_writes.sql), as for the registry.
GRANT SELECT ON uuid7_state.uuid7_online_migration, uuid7_state.uuid7_online_table, uuid7_state.uuid7_online_column,
	uuid7_state.uuid7_online_object TO PUBLIC;
ALTER TABLE uuid7_state.uuid7_online_migration ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_online_migration_read ON uuid7_state.uuid7_online_migration FOR SELECT USING (false);
ALTER TABLE uuid7_state.uuid7_online_table ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_online_table_read ON uuid7_state.uuid7_online_table FOR SELECT USING (false);
ALTER TABLE uuid7_state.uuid7_online_column ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_online_column_read ON uuid7_state.uuid7_online_column FOR SELECT USING (false);
ALTER TABLE uuid7_state.uuid7_online_object ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_online_object_read ON uuid7_state.uuid7_online_object FOR SELECT USING (false);
