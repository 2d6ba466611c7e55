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
