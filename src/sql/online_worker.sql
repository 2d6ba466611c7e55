-- src/sql/online_worker.sql — the background worker: launch, liveness, stop, locks and retries.

-- ---- the worker ------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION uuid7_online_launch(migration_id bigint) RETURNS integer
	AS 'MODULE_PATHNAME', 'uuid7_online_launch'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION uuid7_online_launch(bigint) IS
	'internal to the online migration: starts the background worker that drives migration_id, as the role that started the migration (the caller must have its privileges; uuid7.max_workers, _per_database and _per_role cap the workers); returns its pid';

-- ---- the worker's liveness and the start gate: locks no SQL user can take -----------------------------------------
-- Both are heavyweight locks on the object (uuid7_online_migration's OID as class id, the migration id as object id)
-- in the user lock method (src/pg/online_locks.hpp); pg_locks shows them as locktype 'object', objsubid 1 (the
-- worker's, a session lock) and 2 (the gate, a transaction lock). No pg_advisory_* call can take or block them.

-- The pid of the live worker of a migration, or NULL. The lock is released by the process's end however it ends
-- (exit, kill -9 and the crash recovery that follows, restart), so a dead worker is never taken for a live one; and
-- the holder must be a 'uuid7 migration' background worker of this database.
CREATE OR REPLACE FUNCTION uuid7_online_worker_pid(migration bigint) RETURNS integer
	AS 'MODULE_PATHNAME', 'uuid7_online_worker_pid'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid7_online_worker_pid(bigint) IS
	'internal to the online migration: the pid of the worker that drives the migration (a uuid7 migration background worker of this database holding its worker lock), or NULL';

-- The gate between start/resume and the worker they launch, held until the end of the transaction: exclusive (start,
-- resume; waits; only for roles with the starter's privileges) or shared (each step of the worker; never waits;
-- false when closed).
CREATE OR REPLACE FUNCTION uuid7_online_gate(migration bigint, exclusive boolean) RETURNS boolean
	AS 'MODULE_PATHNAME', 'uuid7_online_gate'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION uuid7_online_gate(bigint, boolean) IS
	'internal to the online migration: closes (exclusive) or passes (shared, without waiting) the gate between the transaction that starts or resumes a migration and its worker, until the end of the transaction';

-- Whether a migration that should be running has no worker. The lock is read first and the state after it, with a
-- snapshot of its own: a worker that ended after the caller's snapshot was taken has committed its last state by
-- then (ready, blocked, failed), and is not taken for a stopped one.
CREATE OR REPLACE FUNCTION uuid7_online_stopped(migration bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF @extschema@.uuid7_online_worker_pid(migration) IS NOT NULL THEN
		RETURN false;
	END IF;
	RETURN EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_migration WHERE id = migration AND state IN ('running', 'waiting'));
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_stopped(bigint) IS
	'internal to the online migration: whether the migration is running or waiting by its state but its worker is gone';

-- Launches the worker of a migration and waits until it holds its lock, so that the status never shows a worker
-- that is starting as stopped. Called by uuid7_migration_start() and _resume() in their transaction.
CREATE OR REPLACE FUNCTION uuid7_online_start_worker(migration bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	pid int;
	i int;
BEGIN
	-- the worker's steps wait for this transaction to end before they look at the migration
	PERFORM @extschema@.uuid7_online_gate(migration, true);
	pid := @extschema@.uuid7_online_launch(migration);
	FOR i IN 1 .. 1000 LOOP
		EXIT WHEN @extschema@.uuid7_online_worker_pid(migration) IS NOT DISTINCT FROM pid;
		PERFORM pg_sleep(0.01);
	END LOOP;
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration',
		jsonb_build_object('worker_pid', pid, 'updated_at', clock_timestamp()));
	RETURN pid;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_start_worker(bigint) IS
	'internal to the online migration: launches the background worker of a migration and waits (at most 10 s) until it holds its lock; returns its pid';

CREATE OR REPLACE FUNCTION uuid7_online_stop_worker(migration bigint) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	pid int;
	i int;
BEGIN
	-- the same check as every other action on a migration (its worker runs as the starter)
	IF NOT @extschema@.uuid7_online_acts_as_starter(migration) THEN
		IF NOT EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_migration m WHERE m.id = migration) THEN
			RAISE EXCEPTION 'online migration % does not exist', migration USING ERRCODE = '42704';
		END IF;
		RAISE EXCEPTION 'permission denied to stop the worker of online migration %', migration USING ERRCODE = '42501',
			DETAIL = 'Only roles with the privileges of the role that started it may.';
	END IF;
	pid := @extschema@.uuid7_online_worker_pid(migration);
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

-- ---- locks: exclusive steps wait at most lock_timeout, then give way and retry -----------------------------------
CREATE OR REPLACE FUNCTION uuid7_online_lock(migration bigint, budget_ms integer) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rel regclass;
	t0 timestamptz := clock_timestamp();
BEGIN
	-- Listed (referenced) tables first, in list order, then the referencing ones: parent before child, the same
	-- order everywhere. One table at a time, each with what is left of the budget: lock_timeout applies per lock,
	-- and the application must never queue behind this request for longer than the budget in all.
	-- (a table dropped since the start is left out: finish refuses then, and abort undoes the rest)
	FOR rel IN SELECT t.relid FROM uuid7_state.uuid7_online_table t WHERE t.migration_id = migration
				 AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.relid) ORDER BY t.ord LOOP
		PERFORM set_config('lock_timeout',
			greatest(1, budget_ms - (extract(epoch FROM clock_timestamp() - t0) * 1000)::int) || 'ms', true);
		EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', rel);
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_lock(bigint, integer) IS
	'internal to the online migration: ACCESS EXCLUSIVE on every table of the migration, parents before children, waiting at most budget_ms in all (55P03 beyond)';

