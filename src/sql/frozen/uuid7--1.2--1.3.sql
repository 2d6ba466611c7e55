/* uuid7 1.3: online migration fixes — NOT NULL kept on referencing columns, foreign key twins that do not starve
   under writes, key order kept for transactions open during the map phase, the worker's advisory lock as its
   liveness test, resume after a refused finish, and a worker that paces itself (option work_percent). */

\echo Use "ALTER EXTENSION uuid7 UPDATE TO '1.3'" to load this file. \quit

-- map rounds: the highest key a round maps, and the transactions it waits for first (see uuid7_online_step)
ALTER TABLE uuid7_online_table ADD COLUMN map_horizon bigint, ADD COLUMN map_wait text[];
-- when the worker was handed its last top-level statement: the next step rests in proportion to its duration
ALTER TABLE uuid7_online_migration ADD COLUMN run_started_at timestamptz;

-- The quoted schema of the extension, for statements built at run time.
CREATE FUNCTION uuid7_extension_schema() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT quote_ident(ns.nspname) FROM pg_extension e JOIN pg_namespace ns ON ns.oid = e.extnamespace WHERE e.extname = 'uuid7'
$fn$;
COMMENT ON FUNCTION uuid7_extension_schema() IS
	'internal: the quoted name of the schema uuid7 is installed in';

