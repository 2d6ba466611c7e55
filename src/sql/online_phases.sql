-- src/sql/online_phases.sql — the phases of an online migration, one function each.

-- The phases of an online migration, one function each: map -> expand -> backfill -> index -> constrain -> verify ->
-- ready. uuid7_online_step (online_step.sql) locks the migration row and calls the function of the current phase,
-- which does one unit of work and says what the worker does next (continue, run a statement, sleep, stop).
-- docs/online-migration.md explains the phases.

-- map: a new key for every existing row, in old-key order, before any trigger exists.
CREATE OR REPLACE FUNCTION uuid7_online_step_map(migration bigint)
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
	k bigint;
	stmt text;
	stalled boolean;
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	IF m.key_time_base IS NULL THEN
		-- One millisecond per batch, ending a second before now: every key made later by the sync triggers
		-- (from the clock) sorts after every key of an existing row, so key order is kept.
		n := 0;
		FOR t IN SELECT * FROM uuid7_state.uuid7_online_table WHERE migration_id = migration AND is_key ORDER BY ord LOOP
			EXECUTE format('SELECT count(*) FROM %s', t.relid) INTO k;
			n := n + k / @extschema@.uuid7_online_setting(m.options, 'map_batch') + 1;
		END LOOP;
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
			'key_time_base', clock_timestamp() - make_interval(secs => (n + 1000) / 1000.0), 'updated_at', clock_timestamp()));
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END IF;
	-- In rounds. A round picks its horizon, the highest key now, and first waits for the transactions open at that
	-- moment: a sequence key below the horizon is then committed or never will be, and the round maps all of them
	-- in key order. Keys drawn later are above it. Rounds go on until few keys are left above the last horizon;
	-- the expand maps those, in order, under its lock. A round ends the map also when it did not shrink what is left:
	-- the application writes keys as fast as the map goes.
	SELECT * INTO t FROM uuid7_state.uuid7_online_table WHERE migration_id = migration AND is_key AND NOT map_done ORDER BY ord LIMIT 1;
	IF FOUND THEN
		IF t.map_wait IS NOT NULL THEN
			SELECT count(*), string_agg(l.pid::text, ', ' ORDER BY l.pid) INTO n, stmt
			  FROM pg_locks l
			 WHERE l.locktype = 'virtualxid' AND l.mode = 'ExclusiveLock' AND l.granted AND l.virtualxid = ANY (t.map_wait);
			IF n > 0 THEN
				PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
					'state', 'waiting', 'updated_at', clock_timestamp(),
					'last_error', format('map of %s: waiting for %s transaction(s) open since key %s was the highest (pid %s)',
										 t.relid, n, t.map_horizon, stmt)));
				RETURN QUERY SELECT 'sleep', NULL::text, 50;
				RETURN;
			END IF;
			PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', '{"map_wait": null}', t.relid);
			PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration',
				jsonb_build_object('state', 'running', 'last_error', NULL, 'updated_at', clock_timestamp()),
				expect => '{"state": "waiting"}');
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
			RETURN;
		END IF;
		IF t.map_horizon IS NULL OR t.map_cursor >= t.map_horizon THEN
			-- a new round, unless few keys are left above the cursor, or the last round did not gain on the writers
			IF t.map_horizon IS NOT NULL THEN
				EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s WHERE %I > $1 LIMIT 1000) s', t.relid, t.key_column)
				  INTO n USING t.map_cursor;
			END IF;
			EXECUTE format('SELECT max(%I) FROM %s', t.key_column, t.relid) INTO k;
			-- as many keys written during the last round as it mapped: another round would not end any sooner
			stalled := t.map_horizon IS NOT NULL AND n >= 1000 AND t.map_round_start IS NOT NULL
					   AND k::numeric - t.map_horizon >= t.map_horizon::numeric - t.map_round_start;
			IF stalled THEN
				-- the expand maps up to one batch of them under its lock, in key order; the backfill the others
				RAISE LOG 'uuid7 migration %: the map of % ends with keys above % left, written as fast as it mapped',
					migration, t.relid, t.map_horizon;
			END IF;
			IF k IS NULL OR (t.map_horizon IS NOT NULL AND n < 1000) OR stalled THEN
				PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', '{"map_done": true}', t.relid);
			ELSE
				-- the transactions of this database's clients open now (a long one holds the map up: the status says so)
				PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', jsonb_build_object(
					'map_horizon', k,
					'map_round_start', t.map_cursor,
					'map_wait', coalesce((SELECT array_agg(l.virtualxid)
											FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
										   WHERE l.locktype = 'virtualxid' AND l.mode = 'ExclusiveLock' AND l.granted
											 AND l.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
											 AND a.datname = current_database()), '{}')), t.relid);
			END IF;
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
			RETURN;
		END IF;
		-- ($1 IS NULL: the first batch starts at the type's lowest key, which "> its minimum" would leave out)
		EXECUTE format('WITH s AS (SELECT %I AS k FROM %s WHERE ($1 IS NULL OR %I > $1) AND %I <= $3 ORDER BY %I LIMIT %s),'
				' ins AS (INSERT INTO %s (old_id, new_id) SELECT s.k, %s.uuid7_migration_next(%L::regclass, %s, $2, true)'
				' FROM (SELECT k FROM s ORDER BY k OFFSET 0) s ON CONFLICT (old_id) DO NOTHING)'
				' SELECT count(*), max(k) FROM s',
			t.key_column, t.relid, t.key_column, t.key_column, t.key_column, @extschema@.uuid7_online_setting(m.options, 'map_batch'),
			t.mapping_table, ext, t.mapping_table, t.uuid_version)
		  INTO n, k
		  USING t.map_cursor,
				(SELECT m.key_time_base + make_interval(secs => sum(x.map_batches) / 1000.0)
				   FROM uuid7_state.uuid7_online_table x WHERE x.migration_id = migration),
				t.map_horizon;
		-- a short batch ends the round: every key up to the horizon is mapped
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', jsonb_build_object(
			'map_cursor', CASE WHEN n < @extschema@.uuid7_online_setting(m.options, 'map_batch') THEN t.map_horizon ELSE k END,
			'map_batches', t.map_batches + 1), t.relid);
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END IF;
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('phase', 'expand', 'updated_at', clock_timestamp()));
	RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
	RETURN;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step_map(bigint) IS
	'internal to the online migration: the next unit of work of the map phase (called by uuid7_online_step)';

