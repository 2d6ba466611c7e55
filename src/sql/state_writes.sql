-- src/sql/state_writes.sql — the only way to write the extension's state tables (src/pg/online_state.cpp).

-- No role holds INSERT, UPDATE or DELETE on the state tables: none can lock them against the others, nor write a
-- value the extension would later act on. These functions check the caller (a migration is started by the owner of
-- its tables; every later write comes from a role acting as its starter) and write as the tables' owner, with a
-- statement of their own: the caller gives values, only for the columns that hold a migration's progress.

CREATE OR REPLACE FUNCTION uuid7_online_state_create(tables regclass[], options jsonb, plan_options jsonb)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uuid7_online_state_create'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION uuid7_online_state_create(regclass[], jsonb, jsonb) IS
	'internal to the online migration: records a new migration of tables (which the current role must own), started by the current role; returns its id';

CREATE OR REPLACE FUNCTION uuid7_online_state_insert(migration bigint, target text, rows jsonb)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uuid7_online_state_insert'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION uuid7_online_state_insert(bigint, text, jsonb) IS
	'internal to the online migration: adds rows (a JSON array of objects) to a state table of the migration; the current role must act as its starter and own the tables the rows name';

CREATE OR REPLACE FUNCTION uuid7_online_state_update(migration bigint, target text, changes jsonb,
	relid regclass DEFAULT NULL, ord integer DEFAULT NULL, expect jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uuid7_online_state_update'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION uuid7_online_state_update(bigint, text, jsonb, regclass, integer, jsonb) IS
	'internal to the online migration: sets the progress columns named in changes on the rows of the migration (of one table, or one object) that contain expect; the current role must act as its starter; returns the rows changed';

CREATE OR REPLACE FUNCTION uuid7_online_state_lock(migration bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'uuid7_online_state_lock'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION uuid7_online_state_lock(bigint) IS
	'internal to the online migration: locks the migration''s row until the transaction ends (false when the caller sees no such migration); the current role must act as its starter';

CREATE OR REPLACE FUNCTION uuid7_register_migrated(relid regclass, key_column name, old_type regtype,
	mapping_table regclass, uuid_version integer, timestamp_column name)
RETURNS void
AS 'MODULE_PATHNAME', 'uuid7_register_migrated'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION uuid7_register_migrated(regclass, name, regtype, regclass, integer, name) IS
	'internal to the migration: registers a migrated table and its mapping table (both owned by the current role), migrated by the current role';
