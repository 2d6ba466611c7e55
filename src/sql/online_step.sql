-- src/sql/online_step.sql — uuid7_online_step(), the unit of work the worker asks for.

-- The worker's loop (src/pg/online_worker.cpp) calls this until it says stop: it takes the migration row, rests after a
-- top-level statement it handed out, and hands the rest to the function of the current phase.
CREATE OR REPLACE FUNCTION uuid7_online_step(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0		-- the worker's scans take one core at most from the application
AS $fn$
DECLARE
	m record;
BEGIN
	-- uuid7_migration_start() and _resume() hold this lock until their transaction ends: the worker they launch
	-- waits for the commit (and finds no migration, or a stopped one, after a rollback)
	IF NOT @extschema@.uuid7_online_gate(migration, false) THEN
		RETURN QUERY SELECT 'sleep', NULL::text, 100;
		RETURN;
	END IF;
	IF NOT @extschema@.uuid7_online_state_lock(migration) THEN
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
		RETURN;
	END IF;
	-- a state restored from a dump: its cursors and OIDs made valid here first (a resume has done it already)
	PERFORM @extschema@.uuid7_online_rehome(migration);
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	IF NOT FOUND THEN
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
		RETURN;
	END IF;
	IF m.state NOT IN ('running', 'waiting') THEN
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
		RETURN;
	END IF;
	IF m.worker_pid IS DISTINCT FROM pg_backend_pid() THEN
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration',
			jsonb_build_object('worker_pid', pg_backend_pid(), 'updated_at', clock_timestamp()));
	END IF;
	-- a policy that applies now would hide rows from the backfill and the verification: the worker fails (42501)
	PERFORM @extschema@.uuid7_online_require_all_rows(migration);
	IF m.run_started_at IS NOT NULL THEN
		-- the top-level statement handed out last has ended: rest in proportion to its time
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', '{"run_started_at": null}');
		RETURN QUERY SELECT * FROM @extschema@.uuid7_online_pace(m.options, m.run_started_at);
		RETURN;
	END IF;

	-- one function per phase (src/sql/online_phases.sql), in the order the migration goes through them
	CASE m.phase
	WHEN 'map' THEN RETURN QUERY SELECT * FROM @extschema@.uuid7_online_step_map(migration);
	WHEN 'expand' THEN RETURN QUERY SELECT * FROM @extschema@.uuid7_online_step_expand(migration);
	WHEN 'backfill' THEN RETURN QUERY SELECT * FROM @extschema@.uuid7_online_step_backfill(migration);
	WHEN 'index' THEN RETURN QUERY SELECT * FROM @extschema@.uuid7_online_step_index(migration);
	WHEN 'constrain' THEN RETURN QUERY SELECT * FROM @extschema@.uuid7_online_step_constrain(migration);
	WHEN 'verify' THEN RETURN QUERY SELECT * FROM @extschema@.uuid7_online_step_verify(migration);
	ELSE RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
	END CASE;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_step(bigint) IS
	'internal to the online migration: does the next unit of work (continue), asks the worker to run a top-level statement (run) or to wait (sleep), or says it is done (stop)';