-- expand: the uuid columns and the sync triggers, in one short exclusive transaction.
CREATE OR REPLACE FUNCTION uuid7_online_step_expand(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0
AS $fn$
DECLARE
	ext text := @extschema@.uuid7_extension_schema();
	m record;
	t record;
	stmt text;
	cond text;
	ok boolean;
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	ok := true;
	BEGIN
		PERFORM @extschema@.uuid7_online_lock(migration, @extschema@.uuid7_online_setting(m.options, 'lock_timeout_ms'));
		PERFORM set_config('lock_timeout', '0', true);
		FOR t IN SELECT * FROM uuid7_state.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
			-- in column order, so that the converted columns keep their order among themselves
			SELECT string_agg(format('ADD COLUMN %I uuid', oc.new_name), ', ' ORDER BY length(oc.new_name), oc.new_name),
				   string_agg(quote_ident(oc.attname), ', ' ORDER BY oc.attname)
			  INTO stmt, cond
			  FROM uuid7_state.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid;
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
		FOR t IN SELECT * FROM uuid7_state.uuid7_online_table WHERE migration_id = migration AND is_key ORDER BY ord LOOP
			EXECUTE format('INSERT INTO %s (old_id, new_id) SELECT %I, %s.uuid_generate_v%s() FROM %s WHERE ($1 IS NULL OR %I > $1) ORDER BY %I LIMIT %s ON CONFLICT (old_id) DO NOTHING',
				t.mapping_table, t.key_column, ext, t.uuid_version, t.relid, t.key_column, t.key_column,
				@extschema@.uuid7_online_setting(m.options, 'map_batch'))
			  USING t.map_cursor;
		END LOOP;
	EXCEPTION WHEN lock_not_available THEN
		ok := false;
	END;
	IF NOT ok THEN
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_retry(migration, 'expand');
		RETURN;
	END IF;
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
		'phase', 'backfill', 'state', 'running', 'lock_attempts', 0, 'updated_at', clock_timestamp()));
	RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step_expand(bigint) IS
	'internal to the online migration: the next unit of work of the expand phase (called by uuid7_online_step)';

