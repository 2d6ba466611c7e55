-- src/sql/state_policies.sql — who may see and change the rows of the extension's state tables (row security).

-- The tables and their policies are made by state_tables.sql (install only); the expressions are set here, so that an
-- upgrade replays them. A policy's expression is bound when it is set: every operator in it is qualified, and the
-- checks are functions with a pinned search_path, so that nothing an owner of the extension's schema plants can be
-- bound into them (a reader of the state would run it).
--   read:   a row is visible to the roles acting as the role that started (or migrated) it, and to roles that may
--           SELECT its tables: nobody else learns of another role's migrations
--   write:  no policy: no role but the owner may write the tables; the extension's functions do (state_writes.sql),
--           for roles acting as a migration's starter, and only rows that name tables the writer owns

-- Whether the current role has the rights of the role named (is it, or inherits from it); false once it is dropped.
CREATE OR REPLACE FUNCTION uuid7_acts_as(role_name name) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = role_name AND pg_has_role(r.oid, 'USAGE'))
$fn$;
COMMENT ON FUNCTION uuid7_acts_as(name) IS
	'internal: whether the current role has the rights of the role named (false when it no longer exists)';

-- The same for a role given by OID (false when no role has it).
CREATE OR REPLACE FUNCTION uuid7_acts_as(role_oid oid) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = role_oid AND pg_has_role(r.oid, 'USAGE'))
$fn$;
COMMENT ON FUNCTION uuid7_acts_as(oid) IS
	'internal: whether the current role has the rights of the role with this OID (false when there is none)';

-- Whether the current role owns, through its roles, every relation of the list that exists.
CREATE OR REPLACE FUNCTION uuid7_owns_all(rels oid[]) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ANY (rels) AND NOT pg_has_role(c.relowner, 'USAGE'))
$fn$;
COMMENT ON FUNCTION uuid7_owns_all(oid[]) IS
	'internal: whether the current role owns (through its roles) every relation of the list that exists';

-- Whether the current role may SELECT every relation of the list (one that no longer exists: no).
CREATE OR REPLACE FUNCTION uuid7_may_read_all(rels oid[]) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT NOT EXISTS (SELECT 1 FROM unnest(rels) AS r(rel) WHERE NOT coalesce(has_table_privilege(r.rel, 'SELECT'), false))
$fn$;
COMMENT ON FUNCTION uuid7_may_read_all(oid[]) IS
	'internal: whether the current role may SELECT every relation of the list';

-- Whether the current role acts as the role that started the online migration.
CREATE OR REPLACE FUNCTION uuid7_online_acts_as_starter(migration bigint) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_migration m
				   WHERE m.id = migration AND @extschema@.uuid7_acts_as(m.starter))
$fn$;
COMMENT ON FUNCTION uuid7_online_acts_as_starter(bigint) IS
	'internal: whether the current role acts as the role that started the online migration';

ALTER POLICY uuid7_migrated_table_read ON uuid7_state.uuid7_migrated_table
	USING (@extschema@.uuid7_acts_as(migrated_by) OR @extschema@.uuid7_may_read_all(ARRAY[relid::pg_catalog.oid]));

ALTER POLICY uuid7_online_migration_read ON uuid7_state.uuid7_online_migration
	USING (@extschema@.uuid7_acts_as(starter) OR @extschema@.uuid7_may_read_all(tables::pg_catalog.oid[]));

ALTER POLICY uuid7_online_table_read ON uuid7_state.uuid7_online_table
	USING (@extschema@.uuid7_online_acts_as_starter(migration_id) OR @extschema@.uuid7_may_read_all(ARRAY[relid::pg_catalog.oid]));

ALTER POLICY uuid7_online_column_read ON uuid7_state.uuid7_online_column
	USING (@extschema@.uuid7_online_acts_as_starter(migration_id) OR @extschema@.uuid7_may_read_all(ARRAY[relid::pg_catalog.oid]));

ALTER POLICY uuid7_online_object_read ON uuid7_state.uuid7_online_object
	USING (@extschema@.uuid7_online_acts_as_starter(migration_id) OR @extschema@.uuid7_may_read_all(ARRAY[relid::pg_catalog.oid]));

-- ---- acting on an online migration ------------------------------------------------------------------------------
-- Resume, finish and abort act as the role that started the migration: the caller must act as that role (be it,
-- inherit from it, or be a superuser), and a caller that is not that role itself switches to it for the rest of the
-- transaction (SET LOCAL ROLE), so that nobody — a superuser least of all — runs a migration's statements, or code
-- its tables set off, with rights the starter does not have. Returns the role setting to restore afterwards
-- (uuid7_online_restore_role). A migration the caller cannot see does not exist for it.
CREATE OR REPLACE FUNCTION uuid7_online_become_starter(migration bigint, action text) RETURNS text
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	starter name;
	saved text := current_setting('role');
BEGIN
	SELECT om.starter, om.started_by INTO m FROM uuid7_state.uuid7_online_migration om WHERE om.id = migration;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'online migration % does not exist', migration USING ERRCODE = '42704';
	END IF;
	-- the role by OID, under its name of now
	SELECT r.rolname INTO starter FROM pg_roles r WHERE r.oid = m.starter;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role "%", which started online migration %, does not exist', m.started_by, migration USING ERRCODE = '42704',
			DETAIL = 'An online migration is resumed, finished and aborted as the role that started it.',
			HINT = 'As a superuser, set uuid7_state.uuid7_online_migration.starter to the OID of the role that owns the tables now.';
	END IF;
	IF NOT @extschema@.uuid7_acts_as(m.starter) THEN
		RAISE EXCEPTION 'permission denied to % online migration %', action, migration USING ERRCODE = '42501',
			DETAIL = format('Only role %I, which started it, and the roles that have its rights may.', starter);
	END IF;
	IF starter <> current_user THEN
		PERFORM set_config('role', starter, true);
	END IF;
	RETURN saved;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_become_starter(bigint, text) IS
	'internal to the online migration: checks that the current role acts as the starter of the migration and switches to that role for the transaction; returns the role setting to restore';

CREATE OR REPLACE FUNCTION uuid7_online_restore_role(saved text) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	PERFORM set_config('role', saved, true);
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_restore_role(text) IS
	'internal to the online migration: restores the role setting uuid7_online_become_starter() returned';
