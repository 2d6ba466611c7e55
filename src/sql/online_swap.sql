-- src/sql/online_swap.sql — the end of an online migration: the swap (finish) or the undo (abort).

-- Migrations started before 1.4 generated a trigger function per table (uuid7_sync_<migration>_<table oid>); the
-- function to drop is found from the catalog (the trigger that calls it), never from a name stored in the state.
CREATE OR REPLACE FUNCTION uuid7_online_legacy_sync_functions(migration bigint) RETURNS SETOF regprocedure
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT DISTINCT tg.tgfoid::regprocedure
	  FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
	 WHERE tg.tgname = 'zz_uuid7_sync_' || migration
	   AND tg.tgrelid IN (SELECT t.relid FROM uuid7_state.uuid7_online_table t WHERE t.migration_id = migration)
	   AND p.proname = 'uuid7_sync_' || migration || '_' || tg.tgrelid::oid
$fn$;
COMMENT ON FUNCTION uuid7_online_legacy_sync_functions(bigint) IS
	'internal to the online migration: the trigger functions a migration started before 1.4 generated, found from its triggers';

-- What the swap's DROP COLUMN takes away and the twins do not carry by themselves, as the statements that put it back
-- once the twins have the old names (read before the drop, run after the renames).
CREATE OR REPLACE FUNCTION uuid7_online_swap_carried(migration bigint) RETURNS text[]
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH twin AS (
		SELECT o.* FROM uuid7_state.uuid7_online_object o WHERE o.migration_id = migration
	), converted AS (
		SELECT oc.relid, a.attnum FROM uuid7_state.uuid7_online_column oc
		  JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE oc.migration_id = migration
	), stats AS (
		-- extended statistics on a converted column (as a column or in an expression): dropped with it
		SELECT s.oid, s.stxname, s.stxnamespace, s.stxowner, to_jsonb(s)->>'stxstattarget' AS target
		  FROM pg_statistic_ext s
		 WHERE s.oid IN (SELECT @extschema@.uuid7_plan_statistics(
							(SELECT array_agg(c.relid::oid ORDER BY c.relid, c.attnum) FROM converted c),
							(SELECT array_agg(c.attnum ORDER BY c.relid, c.attnum) FROM converted c)))
	)
	SELECT coalesce(array_agg(x.stmt ORDER BY x.n, x.stmt), '{}') FROM (
		-- comments of the primary key, unique and CHECK constraints built again from their twins
		SELECT 1 AS n, format('COMMENT ON CONSTRAINT %I ON %s IS %L', t.old_name, t.relid, d.description) AS stmt
		  FROM twin t
		  JOIN pg_constraint con ON con.conrelid = t.relid AND con.conname = t.old_name
		  JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid AND d.objsubid = 0
		 WHERE (t.kind = 'index' AND t.contype IS NOT NULL) OR t.kind = 'check'
		UNION ALL
		SELECT 2, format('ALTER TABLE %s CLUSTER ON %I', t.relid, t.old_name)
		  FROM twin t JOIN pg_index i ON i.indexrelid = t.source AND i.indrelid = t.relid
		 WHERE t.kind = 'index' AND i.indisclustered
		UNION ALL
		SELECT 3, format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', t.relid, t.old_name)
		  FROM twin t JOIN pg_index i ON i.indexrelid = t.source AND i.indrelid = t.relid
		 WHERE t.kind = 'index' AND i.indisreplident
		UNION ALL
		SELECT 4, format('DROP STATISTICS IF EXISTS %I.%I', ns.nspname, s.stxname) FROM stats s JOIN pg_namespace ns ON ns.oid = s.stxnamespace
		UNION ALL
		SELECT 5, pg_get_statisticsobjdef(s.oid) FROM stats s
		UNION ALL
		SELECT 6, format('ALTER STATISTICS %I.%I OWNER TO %I', ns.nspname, s.stxname, pg_get_userbyid(s.stxowner))
		  FROM stats s JOIN pg_namespace ns ON ns.oid = s.stxnamespace WHERE s.stxowner <> current_user::regrole
		UNION ALL
		-- (the default is -1 up to PostgreSQL 16, NULL from 17)
		SELECT 7, format('ALTER STATISTICS %I.%I SET STATISTICS %s', ns.nspname, s.stxname, s.target)
		  FROM stats s JOIN pg_namespace ns ON ns.oid = s.stxnamespace WHERE s.target IS NOT NULL AND s.target::int >= 0
		UNION ALL
		SELECT 8, format('COMMENT ON STATISTICS %I.%I IS %L', ns.nspname, s.stxname, d.description)
		  FROM stats s JOIN pg_namespace ns ON ns.oid = s.stxnamespace
		  JOIN pg_description d ON d.classoid = 'pg_statistic_ext'::regclass AND d.objoid = s.oid
	) x