CREATE OR REPLACE FUNCTION uuid7_online_setting(options jsonb, name text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT coalesce((options->>name)::integer, CASE name
		WHEN 'batch_blocks' THEN 100		-- heap pages per backfill batch (one transaction each)
		WHEN 'map_batch' THEN 50000			-- old keys per mapping batch
		WHEN 'pause_ms' THEN 0				-- least pause between backfill batches
		WHEN 'work_percent' THEN 50			-- share of the time the worker works: it rests (100 - p)/p of each unit's time
		WHEN 'vacuum_every' THEN 0			-- batches between VACUUMs; 0: every 5% of the table
		WHEN 'lock_timeout_ms' THEN 200		-- longest wait for a lock (others queue behind the request)
		WHEN 'lock_retries' THEN 50 END)	-- attempts per exclusive step, with backoff
$fn$;
COMMENT ON FUNCTION uuid7_online_setting(jsonb, text) IS
	'internal to the online migration: an online option (batch_blocks, map_batch, pause_ms, work_percent, vacuum_every, lock_timeout_ms, lock_retries) or its default';

-- ---- the worker's liveness: it holds a session advisory lock for as long as it lives -----------------------------

-- The pid of the live worker of a migration, or NULL. The lock is released by the process's end however it ends
-- (exit, kill -9 and the crash recovery that follows, restart), so a dead worker is never taken for a live one.
CREATE FUNCTION uuid7_online_worker_pid(migration bigint) RETURNS integer
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT l.pid FROM pg_locks l
	 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
	   AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
	   AND l.classid = 1970628964 AND l.objid = (migration % 4294967296)::oid
	 LIMIT 1
$fn$;
COMMENT ON FUNCTION uuid7_online_worker_pid(bigint) IS
	'internal to the online migration: the pid of the worker that drives the migration (it holds its advisory lock), or NULL';

-- Whether a migration that should be running has no worker. The lock is read first and the state after it, with a
-- snapshot of its own: a worker that ended after the caller's snapshot was taken has committed its last state by
-- then (ready, blocked, failed), and is not taken for a stopped one.
CREATE FUNCTION uuid7_online_stopped(migration bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF @extschema@.uuid7_online_worker_pid(migration) IS NOT NULL THEN
		RETURN false;
	END IF;
	RETURN EXISTS (SELECT 1 FROM @extschema@.uuid7_online_migration WHERE id = migration AND state IN ('running', 'waiting'));
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_stopped(bigint) IS
	'internal to the online migration: whether the migration is running or waiting by its state but its worker is gone';

-- Launches the worker of a migration and waits until it holds its lock, so that the status never shows a worker
-- that is starting as stopped. Called by uuid7_migration_start() and _resume() in their transaction.
CREATE FUNCTION uuid7_online_start_worker(migration bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	pid int;
	i int;
BEGIN
	-- the worker's steps wait for this transaction to end before they look at the migration
	PERFORM pg_advisory_xact_lock(1970629989, (migration % 2147483648)::int);
	pid := @extschema@.uuid7_online_launch(migration);
	FOR i IN 1 .. 1000 LOOP
		EXIT WHEN @extschema@.uuid7_online_worker_pid(migration) IS NOT DISTINCT FROM pid;
		PERFORM pg_sleep(0.01);
	END LOOP;
	UPDATE @extschema@.uuid7_online_migration SET worker_pid = pid, updated_at = clock_timestamp() WHERE id = migration;
	RETURN pid;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_start_worker(bigint) IS
	'internal to the online migration: launches the background worker of a migration and waits (at most 10 s) until it holds its lock; returns its pid';

-- ---- pacing: the worker leaves the machine to the application for part of the time ------------------------------

-- What the worker does after a unit of work that began at since: go on, or rest (100 - work_percent)/work_percent of
-- the time the unit took, and at least at_least_ms.
CREATE FUNCTION uuid7_online_pace(options jsonb, since timestamptz, at_least_ms integer DEFAULT 0)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	pct int := @extschema@.uuid7_online_setting(options, 'work_percent');
	rest int;
BEGIN
	rest := greatest(coalesce(at_least_ms, 0),
		(extract(epoch FROM clock_timestamp() - since) * 1000 * (100 - pct) / pct)::int);
	IF rest < 5 THEN
		RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
	ELSE
		RETURN QUERY SELECT 'sleep', NULL::text, rest;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_pace(jsonb, timestamptz, integer) IS
	'internal to the online migration: continue, or sleep in proportion to the work done since since (option work_percent)';

-- ---- the plan of the offline migration, read by the start and by the swap -----------------------------------------

-- Copies uuid7_migration_plan(tables, plan_options) into the temporary table uuid7_plan_rows (dropped at commit) and
-- raises its first refusal, if any: at the start (nothing done yet) or at the swap (something changed since).
CREATE FUNCTION uuid7_online_plan(tables regclass[], plan_options jsonb, context text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	first_refusal record;
	refusals int;
BEGIN
	CREATE TEMP TABLE IF NOT EXISTS uuid7_plan_rows (step int, phase text, object text, detail text, statement text, sqlstate text, hint text) ON COMMIT DROP;
	TRUNCATE uuid7_plan_rows;
	INSERT INTO uuid7_plan_rows SELECT * FROM @extschema@.uuid7_migration_plan(tables, plan_options);
	SELECT count(*) INTO refusals FROM uuid7_plan_rows p WHERE p.phase = 'refusal';
	IF refusals = 0 THEN
		RETURN;
	END IF;
	SELECT * INTO first_refusal FROM uuid7_plan_rows p WHERE p.phase = 'refusal' ORDER BY p.step LIMIT 1;
	IF context = 'swap' THEN
		RAISE EXCEPTION USING
			ERRCODE = first_refusal.sqlstate,
			MESSAGE = 'cannot swap: ' || first_refusal.detail,
			DETAIL = 'Something changed since the migration started; nothing was changed by the swap.',
			HINT = first_refusal.hint || ' uuid7_migration_abort() undoes the migration.';
	END IF;
	RAISE EXCEPTION USING
		ERRCODE = first_refusal.sqlstate,
		MESSAGE = 'cannot migrate: ' || first_refusal.detail,
		DETAIL = CASE WHEN refusals > 1 THEN format('%s other refusal(s) as well; nothing was changed.', refusals - 1)
					  ELSE 'Nothing was changed.' END,
		HINT = first_refusal.hint || ' uuid7_migration_plan() lists every refusal.';
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_plan(regclass[], jsonb, text) IS
	'internal to the online migration: reads the offline plan into the temporary table uuid7_plan_rows and raises its first refusal (context start or swap)';

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
	c record;
	n bigint;
	k bigint;
	stmt text;
	sets text;
	cond text;
	body text;
	bstart bigint;
	bend bigint;
	vac_every int;
	pause int;
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
	pause := @extschema@.uuid7_online_setting(m.options, 'pause_ms');
	IF m.run_started_at IS NOT NULL THEN
		-- the top-level statement handed out last has ended: rest in proportion to its time
		UPDATE @extschema@.uuid7_online_migration SET run_started_at = NULL WHERE id = migration;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, m.run_started_at);
		RETURN;
	END IF;

	-- ---- map: a new key for every existing row, in old-key order, before any trigger exists ------------------
	IF m.phase = 'map' THEN
		IF m.key_time_base IS NULL THEN
			-- One millisecond per batch, ending a second before now: every key made later by the sync triggers
			-- (from the clock) sorts after every key of an existing row, so key order is kept.
			n := 0;
			FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration AND is_key ORDER BY ord LOOP
				EXECUTE format('SELECT count(*) FROM %s', t.relid) INTO k;
				n := n + k / @extschema@.uuid7_online_setting(m.options, 'map_batch') + 1;
			END LOOP;
			UPDATE @extschema@.uuid7_online_migration
			   SET key_time_base = clock_timestamp() - make_interval(secs => (n + 1000) / 1000.0), updated_at = clock_timestamp()
			 WHERE id = migration;
			RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
			RETURN;
		END IF;
		-- In rounds. A round picks its horizon, the highest key now, and first waits for the transactions open at that
		-- moment: a sequence key below the horizon is then committed or never will be, and the round maps all of them
		-- in key order. Keys drawn later are above it. Rounds go on until few keys are left above the last horizon;
		-- the expand maps those, in order, under its lock.
		SELECT * INTO t FROM @extschema@.uuid7_online_table WHERE migration_id = migration AND is_key AND NOT map_done ORDER BY ord LIMIT 1;
		IF FOUND THEN
			IF t.map_wait IS NOT NULL THEN
				SELECT count(*), string_agg(l.pid::text, ', ' ORDER BY l.pid) INTO n, stmt
				  FROM pg_locks l
				 WHERE l.locktype = 'virtualxid' AND l.mode = 'ExclusiveLock' AND l.granted AND l.virtualxid = ANY (t.map_wait);
				IF n > 0 THEN
					UPDATE @extschema@.uuid7_online_migration
					   SET state = 'waiting', updated_at = clock_timestamp(),
						   last_error = format('map of %s: waiting for %s transaction(s) open since key %s was the highest (pid %s)',
											   t.relid, n, t.map_horizon, stmt)
					 WHERE id = migration;
					RETURN QUERY SELECT 'sleep', NULL::text, 200;
					RETURN;
				END IF;
				UPDATE @extschema@.uuid7_online_table SET map_wait = NULL WHERE migration_id = migration AND relid = t.relid;
				UPDATE @extschema@.uuid7_online_migration SET state = 'running', last_error = NULL, updated_at = clock_timestamp()
				 WHERE id = migration AND state = 'waiting';
				RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
				RETURN;
			END IF;
			IF t.map_horizon IS NULL OR t.map_cursor >= t.map_horizon THEN
				-- a new round, unless few keys are left above the cursor
				IF t.map_horizon IS NOT NULL THEN
					EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s WHERE %I > $1 LIMIT 1000) s', t.relid, t.key_column)
					  INTO n USING t.map_cursor;
				END IF;
				EXECUTE format('SELECT max(%I) FROM %s', t.key_column, t.relid) INTO k;
				IF k IS NULL OR (t.map_horizon IS NOT NULL AND n < 1000) THEN
					UPDATE @extschema@.uuid7_online_table SET map_done = true WHERE migration_id = migration AND relid = t.relid;
				ELSE
					-- the transactions of this database's clients open now (a long one holds the map up: the status says so)
					UPDATE @extschema@.uuid7_online_table
					   SET map_horizon = k,
						   map_wait = coalesce((SELECT array_agg(l.virtualxid)
												  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
												 WHERE l.locktype = 'virtualxid' AND l.mode = 'ExclusiveLock' AND l.granted
												   AND l.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
												   AND a.datname = current_database()), '{}')
					 WHERE migration_id = migration AND relid = t.relid;
				END IF;
				RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
				RETURN;
			END IF;
			EXECUTE format('WITH s AS (SELECT %I AS k FROM %s WHERE %I > $1 AND %I <= $3 ORDER BY %I LIMIT %s),'
					' ins AS (INSERT INTO %s (old_id, new_id) SELECT s.k, %s.uuid7_migration_next(%L::regclass, %s, $2, true)'
					' FROM (SELECT k FROM s ORDER BY k OFFSET 0) s ON CONFLICT (old_id) DO NOTHING)'
					' SELECT count(*), max(k) FROM s',
				t.key_column, t.relid, t.key_column, t.key_column, t.key_column, @extschema@.uuid7_online_setting(m.options, 'map_batch'),
				t.mapping_table, ext, t.mapping_table, t.uuid_version)
			  INTO n, k
			  USING coalesce(t.map_cursor, -9223372036854775808),
					(SELECT m.key_time_base + make_interval(secs => sum(x.map_batches) / 1000.0)
					   FROM @extschema@.uuid7_online_table x WHERE x.migration_id = migration),
					t.map_horizon;
			-- a short batch ends the round: every key up to the horizon is mapped
			UPDATE @extschema@.uuid7_online_table
			   SET map_cursor = CASE WHEN n < @extschema@.uuid7_online_setting(m.options, 'map_batch') THEN map_horizon ELSE k END,
				   map_batches = map_batches + 1
			 WHERE migration_id = migration AND relid = t.relid;
			RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
			RETURN;
		END IF;
		UPDATE @extschema@.uuid7_online_migration SET phase = 'expand', updated_at = clock_timestamp() WHERE id = migration;
		RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
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
				-- The trigger function: each converted column's twin follows it through the mapping. A key not in
				-- the mapping yet (a new row, or a child written before its parent in a deferred transaction) gets
				-- its new key here, and whichever side comes second finds it.
				body := '';
				FOR c IN
					SELECT oc.attname, oc.new_name, s.mapping_table, s.uuid_version
					  FROM @extschema@.uuid7_online_column oc
					  JOIN @extschema@.uuid7_online_table s ON s.migration_id = oc.migration_id AND s.relid = oc.source
					 WHERE oc.migration_id = migration AND oc.relid = t.relid ORDER BY oc.attname
				LOOP
					-- every UPDATE, not only of the integer column: an update of another column moves a row that the
					-- backfill may already have passed, and must carry its twin along
					body := body || format(
						E'\tIF NEW.%1$I IS NULL THEN\n\t\tNEW.%2$I := NULL;\n'
						'\tELSIF TG_OP = ''INSERT'' OR NEW.%1$I IS DISTINCT FROM OLD.%1$I OR NEW.%2$I IS NULL THEN\n'
						'\t\tSELECT m.new_id INTO NEW.%2$I FROM %3$s m WHERE m.old_id = NEW.%1$I;\n'
						'\t\tIF NOT FOUND THEN\n'
						'\t\t\tINSERT INTO %3$s (old_id, new_id) VALUES (NEW.%1$I, %4$s.uuid_generate_v%5$s()) ON CONFLICT (old_id) DO NOTHING;\n'
						'\t\t\tSELECT m.new_id INTO NEW.%2$I FROM %3$s m WHERE m.old_id = NEW.%1$I;\n'
						'\t\tEND IF;\n\tEND IF;\n',
						c.attname, c.new_name, c.mapping_table, ext, c.uuid_version);
				END LOOP;
				-- SECURITY DEFINER on purpose: whoever writes the table must be able to extend the mapping, which only
				-- the migrating role may write. The body names nothing unqualified.
				EXECUTE format(E'CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS %L',
					t.sync_function, E'BEGIN\n' || body || E'\tRETURN NEW;\nEND');
				EXECUTE format('REVOKE ALL ON FUNCTION %s() FROM PUBLIC', t.sync_function);
				-- named to sort last among BEFORE triggers: it sees the values the other triggers set
				EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %s()',
					'zz_uuid7_sync_' || migration, t.relid, t.sync_function);
			END LOOP;
			-- the keys above the last horizon of the map (few; no writer is left), in key order
			FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration AND is_key ORDER BY ord LOOP
				EXECUTE format('INSERT INTO %s (old_id, new_id) SELECT %I, %s.uuid_generate_v%s() FROM %s WHERE %I > $1 ORDER BY %I ON CONFLICT (old_id) DO NOTHING',
					t.mapping_table, t.key_column, ext, t.uuid_version, t.relid, t.key_column, t.key_column)
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
		bstart := t.next_block;
		bend := least(t.blocks_total, t.next_block + @extschema@.uuid7_online_setting(m.options, 'batch_blocks'));
		cond := format('t.ctid >= ''(%s,0)''::tid AND t.ctid < ''(%s,0)''::tid', bstart, bend);
		IF t.is_key THEN
			-- keys the map phase did not see (written before the triggers, with a smaller key than its cursor)
			EXECUTE format('INSERT INTO %s (old_id, new_id) SELECT t.%I, %s.uuid_generate_v%s() FROM %s t WHERE %s'
					' AND NOT EXISTS (SELECT 1 FROM %s m WHERE m.old_id = t.%I) ORDER BY 1 ON CONFLICT (old_id) DO NOTHING',
				t.mapping_table, t.key_column, ext, t.uuid_version, t.relid, cond, t.mapping_table, t.key_column);
		END IF;
		SELECT string_agg(format('%I = (SELECT m.new_id FROM %s m WHERE m.old_id = t.%I)', oc.new_name, s.mapping_table, oc.attname), ', ' ORDER BY oc.attname),
			   string_agg(format('t.%I IS DISTINCT FROM (SELECT m.new_id FROM %s m WHERE m.old_id = t.%I)', oc.new_name, s.mapping_table, oc.attname), ' OR ' ORDER BY oc.attname)
		  INTO sets, stmt
		  FROM @extschema@.uuid7_online_column oc
		  JOIN @extschema@.uuid7_online_table s ON s.migration_id = oc.migration_id AND s.relid = oc.source
		 WHERE oc.migration_id = migration AND oc.relid = t.relid;
		EXECUTE format('UPDATE %s t SET %s WHERE %s AND (%s)', t.relid, sets, cond, stmt);
		GET DIAGNOSTICS n = ROW_COUNT;
		UPDATE @extschema@.uuid7_online_table
		   SET next_block = bend, rows_done = rows_done + n, batches_since_vacuum = batches_since_vacuum + 1
		 WHERE migration_id = migration AND relid = t.relid;
		UPDATE @extschema@.uuid7_online_migration SET updated_at = clock_timestamp() WHERE id = migration;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now(), pause);
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

