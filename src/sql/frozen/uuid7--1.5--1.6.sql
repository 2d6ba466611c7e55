/* uuid7 1.6: a backfill batch of an online migration no longer deadlocks with the application, and never makes it
   wait longer than lock_timeout. 1.5 wrote the mappings of keys the map phase had not seen before it updated their
   rows; an application UPDATE of such a row, holding the row's lock, had its sync trigger wait for the batch's
   mapping of the same key while the batch waited for the row. One of the two was cancelled after deadlock_timeout,
   and when it was the worker the migration failed. Now the batch locks those rows before it maps them, runs under
   lock_timeout, and a batch that times out or deadlocks is rolled back and retried with backoff, like the lock steps.
   The backfill phase moves into its own function, uuid7_online_step_backfill. The worker works 40% of the time by
   default instead of 50%, and pause_ms is the least rest after every unit of work, map batches included. Every
   table is VACUUMed at the end of the index and constrain phases, during which autovacuum skips it. */

\echo Use "ALTER EXTENSION uuid7 UPDATE TO '1.6'" to load this file. \quit

-- work_percent 40 by default (50 before): at full size under bench/online.sh's steady mix, the application kept 0.83x
-- of its throughput with 40 and 0.697x with 50, and the migration took 1294 s instead of 1228 s (BENCHMARKS.md)
CREATE OR REPLACE FUNCTION uuid7_online_setting(options jsonb, name text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT coalesce((options->>name)::integer, CASE name
		WHEN 'batch_blocks' THEN 100		-- heap pages per backfill batch (one transaction each)
		WHEN 'map_batch' THEN 50000			-- old keys per mapping batch
		WHEN 'pause_ms' THEN 0				-- least rest after each unit of work (1.6; before: after backfill batches only)
		WHEN 'work_percent' THEN 40			-- share of the time the worker works: it rests (100 - p)/p of each unit's time
		WHEN 'vacuum_every' THEN 0			-- batches between VACUUMs; 0: every 5% of the table
		WHEN 'lock_timeout_ms' THEN 200		-- longest wait for a lock (others queue behind the request)
		WHEN 'lock_retries' THEN 50 END)	-- attempts per exclusive step or backfill batch, with backoff
$fn$;

-- What the worker does after a unit of work that began at since: go on, or rest. 1.6: pause_ms is a floor on every rest
-- (it applied to backfill batches only), and a rest it asks for is kept even when under 5 ms. A map batch could not be
-- slowed to a fixed rate before: a batch quicker than 5 ms * work_percent / (100 - work_percent) got no rest at all.
-- Its third argument, the least rest, was how the backfill passed pause_ms; no caller is left to pass it.
DROP FUNCTION uuid7_online_pace(jsonb, timestamptz, integer);
CREATE FUNCTION uuid7_online_pace(options jsonb, since timestamptz)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	pct int := @extschema@.uuid7_online_setting(options, 'work_percent');
	share int;
	rest int;
BEGIN
	-- the proportional rest: a few milliseconds of it are not worth a wake-up
	share := (extract(epoch FROM clock_timestamp() - since) * 1000 * (100 - pct) / pct)::int;
	rest := greatest(@extschema@.uuid7_online_setting(options, 'pause_ms'), CASE WHEN share < 5 THEN 0 ELSE share END);
	IF rest <= 0 THEN
		RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
	ELSE
		RETURN QUERY SELECT 'sleep', NULL::text, rest;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_pace(jsonb, timestamptz) IS
	'internal to the online migration: continue, or sleep in proportion to the work done since since (option work_percent), at least pause_ms';

-- A lock could not be had within lock_timeout, or (1.6) a backfill batch deadlocked: wait and retry, or give up after
-- lock_retries attempts. 1.6 adds the SQLSTATE and the reason for last_error; the defaults are the lock timeout's.
DROP FUNCTION uuid7_online_retry(bigint, text);
CREATE FUNCTION uuid7_online_retry(migration bigint, what text, code text DEFAULT '55P03',
								   reason text DEFAULT 'lock not available within lock_timeout')
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
BEGIN
	UPDATE @extschema@.uuid7_online_migration
	   SET lock_attempts = lock_attempts + 1, state = 'waiting', updated_at = clock_timestamp(),
		   last_error = format('%s: %s: %s (attempt %s)', code, what, reason, lock_attempts + 1)
	 WHERE id = migration RETURNING * INTO m;
	IF m.lock_attempts >= @extschema@.uuid7_online_setting(m.options, 'lock_retries') THEN
		UPDATE @extschema@.uuid7_online_migration SET state = 'failed', worker_pid = NULL WHERE id = migration;
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
	ELSE
		RETURN QUERY SELECT 'sleep', NULL::text, @extschema@.uuid7_online_backoff_ms(m.lock_attempts);
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_retry(bigint, text, text, text) IS
	'internal to the online migration: records a lock timeout (or another SQLSTATE and reason) and returns the pause before the next attempt (or stop after lock_retries)';

-- 1.6: the worker VACUUMs every table at the end of the index and constrain phases. Their statements (CREATE INDEX
-- CONCURRENTLY, VALIDATE CONSTRAINT) hold SHARE UPDATE EXCLUSIVE, which makes autovacuum skip the table; the backfill's
-- last VACUUM had reset the dead-row counts, so autovacuum did not come back before the swap either. In the full-size
-- benchmark the child went four and a half minutes without a VACUUM while the application deleted and updated, and its
-- heap grew by a fifth after the backfill was over.
ALTER TABLE uuid7_online_table ADD COLUMN vacuumed_after text;
COMMENT ON COLUMN uuid7_online_table.vacuumed_after IS
	'the last phase at whose end the worker handed out a VACUUM of this table (1.6)';

-- The VACUUM of the next table not yet vacuumed at the end of ended_phase, or no row when all are. Marked before it runs:
-- a VACUUM cut short by a crash is not run again (autovacuum takes over).
CREATE FUNCTION uuid7_online_vacuum_after(migration bigint, ended_phase text)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	r regclass;
BEGIN
	SELECT t.relid INTO r FROM @extschema@.uuid7_online_table t
	 WHERE t.migration_id = migration AND t.vacuumed_after IS DISTINCT FROM ended_phase ORDER BY t.ord LIMIT 1;
	IF FOUND THEN
		UPDATE @extschema@.uuid7_online_table t SET vacuumed_after = ended_phase, vacuums = t.vacuums + 1
		 WHERE t.migration_id = migration AND t.relid = r;
		UPDATE @extschema@.uuid7_online_migration SET run_started_at = clock_timestamp() WHERE id = migration;
		RETURN QUERY SELECT 'run', format('VACUUM %s', r), NULL::int;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_vacuum_after(bigint, text) IS
	'internal to the online migration: the VACUUM of the next table not yet vacuumed at the end of a phase (1.6)';

-- The backfill phase, out of uuid7_online_step (which locks the migration row first): one unit of work.
CREATE FUNCTION uuid7_online_step_backfill(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0
AS $fn$
DECLARE
	ext text := @extschema@.uuid7_extension_schema();
	m record;
	t record;
	n bigint;
	stmt text;
	sets text;
	cond text;
	bend bigint;
	vac_every int;
	failed_with text;
BEGIN
	SELECT * INTO m FROM @extschema@.uuid7_online_migration WHERE id = migration;
	SELECT * INTO t FROM @extschema@.uuid7_online_table WHERE migration_id = migration AND backfill_done_at IS NULL ORDER BY ord LIMIT 1;
	IF NOT FOUND THEN
		UPDATE @extschema@.uuid7_online_migration SET phase = 'index', updated_at = clock_timestamp() WHERE id = migration;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END IF;
	IF t.blocks_total IS NULL THEN
		-- Pages appended later hold only rows written (hence synced) after the triggers were created.
		EXECUTE format('SELECT count(*) FROM %s', t.relid) INTO n;
		UPDATE @extschema@.uuid7_online_table
		   SET blocks_total = pg_relation_size(t.relid) / current_setting('block_size')::int,
			   rows_total = n,
			   backfill_started_at = clock_timestamp()
		 WHERE migration_id = migration AND relid = t.relid;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END IF;
	vac_every := @extschema@.uuid7_online_setting(m.options, 'vacuum_every');
	IF vac_every <= 0 THEN
		vac_every := greatest(1, t.blocks_total / 20 / @extschema@.uuid7_online_setting(m.options, 'batch_blocks'));
	END IF;
	IF t.batches_since_vacuum >= vac_every OR (t.next_block >= t.blocks_total AND t.batches_since_vacuum > 0) THEN
		-- the old row versions of the last batches become free space for the next ones: the heap does not double
		UPDATE @extschema@.uuid7_online_table SET batches_since_vacuum = 0, vacuums = vacuums + 1
		 WHERE migration_id = migration AND relid = t.relid;
		UPDATE @extschema@.uuid7_online_migration SET run_started_at = clock_timestamp() WHERE id = migration;
		RETURN QUERY SELECT 'run', format('VACUUM %s', t.relid), NULL::int;
		RETURN;
	END IF;
	IF t.next_block >= t.blocks_total THEN
		UPDATE @extschema@.uuid7_online_table SET backfill_done_at = clock_timestamp()
		 WHERE migration_id = migration AND relid = t.relid;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END IF;
	bend := least(t.blocks_total, t.next_block + @extschema@.uuid7_online_setting(m.options, 'batch_blocks'));
	cond := format('t.ctid >= ''(%s,0)''::tid AND t.ctid < ''(%s,0)''::tid', t.next_block, bend);
	SELECT string_agg(format('%I = (SELECT m.new_id FROM %s m WHERE m.old_id = t.%I)', oc.new_name, s.mapping_table, oc.attname), ', ' ORDER BY oc.attname),
		   string_agg(format('t.%I IS DISTINCT FROM (SELECT m.new_id FROM %s m WHERE m.old_id = t.%I)', oc.new_name, s.mapping_table, oc.attname), ' OR ' ORDER BY oc.attname)
	  INTO sets, stmt
	  FROM @extschema@.uuid7_online_column oc
	  JOIN @extschema@.uuid7_online_table s ON s.migration_id = oc.migration_id AND s.relid = oc.source
	 WHERE oc.migration_id = migration AND oc.relid = t.relid;
	-- The batch waits for rows the application has locked, and the application waits for the batch's rows. It waits
	-- at most lock_timeout: then, or on a deadlock, it is rolled back and retried later, as a lock step is, so the
	-- application never waits longer than that behind it and a deadlock does not stop the migration.
	BEGIN
		PERFORM set_config('lock_timeout', greatest(1, @extschema@.uuid7_online_setting(m.options, 'lock_timeout_ms')) || 'ms', true);
		IF t.is_key THEN
			-- Keys the map phase did not see (written before the triggers, above its last horizon). Their rows are
			-- locked before their mappings are written: an application UPDATE of one of them, whose sync trigger maps
			-- the key, then waits for the batch or the batch for it, never both at once.
			EXECUTE format('WITH locked AS (SELECT t.%I AS k FROM %s t WHERE %s'
					' AND NOT EXISTS (SELECT 1 FROM %s m WHERE m.old_id = t.%I) FOR NO KEY UPDATE OF t)'
					' INSERT INTO %s (old_id, new_id) SELECT s.k, %s.uuid_generate_v%s() FROM (SELECT k FROM locked ORDER BY k OFFSET 0) s'
					' ON CONFLICT (old_id) DO NOTHING',
				t.key_column, t.relid, cond, t.mapping_table, t.key_column, t.mapping_table, ext, t.uuid_version);
		END IF;
		EXECUTE format('UPDATE %s t SET %s WHERE %s AND (%s)', t.relid, sets, cond, stmt);
		GET DIAGNOSTICS n = ROW_COUNT;
		PERFORM set_config('lock_timeout', '0', true);
	EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
		failed_with := SQLSTATE;
	END;
	IF failed_with = '40P01' THEN
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_retry(migration, format('backfill of %s', t.relid),
			'40P01', 'deadlock with another transaction, batch rolled back');
		RETURN;
	ELSIF failed_with IS NOT NULL THEN
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_retry(migration, format('backfill of %s', t.relid));
		RETURN;
	END IF;
	UPDATE @extschema@.uuid7_online_table
	   SET next_block = bend, rows_done = rows_done + n, batches_since_vacuum = batches_since_vacuum + 1
	 WHERE migration_id = migration AND relid = t.relid;
	UPDATE @extschema@.uuid7_online_migration SET state = 'running', lock_attempts = 0, updated_at = clock_timestamp() WHERE id = migration;
	RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step_backfill(bigint) IS
	'internal to the online migration: the next unit of work of the backfill phase (called by uuid7_online_step)';

-- As in 1.5, with the backfill phase in uuid7_online_step_backfill.
CREATE OR REPLACE FUNCTION uuid7_online_step(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0		-- the worker's scans take one core at most from the application
AS $fn$
DECLARE
	ext text := @extschema@.uuid7_extension_schema();
	m record;
	t record;
	o record;
	n bigint;
	stmt text;
	cond text;
	ok boolean;
BEGIN
	-- uuid7_migration_start() and _resume() hold this lock until their transaction ends: the worker they launch
	-- waits for the commit (and finds no migration, or a stopped one, after a rollback)
	IF NOT pg_try_advisory_xact_lock_shared(1970629989, (migration % 2147483648)::int) THEN
		RETURN QUERY SELECT 'sleep', NULL::text, 100;
		RETURN;
	END IF;
	SELECT * INTO m FROM @extschema@.uuid7_online_migration WHERE id = migration FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
		RETURN;
	END IF;
	IF m.state NOT IN ('running', 'waiting') THEN
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
		RETURN;
	END IF;
	UPDATE @extschema@.uuid7_online_migration SET worker_pid = pg_backend_pid(), updated_at = clock_timestamp()
	 WHERE id = migration AND worker_pid IS DISTINCT FROM pg_backend_pid();
	IF m.run_started_at IS NOT NULL THEN
		-- the top-level statement handed out last has ended: rest in proportion to its time
		UPDATE @extschema@.uuid7_online_migration SET run_started_at = NULL WHERE id = migration;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, m.run_started_at);
		RETURN;
	END IF;

	-- ---- map: a new key for every existing row, in old-key order, before any trigger exists ------------------
	IF m.phase = 'map' THEN
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_step_map(migration);
		RETURN;
	END IF;

	-- ---- expand: the uuid columns and the sync triggers, in one short exclusive transaction -------------------
	IF m.phase = 'expand' THEN
		ok := true;
		BEGIN
			PERFORM @extschema@.uuid7_online_lock(migration, @extschema@.uuid7_online_setting(m.options, 'lock_timeout_ms'));
			PERFORM set_config('lock_timeout', '0', true);
			FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
				-- in column order, so that the converted columns keep their order among themselves
				SELECT string_agg(format('ADD COLUMN %I uuid', oc.new_name), ', ' ORDER BY length(oc.new_name), oc.new_name),
					   string_agg(quote_ident(oc.attname), ', ' ORDER BY oc.attname)
				  INTO stmt, cond
				  FROM @extschema@.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid;
				EXECUTE format('ALTER TABLE %s %s', t.relid, stmt);
				-- The sync trigger (src/pg/online_sync.cpp): each twin follows its integer column through the mapping.
				-- Its arguments are the registry's, which it checks before it runs as the role that started the migration.
				SELECT string_agg(quote_literal(a.arg), ', ' ORDER BY a.n) INTO stmt
				  FROM unnest(@extschema@.uuid7_online_sync_args(migration, t.relid)) WITH ORDINALITY AS a(arg, n);
				-- named to sort last among BEFORE triggers: it sees the values the other triggers set
				EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %s.uuid7_online_sync(%s)',
					'zz_uuid7_sync_' || migration, t.relid, ext, stmt);
			END LOOP;
			-- the keys above the last horizon of the map, in key order (no writer is left): at most one map batch, so that
			-- the lock stays short; the backfill maps any others
			FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration AND is_key ORDER BY ord LOOP
				EXECUTE format('INSERT INTO %s (old_id, new_id) SELECT %I, %s.uuid_generate_v%s() FROM %s WHERE %I > $1 ORDER BY %I LIMIT %s ON CONFLICT (old_id) DO NOTHING',
					t.mapping_table, t.key_column, ext, t.uuid_version, t.relid, t.key_column, t.key_column,
					@extschema@.uuid7_online_setting(m.options, 'map_batch'))
				  USING coalesce(t.map_cursor, -9223372036854775808);
			END LOOP;
		EXCEPTION WHEN lock_not_available THEN
			ok := false;
		END;
		IF NOT ok THEN
			RETURN QUERY SELECT * FROM @extschema@.uuid7_online_retry(migration, 'expand');
			RETURN;
		END IF;
		UPDATE @extschema@.uuid7_online_migration
		   SET phase = 'backfill', state = 'running', lock_attempts = 0, updated_at = clock_timestamp()
		 WHERE id = migration;
		RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
		RETURN;
	END IF;

	-- ---- backfill: heap-page ranges, one transaction each, VACUUM every few percent of the table ---------------
	IF m.phase = 'backfill' THEN
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_step_backfill(migration);
		RETURN;
	END IF;

	-- ---- index: the uuid twin of every index on a converted column, built concurrently -------------------------
	IF m.phase = 'index' THEN
		FOR o IN SELECT * FROM @extschema@.uuid7_online_object WHERE migration_id = migration AND kind = 'index' AND NOT done ORDER BY ord LOOP
			SELECT i.indisvalid INTO ok
			  FROM pg_class ci JOIN pg_index i ON i.indexrelid = ci.oid
			 WHERE ci.relname = o.new_name AND ci.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = o.relid);
			IF NOT FOUND THEN
				UPDATE @extschema@.uuid7_online_migration SET run_started_at = clock_timestamp() WHERE id = migration;
				RETURN QUERY SELECT 'run', o.create_sql, NULL::int;
			ELSIF NOT ok THEN
				-- left behind by a build that was interrupted (a crash, a kill, a cancel): build it again
				UPDATE @extschema@.uuid7_online_migration SET run_started_at = clock_timestamp() WHERE id = migration;
				RETURN QUERY SELECT 'run', format('DROP INDEX CONCURRENTLY %I.%I',
					(SELECT ns.nspname FROM pg_class pc JOIN pg_namespace ns ON ns.oid = pc.relnamespace WHERE pc.oid = o.relid), o.new_name), NULL::int;
			ELSE
				UPDATE @extschema@.uuid7_online_object SET done = true WHERE migration_id = migration AND ord = o.ord;
				RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
			END IF;
			RETURN;
		END LOOP;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_vacuum_after(migration, 'index');
		IF FOUND THEN
			RETURN;
		END IF;
		UPDATE @extschema@.uuid7_online_migration SET phase = 'constrain', updated_at = clock_timestamp() WHERE id = migration;
		RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
		RETURN;
	END IF;

	-- ---- constrain: NOT NULL proof of the new keys and the foreign key twins, NOT VALID then VALIDATE -----------
	IF m.phase = 'constrain' THEN
		FOR o IN SELECT * FROM @extschema@.uuid7_online_object WHERE migration_id = migration AND kind <> 'index' AND NOT done ORDER BY ord LOOP
			ok := true;
			BEGIN
				-- a foreign key locks two tables, each under lock_timeout: half each keeps the total within it
				PERFORM set_config('lock_timeout', greatest(1, @extschema@.uuid7_online_setting(m.options, 'lock_timeout_ms')
					/ CASE WHEN o.kind = 'foreign key' THEN 2 ELSE 1 END) || 'ms', true);
				IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = o.relid AND conname = o.new_name) THEN
					IF o.kind = 'foreign key' THEN
						-- ADD FOREIGN KEY locks the child, then the parent. The application writes parent, then child:
						-- taken in that order, the two would wait on each other until lock_timeout, every time.
						EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE',
							coalesce((SELECT con.confrelid::regclass FROM pg_constraint con WHERE con.conrelid = o.relid AND con.conname = o.old_name), o.relid));
					END IF;
					EXECUTE o.create_sql;
				ELSIF o.validate THEN
					-- SHARE UPDATE EXCLUSIVE: the application keeps writing while the rows are checked
					EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', o.relid, o.new_name);
					UPDATE @extschema@.uuid7_online_object SET done = true WHERE migration_id = migration AND ord = o.ord;
				ELSE
					UPDATE @extschema@.uuid7_online_object SET done = true WHERE migration_id = migration AND ord = o.ord;
				END IF;
				PERFORM set_config('lock_timeout', '0', true);
			EXCEPTION WHEN lock_not_available THEN
				ok := false;
			END;
			IF NOT ok THEN
				RETURN QUERY SELECT * FROM @extschema@.uuid7_online_retry(migration, format('constraint %I on %s', o.new_name, o.relid));
				RETURN;
			END IF;
			UPDATE @extschema@.uuid7_online_migration SET state = 'running', lock_attempts = 0, updated_at = clock_timestamp()
			 WHERE id = migration AND (state <> 'running' OR lock_attempts <> 0);
			RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
			RETURN;
		END LOOP;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_vacuum_after(migration, 'constrain');
		IF FOUND THEN
			RETURN;
		END IF;
		UPDATE @extschema@.uuid7_online_migration SET phase = 'verify', updated_at = clock_timestamp() WHERE id = migration;
		RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
		RETURN;
	END IF;

	-- ---- verify: any mismatch blocks the swap and names the rows -------------------------------------------------
	IF m.phase = 'verify' THEN
		SELECT count(*), string_agg(format('%s: %s (%s rows; %s)', v.object, v.problem, coalesce(v.bad_rows::text, '-'), coalesce(v.sample, '-')), E'\n')
		  INTO n, stmt FROM @extschema@.uuid7_online_verify(migration) v;
		IF n > 0 THEN
			UPDATE @extschema@.uuid7_online_migration
			   SET state = 'blocked', last_error = 'verification failed: ' || stmt, updated_at = clock_timestamp()
			 WHERE id = migration;
		ELSE
			UPDATE @extschema@.uuid7_online_migration
			   SET phase = 'ready', state = 'ready', last_error = NULL, updated_at = clock_timestamp()
			 WHERE id = migration;
		END IF;
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
		RETURN;
	END IF;

	RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step(bigint) IS
	'internal to the online migration: does the next unit of work (continue), asks the worker to run a top-level statement (run) or to wait (sleep), or says it is done (stop)';