$fn$;
COMMENT ON FUNCTION uuid7_online_swap_carried(bigint) IS
	'internal to the online migration: the statements that put back what dropping the old columns takes and the twins do not carry (constraint comments, CLUSTER mark, replica identity index, extended statistics)';

CREATE OR REPLACE FUNCTION uuid7_online_swap(migration bigint) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text := @extschema@.uuid7_extension_schema();
	m record;
	t record;
	c record;
	o record;
	rec record;
	fake jsonb := '{}';
	plan_opts jsonb;
	saved_level text;
	alters text;
	legacy regprocedure[];
	fn regprocedure;
	after text[];
	stmt text;
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	saved_level := current_setting('client_min_messages');
	PERFORM set_config('client_min_messages', 'warning', true);	-- not the NOTICE of each index renamed by USING INDEX
	legacy := ARRAY(SELECT @extschema@.uuid7_online_legacy_sync_functions(migration));
	FOR t IN SELECT * FROM uuid7_state.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
		EXECUTE format('DROP TRIGGER %I ON %s', 'zz_uuid7_sync_' || migration, t.relid);
	END LOOP;

	-- The plan of the offline migration, now, under the locks: its refusals still apply (something created since
	-- the start), and its statements recreate the views and comments. The mapping tables exist already, so the
	-- plan is asked for unused names; its mapping steps are not run.
	FOR t IN SELECT * FROM uuid7_state.uuid7_online_table WHERE migration_id = migration AND is_key LOOP
		fake := fake || jsonb_build_object(
			(SELECT format('%I.%I', ns.nspname, c2.relname) FROM pg_class c2 JOIN pg_namespace ns ON ns.oid = c2.relnamespace WHERE c2.oid = t.relid),
			jsonb_build_object('mapping_table', 'uuid7_swap_' || migration || '_' || t.relid::oid));
	END LOOP;
	-- (not "validate": the verification has just checked every reference, and counting again would hold the locks)
	plan_opts := (m.plan_options - 'tables') || jsonb_build_object('tables', fake, 'validate', false);
	PERFORM @extschema@.uuid7_online_plan(m.tables, plan_opts, 'swap');

	FOR rec IN SELECT * FROM uuid7_plan_rows p WHERE p.phase IN ('drop view', 'drop foreign key') ORDER BY p.step LOOP
		EXECUTE rec.statement;
	END LOOP;
	-- what follows the column: comments, column privileges, statistics target and options; comments of the indexes
	-- replaced
	FOR c IN
		SELECT oc.*, a.attnum, a.attacl, a.attstattarget, a.attoptions FROM uuid7_state.uuid7_online_column oc
		  JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE oc.migration_id = migration
	LOOP
		-- (the default is -1 up to PostgreSQL 16, NULL from 17)
		IF c.attstattarget IS NOT NULL AND c.attstattarget >= 0 THEN
			EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS %s', c.relid, c.new_name, c.attstattarget);
		END IF;
		IF c.attoptions IS NOT NULL THEN
			EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET (%s)', c.relid, c.new_name, @extschema@.uuid7_option_list(c.attoptions));
		END IF;
		FOR rec IN SELECT d.description FROM pg_description d
				   WHERE d.classoid = 'pg_class'::regclass AND d.objoid = c.relid AND d.objsubid = c.attnum LOOP
			EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', c.relid, c.new_name, rec.description);
		END LOOP;
		FOR rec IN SELECT g.privilege_type, g.grantee, g.is_grantable, g.grantor FROM aclexplode(c.attacl) AS g LOOP
			EXECUTE format('GRANT %s (%I) ON %s TO %s%s', rec.privilege_type, c.new_name, c.relid,
				CASE WHEN rec.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(rec.grantee)) END,
				CASE WHEN rec.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
		END LOOP;
	END LOOP;
	FOR o IN SELECT ob.*, d.description FROM uuid7_state.uuid7_online_object ob
			 JOIN pg_class ci ON ci.relname = ob.old_name AND ci.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = ob.relid) AND ci.relkind IN ('i', 'I')
			 JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = ci.oid AND d.objsubid = 0
			 -- (an index behind a constraint too: its twin becomes that constraint's index, comment and all)
			 WHERE ob.migration_id = migration AND ob.kind = 'index' LOOP
		EXECUTE format('COMMENT ON INDEX %I.%I IS %L', (SELECT ns.nspname FROM pg_class c2 JOIN pg_namespace ns ON ns.oid = c2.relnamespace WHERE c2.oid = o.relid),
			o.new_name, o.description);
	END LOOP;
	-- what the old column takes with it and the twins do not carry by themselves, written now and run after the renames:
	-- the comments of the constraints rebuilt, the CLUSTER mark and the replica identity index, extended statistics
	after := @extschema@.uuid7_online_swap_carried(migration);
	-- a serial sequence that something else uses survives the column
	FOR rec IN SELECT * FROM uuid7_plan_rows p WHERE p.phase = 'sequence' AND p.statement LIKE 'ALTER SEQUENCE %' ORDER BY p.step LOOP
		EXECUTE rec.statement;
	END LOOP;
	-- the old columns go (with their identity or serial sequence, default, indexes and constraints: metadata only)
	FOR t IN SELECT * FROM uuid7_state.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
		-- the uuid columns are NOT NULL where the integer ones were, and the new key has its default
		SELECT string_agg(format('ALTER COLUMN %I SET NOT NULL', oc.attname), ', ' ORDER BY oc.attname) INTO alters
		  FROM uuid7_state.uuid7_online_column oc JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE oc.migration_id = migration AND oc.relid = t.relid AND a.attnotnull;
		IF t.is_key THEN
			alters := concat_ws(', ', alters, format('ALTER COLUMN %I SET DEFAULT %s.uuid_generate_v%s()', t.key_column, ext, t.uuid_version));
		END IF;
		EXECUTE format('ALTER TABLE %s %s', t.relid,
			(SELECT string_agg(format('DROP COLUMN %I', oc.attname), ', ' ORDER BY oc.attname)
			   FROM uuid7_state.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid));
		FOR c IN SELECT * FROM uuid7_state.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid ORDER BY oc.attname LOOP
			EXECUTE format('ALTER TABLE %s RENAME COLUMN %I TO %I', t.relid, c.new_name, c.attname);
		END LOOP;
		IF alters IS NOT NULL THEN
			-- NOT NULL is proven by the validated check: no scan (a migration started by 1.2 has the check for the
			-- key only, and a referencing column is scanned here)
			EXECUTE format('ALTER TABLE %s %s', t.relid, alters);
		END IF;
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', t.relid, 'uuid7_nn_' || migration);
	END LOOP;
	-- the twins take the old names: constraints over their indexes, then plain indexes, then foreign keys
	FOR o IN SELECT * FROM uuid7_state.uuid7_online_object WHERE migration_id = migration AND kind = 'index' ORDER BY (contype IS NULL), contype, ord LOOP
		IF o.contype IS NOT NULL THEN
			EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s USING INDEX %I%s', o.relid, o.old_name,
				CASE o.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, o.new_name, o.deferrable_clause);
		ELSE
			EXECUTE format('ALTER INDEX %I.%I RENAME TO %I',
				(SELECT ns.nspname FROM pg_class c2 JOIN pg_namespace ns ON ns.oid = c2.relnamespace WHERE c2.oid = o.relid), o.new_name, o.old_name);
		END IF;
	END LOOP;
	FOR o IN SELECT * FROM uuid7_state.uuid7_online_object WHERE migration_id = migration AND kind IN ('check', 'foreign key') ORDER BY ord LOOP
		EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', o.relid, o.new_name, o.old_name);
	END LOOP;
	FOREACH stmt IN ARRAY after LOOP
		EXECUTE stmt;
	END LOOP;
	FOR rec IN SELECT * FROM uuid7_plan_rows p
			   WHERE (p.phase = 'add foreign key' AND p.detail = 'comment') OR p.phase = 'create view' ORDER BY p.step LOOP
		EXECUTE rec.statement;
	END LOOP;
	-- the sync functions of migrations started before 1.4, and the registry row uuid7_mapped_id() / uuid7_legacy_id() read
	FOREACH fn IN ARRAY legacy LOOP
		EXECUTE format('DROP FUNCTION IF EXISTS %s', fn);
	END LOOP;
	FOR t IN SELECT * FROM uuid7_state.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
		IF t.is_key THEN
			PERFORM @extschema@.uuid7_register_migrated(t.relid, t.key_column, t.old_type, t.mapping_table, t.uuid_version, NULL);
		END IF;
	END LOOP;
	IF coalesce((m.plan_options->>'analyze')::boolean, false) THEN
		FOR t IN SELECT * FROM uuid7_state.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
			EXECUTE format('ANALYZE %s', t.relid);
		END LOOP;
	END IF;
	DROP TABLE uuid7_plan_rows;
	PERFORM set_config('client_min_messages', saved_level, true);
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_swap(bigint) IS
	'internal to the online migration: the swap itself, run by uuid7_migration_finish() with every table locked';

