-- src/sql/online_settings.sql — online options and their defaults, pacing and backoff.

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
COMMENT ON FUNCTION uuid7_online_setting(jsonb, text) IS
	'internal to the online migration: an online option (batch_blocks, map_batch, pause_ms, work_percent, vacuum_every, lock_timeout_ms, lock_retries) or its default';

CREATE OR REPLACE FUNCTION uuid7_online_pace(options jsonb, since timestamptz)
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

CREATE OR REPLACE FUNCTION uuid7_online_backoff_ms(attempt integer) RETURNS integer
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	-- 100 ms doubling to 5 s, with jitter so that retries of two migrations do not stay in step
	SELECT (least(5000, 100 * (2 ^ least(attempt, 6))::int) * (0.75 + random() / 2))::int
$fn$;
COMMENT ON FUNCTION uuid7_online_backoff_ms(integer) IS
	'internal to the online migration: pause before lock attempt number attempt';