-- backfill: heap-page ranges, one transaction each, VACUUM every few percent of the table.
CREATE OR REPLACE FUNCTION uuid7_online_step_backfill(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0
AS $fn$
DECLARE
	m record;
	t record;
	n bigint;
	bend bigint;
	vac_every int;
	failed_with text;
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	SELECT * INTO t FROM uuid7_state.uuid7_online_table WHERE migration_id = migration AND backfill_done_at IS NULL ORDER BY ord LIMIT 1;
	IF NOT FOUND THEN
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('phase', 'index', 'updated_at', clock_timestamp()));
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END IF;
	IF t.blocks_total IS NULL THEN
		-- Pages appended later hold only rows written (hence synced) after the triggers were created.
		EXECUTE format('SELECT count(*) FROM %s', t.relid) INTO n;
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', jsonb_build_object(
			'blocks_total', pg_relation_size(t.relid) / current_setting('block_size')::int,
			'rows_total', n,
			'backfill_started_at', clock_timestamp()), t.relid);
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END IF;
	vac_every := @extschema@.uuid7_online_setting(m.options, 'vacuum_every');
	IF vac_every <= 0 THEN
		vac_every := greatest(1, t.blocks_total / 20 / @extschema@.uuid7_online_setting(m.options, 'batch_blocks'));
	END IF;
	IF t.batches_since_vacuum >= vac_every OR (t.next_block >= t.blocks_total AND t.batches_since_vacuum > 0) THEN
		-- the old row versions of the last batches become free space for the next ones: the heap does not double
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table',
			jsonb_build_object('batches_since_vacuum', 0, 'vacuums', t.vacuums + 1), t.relid);
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('run_started_at', clock_timestamp()));
		RETURN QUERY SELECT 'run', format('VACUUM %s', t.relid), NULL::int;
		RETURN;
	END IF;
	IF t.next_block >= t.blocks_total THEN
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', jsonb_build_object('backfill_done_at', clock_timestamp()), t.relid);
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END IF;
	bend := least(t.blocks_total, t.next_block + @extschema@.uuid7_online_setting(m.options, 'batch_blocks'));
	-- The batch waits for rows the application has locked, and the application waits for the batch's rows. It waits
	-- at most lock_timeout: then, or on a deadlock, it is rolled back and retried later, as a lock step is, so the
	-- application never waits longer than that behind it and a deadlock does not stop the migration.
	BEGIN
		PERFORM set_config('lock_timeout', greatest(1, @extschema@.uuid7_online_setting(m.options, 'lock_timeout_ms')) || 'ms', true);
		-- uuid7_online_backfill_sql's statements; the write runs as the table's owner, its triggers and rules quiet
		n := @extschema@.uuid7_online_backfill_batch(migration, t.relid, t.next_block, bend);
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
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', jsonb_build_object(
		'next_block', bend, 'rows_done', t.rows_done + n, 'batches_since_vacuum', t.batches_since_vacuum + 1), t.relid);
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('state', 'running', 'lock_attempts', 0, 'updated_at', clock_timestamp()));
	RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step_backfill(bigint) IS
	'internal to the online migration: the next unit of work of the backfill phase (called by uuid7_online_step)';

-- The statements of one backfill batch of table rel, blocks [from_block, to_block), run by uuid7_online_backfill_batch
-- (src/pg/online_backfill.cpp):
--   map_keys     (listed tables) keys of the batch the map phase did not see (written before the triggers, above its
--                last horizon) get their new keys. Their rows are locked first: an application UPDATE of one of them,
--                whose sync trigger maps the key, then waits for the batch or the batch for it, never both at once.
--   read_twins   as the migrating role: the ctid and the new value of every twin column of each row of the batch
--                whose twins are not right yet, as arrays ($1 tid[], then one uuid[] per twin in attname order)
--   write_twins  as the table's owner, its triggers and rules quiet: those values, by ctid. A row the application
--                updates in between has moved (the sync trigger set its twins): its old ctid no longer matches.
CREATE OR REPLACE FUNCTION uuid7_online_backfill_sql(migration bigint, rel regclass, from_block bigint, to_block bigint)
RETURNS TABLE (map_keys text, read_twins text, write_twins text)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text := @extschema@.uuid7_extension_schema();
	t record;
	cond text := format('t.ctid >= ''(%s,0)''::pg_catalog.tid AND t.ctid < ''(%s,0)''::pg_catalog.tid', from_block, to_block);
	mapped text[];
	twins text[];