-- ---- uuidv4(): PostgreSQL 18's name for gen_random_uuid(), on servers that lack it ----------------------------------
-- DDL written for 18 (DEFAULT uuidv4()) runs on 15-17 with uuid7. From 18 on it is not created, so the core function
-- is never shadowed (as uuidv7 in 1.0). It is the core function under a second name: the same internal symbol, so it
-- costs exactly what gen_random_uuid() costs, with gen_random_uuid()'s labels.
DO $uuidv4$
BEGIN
	IF current_setting('server_version_num')::int < 180000 THEN
		CREATE FUNCTION @extschema@.uuidv4() RETURNS uuid
			AS 'gen_random_uuid'
			LANGUAGE internal VOLATILE STRICT PARALLEL SAFE LEAKPROOF;
		COMMENT ON FUNCTION @extschema@.uuidv4() IS
			'PostgreSQL 18 compatibility: version 4 (random) uuid, same as gen_random_uuid()';
	END IF;
END
$uuidv4$;

-- PostgreSQL 18 records each NOT NULL as a constraint of its own (contype 'n', <table>_<column>_not_null), which
-- depends on the column. The plan took it for an expression on the key and refused every migration on 18. A NOT NULL
-- holds for uuid as well and ALTER COLUMN TYPE keeps it: the plan passes over it, as over IS [NOT] NULL checks. The
-- function is restated whole; only that branch is new.
CREATE OR REPLACE FUNCTION uuid7_migration_plan(tables regclass[], options jsonb DEFAULT '{}')
RETURNS TABLE (step integer, phase text, object text, detail text, statement text, sqlstate text, hint text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text;			-- quoted schema of the extension
	n int;
	i int;
	j int;
	k text;
	rel regclass;
	t_oid oid[] := '{}';			-- migrated tables (valid ones), in call order
	t_att int2[] := '{}';			-- their key column
	t_map text[] := '{}';			-- qualified, quoted mapping table
	t_ver int[] := '{}';
	t_ts text[] := '{}';			-- timestamp column (or NULL)
	t_tstype oid[] := '{}';
	-- converted columns
	c_rel oid[] := '{}';
	c_att int2[] := '{}';
	c_src int[] := '{}';			-- index into t_* of the table whose mapping gives the new value
	-- foreign keys dropped and recreated
	fk_oid oid[] := '{}';
	-- views and materialized views dropped and recreated
	v_oid oid[] := '{}';
	-- output
	r_phase text[] := '{}';
	r_object text[] := '{}';
	r_detail text[] := '{}';
	r_stmt text[] := '{}';
	x_object text[] := '{}';		-- refusals
	x_detail text[] := '{}';
	x_state text[] := '{}';
	x_hint text[] := '{}';
	opt jsonb;
	topt jsonb;
	tab_opts jsonb := '{}';
	v_version int;
	v_analyze boolean := false;
	rec record;
	rec2 record;
	qname text;
	map_schema text;
	map_name text;
	base text;
	stmt text;
	parts text[];
	lock_list text[] := '{}';
	seq_stmts text[] := '{}';
	def text;
	src int;
BEGIN
	SELECT quote_ident(ns.nspname) INTO ext
	FROM pg_extension e JOIN pg_namespace ns ON ns.oid = e.extnamespace WHERE e.extname = 'uuid7';

	-- ---- arguments and options (errors about the call itself are raised at once) ----------------------------
	IF tables IS NULL OR cardinality(tables) = 0 THEN
		RAISE EXCEPTION 'no table to migrate' USING ERRCODE = '22023',
			HINT = 'Pass the tables as an array: ARRAY[''public.events'']::regclass[].';
	END IF;
	IF options IS NULL THEN options := '{}'; END IF;
	IF jsonb_typeof(options) <> 'object' THEN
		RAISE EXCEPTION 'options must be a jsonb object' USING ERRCODE = '22023';
	END IF;
	FOR k IN SELECT jsonb_object_keys(options) LOOP
		IF k NOT IN ('version', 'mapping_schema', 'analyze', 'tables') THEN
			RAISE EXCEPTION 'unknown option "%"', k USING ERRCODE = '22023',
				HINT = 'Top-level options are version, mapping_schema, analyze and tables.';
		END IF;
	END LOOP;
	IF options ? 'analyze' THEN
		IF jsonb_typeof(options->'analyze') <> 'boolean' THEN
			RAISE EXCEPTION 'option "analyze" must be true or false' USING ERRCODE = '22023';
		END IF;
		v_analyze := (options->>'analyze')::boolean;
	END IF;
	IF options ? 'tables' THEN
		IF jsonb_typeof(options->'tables') <> 'object' THEN
			RAISE EXCEPTION 'option "tables" must be an object keyed by table name' USING ERRCODE = '22023';
		END IF;
		FOR k, topt IN SELECT * FROM jsonb_each(options->'tables') LOOP
			-- Matched against the listed tables by name ("name" or "schema.name", identifier syntax), not
			-- through regclass: this function runs with its own search_path, not the caller's.
			parts := parse_ident(k);
			SELECT array_agg(t.oid) INTO lock_list
			  FROM unnest(tables) AS u JOIN pg_class t ON t.oid = u JOIN pg_namespace ns ON ns.oid = t.relnamespace
			 WHERE (cardinality(parts) = 1 AND t.relname = parts[1])
				OR (cardinality(parts) = 2 AND ns.nspname = parts[1] AND t.relname = parts[2]);
			IF lock_list IS NULL THEN
				RAISE EXCEPTION 'option "tables" names "%", which is not in the list of tables to migrate', k
					USING ERRCODE = '22023';
			ELSIF cardinality(lock_list) > 1 THEN
				RAISE EXCEPTION 'option "tables" names "%", which matches more than one listed table', k
					USING ERRCODE = '22023', HINT = 'Qualify the name with its schema.';
			END IF;
			rel := lock_list[1]::oid::regclass;
			lock_list := '{}';
			IF jsonb_typeof(topt) <> 'object' THEN
				RAISE EXCEPTION 'options of table % must be a jsonb object', rel USING ERRCODE = '22023';
			END IF;
			FOR j IN SELECT 1 FROM jsonb_object_keys(topt) AS o(key)
					WHERE o.key NOT IN ('version', 'timestamp_column', 'mapping_schema', 'mapping_table') LOOP
				RAISE EXCEPTION 'unknown option for table %', rel USING ERRCODE = '22023',
					HINT = 'Per-table options are version, timestamp_column, mapping_schema and mapping_table.';
			END LOOP;
			tab_opts := tab_opts || jsonb_build_object(rel::oid::text, topt);
		END LOOP;
	END IF;

	-- ---- the tables to migrate -----------------------------------------------------------------------------
	FOR i IN 1 .. cardinality(tables) LOOP
		rel := tables[i];
		IF rel IS NULL THEN
			RAISE EXCEPTION 'the list of tables to migrate contains a NULL' USING ERRCODE = '22004';
		END IF;
		IF array_position(tables, rel) <> i THEN
			x_object := x_object || rel::text;
			x_detail := x_detail || format('table %s is listed more than once', rel);
			x_state := x_state || '22023'::text;
			x_hint := x_hint || 'List each table once.'::text;
			CONTINUE;
		END IF;
		SELECT c.oid, c.relkind, c.relpersistence, c.relowner, c.relnamespace, c.relname, ns.nspname,
			   c.relhassubclass, EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = c.oid) AS is_child
		  INTO rec FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE c.oid = rel;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'relation with OID % does not exist', rel::oid USING ERRCODE = '42P01';
		END IF;
		qname := format('%I.%I', rec.nspname, rec.relname);
		IF rec.relkind = 'p' OR rec.relhassubclass OR rec.is_child THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('table %s is partitioned or part of an inheritance tree', qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'Partitioned and inheritance tables are not supported by uuid7_migrate().'::text;
			CONTINUE;
		ELSIF rec.relkind <> 'r' THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('%s is not a table', qname);
			x_state := x_state || '42809'::text;
			x_hint := x_hint || 'Only ordinary tables can be migrated.'::text;
			CONTINUE;
		ELSIF rec.relpersistence = 't' THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('table %s is temporary', qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'Temporary tables are not supported by uuid7_migrate().'::text;
			CONTINUE;
		END IF;
		IF NOT pg_has_role(rec.relowner, 'USAGE') THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('must be owner of table %s', qname);
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Run the migration as the owner of every table it alters, or as a member of that role.'::text;
			CONTINUE;
		END IF;
		-- the key: a one-column primary key of type smallint, integer or bigint
		SELECT con.conname, con.conkey, a.attname, a.atttypid, a.attidentity
		  INTO rec2
		  FROM pg_constraint con
		  LEFT JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
		 WHERE con.conrelid = rel AND con.contype = 'p';
		IF NOT FOUND THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('table %s has no primary key', qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'uuid7_migrate() converts a one-column smallint, integer or bigint primary key.'::text;
			CONTINUE;
		ELSIF cardinality(rec2.conkey) <> 1 OR rec2.atttypid NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('primary key %I of table %s is not a single integer column', rec2.conname, qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'uuid7_migrate() converts a one-column smallint, integer or bigint primary key.'::text;
			CONTINUE;
		END IF;

		-- options of this table
		opt := options - 'tables' - 'analyze';
		IF tab_opts ? rel::oid::text THEN
			opt := opt || (tab_opts -> rel::oid::text);
		END IF;
		v_version := 7;
		IF opt ? 'version' THEN
			IF jsonb_typeof(opt->'version') <> 'number' OR (opt->>'version') NOT IN ('6', '7') THEN
				RAISE EXCEPTION 'option "version" must be 6 or 7' USING ERRCODE = '22023';
			END IF;
			v_version := (opt->>'version')::int;
		END IF;
		map_schema := rec.nspname;
		IF opt ? 'mapping_schema' THEN
			map_schema := opt->>'mapping_schema';
			IF map_schema IS NULL OR NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = map_schema) THEN
				RAISE EXCEPTION 'schema "%" given as mapping_schema does not exist', map_schema USING ERRCODE = '3F000';
			END IF;
		END IF;
		IF opt ? 'mapping_table' THEN
			map_name := opt->>'mapping_table';
			IF map_name IS NULL OR map_name = '' OR octet_length(map_name) > 63 THEN
				RAISE EXCEPTION 'option "mapping_table" must be a name of 1 to 63 bytes' USING ERRCODE = '22023';
			END IF;
		ELSE
			map_name := rec.relname || '_uuid7_map';
			IF octet_length(map_name) > 63 THEN
				base := rec.relname;
				WHILE octet_length(base) > 63 - 10 - 9 LOOP
					base := left(base, -1);
				END LOOP;
				map_name := base || '_' || left(md5(rec.relname), 8) || '_uuid7_map';
			END IF;
		END IF;
		IF to_regclass(format('%I.%I', map_schema, map_name)) IS NOT NULL
		   OR format('%I.%I', map_schema, map_name) = ANY (t_map) THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('mapping table %I.%I of table %s already exists', map_schema, map_name, qname);
			x_state := x_state || '42P07'::text;
			x_hint := x_hint || 'Name another mapping table with the "mapping_table" option, or drop the old one.'::text;
			CONTINUE;
		END IF;
		IF NOT has_schema_privilege((SELECT oid FROM pg_namespace WHERE nspname = map_schema), 'CREATE') THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('permission denied to create mapping table in schema %I', map_schema);
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Grant CREATE on that schema, or choose another with the "mapping_schema" option.'::text;
			CONTINUE;
		END IF;
		IF opt ? 'timestamp_column' THEN
			SELECT a.attname, a.atttypid INTO rec2 FROM pg_attribute a
			 WHERE a.attrelid = rel AND a.attname = opt->>'timestamp_column' AND a.attnum > 0 AND NOT a.attisdropped;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'column "%" of table % given as timestamp_column does not exist',
					opt->>'timestamp_column', qname USING ERRCODE = '42703';
			ELSIF rec2.atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype) THEN
				RAISE EXCEPTION 'column "%" of table % given as timestamp_column is of type %, not a timestamp',
					opt->>'timestamp_column', qname, rec2.atttypid::regtype USING ERRCODE = '42804';
			END IF;
			t_ts := t_ts || (rec2.attname)::text;
			t_tstype := t_tstype || rec2.atttypid;
		ELSE
			t_ts := t_ts || NULL::text;
			t_tstype := t_tstype || 0::oid;
		END IF;
		t_oid := t_oid || rel::oid;
		t_att := t_att || (SELECT con.conkey[1] FROM pg_constraint con WHERE con.conrelid = rel AND con.contype = 'p');
		t_map := t_map || format('%I.%I', map_schema, map_name);
		t_ver := t_ver || v_version;
		c_rel := c_rel || rel::oid;
		c_att := c_att || t_att[cardinality(t_att)];
		c_src := c_src || cardinality(t_oid);
	END LOOP;

	-- ---- foreign keys referencing a migrated key: their columns are converted too ---------------------------
	FOR rec IN
		SELECT con.oid, con.conrelid, con.conname, con.conkey, con.confkey, con.confrelid,
			   format('%I.%I', ns.nspname, c.relname) AS qname, c.relkind, c.relowner, c.relhassubclass,
			   EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = c.oid) AS is_child
		  FROM pg_constraint con
		  JOIN pg_class c ON c.oid = con.conrelid
		  JOIN pg_namespace ns ON ns.oid = c.relnamespace
		 WHERE con.contype = 'f' AND con.confrelid = ANY (t_oid)
		 ORDER BY con.conrelid, con.conname
	LOOP
		src := array_position(t_oid, rec.confrelid);
		IF NOT t_att[src] = ANY (rec.confkey) THEN
			CONTINUE;		-- references another unique key of the table, without the migrated column
		END IF;
		-- Known from here on even when refused below, so that no later check mistakes it for an unrelated one.
		fk_oid := fk_oid || rec.oid;
		IF rec.relkind = 'p' OR rec.relhassubclass OR rec.is_child OR rec.conrelid <> ALL (t_oid) AND rec.relkind <> 'r' THEN
			x_object := x_object || format('%I on %s', rec.conname, rec.qname);
			x_detail := x_detail || format('foreign key %I is on table %s, which is partitioned or part of an inheritance tree',
				rec.conname, rec.qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'Partitioned and inheritance tables are not supported by uuid7_migrate().'::text;
			CONTINUE;
		END IF;
		IF NOT pg_has_role(rec.relowner, 'USAGE') THEN
			x_object := x_object || rec.qname;
			x_detail := x_detail || format('must be owner of table %s, whose foreign key %I references a migrated key',
				rec.qname, rec.conname);
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Run the migration as the owner of every table it alters, or as a member of that role.'::text;
			CONTINUE;
		END IF;
		FOR j IN 1 .. cardinality(rec.conkey) LOOP
			IF rec.confkey[j] = t_att[src] THEN
				-- the same column converted from two different mappings cannot work
				n := NULL;
				FOR i IN 1 .. cardinality(c_rel) LOOP
					IF c_rel[i] = rec.conrelid AND c_att[i] = rec.conkey[j] THEN n := i; END IF;
				END LOOP;
				IF n IS NULL THEN
					c_rel := c_rel || rec.conrelid;
					c_att := c_att || rec.conkey[j];
					c_src := c_src || src;
				ELSIF c_src[n] <> src THEN
					x_object := x_object || format('%I on %s', rec.conname, rec.qname);
					x_detail := x_detail || format('column %I of table %s would take its new values from two mappings (%s and %s)',
						(SELECT attname FROM pg_attribute WHERE attrelid = rec.conrelid AND attnum = rec.conkey[j]),
						rec.qname, t_oid[c_src[n]]::regclass, t_oid[src]::regclass);
					x_state := x_state || '0A000'::text;
					x_hint := x_hint || 'A migrated primary key cannot also be a foreign key to another migrated key; migrate the tables separately.'::text;
				END IF;
			END IF;
		END LOOP;
	END LOOP;

	-- ---- everything else that depends on a converted column -------------------------------------------------
	FOR rec IN
		SELECT DISTINCT d.classid, d.objid, d.objsubid, cc.rel, cc.att, cc.src,
			   format('%I.%I', ns.nspname, c.relname) AS qname,
			   a.attname, pg_describe_object(d.classid, d.objid, d.objsubid) AS what
		  FROM unnest(c_rel, c_att, c_src) AS cc(rel, att, src)
		  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = cc.rel AND d.refobjsubid = cc.att
		  JOIN pg_class c ON c.oid = cc.rel
		  JOIN pg_namespace ns ON ns.oid = c.relnamespace
		  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
		 ORDER BY cc.rel, cc.att, d.classid, d.objid, d.objsubid
	LOOP
		IF rec.classid = 'pg_constraint'::regclass THEN
			SELECT con.contype, con.conname, con.conbin INTO rec2 FROM pg_constraint con WHERE con.oid = rec.objid;
			IF rec2.contype IN ('p', 'u') THEN
				CONTINUE;	-- rebuilt by ALTER COLUMN TYPE with the same name and shape
			ELSIF rec2.contype = 'f' THEN
				IF rec.objid = ANY (fk_oid) THEN CONTINUE; END IF;
				x_detail := x_detail || format('foreign key %I uses column %I of table %s, which becomes uuid, but does not reference a migrated key',
					rec2.conname, rec.attname, rec.qname);
				x_hint := x_hint || 'Migrate the referenced table in the same call, or drop that foreign key first.'::text;
			ELSIF rec2.contype = 'n' THEN
				CONTINUE;	-- NOT NULL, a constraint row of its own from PostgreSQL 18 on: holds for uuid as well
			ELSIF rec2.contype = 'c'
				  AND regexp_replace(rec2.conbin::text, '\{NULLTEST :arg \{VAR :varno 1 :varattno ' || rec.att || ' [^{}]*\}', '', 'g')
					  !~ ('\{VAR :varno 1 :varattno ' || rec.att || ' ') THEN
				CONTINUE;	-- only IS [NOT] NULL tests on the column: valid for uuid as well
			ELSE
				x_detail := x_detail || format('%s uses column %I of table %s in an expression that cannot be translated to uuid',
					rec.what, rec.attname, rec.qname);
				x_hint := x_hint || 'Drop the constraint (for example a comparison of the key with a number), migrate, then recreate it for uuid.'::text;
			END IF;
		ELSIF rec.classid = 'pg_class'::regclass THEN
			SELECT ci.relkind, ix.indexprs, ix.indpred, ci.relname INTO rec2
			  FROM pg_class ci LEFT JOIN pg_index ix ON ix.indexrelid = ci.oid WHERE ci.oid = rec.objid;
			IF rec2.relkind = 'S' THEN
				CONTINUE;	-- the owned sequence of a serial column: handled below
			ELSIF rec2.relkind IN ('i', 'I') THEN
				IF (rec2.indexprs IS NULL OR rec2.indexprs::text !~ ('\{VAR :varno 1 :varattno ' || rec.att || ' '))
				   AND (rec2.indpred IS NULL OR
						regexp_replace(rec2.indpred::text, '\{NULLTEST :arg \{VAR :varno 1 :varattno ' || rec.att || ' [^{}]*\}', '', 'g')
						!~ ('\{VAR :varno 1 :varattno ' || rec.att || ' ')) THEN
					CONTINUE;	-- rebuilt by ALTER COLUMN TYPE with the same name and shape
				END IF;
				x_detail := x_detail || format('%s uses column %I of table %s in an expression or predicate that cannot be translated to uuid',
					rec.what, rec.attname, rec.qname);
				x_hint := x_hint || 'Drop the index (for example a partial index comparing the key with a number), migrate, then recreate it for uuid.'::text;
			ELSE
				x_detail := x_detail || format('%s depends on column %I of table %s', rec.what, rec.attname, rec.qname);
				x_hint := x_hint || 'Drop it, migrate, then recreate it.'::text;
			END IF;
		ELSIF rec.classid = 'pg_attrdef'::regclass THEN
			SELECT ad.adnum INTO rec2 FROM pg_attrdef ad WHERE ad.oid = rec.objid;
			IF rec2.adnum = rec.att AND rec.rel = t_oid[rec.src] AND rec.att = t_att[rec.src] THEN
				CONTINUE;	-- the key's own default: replaced
			ELSIF rec2.adnum = rec.att THEN
				x_detail := x_detail || format('column %I of table %s has a default, which cannot be translated to uuid',
					rec.attname, rec.qname);
				x_hint := x_hint || format('Drop the default first (ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT).', rec.qname, rec.attname);
			ELSE
				x_detail := x_detail || format('generated column %I of table %s uses column %I',
					(SELECT attname FROM pg_attribute WHERE attrelid = rec.rel AND attnum = rec2.adnum), rec.qname, rec.attname);
				x_hint := x_hint || 'Drop the generated column, migrate, then add it again for uuid.'::text;
			END IF;
		ELSIF rec.classid = 'pg_rewrite'::regclass THEN
			SELECT rw.ev_class, rw.rulename, vc.relkind INTO rec2
			  FROM pg_rewrite rw JOIN pg_class vc ON vc.oid = rw.ev_class WHERE rw.oid = rec.objid;
			IF rec2.rulename = '_RETURN' AND rec2.relkind IN ('v', 'm') THEN
				IF NOT rec2.ev_class = ANY (v_oid) THEN v_oid := v_oid || rec2.ev_class; END IF;
				CONTINUE;
			END IF;
			x_detail := x_detail || format('%s uses column %I of table %s', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop the rule, migrate, then recreate it.'::text;
		ELSIF rec.classid = 'pg_statistic_ext'::regclass THEN
			CONTINUE;		-- rebuilt by ALTER COLUMN TYPE
		ELSIF rec.classid = 'pg_policy'::regclass THEN
			x_detail := x_detail || format('%s uses column %I of table %s', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Row-level security policies are not translated: drop the policy, migrate, then recreate it for uuid.'::text;
		ELSIF rec.classid = 'pg_trigger'::regclass THEN
			x_detail := x_detail || format('%s uses column %I of table %s (WHEN condition or UPDATE OF list)', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop the trigger, migrate, then recreate it for uuid.'::text;
		ELSIF rec.classid = 'pg_proc'::regclass THEN
			x_detail := x_detail || format('%s uses column %I of table %s in its SQL body', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop the function, migrate, then recreate it for uuid.'::text;
		ELSIF rec.classid = 'pg_publication_rel'::regclass THEN
			x_detail := x_detail || format('%s lists column %I of table %s', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Remove the table from the publication (or its column list or row filter), migrate, then add it back.'::text;
		ELSE
			x_detail := x_detail || format('%s depends on column %I of table %s', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop it, migrate, then recreate it.'::text;
		END IF;
		x_object := x_object || rec.what;
		x_state := x_state || '0A000'::text;
	END LOOP;

	-- the row type of an altered table used as a column type elsewhere blocks ALTER COLUMN TYPE
	FOR rec IN
		SELECT DISTINCT c.oid::regclass AS tbl, a.attrelid::regclass AS user_rel, a.attname
		  FROM pg_class c JOIN pg_attribute a ON a.atttypid = c.reltype AND a.attnum > 0 AND NOT a.attisdropped
		 WHERE c.oid = ANY (c_rel) AND a.attrelid <> c.oid
	LOOP
		x_object := x_object || rec.tbl::text;
		x_detail := x_detail || format('column %I of %s uses the row type of table %s', rec.attname, rec.user_rel, rec.tbl);
		x_state := x_state || '0A000'::text;
		x_hint := x_hint || 'Drop that column first.'::text;
	END LOOP;

	-- identity and serial sequences of the keys: something else using them blocks their removal
	FOR i IN 1 .. cardinality(t_oid) LOOP
		FOR rec IN
			SELECT s.oid AS seq, d.deptype,
				   (SELECT string_agg(pg_describe_object(o.classid, o.objid, o.objsubid), ', ')
					  FROM pg_depend o
					 WHERE o.refclassid = 'pg_class'::regclass AND o.refobjid = s.oid
					   AND NOT (o.classid = 'pg_attrdef'::regclass AND o.objid IS NOT DISTINCT FROM ad.oid)
					   AND NOT (o.classid = 'pg_class'::regclass AND o.objid = s.oid)) AS others
			  FROM pg_depend d
			  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
			  LEFT JOIN pg_attrdef ad ON ad.adrelid = t_oid[i] AND ad.adnum = t_att[i]
			 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
			   AND d.refobjid = t_oid[i] AND d.refobjsubid = t_att[i] AND d.deptype IN ('a', 'i')
		LOOP
			IF rec.others IS NOT NULL AND rec.deptype = 'i' THEN
				x_object := x_object || rec.seq::regclass::text;
				x_detail := x_detail || format('identity sequence %s of table %s is also used by %s',
					rec.seq::regclass, t_oid[i]::regclass, rec.others);
				x_state := x_state || '2BP01'::text;
				x_hint := x_hint || 'Make the other objects use their own sequence first.'::text;
			END IF;
		END LOOP;
	END LOOP;

	-- ---- views and materialized views: the ones on converted columns, and every view built on those --------
	IF cardinality(v_oid) > 0 THEN
		WITH RECURSIVE tree(oid, depth) AS (
			SELECT u, 1 FROM unnest(v_oid) AS u
			UNION ALL
			SELECT rw.ev_class, tree.depth + 1
			  FROM tree
			  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = tree.oid AND d.classid = 'pg_rewrite'::regclass
			  JOIN pg_rewrite rw ON rw.oid = d.objid AND rw.ev_class <> tree.oid
			 WHERE tree.depth < 100
		)
		SELECT array_agg(oid ORDER BY depth, oid) INTO v_oid
		  FROM (SELECT oid, max(depth) AS depth FROM tree GROUP BY oid) AS t;
		FOR rec IN
			SELECT c.oid, format('%I.%I', ns.nspname, c.relname) AS qname, c.relowner
			  FROM unnest(v_oid) AS u JOIN pg_class c ON c.oid = u JOIN pg_namespace ns ON ns.oid = c.relnamespace
		LOOP
			IF NOT pg_has_role(rec.relowner, 'USAGE') THEN
				x_object := x_object || rec.qname;
				x_detail := x_detail || format('must be owner of view %s, which must be recreated', rec.qname);
				x_state := x_state || '42501'::text;
				x_hint := x_hint || 'Run the migration as the owner of every view it recreates, or as a member of that role.'::text;
			END IF;
		END LOOP;
	END IF;

	-- ---- the steps --------------------------------------------------------------------------------------------
	-- 1. lock every table altered, in a fixed order (OID) so that concurrent callers queue instead of
	--    deadlocking (the views are locked when they are dropped)
	SELECT array_agg(format('%I.%I', ns.nspname, c.relname) ORDER BY c.oid) INTO lock_list
	  FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
	 WHERE c.oid IN (SELECT unnest(c_rel) UNION SELECT unnest(t_oid));
	IF lock_list IS NOT NULL THEN
		r_phase := r_phase || 'lock'::text;
		r_object := r_object || array_to_string(lock_list, ', ');
		r_detail := r_detail || 'ACCESS EXCLUSIVE until the end of the transaction'::text;
		r_stmt := r_stmt || format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', array_to_string(lock_list, ', '));
	END IF;

	-- 2. mapping tables: old key -> new key, new keys made in key order (or timestamp-column order)
	FOR i IN 1 .. cardinality(t_oid) LOOP
		qname := t_oid[i]::regclass::text;
		SELECT attname INTO k FROM pg_attribute WHERE attrelid = t_oid[i] AND attnum = t_att[i];
		r_phase := r_phase || 'mapping'::text || 'mapping'::text || 'mapping'::text;
		r_object := r_object || t_map[i] || t_map[i] || t_map[i];
		r_detail := r_detail || format('create the mapping table of %s', qname)
			|| format('one new v%s key per row of %s, in order of %s', t_ver[i], qname,
					  CASE WHEN t_ts[i] IS NULL THEN quote_ident(k) ELSE format('%I, then %I', t_ts[i], k) END)
			|| 'index both directions'::text;
		r_stmt := r_stmt
			|| format('CREATE TABLE %s (old_id bigint NOT NULL, new_id uuid NOT NULL DEFAULT %s.uuid_generate_v7())', t_map[i], ext)
			|| format('INSERT INTO %s (old_id, new_id) SELECT s.k, %s.uuid7_migration_next(%L::regclass, %s, %s, %s) FROM (SELECT %I AS k%s FROM %s ORDER BY %s OFFSET 0) AS s',
					  t_map[i], ext, t_map[i], t_ver[i],
					  CASE WHEN t_ts[i] IS NULL THEN 'NULL' ELSE 's.ts' END,
					  CASE WHEN t_ts[i] IS NULL THEN 'false' ELSE 'true' END,
					  k,
					  CASE WHEN t_ts[i] IS NULL THEN '' ELSE format(', %I::timestamptz AS ts', t_ts[i]) END,
					  qname,
					  CASE WHEN t_ts[i] IS NULL THEN '1' ELSE '2, 1' END)
			|| format('ALTER TABLE %s ADD PRIMARY KEY (old_id), ADD UNIQUE (new_id)', t_map[i]);
		r_phase := r_phase || 'mapping'::text;
		r_object := r_object || t_map[i];
		r_detail := r_detail || 'describe the mapping table'::text;
		r_stmt := r_stmt || format('COMMENT ON TABLE %s IS %L', t_map[i],
			format('uuid7 key mapping of %s (column %s): old_id -> new_id', qname, quote_ident(k)));
		IF (SELECT relowner FROM pg_class WHERE oid = t_oid[i]) <> (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN
			r_phase := r_phase || 'mapping'::text;
			r_object := r_object || t_map[i];
			r_detail := r_detail || 'owned by the owner of the migrated table'::text;
			r_stmt := r_stmt || format('ALTER TABLE %s OWNER TO %I', t_map[i],
				(SELECT rolname FROM pg_roles WHERE oid = (SELECT relowner FROM pg_class WHERE oid = t_oid[i])));
		END IF;
	END LOOP;

	-- 3. drop the views (deepest first)
	IF cardinality(v_oid) > 0 THEN
		FOR rec IN
			SELECT format('%I.%I', ns.nspname, c.relname) AS qname, c.relkind
			  FROM unnest(v_oid) WITH ORDINALITY AS u(oid, ord) JOIN pg_class c ON c.oid = u.oid
			  JOIN pg_namespace ns ON ns.oid = c.relnamespace
			 ORDER BY u.ord DESC
		LOOP
			r_phase := r_phase || 'drop view'::text;
			r_object := r_object || rec.qname;
			r_detail := r_detail || 'recreated after the tables are altered'::text;
			r_stmt := r_stmt || format('DROP %s %s', CASE rec.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, rec.qname);
		END LOOP;
	END IF;

	-- 4. drop the foreign keys on converted columns (metadata only: no rewrite)
	FOR rec IN
		SELECT con.conrelid::regclass AS tbl, string_agg(format('DROP CONSTRAINT %I', con.conname), ', ' ORDER BY con.conname) AS cmds,
			   string_agg(quote_ident(con.conname), ', ' ORDER BY con.conname) AS names
		  FROM pg_constraint con WHERE con.oid = ANY (fk_oid)
		 GROUP BY con.conrelid ORDER BY con.conrelid
	LOOP
		r_phase := r_phase || 'drop foreign key'::text;
		r_object := r_object || rec.tbl::text;
		r_detail := r_detail || format('foreign keys %s, recreated after the tables are altered', rec.names);
		r_stmt := r_stmt || format('ALTER TABLE %s %s', rec.tbl, rec.cmds);
	END LOOP;

	-- 5. one ALTER TABLE per table: every converted column, the key's identity/default (one rewrite)
	FOR rec IN
		SELECT DISTINCT u AS rel FROM unnest(c_rel) AS u ORDER BY u
	LOOP
		parts := '{}';
		FOR rec2 IN
			SELECT cc.att, cc.src, a.attname, a.attidentity, a.atthasdef, a.atttypid::regtype AS oldtype
			  FROM unnest(c_rel, c_att, c_src) AS cc(rel, att, src)
			  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
			 WHERE cc.rel = rec.rel ORDER BY cc.att
		LOOP
			IF t_oid[rec2.src] = rec.rel AND t_att[rec2.src] = rec2.att THEN
				IF rec2.attidentity <> '' THEN
					-- must precede the type change in its own statement (metadata only: no rewrite)
					r_phase := r_phase || 'drop identity'::text;
					r_object := r_object || rec.rel::regclass::text;
					r_detail := r_detail || format('identity of column %I and its sequence', rec2.attname);
					r_stmt := r_stmt || format('ALTER TABLE %s ALTER COLUMN %I DROP IDENTITY', rec.rel::regclass, rec2.attname);
				ELSIF rec2.atthasdef THEN
					parts := parts || format('ALTER COLUMN %I DROP DEFAULT', rec2.attname);
				END IF;
				parts := parts || format('ALTER COLUMN %I TYPE uuid USING %s.uuid7_migration_lookup(%L::regclass, %I)',
					rec2.attname, ext, t_map[rec2.src], rec2.attname);
				parts := parts || format('ALTER COLUMN %I SET DEFAULT %s.uuid_generate_v%s()', rec2.attname, ext, t_ver[rec2.src]);
			ELSE
				parts := parts || format('ALTER COLUMN %I TYPE uuid USING %s.uuid7_migration_lookup(%L::regclass, %I)',
					rec2.attname, ext, t_map[rec2.src], rec2.attname);
			END IF;
		END LOOP;
		r_phase := r_phase || 'alter table'::text;
		r_object := r_object || rec.rel::regclass::text;
		r_detail := r_detail || format('%s subcommand(s), one rewrite; indexes rebuilt with the same names', cardinality(parts))::text;
		r_stmt := r_stmt || format('ALTER TABLE %s %s', rec.rel::regclass, array_to_string(parts, ', '));
	END LOOP;

	-- 6. serial sequences: dropped when nothing else uses them
	FOR i IN 1 .. cardinality(t_oid) LOOP
		FOR rec IN
			SELECT s.oid::regclass AS seq,
				   EXISTS (SELECT 1 FROM pg_depend o
						    WHERE o.refclassid = 'pg_class'::regclass AND o.refobjid = s.oid
							  AND NOT (o.classid = 'pg_attrdef'::regclass AND o.objid IS NOT DISTINCT FROM ad.oid)
							  AND NOT (o.classid = 'pg_class'::regclass AND o.objid = s.oid)) AS used_elsewhere
			  FROM pg_depend d
			  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
			  LEFT JOIN pg_attrdef ad ON ad.adrelid = t_oid[i] AND ad.adnum = t_att[i]
			 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
			   AND d.refobjid = t_oid[i] AND d.refobjsubid = t_att[i] AND d.deptype = 'a'
		LOOP
			r_phase := r_phase || 'sequence'::text;
			r_object := r_object || rec.seq::text;
			IF rec.used_elsewhere THEN
				r_detail := r_detail || 'kept (other objects use it), no longer owned by the key'::text;
				r_stmt := r_stmt || format('ALTER SEQUENCE %s OWNED BY NONE', rec.seq);
			ELSE
				r_detail := r_detail || 'no longer used'::text;
				r_stmt := r_stmt || format('DROP SEQUENCE %s', rec.seq);
			END IF;
		END LOOP;
	END LOOP;

	-- 7. recreate the foreign keys, same name and definition (MATCH, actions, deferrability, NOT VALID)
	FOR rec IN
		SELECT con.conrelid::regclass AS tbl,
			   string_agg(format('ADD CONSTRAINT %I %s', con.conname, pg_get_constraintdef(con.oid)), ', ' ORDER BY con.conname) AS cmds,
			   string_agg(quote_ident(con.conname), ', ' ORDER BY con.conname) AS names
		  FROM pg_constraint con WHERE con.oid = ANY (fk_oid)
		 GROUP BY con.conrelid ORDER BY con.conrelid
	LOOP
		r_phase := r_phase || 'add foreign key'::text;
		r_object := r_object || rec.tbl::text;
		r_detail := r_detail || format('foreign keys %s (validated unless NOT VALID before)', rec.names);
		r_stmt := r_stmt || format('ALTER TABLE %s %s', rec.tbl, rec.cmds);
	END LOOP;
	FOR rec IN
		SELECT con.conrelid::regclass AS tbl, con.conname, d.description
		  FROM pg_constraint con JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid AND d.objsubid = 0
		 WHERE con.oid = ANY (fk_oid) ORDER BY con.conrelid, con.conname
	LOOP
		r_phase := r_phase || 'add foreign key'::text;
		r_object := r_object || format('%I on %s', rec.conname, rec.tbl);
		r_detail := r_detail || 'comment'::text;
		r_stmt := r_stmt || format('COMMENT ON CONSTRAINT %I ON %s IS %L', rec.conname, rec.tbl, rec.description);
	END LOOP;

	-- 8. recreate the views in dependency order: definition, options, owner, grants, comments, indexes, triggers
	IF cardinality(v_oid) > 0 THEN
		FOR rec IN
			SELECT c.oid, c.relkind, format('%I.%I', ns.nspname, c.relname) AS qname, c.reloptions, c.relacl,
				   c.relispopulated, pg_get_userbyid(c.relowner) AS owner, ts.spcname, am.amname,
				   pg_get_viewdef(c.oid) AS def
			  FROM unnest(v_oid) WITH ORDINALITY AS u(oid, ord) JOIN pg_class c ON c.oid = u.oid
			  JOIN pg_namespace ns ON ns.oid = c.relnamespace
			  LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
			  LEFT JOIN pg_am am ON am.oid = c.relam
			 ORDER BY u.ord
		LOOP
			def := rtrim(rec.def, '; ' || chr(10));
			stmt := NULL;
			IF rec.reloptions IS NOT NULL THEN
				SELECT ' WITH (' || string_agg(
						CASE WHEN position('.' IN split_part(o, '=', 1)) > 0
							 THEN format('%I.%I', split_part(split_part(o, '=', 1), '.', 1), split_part(split_part(o, '=', 1), '.', 2))
							 ELSE quote_ident(split_part(o, '=', 1)) END
						|| '=' || quote_literal(substr(o, position('=' IN o) + 1)), ', ') || ')'
				  INTO stmt FROM unnest(rec.reloptions) AS o;
			END IF;
			r_phase := r_phase || 'create view'::text;
			r_object := r_object || rec.qname;
			IF rec.relkind = 'm' THEN
				r_detail := r_detail || CASE WHEN rec.relispopulated THEN 'materialized view, populated' ELSE 'materialized view, not populated' END;
				r_stmt := r_stmt || format('CREATE MATERIALIZED VIEW %s%s%s%s AS %s WITH %sDATA', rec.qname,
					CASE WHEN rec.amname IS NOT NULL AND rec.amname <> 'heap' THEN ' USING ' || quote_ident(rec.amname) ELSE '' END,
					coalesce(stmt, ''),
					CASE WHEN rec.spcname IS NOT NULL THEN ' TABLESPACE ' || quote_ident(rec.spcname) ELSE '' END,
					def, CASE WHEN rec.relispopulated THEN '' ELSE 'NO ' END);
			ELSE
				r_detail := r_detail || 'view'::text;
				r_stmt := r_stmt || format('CREATE VIEW %s%s AS %s', rec.qname, coalesce(stmt, ''), def);
			END IF;
			-- everything else about the view, in the order it must be applied
			FOR rec2 IN
				SELECT 1 AS ord, 'owner' AS what,
					   format('ALTER %s %s OWNER TO %I', CASE rec.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, rec.qname, rec.owner) AS sql
				UNION ALL
				SELECT 2, 'column default', format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', rec.qname, a.attname, pg_get_expr(ad.adbin, ad.adrelid))
				  FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
				 WHERE ad.adrelid = rec.oid
				UNION ALL
				SELECT 3, 'grants', format('REVOKE ALL ON %s FROM %I', rec.qname, rec.owner) WHERE rec.relacl IS NOT NULL
				UNION ALL
				SELECT 4, 'grants', format('GRANT %s ON %s TO %s%s', g.privilege_type, rec.qname,
						CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
						CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
				  FROM aclexplode(rec.relacl) AS g
				UNION ALL
				SELECT 5, 'column grants', format('GRANT %s (%I) ON %s TO %s%s', g.privilege_type, a.attname, rec.qname,
						CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
						CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
				  FROM pg_attribute a, aclexplode(a.attacl) AS g
				 WHERE a.attrelid = rec.oid AND a.attacl IS NOT NULL
				UNION ALL
				SELECT 6, 'comment', format('COMMENT ON %s %s IS %L', CASE rec.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, rec.qname, d.description)
				  FROM pg_description d WHERE d.classoid = 'pg_class'::regclass AND d.objoid = rec.oid AND d.objsubid = 0
				UNION ALL
				SELECT 7, 'column comment', format('COMMENT ON COLUMN %s.%I IS %L', rec.qname, a.attname, d.description)
				  FROM pg_description d JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
				 WHERE d.classoid = 'pg_class'::regclass AND d.objoid = rec.oid AND d.objsubid > 0
				UNION ALL
				SELECT 8, 'index', pg_get_indexdef(ix.indexrelid) FROM pg_index ix WHERE ix.indrelid = rec.oid
				UNION ALL
				SELECT 9, 'trigger', pg_get_triggerdef(tg.oid) FROM pg_trigger tg WHERE tg.tgrelid = rec.oid AND NOT tg.tgisinternal
				UNION ALL
				SELECT 10, 'rule', pg_get_ruledef(rw.oid) FROM pg_rewrite rw WHERE rw.ev_class = rec.oid AND rw.rulename <> '_RETURN'
				ORDER BY 1, 3
			LOOP
				r_phase := r_phase || 'create view'::text;
				r_object := r_object || rec.qname;
				r_detail := r_detail || rec2.what;
				r_stmt := r_stmt || rtrim(rec2.sql, ';');
			END LOOP;
		END LOOP;
	END IF;

	-- 9. register the mapping tables
	FOR i IN 1 .. cardinality(t_oid) LOOP
		r_phase := r_phase || 'register'::text;
		r_object := r_object || t_oid[i]::regclass::text;
		r_detail := r_detail || format('mapping table %s', t_map[i]);
		r_stmt := r_stmt || format('INSERT INTO %s.uuid7_migrated_table (relid, key_column, old_type, mapping_table, uuid_version, timestamp_column) VALUES (%L::regclass, %L, %L::regtype, %L::regclass, %s, %L)',
			ext, t_oid[i]::regclass, (SELECT attname FROM pg_attribute WHERE attrelid = t_oid[i] AND attnum = t_att[i]),
			(SELECT atttypid::regtype FROM pg_attribute WHERE attrelid = t_oid[i] AND attnum = t_att[i]),
			t_map[i], t_ver[i], t_ts[i]);
	END LOOP;

	-- 10. optional ANALYZE: ALTER COLUMN TYPE discards the column statistics
	IF v_analyze THEN
		FOR rec IN SELECT DISTINCT u AS rel FROM unnest(c_rel) AS u ORDER BY u LOOP
			r_phase := r_phase || 'analyze'::text;
			r_object := r_object || rec.rel::regclass::text;
			r_detail := r_detail || 'fresh planner statistics'::text;
			r_stmt := r_stmt || format('ANALYZE %s', rec.rel::regclass);
		END LOOP;
	END IF;

	-- ---- output: refusals first, then the steps -------------------------------------------------------------
	n := cardinality(x_object);
	RETURN QUERY
		SELECT s.ord::integer, 'refusal'::text, s.o, s.d, NULL::text, s.st, s.h
		  FROM unnest(x_object, x_detail, x_state, x_hint) WITH ORDINALITY AS s(o, d, st, h, ord)
		UNION ALL
		SELECT (n + s.ord)::integer, s.p, s.o, s.d, s.sq, NULL::text, NULL::text
		  FROM unnest(r_phase, r_object, r_detail, r_stmt) WITH ORDINALITY AS s(p, o, d, sq, ord)
		 WHERE n = 0
		ORDER BY 1;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_plan(regclass[], jsonb) IS
	'what uuid7_migrate() would do with these tables and options: every refusal, or every step with its exact SQL; changes nothing';