CREATE OR REPLACE FUNCTION uuid7_migration_finish(migration bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	n bigint;
	problems text;
	attempts int;
	t0 timestamptz := clock_timestamp();
	saved text := current_setting('lock_timeout');
	rel regclass;
	saved_role text := @extschema@.uuid7_online_become_starter(migration, 'finish');
BEGIN
	PERFORM @extschema@.uuid7_online_state_lock(migration);
	-- the swap's DDL is the migration's own: the DDL guard (online_guard.sql) lets it through
	PERFORM @extschema@.uuid7_online_guard_pass(migration);
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	IF m.state IN ('finished', 'aborted') THEN
		RAISE EXCEPTION 'online migration % is already %', migration, m.state USING ERRCODE = '55000';
	ELSIF m.state <> 'ready' THEN
		RAISE EXCEPTION 'online migration % is not ready to finish: it is % (phase %)', migration,
			CASE WHEN @extschema@.uuid7_online_stopped(migration) THEN 'stopped' ELSE m.state END, m.phase
			USING ERRCODE = '55000',
			DETAIL = coalesce('Last error: ' || m.last_error, 'The worker has not finished its phases yet.'),
			HINT = CASE WHEN m.state IN ('failed', 'blocked') THEN 'Fix the cause, then call uuid7_migration_resume().'
						ELSE 'Wait until uuid7_migration_status says ready.' END;
	END IF;
	-- a table of the migration dropped since the start (by a role the DDL guard let through): the swap cannot happen
	FOR rel IN SELECT t.relid FROM uuid7_state.uuid7_online_table t
				WHERE t.migration_id = migration AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.relid) LOOP
		RAISE EXCEPTION 'online migration % cannot be finished: its table with OID % was dropped', migration, rel::oid
			USING ERRCODE = '55000', HINT = format('Abort it: uuid7_migration_abort(%s) removes what it added to the other tables.', migration);
	END LOOP;
	-- Autovacuum holds SHARE UPDATE EXCLUSIVE on a busy table for seconds, and gives way only to a lock request that
	-- has waited deadlock_timeout (1 s), longer than the swap waits per attempt: the attempts would fail one after
	-- the other. This mode conflicts with none of the application's reads and writes, so waiting for it blocks no
	-- one; the wait gets a running autovacuum cancelled, and while it is held no new one starts on these tables.
	BEGIN
		PERFORM set_config('lock_timeout', '10s', true);
		FOR rel IN SELECT t.relid FROM uuid7_state.uuid7_online_table t WHERE t.migration_id = migration ORDER BY t.ord LOOP
			EXECUTE format('LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE', rel);
		END LOOP;
	EXCEPTION WHEN lock_not_available THEN
		NULL;	-- a manual VACUUM or index build holds one: the swap's own retries still apply
	END;
	PERFORM set_config('lock_timeout', saved, true);
	-- Verified again just before the swap: a write that skipped the triggers since the worker's check blocks it. The
	-- verification must see every row.
	PERFORM @extschema@.uuid7_online_require_all_rows(migration);
	SELECT count(*), string_agg(format('%s: %s (%s rows; %s)', v.object, v.problem, coalesce(v.bad_rows::text, '-'), coalesce(v.sample, '-')), E'\n')
	  INTO n, problems FROM @extschema@.uuid7_online_verify(migration) v;
	IF n > 0 THEN
		RAISE EXCEPTION 'online migration % cannot be finished: verification found % problem(s)', migration, n
			USING ERRCODE = '55000', DETAIL = problems,
			HINT = 'uuid7_migration_resume() backfills again and re-verifies; nothing was changed.';
	END IF;
	attempts := @extschema@.uuid7_online_locked(migration, 'swap',
		format('SELECT %s.uuid7_online_swap(%s)', @extschema@.uuid7_extension_schema(), migration));
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
		'phase', 'finished', 'state', 'finished', 'worker_pid', NULL, 'finished_at', clock_timestamp(), 'updated_at', clock_timestamp()));
	PERFORM @extschema@.uuid7_online_restore_role(saved_role);
	RETURN jsonb_build_object('migration_id', migration,
		'tables', (SELECT jsonb_agg(t.relid::text ORDER BY t.ord) FROM uuid7_state.uuid7_online_table t WHERE t.migration_id = migration AND t.is_key),
		'referencing_tables', (SELECT coalesce(jsonb_agg(t.relid::text ORDER BY t.ord), '[]') FROM uuid7_state.uuid7_online_table t WHERE t.migration_id = migration AND NOT t.is_key),
		'lock_attempts', attempts,
		'seconds', round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3));
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_finish(bigint) IS
	'verifies an online migration that is ready and swaps the uuid columns in, in one short transaction (lock_timeout with retries); returns a summary';