BEGIN
	SELECT * INTO t FROM uuid7_state.uuid7_online_table ot WHERE ot.migration_id = migration AND ot.relid = rel;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % is not part of online migration %', rel, migration USING ERRCODE = '42P01';
	END IF;
	SELECT array_agg(format('(SELECT m.new_id FROM %s m WHERE m.old_id OPERATOR(pg_catalog.=) t.%I)', s.mapping_table, oc.attname) ORDER BY oc.attname),
		   array_agg(quote_ident(oc.new_name) ORDER BY oc.attname)
	  INTO mapped, twins
	  FROM uuid7_state.uuid7_online_column oc
	  JOIN uuid7_state.uuid7_online_table s ON s.migration_id = oc.migration_id AND s.relid = oc.source
	 WHERE oc.migration_id = migration AND oc.relid = rel;
	IF t.is_key THEN
		map_keys := format('WITH locked AS (SELECT t.%I AS k FROM %s t WHERE %s'
				' AND NOT EXISTS (SELECT 1 FROM %s m WHERE m.old_id OPERATOR(pg_catalog.=) t.%I) FOR NO KEY UPDATE OF t)'
				' INSERT INTO %s (old_id, new_id) SELECT s.k, %s.uuid_generate_v%s() FROM (SELECT k FROM locked ORDER BY k OFFSET 0) s'
				' ON CONFLICT (old_id) DO NOTHING',
			t.key_column, rel, cond, t.mapping_table, t.key_column, t.mapping_table, ext, t.uuid_version);
	END IF;
	read_twins := format('SELECT pg_catalog.array_agg(t.ctid), %s FROM %s t WHERE %s AND (%s)',
		(SELECT string_agg(format('pg_catalog.array_agg(%s)', x), ', ' ORDER BY i) FROM unnest(mapped) WITH ORDINALITY AS u(x, i)),
		rel, cond,
		(SELECT string_agg(format('t.%s IS DISTINCT FROM %s', twins[i], x), ' OR ' ORDER BY i) FROM unnest(mapped) WITH ORDINALITY AS u(x, i)));
	write_twins := format('UPDATE %s t SET %s FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.tid[]), %s) AS v(tid, %s)'
			' WHERE t.ctid OPERATOR(pg_catalog.=) v.tid AND t.ctid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.tid[])',
		rel,
		(SELECT string_agg(format('%s = v.c%s', twins[i], i), ', ' ORDER BY i) FROM generate_subscripts(twins, 1) AS i),
		(SELECT string_agg(format('pg_catalog.unnest($%s::pg_catalog.uuid[])', i + 1), ', ' ORDER BY i) FROM generate_subscripts(twins, 1) AS i),
		(SELECT string_agg(format('c%s', i), ', ' ORDER BY i) FROM generate_subscripts(twins, 1) AS i));
	RETURN NEXT;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_backfill_sql(bigint, regclass, bigint, bigint) IS
	'internal to the online migration: the statements of one backfill batch of a table (run by uuid7_online_backfill_batch)';