CREATE OR REPLACE FUNCTION uuid7_migration_start(tables regclass[], options jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	k text;
	lo int;
	plan_opts jsonb;
	rec record;
	mid bigint;
	i int;
	ord int;
	map text;
	fk record;
	ix record;
	mapsch text;
	pkatt int2;
	online_keys text[] := ARRAY['batch_blocks', 'map_batch', 'pause_ms', 'work_percent', 'vacuum_every', 'lock_timeout_ms', 'lock_retries'];
BEGIN
	IF options IS NULL THEN options := '{}'; END IF;
	IF jsonb_typeof(options) <> 'object' THEN
		RAISE EXCEPTION 'options must be a jsonb object' USING ERRCODE = '22023';
	END IF;
	FOREACH k IN ARRAY online_keys LOOP
		lo := CASE WHEN k IN ('pause_ms', 'vacuum_every') THEN 0 ELSE 1 END;
		IF options ? k AND (jsonb_typeof(options->k) <> 'number' OR (options->>k)::numeric <> floor((options->>k)::numeric)
							OR (options->>k)::numeric < lo
							OR (options->>k)::numeric > CASE WHEN k = 'work_percent' THEN 100 ELSE 2147483647 END) THEN
			RAISE EXCEPTION 'option "%" must be an integer of at least %', k, lo || CASE WHEN k = 'work_percent' THEN ' and at most 100' ELSE '' END
				USING ERRCODE = '22023';
		END IF;
	END LOOP;
	plan_opts := options - online_keys;
	IF plan_opts ? 'timestamp_column' OR (jsonb_typeof(plan_opts->'tables') = 'object' AND EXISTS (
			SELECT 1 FROM jsonb_each(plan_opts->'tables') e WHERE jsonb_typeof(e.value) = 'object' AND e.value ? 'timestamp_column')) THEN
		RAISE EXCEPTION 'option "timestamp_column" is not supported by the online migration' USING ERRCODE = '0A000',
			HINT = 'Rows keep their old key order; use uuid7_migrate() to carry a timestamp column into the new keys.';
	END IF;

	-- one online migration per table at a time (checked first: the plan would only see its mapping table)
	FOR rec IN
		SELECT t.relid, t.migration_id FROM @extschema@.uuid7_online_table t
		  JOIN @extschema@.uuid7_online_migration om ON om.id = t.migration_id
		 WHERE om.state NOT IN ('finished', 'aborted') AND t.relid = ANY (uuid7_migration_start.tables)
	LOOP
		RAISE EXCEPTION 'cannot migrate online: table % is part of online migration %, which is not finished', rec.relid, rec.migration_id
			USING ERRCODE = '55006', HINT = 'Finish or abort that migration first.';
	END LOOP;

	-- the same refusals as uuid7_migrate(), from the same plan (read once: it refuses once a mapping table exists)
	PERFORM @extschema@.uuid7_online_plan(tables, plan_opts, 'start');

	INSERT INTO @extschema@.uuid7_online_migration (tables, options, plan_options)
	VALUES (tables, options, plan_opts) RETURNING id INTO mid;

	-- listed tables: their mapping table, named and owned as uuid7_migrate() would, with its indexes from the start
	FOR i IN 1 .. cardinality(tables) LOOP
		SELECT p.object INTO map FROM uuid7_plan_rows AS p
		 WHERE p.phase = 'mapping' AND p.detail = format('create the mapping table of %s', tables[i]);
		FOR rec IN SELECT p.statement, p.detail FROM uuid7_plan_rows AS p
				   WHERE p.phase = 'mapping' AND p.object = map AND p.detail NOT LIKE 'one new v%' ORDER BY p.step LOOP
			EXECUTE rec.statement;
		END LOOP;
		SELECT con.conkey[1] INTO pkatt FROM pg_constraint con WHERE con.conrelid = tables[i] AND con.contype = 'p';
		SELECT nspname INTO mapsch FROM pg_namespace WHERE oid = (SELECT relnamespace FROM pg_class WHERE oid = map::regclass);
		INSERT INTO @extschema@.uuid7_online_table (migration_id, relid, ord, is_key, key_column, old_type, mapping_table, uuid_version, sync_function)
		SELECT mid, tables[i], i, true, a.attname, a.atttypid::regtype, map::regclass,
			   (SELECT substring(p.detail FROM '^one new v([67]) ')::int FROM uuid7_plan_rows AS p
				 WHERE p.phase = 'mapping' AND p.object = map AND p.detail LIKE 'one new v%'),
			   format('%I.%I', mapsch, 'uuid7_sync_' || mid || '_' || tables[i]::oid)
		  FROM pg_attribute a WHERE a.attrelid = tables[i] AND a.attnum = pkatt;
		INSERT INTO @extschema@.uuid7_online_column (migration_id, relid, attname, new_name, source)
		SELECT mid, tables[i], a.attname, 'uuid7_new_' || a.attnum, tables[i]
		  FROM pg_attribute a WHERE a.attrelid = tables[i] AND a.attnum = pkatt;
	END LOOP;

	-- referencing columns, found exactly as the plan finds them
	ord := cardinality(tables);
	FOR fk IN
		SELECT con.oid, con.conrelid, con.conkey, con.confkey, con.confrelid, ot.key_column
		  FROM pg_constraint con
		  JOIN @extschema@.uuid7_online_table ot ON ot.migration_id = mid AND ot.relid = con.confrelid
		 WHERE con.contype = 'f'
		   AND (SELECT attnum FROM pg_attribute WHERE attrelid = con.confrelid AND attname = ot.key_column) = ANY (con.confkey)
		 ORDER BY con.conrelid, con.conname
	LOOP
		IF NOT EXISTS (SELECT 1 FROM @extschema@.uuid7_online_table WHERE migration_id = mid AND relid = fk.conrelid) THEN
			ord := ord + 1;
			SELECT nspname INTO mapsch FROM pg_namespace WHERE oid = (SELECT relnamespace FROM pg_class WHERE oid =
				(SELECT mapping_table FROM @extschema@.uuid7_online_table WHERE migration_id = mid AND relid = fk.confrelid));
			INSERT INTO @extschema@.uuid7_online_table (migration_id, relid, ord, is_key, sync_function)
			VALUES (mid, fk.conrelid, ord, false, format('%I.%I', mapsch, 'uuid7_sync_' || mid || '_' || fk.conrelid::oid));
		END IF;
		INSERT INTO @extschema@.uuid7_online_column (migration_id, relid, attname, new_name, source)
		SELECT mid, fk.conrelid, a.attname, 'uuid7_new_' || a.attnum, fk.confrelid
		  FROM unnest(fk.conkey, fk.confkey) AS u(att, fatt)
		  JOIN pg_attribute a ON a.attrelid = fk.conrelid AND a.attnum = u.att
		 WHERE u.fatt = (SELECT attnum FROM pg_attribute WHERE attrelid = fk.confrelid AND attname = fk.key_column)
		ON CONFLICT DO NOTHING;
	END LOOP;
	-- a twin column name that is already taken cannot be used
	FOR rec IN
		SELECT oc.relid, oc.new_name FROM @extschema@.uuid7_online_column oc
		 WHERE oc.migration_id = mid
		   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = oc.relid AND a.attname = oc.new_name AND NOT a.attisdropped)
	LOOP
		RAISE EXCEPTION 'cannot migrate online: table % already has a column named %', rec.relid, rec.new_name
			USING ERRCODE = '42701', HINT = 'Rename that column first.';
	END LOOP;
	-- one online migration per table at a time
	FOR rec IN
		SELECT t.relid, t.migration_id FROM @extschema@.uuid7_online_table t
		  JOIN @extschema@.uuid7_online_migration om ON om.id = t.migration_id
		 WHERE om.id <> mid AND om.state NOT IN ('finished', 'aborted')
		   AND t.relid IN (SELECT relid FROM @extschema@.uuid7_online_table WHERE migration_id = mid)
	LOOP
		RAISE EXCEPTION 'cannot migrate online: table % is part of online migration %, which is not finished', rec.relid, rec.migration_id
			USING ERRCODE = '55006', HINT = 'Finish or abort that migration first.';
	END LOOP;

	-- the twins: indexes (every index on a converted column), the NOT NULL proof of each new key, foreign keys
	ord := 0;
	FOR ix IN
		SELECT DISTINCT px.indexrelid, px.indrelid, c.relname, con.contype, con.conname, con.condeferrable, con.condeferred
		  FROM pg_index px
		  JOIN pg_class c ON c.oid = px.indexrelid
		  LEFT JOIN pg_constraint con ON con.conindid = px.indexrelid AND con.conrelid = px.indrelid AND con.contype IN ('p', 'u')
		  JOIN @extschema@.uuid7_online_column oc ON oc.migration_id = mid AND oc.relid = px.indrelid
		  JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE a.attnum = ANY (px.indkey::int2[])
		 ORDER BY px.indrelid, px.indexrelid
	LOOP
		ord := ord + 1;
		INSERT INTO @extschema@.uuid7_online_object (migration_id, ord, kind, relid, old_name, contype, deferrable_clause, new_name, create_sql)
		VALUES (mid, ord, 'index', ix.indrelid, coalesce(ix.conname, ix.relname), ix.contype,
				CASE WHEN ix.condeferrable THEN ' DEFERRABLE' || CASE WHEN ix.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END ELSE '' END,
				'uuid7_ix_' || ix.indexrelid,
				@extschema@.uuid7_online_index_sql(mid, ix.indexrelid, ('uuid7_ix_' || ix.indexrelid)::name));
	END LOOP;
	-- one check per table over the twins of its NOT NULL columns (the new keys, and references declared NOT NULL):
	-- validated, it lets the swap set NOT NULL without a scan
	FOR rec IN SELECT t.relid, string_agg(format('%I IS NOT NULL', oc.new_name), ' AND ' ORDER BY oc.attname) AS cond
				 FROM @extschema@.uuid7_online_table t
				 JOIN @extschema@.uuid7_online_column oc ON oc.migration_id = t.migration_id AND oc.relid = t.relid
				 JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
				WHERE t.migration_id = mid AND a.attnotnull
				GROUP BY t.relid, t.ord ORDER BY t.ord LOOP
		ord := ord + 1;
		INSERT INTO @extschema@.uuid7_online_object (migration_id, ord, kind, relid, new_name, create_sql)
		VALUES (mid, ord, 'notnull', rec.relid, 'uuid7_nn_' || mid,
				format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', rec.relid, 'uuid7_nn_' || mid, rec.cond));
	END LOOP;
	FOR fk IN
		SELECT DISTINCT con.oid, con.conrelid, con.conname, con.convalidated
		  FROM pg_constraint con
		  JOIN @extschema@.uuid7_online_table ot ON ot.migration_id = mid AND ot.relid = con.confrelid AND ot.is_key
		 WHERE con.contype = 'f'
		   AND (SELECT attnum FROM pg_attribute WHERE attrelid = con.confrelid AND attname = ot.key_column) = ANY (con.confkey)
		 ORDER BY con.conrelid, con.conname
	LOOP
		ord := ord + 1;
		INSERT INTO @extschema@.uuid7_online_object (migration_id, ord, kind, relid, old_name, new_name, create_sql, validate)
		VALUES (mid, ord, 'foreign key', fk.conrelid, fk.conname, 'uuid7_fk_' || fk.oid,
				@extschema@.uuid7_online_fk_sql(mid, fk.oid, ('uuid7_fk_' || fk.oid)::name), fk.convalidated);
	END LOOP;

	DROP TABLE uuid7_plan_rows;
	PERFORM @extschema@.uuid7_online_start_worker(mid);
	RETURN mid;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_start(regclass[], jsonb) IS
	'starts an online migration of these tables (same result as uuid7_migrate(), with short locks only) in a background worker; returns its id at once';

CREATE OR REPLACE FUNCTION uuid7_migration_resume(migration bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	pid int;
	problems bigint;
BEGIN
	SELECT * INTO m FROM @extschema@.uuid7_online_migration WHERE id = migration FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'online migration % does not exist', migration USING ERRCODE = '42704';
	ELSIF m.state IN ('finished', 'aborted') THEN
		RAISE EXCEPTION 'online migration % is %: there is nothing to resume', migration, m.state USING ERRCODE = '55000';
	END IF;
	pid := @extschema@.uuid7_online_worker_pid(migration);
	IF pid IS NOT NULL THEN
		RAISE EXCEPTION 'online migration % is running (worker pid %)', migration, pid USING ERRCODE = '55006';
	END IF;
	IF m.state = 'ready' THEN
		-- finish() refuses a ready migration whose rows went out of sync since (a write that skipped the triggers)
		-- and says to resume: that is a blocked one
		SELECT count(*) INTO problems FROM @extschema@.uuid7_online_verify(migration);
		IF problems = 0 THEN
			RAISE EXCEPTION 'online migration % is ready: there is nothing to resume', migration USING ERRCODE = '55000',
				HINT = 'Call uuid7_migration_finish() to swap.';
		END IF;
		m.state := 'blocked';
	END IF;
	IF m.state = 'blocked' THEN
		-- rows the verification found out of sync: backfill every table again (rows already right are skipped)
		UPDATE @extschema@.uuid7_online_table
		   SET blocks_total = NULL, next_block = 0, backfill_started_at = NULL, backfill_done_at = NULL, batches_since_vacuum = 0
		 WHERE migration_id = migration;
		UPDATE @extschema@.uuid7_online_migration SET phase = 'backfill' WHERE id = migration;
	END IF;
	UPDATE @extschema@.uuid7_online_migration SET state = 'running', lock_attempts = 0, run_started_at = NULL, updated_at = clock_timestamp()
	 WHERE id = migration;
	RETURN @extschema@.uuid7_online_start_worker(migration);
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_resume(bigint) IS
	'starts a new worker for an online migration that stopped (crash, kill, restart, failure, or a verification that blocked it or refused its finish); returns its pid';

CREATE OR REPLACE FUNCTION uuid7_online_stop_worker(migration bigint) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	pid int := @extschema@.uuid7_online_worker_pid(migration);
	i int;
BEGIN
	IF pid IS NULL THEN
		RETURN;
	END IF;
	PERFORM pg_terminate_backend(pid);
	FOR i IN 1 .. 200 LOOP
		IF @extschema@.uuid7_online_worker_pid(migration) IS NULL THEN
			RETURN;
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
	RAISE EXCEPTION 'the worker of online migration % (pid %) did not stop', migration, pid USING ERRCODE = '55006';
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_stop_worker(bigint) IS
	'internal to the online migration: terminates the worker of a migration and waits for it to exit';

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
BEGIN
	SELECT * INTO m FROM @extschema@.uuid7_online_migration WHERE id = migration;
	saved_level := current_setting('client_min_messages');
	PERFORM set_config('client_min_messages', 'warning', true);	-- not the NOTICE of each index renamed by USING INDEX
	FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
		EXECUTE format('DROP TRIGGER %I ON %s', 'zz_uuid7_sync_' || migration, t.relid);
	END LOOP;

	-- The plan of the offline migration, now, under the locks: its refusals still apply (something created since
	-- the start), and its statements recreate the views and comments. The mapping tables exist already, so the
	-- plan is asked for unused names; its mapping steps are not run.
	FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration AND is_key LOOP
		fake := fake || jsonb_build_object(
			(SELECT format('%I.%I', ns.nspname, c2.relname) FROM pg_class c2 JOIN pg_namespace ns ON ns.oid = c2.relnamespace WHERE c2.oid = t.relid),
			jsonb_build_object('mapping_table', 'uuid7_swap_' || migration || '_' || t.relid::oid));
	END LOOP;
	plan_opts := (m.plan_options - 'tables') || jsonb_build_object('tables', fake);
	PERFORM @extschema@.uuid7_online_plan(m.tables, plan_opts, 'swap');

	FOR rec IN SELECT * FROM uuid7_plan_rows p WHERE p.phase IN ('drop view', 'drop foreign key') ORDER BY p.step LOOP
		EXECUTE rec.statement;
	END LOOP;
	-- what follows the column: comments and column privileges; comments of the indexes replaced
	FOR c IN
		SELECT oc.*, a.attnum, a.attacl FROM @extschema@.uuid7_online_column oc
		  JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE oc.migration_id = migration
	LOOP
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
	FOR o IN SELECT ob.*, d.description FROM @extschema@.uuid7_online_object ob
			 JOIN pg_class ci ON ci.relname = ob.old_name AND ci.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = ob.relid) AND ci.relkind IN ('i', 'I')
			 JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = ci.oid AND d.objsubid = 0
			 WHERE ob.migration_id = migration AND ob.kind = 'index' AND ob.contype IS NULL LOOP
		EXECUTE format('COMMENT ON INDEX %I.%I IS %L', (SELECT ns.nspname FROM pg_class c2 JOIN pg_namespace ns ON ns.oid = c2.relnamespace WHERE c2.oid = o.relid),
			o.new_name, o.description);
	END LOOP;
	-- a serial sequence that something else uses survives the column
	FOR rec IN SELECT * FROM uuid7_plan_rows p WHERE p.phase = 'sequence' AND p.statement LIKE 'ALTER SEQUENCE %' ORDER BY p.step LOOP
		EXECUTE rec.statement;
	END LOOP;
	-- the old columns go (with their identity or serial sequence, default, indexes and constraints: metadata only)
	FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
		-- the uuid columns are NOT NULL where the integer ones were, and the new key has its default
		SELECT string_agg(format('ALTER COLUMN %I SET NOT NULL', oc.attname), ', ' ORDER BY oc.attname) INTO alters
		  FROM @extschema@.uuid7_online_column oc JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE oc.migration_id = migration AND oc.relid = t.relid AND a.attnotnull;
		IF t.is_key THEN
			alters := concat_ws(', ', alters, format('ALTER COLUMN %I SET DEFAULT %s.uuid_generate_v%s()', t.key_column, ext, t.uuid_version));
		END IF;
		EXECUTE format('ALTER TABLE %s %s', t.relid,
			(SELECT string_agg(format('DROP COLUMN %I', oc.attname), ', ' ORDER BY oc.attname)
			   FROM @extschema@.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid));
		FOR c IN SELECT * FROM @extschema@.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid ORDER BY oc.attname LOOP
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
	FOR o IN SELECT * FROM @extschema@.uuid7_online_object WHERE migration_id = migration AND kind = 'index' ORDER BY (contype IS NULL), contype, ord LOOP
		IF o.contype IS NOT NULL THEN
			EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s USING INDEX %I%s', o.relid, o.old_name,
				CASE o.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, o.new_name, o.deferrable_clause);
		ELSE
			EXECUTE format('ALTER INDEX %I.%I RENAME TO %I',
				(SELECT ns.nspname FROM pg_class c2 JOIN pg_namespace ns ON ns.oid = c2.relnamespace WHERE c2.oid = o.relid), o.new_name, o.old_name);
		END IF;
	END LOOP;
	FOR o IN SELECT * FROM @extschema@.uuid7_online_object WHERE migration_id = migration AND kind = 'foreign key' ORDER BY ord LOOP
		EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', o.relid, o.new_name, o.old_name);
	END LOOP;
	FOR rec IN SELECT * FROM uuid7_plan_rows p
			   WHERE (p.phase = 'add foreign key' AND p.detail = 'comment') OR p.phase = 'create view' ORDER BY p.step LOOP
		EXECUTE rec.statement;
	END LOOP;
	-- the sync functions, and the registry row uuid7_mapped_id() / uuid7_legacy_id() read
	FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
		EXECUTE format('DROP FUNCTION %s()', t.sync_function);
		IF t.is_key THEN
			INSERT INTO @extschema@.uuid7_migrated_table (relid, key_column, old_type, mapping_table, uuid_version, timestamp_column)
			VALUES (t.relid, t.key_column,
					t.old_type, t.mapping_table, t.uuid_version, NULL);
		END IF;
	END LOOP;
	IF coalesce((m.plan_options->>'analyze')::boolean, false) THEN
		FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
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
BEGIN
	SELECT * INTO m FROM @extschema@.uuid7_online_migration WHERE id = migration FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'online migration % does not exist', migration USING ERRCODE = '42704';
	ELSIF m.state IN ('finished', 'aborted') THEN
		RAISE EXCEPTION 'online migration % is already %', migration, m.state USING ERRCODE = '55000';
	ELSIF m.state <> 'ready' THEN
		RAISE EXCEPTION 'online migration % is not ready to finish: it is % (phase %)', migration,
			CASE WHEN @extschema@.uuid7_online_stopped(migration) THEN 'stopped' ELSE m.state END, m.phase
			USING ERRCODE = '55000',
			DETAIL = coalesce('Last error: ' || m.last_error, 'The worker has not finished its phases yet.'),
			HINT = CASE WHEN m.state IN ('failed', 'blocked') THEN 'Fix the cause, then call uuid7_migration_resume().'
						ELSE 'Wait until uuid7_migration_status says ready.' END;
	END IF;
	-- Verified again just before the swap: a write that skipped the triggers since the worker's check blocks it.
	SELECT count(*), string_agg(format('%s: %s (%s rows; %s)', v.object, v.problem, coalesce(v.bad_rows::text, '-'), coalesce(v.sample, '-')), E'\n')
	  INTO n, problems FROM @extschema@.uuid7_online_verify(migration) v;
	IF n > 0 THEN
		RAISE EXCEPTION 'online migration % cannot be finished: verification found % problem(s)', migration, n
			USING ERRCODE = '55000', DETAIL = problems,
			HINT = 'uuid7_migration_resume() backfills again and re-verifies; nothing was changed.';
	END IF;
	attempts := @extschema@.uuid7_online_locked(migration, 'swap',
		format('SELECT %s.uuid7_online_swap(%s)', @extschema@.uuid7_extension_schema(), migration));
	UPDATE @extschema@.uuid7_online_migration
	   SET phase = 'finished', state = 'finished', worker_pid = NULL, finished_at = clock_timestamp(), updated_at = clock_timestamp()
	 WHERE id = migration;
	RETURN jsonb_build_object('migration_id', migration,
		'tables', (SELECT jsonb_agg(t.relid::text ORDER BY t.ord) FROM @extschema@.uuid7_online_table t WHERE t.migration_id = migration AND t.is_key),
		'referencing_tables', (SELECT coalesce(jsonb_agg(t.relid::text ORDER BY t.ord), '[]') FROM @extschema@.uuid7_online_table t WHERE t.migration_id = migration AND NOT t.is_key),
		'lock_attempts', attempts,
		'seconds', round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3));
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_finish(bigint) IS
	'verifies an online migration that is ready and swaps the uuid columns in, in one short transaction (lock_timeout with retries); returns a summary';

