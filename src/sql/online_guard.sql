-- src/sql/online_guard.sql — the DDL guard: event triggers that refuse DDL which would strand an online migration.

-- While a migration is active (state not finished or aborted), its state names tables, columns, indexes, constraints
-- and triggers by OID and by name, and the sync trigger, the worker, finish and abort act on them. DDL that changes
-- them behind the migration's back strands it (seen on 1.6: a RENAME COLUMN broke every application write, a DROP
-- TABLE made finish and abort fail for good, a new index or foreign key on a converted column was dropped silently
-- at the swap). The guard refuses such DDL with 55006 (object_in_use), naming the migration and saying how to finish
-- or abort it:
--   sql_drop           a table of the migration or its mapping table; a converted column or its uuid twin; an index
--                      or foreign key the migration builds a twin of, a twin, the NOT NULL proof; the sync trigger
--   ddl_command_end    after any command that touched a table of the migration (or a table with a foreign key to
--                      one): a converted column renamed, a key column's type changed, an index or foreign key the
--                      migration twins renamed or rebuilt (ALTER COLUMN TYPE rebuilds them), a twin renamed, the
--                      sync trigger renamed or disabled, a uuid twin column renamed, NOT NULL dropped from a column
--                      whose twin the migration proves NOT NULL, a mapping table renamed or moved (the sync trigger
--                      names it), a new index over a converted column that the migration does not twin (ADD UNIQUE),
--                      a foreign key to a key under migration or from a converted column
--   ddl_command_start  CREATE INDEX on a converted column, before it is built (CREATE INDEX CONCURRENTLY commits
--                      its build before ddl_command_end could refuse it)
-- The event triggers run the C function uuid7_online_ddl_guard() (src/pg/online_guard.cpp), which reads the state
-- through uuid7_online_guard_violation() as the state tables' owner (a role doing DDL may not see the migration
-- under the state's row security) and skips the one migration whose own DDL is running: the worker's, and that of
-- finish and abort (uuid7_online_guard_pass).

-- The migrations the guard protects: active (not finished or aborted), but for allowed (the migration whose own DDL
-- is running), and living here: one whose state was written elsewhere (restored from a dump, not yet resumed here)
-- is left alone, as the restore itself creates the indexes and constraints its state names after the state's rows.
CREATE OR REPLACE FUNCTION uuid7_online_guarded(allowed bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT m.id FROM uuid7_state.uuid7_online_migration m
	 WHERE m.state NOT IN ('finished', 'aborted') AND m.id IS DISTINCT FROM allowed
	   AND (m.home IS NULL OR m.home = @extschema@.uuid7_online_home())
$fn$;
COMMENT ON FUNCTION uuid7_online_guarded(bigint) IS
	'internal to the DDL guard: the ids of the online migrations it protects (active, living in this database, but for allowed)';

-- The first violation of an active migration by the DDL being run (at most one row; none when there is no active
-- migration, the cheap case). event is the event trigger's event; allowed the migration whose own DDL this is (not
-- checked); index_table and index_columns, for ddl_command_start, the table of a CREATE INDEX and the column names
-- its key, INCLUDE columns, expressions and predicate mention. Reads pg_event_trigger_ddl_commands() or
-- pg_event_trigger_dropped_objects(), which only an event trigger may call.
CREATE OR REPLACE FUNCTION uuid7_online_guard_violation(event text, allowed bigint, index_table oid DEFAULT NULL,
	index_columns text[] DEFAULT NULL)