CREATE OR REPLACE FUNCTION uuid7_online_backfill_batch(migration bigint, rel regclass, from_block bigint, to_block bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uuid7_online_backfill_batch'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION uuid7_online_backfill_batch(bigint, regclass, bigint, bigint) IS
	'internal to the online migration: one backfill batch of a table: maps and reads as the migrating role (which must act as the starter), writes the twins as the table''s owner in a security-restricted operation with its triggers and rules quiet; returns the rows written';

-- index: the uuid twin of every index on a converted column, built concurrently.
CREATE OR REPLACE FUNCTION uuid7_online_step_index(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0
AS $fn$
DECLARE
	m record;
	o record;
	ok boolean;
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	FOR o IN SELECT * FROM uuid7_state.uuid7_online_object WHERE migration_id = migration AND kind = 'index' AND NOT done ORDER BY ord LOOP
		SELECT i.indisvalid INTO ok
		  FROM pg_class ci JOIN pg_index i ON i.indexrelid = ci.oid
		 WHERE ci.relname = o.new_name AND ci.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = o.relid);
		IF NOT FOUND THEN
			PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('run_started_at', clock_timestamp()));
			RETURN QUERY SELECT 'run', @extschema@.uuid7_online_object_sql(migration, o.ord), NULL::int;
		ELSIF NOT ok THEN
			-- left behind by a build that was interrupted (a crash, a kill, a cancel): build it again
			PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('run_started_at', clock_timestamp()));
			RETURN QUERY SELECT 'run', format('DROP INDEX CONCURRENTLY %I.%I',
				(SELECT ns.nspname FROM pg_class pc JOIN pg_namespace ns ON ns.oid = pc.relnamespace WHERE pc.oid = o.relid), o.new_name), NULL::int;
		ELSE
			PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_object', '{"done": true}', ord => o.ord);
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
		END IF;
		RETURN;
	END LOOP;
	RETURN QUERY SELECT * FROM @extschema@.uuid7_online_end_phase(migration, 'index', 'constrain');
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step_index(bigint) IS
	'internal to the online migration: the next unit of work of the index phase (called by uuid7_online_step)';

-- constrain: NOT NULL proof of the new keys and the foreign key twins, NOT VALID then VALIDATE.
CREATE OR REPLACE FUNCTION uuid7_online_step_constrain(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0
AS $fn$
DECLARE
	m record;
	o record;
	ok boolean;
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	FOR o IN SELECT * FROM uuid7_state.uuid7_online_object WHERE migration_id = migration AND kind <> 'index' AND NOT done ORDER BY ord LOOP
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
				EXECUTE @extschema@.uuid7_online_object_sql(migration, o.ord);
			ELSIF o.validate THEN
				-- SHARE UPDATE EXCLUSIVE: the application keeps writing while the rows are checked
				EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', o.relid, o.new_name);
				PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_object', '{"done": true}', ord => o.ord);
			ELSE
				PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_object', '{"done": true}', ord => o.ord);
			END IF;
			PERFORM set_config('lock_timeout', '0', true);
		EXCEPTION WHEN lock_not_available THEN
			ok := false;
		END;
		IF NOT ok THEN
			RETURN QUERY SELECT * FROM @extschema@.uuid7_online_retry(migration, format('constraint %I on %s', o.new_name, o.relid));
			RETURN;
		END IF;
		IF m.state <> 'running' OR m.lock_attempts <> 0 THEN
			PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('state', 'running', 'lock_attempts', 0, 'updated_at', clock_timestamp()));
		END IF;
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, now());
		RETURN;
	END LOOP;
	RETURN QUERY SELECT * FROM @extschema@.uuid7_online_end_phase(migration, 'constrain', 'verify');
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step_constrain(bigint) IS
	'internal to the online migration: the next unit of work of the constrain phase (called by uuid7_online_step)';

-- verify: any mismatch blocks the swap and names the rows.
CREATE OR REPLACE FUNCTION uuid7_online_step_verify(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0
AS $fn$
DECLARE
	m record;
	n bigint;
	stmt text;
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	-- no sample rows in the state: last_error carries no row values (uuid7_online_verify() shows them to who may read them)
	SELECT count(*), string_agg(format('%s: %s (%s rows)', v.object, v.problem, coalesce(v.bad_rows::text, '-')), E'\n')
	  INTO n, stmt FROM @extschema@.uuid7_online_verify(migration) v;
	IF n > 0 THEN
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
			'state', 'blocked', 'last_error', 'verification failed: ' || stmt, 'updated_at', clock_timestamp()));
	ELSE
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
			'phase', 'ready', 'state', 'ready', 'last_error', NULL, 'updated_at', clock_timestamp()));
	END IF;
	RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step_verify(bigint) IS
	'internal to the online migration: the next unit of work of the verify phase (called by uuid7_online_step)';

