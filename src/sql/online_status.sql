-- src/sql/online_status.sql — uuid7_migration_status, what an online migration is doing.

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
COMMENT ON VIEW uuid7_migration_status IS
	'online migrations, one row per table: phase, state (stopped: the worker is gone, call uuid7_migration_resume), rows done / total, rate, ETA, last error';
GRANT SELECT ON uuid7_migration_status TO PUBLIC;