CREATE OR REPLACE FUNCTION uuid7_migration_abort(migration bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	undo text := '';
	t record;
	o record;
	attempts int;
	saved_role text := @extschema@.uuid7_online_become_starter(migration, 'abort');
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	IF m.state = 'finished' THEN
		RAISE EXCEPTION 'online migration % is already finished', migration USING ERRCODE = '55000',
			HINT = 'A finished migration is undone only by hand; the mapping table has the old keys.';
	ELSIF m.state = 'aborted' THEN
		RAISE EXCEPTION 'online migration % is already aborted', migration USING ERRCODE = '55000';
	END IF;
	PERFORM @extschema@.uuid7_online_stop_worker(migration);
	PERFORM @extschema@.uuid7_online_guard_pass(migration);	-- the undo is the migration's own DDL (online_guard.sql)
	-- Everything the migration added, whatever phase it reached (IF EXISTS: a phase may not have run), on the tables
	-- that still exist (one dropped since the start took its part with it).
	FOR t IN SELECT * FROM uuid7_state.uuid7_online_table ot WHERE migration_id = migration
			   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ot.relid) ORDER BY ord DESC LOOP
		undo := undo || format('DROP TRIGGER IF EXISTS %I ON %s; ', 'zz_uuid7_sync_' || migration, t.relid);
	END LOOP;
	SELECT undo || coalesce(string_agg(format('DROP FUNCTION IF EXISTS %s; ', f), ''), '') INTO undo
	  FROM @extschema@.uuid7_online_legacy_sync_functions(migration) AS f;
	FOR o IN SELECT * FROM uuid7_state.uuid7_online_object ob WHERE migration_id = migration AND kind <> 'index'
			   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ob.relid) ORDER BY ord DESC LOOP
		undo := undo || format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I; ', o.relid, o.new_name);
	END LOOP;
	FOR o IN SELECT * FROM uuid7_state.uuid7_online_object ob WHERE migration_id = migration AND kind = 'index'
			   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ob.relid) ORDER BY ord DESC LOOP
		undo := undo || format('DROP INDEX IF EXISTS %I.%I; ',
			(SELECT ns.nspname FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE c.oid = o.relid), o.new_name);
	END LOOP;
	FOR t IN SELECT * FROM uuid7_state.uuid7_online_table ot WHERE migration_id = migration
			   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ot.relid) ORDER BY ord DESC LOOP
		undo := undo || format('ALTER TABLE %s %s; ', t.relid,
			(SELECT string_agg(format('DROP COLUMN IF EXISTS %I', oc.new_name), ', ' ORDER BY oc.attname)
			   FROM uuid7_state.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid));
	END LOOP;
	FOR t IN SELECT * FROM uuid7_state.uuid7_online_table ot WHERE migration_id = migration AND is_key
			   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ot.mapping_table) ORDER BY ord DESC LOOP
		undo := undo || format('DROP TABLE IF EXISTS %s; ', t.mapping_table);
	END LOOP;
	attempts := @extschema@.uuid7_online_locked(migration, 'abort', coalesce(nullif(undo, ''), 'SELECT'));
	-- the schema of the mapping tables, when the start created it and nothing else has come into it since (another
	-- migration's mapping table, anything of the user's: then it stays)
	IF m.created_schema IS NOT NULL THEN
		BEGIN
			EXECUTE format('DROP SCHEMA IF EXISTS %I', m.created_schema);
		EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
			NULL;
		END;
	END IF;
	IF @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
			'phase', 'aborted', 'state', 'aborted', 'worker_pid', NULL, 'finished_at', clock_timestamp(),
			'updated_at', clock_timestamp())) = 0 THEN
		-- never report an abort that changed nothing
		RAISE EXCEPTION 'online migration % could not be marked aborted', migration USING ERRCODE = '42501';
	END IF;
	PERFORM @extschema@.uuid7_online_restore_role(saved_role);
	RETURN jsonb_build_object('migration_id', migration, 'aborted_in_phase', m.phase, 'lock_attempts', attempts);
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_abort(bigint) IS
	'stops an online migration before its swap and removes everything it added (columns, triggers, indexes, constraints, mapping tables)';