RETURNS TABLE (migration_id bigint, message text, detail text, hint text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text;
BEGIN
	-- the common case, and all it costs: no active migration
	IF NOT EXISTS (SELECT 1 FROM @extschema@.uuid7_online_guarded(allowed)) THEN
		RETURN;
	END IF;
	ext := @extschema@.uuid7_extension_schema();

	IF event = 'sql_drop' THEN
		RETURN QUERY
		WITH active AS (
			SELECT g.id FROM @extschema@.uuid7_online_guarded(allowed) AS g(id)
		), tabs AS (
			SELECT t.migration_id AS mid, t.relid::oid AS relid, t.mapping_table::oid AS mapping,
				   n.nspname::text AS nsp, c.relname::text AS rel
			  FROM uuid7_state.uuid7_online_table t
			  JOIN active a ON a.id = t.migration_id
			  LEFT JOIN pg_class c ON c.oid = t.relid
			  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
		), dropped AS (
			SELECT * FROM pg_event_trigger_dropped_objects()
		), hits AS (
			SELECT t.mid, d.original, d.object_type, d.object_identity, 'table' AS kind
			  FROM dropped d JOIN tabs t ON d.objid IN (t.relid, t.mapping)
			 WHERE d.classid = 'pg_class'::regclass::oid AND d.objsubid = 0
			UNION ALL
			-- a dropped column is named in address_names (its pg_attribute row is renamed already)
			SELECT t.mid, d.original, d.object_type, d.object_identity, 'column'
			  FROM dropped d JOIN tabs t ON d.objid = t.relid
			  JOIN uuid7_state.uuid7_online_column oc ON oc.migration_id = t.mid AND oc.relid = t.relid
			 WHERE d.classid = 'pg_class'::regclass::oid AND d.objsubid <> 0
			   AND d.address_names[3] IN (oc.attname::text, oc.new_name::text)
			UNION ALL
			SELECT t.mid, d.original, d.object_type, d.object_identity, 'object'
			  FROM dropped d
			  JOIN uuid7_state.uuid7_online_object o ON true
			  JOIN tabs t ON t.mid = o.migration_id AND t.relid = o.relid
			 WHERE (o.source IS NOT NULL AND d.objid = o.source
					AND d.classid = CASE o.kind WHEN 'index' THEN 'pg_class'::regclass::oid ELSE 'pg_constraint'::regclass::oid END)
				OR (o.kind = 'index' AND d.classid = 'pg_class'::regclass::oid AND d.address_names = ARRAY[t.nsp, o.new_name::text])
				OR (o.kind <> 'index' AND d.classid = 'pg_constraint'::regclass::oid
					AND d.address_names = ARRAY[t.nsp, t.rel, o.new_name::text])
			UNION ALL
			SELECT t.mid, d.original, d.object_type, d.object_identity, 'trigger'
			  FROM dropped d JOIN tabs t ON d.address_names = ARRAY[t.nsp, t.rel, 'zz_uuid7_sync_' || t.mid]
			 WHERE d.classid = 'pg_trigger'::regclass::oid
		)
		SELECT h.mid,
			   format('cannot drop %s %s: online migration %s depends on it', h.object_type, h.object_identity, h.mid),
			   CASE h.kind
				   WHEN 'table' THEN 'Its sync triggers, uuid twin columns and state would be left behind, and finish and abort would fail.'
				   WHEN 'column' THEN 'The migration converts this column (or fills this uuid twin of one): the sync trigger writes it on every INSERT and UPDATE, and the swap replaces it.'
				   WHEN 'trigger' THEN 'The sync trigger keeps the uuid twin columns up to date with the application''s writes.'
				   ELSE 'The migration builds a uuid twin of this object, or it is one; the swap replaces the old object by its twin.'
			   END,
			   format('Finish the migration first (SELECT %s.uuid7_migration_finish(%s)) or abort it (SELECT %s.uuid7_migration_abort(%s)), then run the statement again.',
					  ext, h.mid, ext, h.mid)
		  FROM hits h
		 ORDER BY h.original DESC, h.mid
		 LIMIT 1;

	ELSIF event = 'ddl_command_start' THEN
		-- CREATE INDEX mentioning a converted column: refused before anything is built
		RETURN QUERY
		SELECT oc.migration_id,
			   format('cannot create an index on column %s.%I: online migration %s converts it', oc.relid, oc.attname, oc.migration_id),
			   'The swap drops the integer column, and with it every index on it that the migration did not build a uuid twin of (it twins only the indexes that existed at its start).',
			   format('Create the index after SELECT %s.uuid7_migration_finish(%s) (the column is then uuid), or abort the migration (SELECT %s.uuid7_migration_abort(%s)), create the index and start again.',
					  ext, oc.migration_id, ext, oc.migration_id)
		  FROM uuid7_state.uuid7_online_column oc
		 WHERE oc.migration_id IN (SELECT g.id FROM @extschema@.uuid7_online_guarded(allowed) AS g(id))
		   AND oc.relid = index_table AND oc.attname::text = ANY (index_columns)
		 ORDER BY oc.migration_id, oc.attname
		 LIMIT 1;

	ELSIF event = 'ddl_command_end' THEN
		RETURN QUERY
		WITH active AS (
			SELECT g.id FROM @extschema@.uuid7_online_guarded(allowed) AS g(id)
		), touched AS (
			-- the relations the commands created or altered: a table, or the table of an index, constraint or trigger
			SELECT coalesce(i.indrelid, con.conrelid, tg.tgrelid, cmd.objid) AS relid
			  FROM pg_event_trigger_ddl_commands() cmd
			  LEFT JOIN pg_index i ON cmd.classid = 'pg_class'::regclass::oid AND i.indexrelid = cmd.objid
			  LEFT JOIN pg_constraint con ON cmd.classid = 'pg_constraint'::regclass::oid AND con.oid = cmd.objid
			  LEFT JOIN pg_trigger tg ON cmd.classid = 'pg_trigger'::regclass::oid AND tg.oid = cmd.objid
			 WHERE cmd.classid IN ('pg_class'::regclass::oid, 'pg_constraint'::regclass::oid, 'pg_trigger'::regclass::oid)
		), reached AS (
			-- and the tables their foreign keys reference: a new table referencing a key under migration
			SELECT x.relid FROM touched x
			UNION
			SELECT f.confrelid FROM pg_constraint f JOIN touched x ON f.conrelid = x.relid WHERE f.contype = 'f'
		), mig AS (
			SELECT DISTINCT t.migration_id AS mid
			  FROM uuid7_state.uuid7_online_table t
			  JOIN active a ON a.id = t.migration_id
			  JOIN reached r ON r.relid IN (t.relid, t.mapping_table)
		), tabs AS (
			SELECT t.*, c.relnamespace,
				   EXISTS (SELECT 1 FROM pg_trigger tg WHERE tg.tgrelid = t.relid AND tg.tgname = 'zz_uuid7_sync_' || t.migration_id) AS synced,
				   (SELECT k.conkey FROM pg_constraint k WHERE k.conrelid = t.relid AND k.conname = 'uuid7_nn_' || t.migration_id) AS proven
			  FROM uuid7_state.uuid7_online_table t
			  JOIN mig ON mig.mid = t.migration_id
			  JOIN pg_class c ON c.oid = t.relid
		), cols AS (
			SELECT oc.migration_id AS mid, oc.relid::oid AS relid, oc.attname, oc.new_name, t.synced,
				   t.is_key AND oc.attname = t.key_column AS is_key, t.old_type,
				   a.attnum, a.atttypid, a.attnotnull, tw.attnum AS twin_attnum, tw.attnum = ANY (t.proven) AS proven
			  FROM uuid7_state.uuid7_online_column oc
			  JOIN tabs t ON t.migration_id = oc.migration_id AND t.relid = oc.relid
			  LEFT JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname AND NOT a.attisdropped
			  LEFT JOIN pg_attribute tw ON tw.attrelid = oc.relid AND tw.attname = oc.new_name AND NOT tw.attisdropped
		), objs AS (
			SELECT o.*, t.relnamespace FROM uuid7_state.uuid7_online_object o
			  JOIN tabs t ON t.migration_id = o.migration_id AND t.relid = o.relid
		), hits AS (
			SELECT c.mid, 1 AS prio, format('rename or drop column %s.%I', c.relid::regclass, c.attname) AS what,
				   'The migration converts this column: the sync trigger reads it by name on every INSERT and UPDATE, and the swap replaces it.' AS why
			  FROM cols c WHERE c.attnum IS NULL
			UNION ALL
			SELECT c.mid, 1, format('change the type of column %s.%I', c.relid::regclass, c.attname),
				   format('The migration maps its %s values to new keys; the swap replaces it by its uuid twin.', c.old_type)
			  FROM cols c WHERE c.is_key AND c.atttypid <> c.old_type
			UNION ALL
			SELECT c.mid, 1, format('rename or drop column %s.%I', c.relid::regclass, c.new_name),
				   'It is the uuid twin of column ' || quote_ident(c.attname) || ': the sync trigger writes it, and the swap gives it the old column''s name.'
			  FROM cols c WHERE c.synced AND c.twin_attnum IS NULL
			UNION ALL
			SELECT c.mid, 1, format('drop NOT NULL of column %s.%I', c.relid::regclass, c.attname),
				   'A check constraint of the migration proves its uuid twin NOT NULL: a NULL written now would make the application''s INSERT or UPDATE fail.'
			  FROM cols c WHERE c.proven AND NOT c.attnotnull
			UNION ALL
			SELECT t.migration_id, 1, format('disable trigger %I on %s', tg.tgname, t.relid),
				   'The sync trigger keeps the uuid twin columns up to date: rows written without it would block the finish until a new backfill.'
			  FROM tabs t JOIN pg_trigger tg ON tg.tgrelid = t.relid AND tg.tgname = 'zz_uuid7_sync_' || t.migration_id
			 WHERE tg.tgenabled = 'D'
			UNION ALL
			SELECT t.migration_id, 1, format('rename or drop trigger %I on %s', 'zz_uuid7_sync_' || t.migration_id, t.relid),
				   'The sync trigger keeps the uuid twin columns up to date with the application''s writes.'
			  FROM tabs t
			 WHERE NOT t.synced AND EXISTS (SELECT 1 FROM cols c WHERE c.mid = t.migration_id AND c.relid = t.relid AND c.twin_attnum IS NOT NULL)
			UNION ALL
			-- the sync trigger checks its arguments (which name the mapping tables) against the state on every write:
			-- renaming a mapping table or moving it to another schema would make every write fail
			SELECT t.migration_id, 1, format('rename or move the mapping table of online migration %s', t.migration_id),
				   'The sync trigger of ' || t.relid::text || ' names it, and checks its arguments on every INSERT and UPDATE.'
			  FROM tabs t JOIN pg_trigger tg ON tg.tgrelid = t.relid AND tg.tgname = 'zz_uuid7_sync_' || t.migration_id
			 WHERE tg.tgfoid = '@extschema@.uuid7_online_sync()'::regprocedure	-- not the functions of migrations started before 1.4
			   AND tg.tgargs IS DISTINCT FROM (
					SELECT string_agg(convert_to(a.arg, current_setting('server_encoding')) || '\x00'::bytea, ''::bytea ORDER BY a.n)
					  FROM unnest(@extschema@.uuid7_online_sync_args(t.migration_id, t.relid)) WITH ORDINALITY AS a(arg, n))
			UNION ALL
			-- the objects the migration twins, found by OID and by the name the swap gives their twins
			SELECT o.migration_id, 2, format('rename, drop or rebuild %s %I of table %s', o.kind, o.old_name, o.relid),
				   'The migration builds a uuid twin of it and finds it by OID and name (ALTER COLUMN TYPE rebuilds indexes and foreign keys under new OIDs).'
			  FROM objs o
			 WHERE o.source IS NOT NULL AND CASE o.kind
				WHEN 'index' THEN NOT EXISTS (
					SELECT 1 FROM pg_class ci WHERE ci.oid = o.source
					   AND CASE WHEN o.contype IS NULL THEN ci.relname = o.old_name
								ELSE EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = o.source AND k.contype = o.contype AND k.conname = o.old_name) END)
				WHEN 'foreign key' THEN NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.oid = o.source AND k.conname = o.old_name)
				ELSE false END
			UNION ALL
			SELECT o.migration_id, 2, format('rename or drop %s %I of table %s', CASE o.kind WHEN 'notnull' THEN 'constraint' ELSE o.kind END, o.new_name, o.relid),
				   'It is a uuid twin the migration built; the swap puts it in place of the old object by this name.'
			  FROM objs o
			 WHERE o.done AND CASE o.kind
				WHEN 'index' THEN NOT EXISTS (SELECT 1 FROM pg_class ci WHERE ci.relname = o.new_name AND ci.relnamespace = o.relnamespace)
				ELSE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = o.relid AND k.conname = o.new_name) END
			UNION ALL
			-- an index with a converted column among its key or INCLUDE columns that is neither a source nor a twin:
			-- the swap would drop it with the column (ADD UNIQUE, PRIMARY KEY, EXCLUDE; CREATE INDEX, expressions and
			-- predicates included, is refused at ddl_command_start). Every such index of the start is a source.
			SELECT c.mid, 3, format('create index %I on column %s.%I', ci.relname, c.relid::regclass, c.attname),
				   'The swap drops the integer column, and with it every index on it that the migration did not build a uuid twin of (it twins only the indexes that existed at its start).'
			  FROM cols c
			  JOIN pg_index i ON i.indrelid = c.relid
			  JOIN pg_class ci ON ci.oid = i.indexrelid
			 WHERE c.attnum IS NOT NULL AND c.attnum = ANY (i.indkey::int2[])
			   AND NOT EXISTS (SELECT 1 FROM objs o WHERE o.migration_id = c.mid AND o.kind = 'index'
								  AND (o.source = i.indexrelid OR (o.relid = c.relid AND o.new_name = ci.relname)))
			UNION ALL
			-- a foreign key to a key under migration, or from a converted column, that the migration does not twin
			SELECT c.mid, 3, format('add foreign key %I on table %s', f.conname, f.conrelid::regclass),
				   CASE WHEN f.confrelid = c.relid AND c.is_key
						THEN format('It references key %s.%I, which the migration converts to uuid: the swap would drop it and leave the referencing column integer, holding old keys.', c.relid::regclass, c.attname)
						ELSE format('It is on column %s.%I, which the migration converts: the swap would drop it with the column.', c.relid::regclass, c.attname) END
			  FROM cols c
			  JOIN pg_constraint f ON f.contype = 'f'
				AND ((f.conrelid = c.relid AND c.attnum = ANY (f.conkey)) OR (c.is_key AND f.confrelid = c.relid AND c.attnum = ANY (f.confkey)))
			 WHERE c.attnum IS NOT NULL
			   AND NOT EXISTS (SELECT 1 FROM objs o WHERE o.migration_id = c.mid AND o.kind = 'foreign key'
								  AND (o.source = f.oid OR (o.relid = f.conrelid AND o.new_name = f.conname)))
		)
		SELECT h.mid,
			   format('cannot %s: online migration %s depends on it', h.what, h.mid),
			   h.why,
			   CASE WHEN h.prio = 3
					THEN format('Run it after SELECT %s.uuid7_migration_finish(%s) (the columns are then uuid), or abort the migration (SELECT %s.uuid7_migration_abort(%s)), run it, and start again.',
								ext, h.mid, ext, h.mid)
					ELSE format('Finish the migration first (SELECT %s.uuid7_migration_finish(%s)) or abort it (SELECT %s.uuid7_migration_abort(%s)), then run the statement again.',
								ext, h.mid, ext, h.mid) END
		  FROM hits h
		 ORDER BY h.prio, h.mid, h.what
		 LIMIT 1;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_guard_violation(text, bigint, oid, text[]) IS
	'internal to the DDL guard: the first change the DDL being run makes to what an active online migration (other than allowed) depends on; callable only inside an event trigger';