-- The VACUUM of the next table not yet vacuumed at the end of ended_phase, or no row when all are. Marked before it runs:
-- a VACUUM cut short by a crash is not run again (autovacuum takes over).
CREATE OR REPLACE FUNCTION uuid7_online_vacuum_after(migration bigint, ended_phase text)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	r regclass;
BEGIN
	SELECT t.relid INTO r FROM uuid7_state.uuid7_online_table t
	 WHERE t.migration_id = migration AND t.vacuumed_after IS DISTINCT FROM ended_phase ORDER BY t.ord LIMIT 1;
	IF FOUND THEN
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', jsonb_build_object('vacuumed_after', ended_phase,
			'vacuums', (SELECT t.vacuums + 1 FROM uuid7_state.uuid7_online_table t WHERE t.migration_id = migration AND t.relid = r)), r);
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('run_started_at', clock_timestamp()));
		RETURN QUERY SELECT 'run', format('VACUUM %s', r), NULL::int;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_vacuum_after(bigint, text) IS
	'internal to the online migration: the VACUUM of the next table not yet vacuumed at the end of a phase (1.6)';

-- The end of a phase whose work is done: a VACUUM of each table first (one per call), then the next phase.
CREATE OR REPLACE FUNCTION uuid7_online_end_phase(migration bigint, ended_phase text, next_phase text)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN QUERY SELECT * FROM @extschema@.uuid7_online_vacuum_after(migration, ended_phase);
	IF FOUND THEN
		RETURN;
	END IF;
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('phase', next_phase, 'updated_at', clock_timestamp()));
	RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_end_phase(bigint, text, text) IS
	'internal to the online migration: ends a phase (a VACUUM of each table first, then the next phase)';

-- What the verify phase and finish check: every twin equals the mapping of its integer column, every new key is set.
CREATE OR REPLACE FUNCTION uuid7_online_verify(migration bigint)
RETURNS TABLE (object text, problem text, bad_rows bigint, sample text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	c record;
	n bigint;
	s text;
BEGIN
	FOR c IN
		SELECT oc.relid, oc.attname, oc.new_name, t.mapping_table, (oc.relid = oc.source AND oc.attname = t.key_column) AS is_key
		  FROM uuid7_state.uuid7_online_column oc
		  JOIN uuid7_state.uuid7_online_table t ON t.migration_id = oc.migration_id AND t.relid = oc.source
		 WHERE oc.migration_id = migration
		 ORDER BY oc.relid, oc.attname
	LOOP
		-- every row: the uuid column equals the mapping of the integer column (NULL exactly when it is NULL), and
		-- every key has a mapping
		EXECUTE format('SELECT count(*), string_agg(x, '', '') FILTER (WHERE rn <= 5) FROM ('
				'SELECT format(''ctid %%s: %%s=%%s, %%s=%%s'', t.ctid, %L, t.%I, %L, coalesce(t.%I::text, ''NULL'')) AS x, row_number() OVER () AS rn'
				'  FROM %s t LEFT JOIN %s m ON m.old_id = t.%I'
				' WHERE (t.%I IS NULL) <> (t.%I IS NULL) OR t.%I <> m.new_id OR (t.%I IS NOT NULL AND m.new_id IS NULL)) s',
			c.attname, c.attname, c.new_name, c.new_name, c.relid, c.mapping_table, c.attname,
			c.attname, c.new_name, c.new_name, c.attname)
		  INTO n, s;
		IF n > 0 THEN
			object := format('%s.%I', c.relid, c.attname);
			problem := CASE WHEN c.is_key THEN 'new key missing or not the mapped one (rows written without the sync trigger?)'
							ELSE 'new reference missing or not the mapped one (rows written without the sync trigger, or an orphan)' END;
			bad_rows := n;
			sample := s;
			RETURN NEXT;
		END IF;
	END LOOP;
	-- the twins of unique indexes must be valid (duplicates would have failed their build)
	FOR c IN
		SELECT o.new_name, o.relid FROM uuid7_state.uuid7_online_object o
		 WHERE o.migration_id = migration AND o.kind = 'index'
		   AND NOT EXISTS (SELECT 1 FROM pg_class ci JOIN pg_index i ON i.indexrelid = ci.oid
						   WHERE ci.relname = o.new_name AND ci.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = o.relid) AND i.indisvalid)
	LOOP
		object := c.new_name;
		problem := format('index on %s is missing or invalid', c.relid);
		bad_rows := NULL;
		sample := NULL;
		RETURN NEXT;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_verify(bigint) IS
	'the rows and objects of an online migration that are not ready for the swap (none: ready); reads only';