-- The status: a migration whose worker is gone says stopped (its advisory lock is the test, with no grace period).
CREATE OR REPLACE VIEW uuid7_migration_status AS
SELECT m.id AS migration_id,
	   t.relid AS table_name,
	   CASE WHEN t.is_key THEN 'key' ELSE 'referencing' END AS role,
	   m.phase,
	   CASE WHEN m.state IN ('running', 'waiting') AND @extschema@.uuid7_online_stopped(m.id) THEN 'stopped' ELSE m.state END AS state,
	   t.rows_done,
	   t.rows_total,
	   CASE WHEN t.backfill_done_at IS NOT NULL THEN 100.0
			WHEN t.blocks_total > 0 THEN round(100.0 * t.next_block / t.blocks_total, 1) ELSE 0.0 END AS percent_done,
	   round(t.rows_done / nullif(extract(epoch FROM coalesce(t.backfill_done_at, pg_catalog.clock_timestamp()) - t.backfill_started_at), 0)) AS rows_per_second,
	   CASE WHEN t.backfill_done_at IS NOT NULL THEN interval '0'
			WHEN t.next_block > 0 THEN (coalesce(t.blocks_total, 0) - t.next_block) * (pg_catalog.clock_timestamp() - t.backfill_started_at) / t.next_block
	   END AS eta,
	   t.vacuums,
	   m.lock_attempts,
	   m.last_error,
	   m.worker_pid,
	   m.started_at,
	   m.updated_at
  FROM uuid7_online_migration m
  JOIN uuid7_online_table t ON t.migration_id = m.id;

DROP FUNCTION uuid7_online_worker_alive(integer, timestamptz);
-- only the grace period of the old liveness test read it
ALTER TABLE uuid7_online_migration DROP COLUMN worker_started_at;
