-- src/sql/online_status.sql — uuid7_migration_status, what an online migration is doing.

-- The status: a migration whose worker is gone says stopped (its worker lock is the test, with no grace period).
-- security_invoker: the reader's rights and the state tables' row security apply, so a role sees only its own
-- migrations and those on tables it may SELECT. Every operator is qualified: a view's expressions are bound when it
-- is created, and an owner of the extension's schema could otherwise have planted one that every reader then runs.
CREATE OR REPLACE VIEW uuid7_migration_status WITH (security_invoker = true) AS
SELECT m.id AS migration_id,
	   t.relid AS table_name,
	   CASE WHEN t.is_key THEN 'key'::pg_catalog.text ELSE 'referencing'::pg_catalog.text END AS role,
	   m.phase,
	   CASE WHEN m.state OPERATOR(pg_catalog.=) ANY (ARRAY['running', 'waiting']::pg_catalog.text[])
				 AND @extschema@.uuid7_online_stopped(m.id)
			THEN 'stopped'::pg_catalog.text ELSE m.state END AS state,
	   t.rows_done,
	   t.rows_total,
	   CASE WHEN t.backfill_done_at IS NOT NULL THEN 100.0
			WHEN t.blocks_total OPERATOR(pg_catalog.>) 0::pg_catalog.int8
			THEN pg_catalog.round(100.0 OPERATOR(pg_catalog.*) t.next_block::pg_catalog.numeric
								  OPERATOR(pg_catalog./) t.blocks_total::pg_catalog.numeric, 1)
			ELSE 0.0 END AS percent_done,
	   pg_catalog.round(t.rows_done::pg_catalog.numeric OPERATOR(pg_catalog./)
			CASE WHEN b.seconds OPERATOR(pg_catalog.<>) 0::pg_catalog.numeric THEN b.seconds END) AS rows_per_second,
	   CASE WHEN t.backfill_done_at IS NOT NULL THEN '0'::pg_catalog.interval
			WHEN t.next_block OPERATOR(pg_catalog.>) 0::pg_catalog.int8
			THEN (pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) t.backfill_started_at)
				 OPERATOR(pg_catalog.*) ((coalesce(t.blocks_total, 0::pg_catalog.int8) OPERATOR(pg_catalog.-) t.next_block)::pg_catalog.float8
										 OPERATOR(pg_catalog./) t.next_block::pg_catalog.float8)
	   END AS eta,
	   t.vacuums,
	   m.lock_attempts,
	   m.last_error,
	   m.worker_pid,
	   m.started_at,
	   m.updated_at
  FROM uuid7_state.uuid7_online_migration m
  JOIN uuid7_state.uuid7_online_table t ON t.migration_id OPERATOR(pg_catalog.=) m.id
 CROSS JOIN LATERAL (SELECT pg_catalog.date_part('epoch', coalesce(t.backfill_done_at, pg_catalog.clock_timestamp())
						OPERATOR(pg_catalog.-) t.backfill_started_at)::pg_catalog.numeric AS seconds) b;
COMMENT ON VIEW uuid7_migration_status IS
	'online migrations, one row per table: phase, state (stopped: the worker is gone, call uuid7_migration_resume), rows done / total, rate, ETA, last error';
GRANT SELECT ON uuid7_migration_status TO PUBLIC;