-- Runs body (a statement list) under lock_timeout, retrying with backoff; raises 55P03 after lock_retries.
CREATE OR REPLACE FUNCTION uuid7_online_locked(migration bigint, what text, body text) RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	attempt int := 0;
	saved text := current_setting('lock_timeout');
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	LOOP
		attempt := attempt + 1;
		BEGIN
			PERFORM @extschema@.uuid7_online_lock(migration, @extschema@.uuid7_online_setting(m.options, 'lock_timeout_ms'));
			PERFORM set_config('lock_timeout', saved, true);
			EXECUTE body;
			RETURN attempt;
		EXCEPTION WHEN lock_not_available THEN
			PERFORM set_config('lock_timeout', saved, true);
			IF attempt >= @extschema@.uuid7_online_setting(m.options, 'lock_retries') THEN
				RAISE EXCEPTION 'could not lock the tables of online migration % for the %', migration, what USING ERRCODE = '55P03',
					DETAIL = format('%s attempts of %s ms each; nothing was changed.', attempt, @extschema@.uuid7_online_setting(m.options, 'lock_timeout_ms')),
					HINT = 'A long transaction holds a lock on one of the tables (see pg_locks); try again later or raise lock_retries.';
			END IF;
			PERFORM pg_sleep(@extschema@.uuid7_online_backoff_ms(attempt) / 1000.0);
		END;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_locked(bigint, text, text) IS
	'internal to the online migration: locks the tables (parents first) under lock_timeout and runs body, retrying with backoff; returns the attempts used';

CREATE OR REPLACE FUNCTION uuid7_online_retry(migration bigint, what text, code text DEFAULT '55P03',
								   reason text DEFAULT 'lock not available within lock_timeout')
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
BEGIN
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	m.lock_attempts := m.lock_attempts + 1;
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
		'lock_attempts', m.lock_attempts, 'state', 'waiting', 'updated_at', clock_timestamp(),
		'last_error', format('%s: %s: %s (attempt %s)', code, what, reason, m.lock_attempts)));
	IF m.lock_attempts >= @extschema@.uuid7_online_setting(m.options, 'lock_retries') THEN
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration',
			'{"state": "failed", "worker_pid": null}');
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
	ELSE
		RETURN QUERY SELECT 'sleep', NULL::text, @extschema@.uuid7_online_backoff_ms(m.lock_attempts);
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_retry(bigint, text, text, text) IS
	'internal to the online migration: records a lock timeout (or another SQLSTATE and reason) and returns the pause before the next attempt (or stop after lock_retries)';

CREATE OR REPLACE FUNCTION uuid7_online_fail(migration bigint, sqlstate text, message text) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', pg_catalog.jsonb_build_object(
		'state', 'failed', 'worker_pid', NULL, 'last_error', sqlstate || ': ' || message, 'updated_at', pg_catalog.clock_timestamp()))
$fn$;
COMMENT ON FUNCTION uuid7_online_fail(bigint, text, text) IS
	'internal to the online migration: the worker records the error that stopped it';