CREATE OR REPLACE FUNCTION uuid7_online_ddl_guard() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'uuid7_online_ddl_guard'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION uuid7_online_ddl_guard() IS
	'internal to the DDL guard: the event trigger function that refuses (55006) DDL which would strand an active online migration';

CREATE OR REPLACE FUNCTION uuid7_online_guard_pass(migration bigint) RETURNS void
AS 'MODULE_PATHNAME', 'uuid7_online_guard_pass'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION uuid7_online_guard_pass(bigint) IS
	'internal to the DDL guard: lets the rest of the current transaction change the objects of this online migration (its finish and abort); the caller must act as its starter';

-- The event triggers. CREATE EVENT TRIGGER cannot be replayed, so the upgrade replay drops and creates them again
-- (an extension's script may drop its own members). Only a superuser may create an event trigger: the script of a
-- trusted extension runs as the bootstrap superuser, whoever installs it.
DROP EVENT TRIGGER IF EXISTS uuid7_online_guard_start;
CREATE EVENT TRIGGER uuid7_online_guard_start ON ddl_command_start WHEN TAG IN ('CREATE INDEX')
	EXECUTE FUNCTION @extschema@.uuid7_online_ddl_guard();
COMMENT ON EVENT TRIGGER uuid7_online_guard_start IS
	'uuid7 DDL guard: refuses CREATE INDEX on a column that an active online migration converts';
DROP EVENT TRIGGER IF EXISTS uuid7_online_guard_end;
CREATE EVENT TRIGGER uuid7_online_guard_end ON ddl_command_end
	EXECUTE FUNCTION @extschema@.uuid7_online_ddl_guard();
COMMENT ON EVENT TRIGGER uuid7_online_guard_end IS
	'uuid7 DDL guard: refuses DDL that renames, retypes or rebuilds what an active online migration depends on, or adds an index or foreign key its swap would drop';
DROP EVENT TRIGGER IF EXISTS uuid7_online_guard_drop;
CREATE EVENT TRIGGER uuid7_online_guard_drop ON sql_drop
	EXECUTE FUNCTION @extschema@.uuid7_online_ddl_guard();
COMMENT ON EVENT TRIGGER uuid7_online_guard_drop IS
	'uuid7 DDL guard: refuses dropping a table, column, index, constraint or trigger an active online migration depends on';
