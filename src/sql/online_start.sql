-- src/sql/online_start.sql — starting and resuming an online migration.

-- ---- the plan of the offline migration, read by the start and by the swap -----------------------------------------

-- Copies uuid7_migration_plan(tables, plan_options) into the temporary table uuid7_plan_rows (dropped at commit) and
-- raises its first refusal, if any: at the start (nothing done yet) or at the swap (something changed since).
CREATE OR REPLACE FUNCTION uuid7_online_plan(tables regclass[], plan_options jsonb, context text) RETURNS void
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
	PERFORM @extschema@.uuid7_plan_raise_refusal(first_refusal.sqlstate, first_refusal.detail, first_refusal.hint,
		refusals, context);
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_plan(regclass[], jsonb, text) IS
	'internal to the online migration: reads the offline plan into the temporary table uuid7_plan_rows and raises its first refusal (context start or swap)';

-- Row security that applies to the current role on a table of the migration: the backfill would skip the rows the
-- policies hide (their new columns NULL), and the verification, under the same policies, would not see them. So the
-- start refuses, and every step and the finish check again (ALTER TABLE ... FORCE ROW LEVEL SECURITY may come later):
-- 42501, naming the table and its policies. The owner of a table is subject to its policies only under FORCE ROW
-- LEVEL SECURITY; superusers and BYPASSRLS roles never are.
CREATE OR REPLACE FUNCTION uuid7_online_require_all_rows(migration bigint) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rec record;
BEGIN
	FOR rec IN
		SELECT t.relid, @extschema@.uuid7_policy_names(t.relid) AS policies
		  FROM uuid7_state.uuid7_online_table t
		 WHERE t.migration_id = migration AND row_security_active(t.relid)
		 ORDER BY t.ord
	LOOP
		RAISE EXCEPTION 'row-level security applies to role "%" on table %, which online migration % must read and write whole',
				current_user, rec.relid, migration
			USING ERRCODE = '42501',
			DETAIL = coalesce(format('Policies: %s. Rows they hide would keep NULL in their new uuid columns.', rec.policies),
							  'The table has row security enabled and no policy: every row is hidden.'),
			HINT = 'Run the migration as a role with BYPASSRLS, or ALTER TABLE ... NO FORCE ROW LEVEL SECURITY for its duration (the owner is then exempt).';
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_require_all_rows(bigint) IS
	'internal to the online migration: raises 42501 when row-level security applies to the current role on a table of the migration (its backfill and verification must see every row)';

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
		SELECT t.relid, t.migration_id FROM uuid7_state.uuid7_online_table t
		  JOIN uuid7_state.uuid7_online_migration om ON om.id = t.migration_id
		 WHERE om.state NOT IN ('finished', 'aborted') AND t.relid = ANY (uuid7_migration_start.tables)
	LOOP
		RAISE EXCEPTION 'cannot migrate online: table % is part of online migration %, which is not finished', rec.relid, rec.migration_id
			USING ERRCODE = '55006', HINT = 'Finish or abort that migration first.';
	END LOOP;

	-- the same refusals as uuid7_migrate(), from the same plan (read once: it refuses once a mapping table exists)
	PERFORM @extschema@.uuid7_online_plan(tables, plan_opts, 'start');
	PERFORM @extschema@.uuid7_online_refuse_partitioned(tables);	-- (migrate_partitioned.sql)

	mid := @extschema@.uuid7_online_state_create(tables, options, plan_opts);
	PERFORM @extschema@.uuid7_online_state_update(mid, 'uuid7_online_migration', jsonb_build_object('home', @extschema@.uuid7_online_home()));

	-- the schema of the mapping tables, when the plan makes it (the default one, missing): recorded, for abort to drop
	FOR rec IN SELECT p.statement, p.object FROM uuid7_plan_rows AS p WHERE p.phase = 'schema' ORDER BY p.step LOOP
		EXECUTE rec.statement;
		PERFORM @extschema@.uuid7_online_state_update(mid, 'uuid7_online_migration', jsonb_build_object('created_schema', rec.object));
	END LOOP;
	-- listed tables: their mapping table, named and owned as uuid7_migrate() would, with its indexes from the start
	FOR i IN 1 .. cardinality(tables) LOOP
		SELECT p.object INTO map FROM uuid7_plan_rows AS p
		 WHERE p.phase = 'mapping' AND p.detail = format('create the mapping table of %s', tables[i]);
		FOR rec IN SELECT p.statement, p.detail FROM uuid7_plan_rows AS p
				   WHERE p.phase = 'mapping' AND p.object = map AND p.detail NOT LIKE 'one new v%' ORDER BY p.step LOOP
			EXECUTE rec.statement;
		END LOOP;
		SELECT con.conkey[1] INTO pkatt FROM pg_constraint con WHERE con.conrelid = tables[i] AND con.contype = 'p';
		PERFORM @extschema@.uuid7_online_state_insert(mid, 'uuid7_online_table', jsonb_agg(jsonb_build_object(
					'relid', tables[i], 'ord', i, 'is_key', true, 'key_column', a.attname, 'old_type', a.atttypid::regtype,
					'mapping_table', map::regclass,
					'uuid_version', (SELECT substring(p.detail FROM '^one new v([67]) ')::int FROM uuid7_plan_rows AS p
									  WHERE p.phase = 'mapping' AND p.object = map AND p.detail LIKE 'one new v%'))))
		  FROM pg_attribute a WHERE a.attrelid = tables[i] AND a.attnum = pkatt;
		PERFORM @extschema@.uuid7_online_state_insert(mid, 'uuid7_online_column', jsonb_agg(jsonb_build_object(
					'relid', tables[i], 'attname', a.attname, 'new_name', 'uuid7_new_' || a.attnum, 'source', tables[i])))
		  FROM pg_attribute a WHERE a.attrelid = tables[i] AND a.attnum = pkatt;
	END LOOP;

	-- referencing columns, found exactly as the plan finds them
	ord := cardinality(tables);
	FOR fk IN
		SELECT con.oid, con.conrelid, con.conkey, con.confkey, con.confrelid, ot.key_column
		  FROM pg_constraint con
		  JOIN uuid7_state.uuid7_online_table ot ON ot.migration_id = mid AND ot.relid = con.confrelid
		 WHERE con.contype = 'f'
		   AND (SELECT attnum FROM pg_attribute WHERE attrelid = con.confrelid AND attname = ot.key_column) = ANY (con.confkey)
		 ORDER BY con.conrelid, con.conname
	LOOP
		IF NOT EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_table WHERE migration_id = mid AND relid = fk.conrelid) THEN
			ord := ord + 1;
			PERFORM @extschema@.uuid7_online_state_insert(mid, 'uuid7_online_table',
				jsonb_build_array(jsonb_build_object('relid', fk.conrelid::regclass, 'ord', ord, 'is_key', false)));
		END IF;
		-- (a column already recorded through another foreign key is skipped: ON CONFLICT DO NOTHING)
		PERFORM @extschema@.uuid7_online_state_insert(mid, 'uuid7_online_column', jsonb_agg(jsonb_build_object(
					'relid', fk.conrelid::regclass, 'attname', a.attname, 'new_name', 'uuid7_new_' || a.attnum,
					'source', fk.confrelid::regclass)))
		  FROM unnest(fk.conkey, fk.confkey) AS u(att, fatt)
		  JOIN pg_attribute a ON a.attrelid = fk.conrelid AND a.attnum = u.att
		 WHERE u.fatt = (SELECT attnum FROM pg_attribute WHERE attrelid = fk.confrelid AND attname = fk.key_column);
	END LOOP;
	PERFORM @extschema@.uuid7_online_require_all_rows(mid);
	-- a twin column name that is already taken cannot be used
	FOR rec IN
		SELECT oc.relid, oc.new_name FROM uuid7_state.uuid7_online_column oc
		 WHERE oc.migration_id = mid
		   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = oc.relid AND a.attname = oc.new_name AND NOT a.attisdropped)
	LOOP
		RAISE EXCEPTION 'cannot migrate online: table % already has a column named %', rec.relid, rec.new_name
			USING ERRCODE = '42701', HINT = 'Rename that column first.';
	END LOOP;
	-- one online migration per table at a time
	FOR rec IN
		SELECT t.relid, t.migration_id FROM uuid7_state.uuid7_online_table t
		  JOIN uuid7_state.uuid7_online_migration om ON om.id = t.migration_id
		 WHERE om.id <> mid AND om.state NOT IN ('finished', 'aborted')
		   AND t.relid IN (SELECT relid FROM uuid7_state.uuid7_online_table WHERE migration_id = mid)
	LOOP
		RAISE EXCEPTION 'cannot migrate online: table % is part of online migration %, which is not finished', rec.relid, rec.migration_id
			USING ERRCODE = '55006', HINT = 'Finish or abort that migration first.';
	END LOOP;

	-- the twins: indexes (every index that uses a converted column: as a key, in an expression or in its predicate),
	-- the NOT NULL proof of each new key, CHECK constraints over a converted column, foreign keys. The swap drops the
	-- old column and everything built on it; each of these takes the place of one of them.
	ord := 0;
	FOR ix IN
		SELECT DISTINCT px.indexrelid, px.indrelid, c.relname, con.contype, con.conname, con.condeferrable, con.condeferred
		  FROM pg_index px
		  JOIN pg_class c ON c.oid = px.indexrelid
		  LEFT JOIN pg_constraint con ON con.conindid = px.indexrelid AND con.conrelid = px.indrelid AND con.contype IN ('p', 'u', 'x')
		  JOIN uuid7_state.uuid7_online_column oc ON oc.migration_id = mid AND oc.relid = px.indrelid
		  JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE a.attnum = ANY (px.indkey::int2[])
			OR EXISTS (SELECT 1 FROM pg_depend d
					    WHERE d.classid = 'pg_class'::regclass AND d.objid = px.indexrelid
						  AND d.refclassid = 'pg_class'::regclass AND d.refobjid = px.indrelid AND d.refobjsubid = a.attnum)
		 ORDER BY px.indrelid, px.indexrelid
	LOOP
		IF ix.contype = 'x' THEN
			RAISE EXCEPTION 'cannot migrate online: exclusion constraint % on table % uses a converted column', ix.conname, ix.indrelid::regclass
				USING ERRCODE = '0A000', HINT = 'Use uuid7_migrate(), which converts it in place.';
		END IF;
		ord := ord + 1;
		PERFORM @extschema@.uuid7_online_state_insert(mid, 'uuid7_online_object', jsonb_build_array(jsonb_build_object(
			'ord', ord, 'kind', 'index', 'relid', ix.indrelid::regclass, 'old_name', coalesce(ix.conname, ix.relname),
			'contype', ix.contype,
			'deferrable_clause', CASE WHEN ix.condeferrable THEN ' DEFERRABLE' || CASE WHEN ix.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END ELSE '' END,
			'new_name', 'uuid7_ix_' || ix.indexrelid, 'source', ix.indexrelid)));
	END LOOP;
	-- one check per table over the twins of its NOT NULL columns (the new keys, and references declared NOT NULL):
	-- validated, it lets the swap set NOT NULL without a scan
	FOR rec IN SELECT DISTINCT t.relid, t.ord
				 FROM uuid7_state.uuid7_online_table t
				 JOIN uuid7_state.uuid7_online_column oc ON oc.migration_id = t.migration_id AND oc.relid = t.relid
				 JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
				WHERE t.migration_id = mid AND a.attnotnull
				ORDER BY t.ord LOOP
		ord := ord + 1;
		PERFORM @extschema@.uuid7_online_state_insert(mid, 'uuid7_online_object', jsonb_build_array(jsonb_build_object(
			'ord', ord, 'kind', 'notnull', 'relid', rec.relid, 'new_name', 'uuid7_nn_' || mid)));
	END LOOP;
	FOR rec IN
		SELECT DISTINCT con.oid, con.conrelid, con.conname, con.convalidated
		  FROM pg_constraint con
		  JOIN uuid7_state.uuid7_online_column oc ON oc.migration_id = mid AND oc.relid = con.conrelid
		  JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE con.contype = 'c' AND a.attnum = ANY (con.conkey)
		 ORDER BY con.conrelid, con.conname
	LOOP
		ord := ord + 1;
		PERFORM @extschema@.uuid7_online_state_insert(mid, 'uuid7_online_object', jsonb_build_array(jsonb_build_object(
			'ord', ord, 'kind', 'check', 'relid', rec.conrelid::regclass, 'old_name', rec.conname,
			'new_name', 'uuid7_ck_' || rec.oid, 'source', rec.oid, 'validate', rec.convalidated)));
	END LOOP;
	FOR fk IN
		SELECT DISTINCT con.oid, con.conrelid, con.conname, con.convalidated
		  FROM pg_constraint con
		  JOIN uuid7_state.uuid7_online_table ot ON ot.migration_id = mid AND ot.relid = con.confrelid AND ot.is_key
		 WHERE con.contype = 'f'
		   AND (SELECT attnum FROM pg_attribute WHERE attrelid = con.confrelid AND attname = ot.key_column) = ANY (con.confkey)
		 ORDER BY con.conrelid, con.conname
	LOOP
		ord := ord + 1;
		PERFORM @extschema@.uuid7_online_state_insert(mid, 'uuid7_online_object', jsonb_build_array(jsonb_build_object(
			'ord', ord, 'kind', 'foreign key', 'relid', fk.conrelid::regclass, 'old_name', fk.conname,
			'new_name', 'uuid7_fk_' || fk.oid, 'source', fk.oid, 'validate', fk.convalidated)));
	END LOOP;

	DROP TABLE uuid7_plan_rows;
	PERFORM @extschema@.uuid7_online_start_worker(mid);
	RETURN mid;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_start(regclass[], jsonb) IS
	'starts an online migration of these tables (same result as uuid7_migrate(), with short locks only) in a background worker; returns its id at once';

-- ---- a state restored from a dump ------------------------------------------------------------------------------------
-- The state tables are extension configuration: pg_dump carries their rows, and a restore brings back the migration
-- with its id, so its sync triggers (whose first argument is that id) keep working. regclass columns are dumped as
-- names and found again on restore, and the starter (regrole) too. Three things of the state do not survive the trip:
-- the backfill cursor is a heap page number, and a restore writes the rows out anew; the OIDs of the indexes and
-- foreign keys the twins replace (uuid7_online_object.source) are those of the old copy; and the virtual transaction
-- ids the map waits for are those of the old server. uuid7_online_home() tells a restored copy apart.

CREATE OR REPLACE FUNCTION uuid7_online_home() RETURNS text
AS 'MODULE_PATHNAME', 'uuid7_online_home'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid7_online_home() IS
	'internal to the online migration: where the state lives (the cluster''s system identifier, the database''s OID, the state table''s OID); a copy restored from a dump has another';

-- Makes the state of a migration valid where it is now, when it was written elsewhere (restored from a dump): the
-- tables whose backfill had not ended start it again from page 0 (it skips the rows whose twins are right already,
-- so nothing is done twice but the reading); the twins' sources are found again by the name of what they replace
-- (the index or constraint old_name on the same table; one that is gone fails its build with a clear error, as a
-- dropped one does); the map forgets the transactions it waited for. The tables whose backfill had ended need
-- nothing: a dump is one snapshot, in which their sync triggers had set every twin. A home of NULL (a migration in
-- flight when the extension was updated to 2.0) is only stamped. Called by resume and by every step of the worker,
-- as the starter, with the migration's row locked; returns whether the state was restored.
CREATE OR REPLACE FUNCTION uuid7_online_rehome(migration bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	o record;
	here text := @extschema@.uuid7_online_home();
BEGIN
	SELECT om.home, om.phase, om.state INTO m FROM uuid7_state.uuid7_online_migration om WHERE om.id = migration;
	IF NOT FOUND OR m.home IS NOT DISTINCT FROM here OR m.state IN ('finished', 'aborted') THEN
		RETURN false;
	END IF;
	IF m.home IS NULL THEN
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object('home', here));
		RETURN false;
	END IF;
	FOR o IN SELECT * FROM uuid7_state.uuid7_online_object ob WHERE ob.migration_id = migration AND ob.kind <> 'notnull' LOOP
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_object', jsonb_build_object('source',
			CASE o.kind
			WHEN 'index' THEN coalesce(
				(SELECT con.conindid FROM pg_constraint con
				  WHERE con.conrelid = o.relid AND con.conname = o.old_name AND con.contype IN ('p', 'u')),
				(SELECT i.indexrelid FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
				  WHERE i.indrelid = o.relid AND ci.relname = o.old_name))
			ELSE (SELECT con.oid FROM pg_constraint con		-- a CHECK or a foreign key
				   WHERE con.conrelid = o.relid AND con.conname = o.old_name
					 AND con.contype = CASE o.kind WHEN 'check' THEN 'c' ELSE 'f' END)
			END), ord => o.ord);
	END LOOP;
	IF m.phase IN ('map', 'expand', 'backfill') THEN
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', jsonb_build_object(
				'blocks_total', NULL, 'next_block', 0, 'rows_done', 0, 'backfill_started_at', NULL,
				'batches_since_vacuum', 0),
			expect => '{"backfill_done_at": null}');
	END IF;
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', '{"map_wait": null}');
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
		'home', here, 'worker_pid', NULL, 'run_started_at', NULL, 'lock_attempts', 0, 'updated_at', clock_timestamp()));
	RAISE LOG 'uuid7 migration %: its state was restored from a dump (phase %)%', migration, m.phase,
		CASE WHEN m.phase IN ('map', 'expand', 'backfill') THEN '; the backfills it had not finished start over' ELSE '' END;
	RETURN true;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_rehome(bigint) IS
	'internal to the online migration: after a restore from a dump, restarts the unfinished backfills from page 0, finds the twins'' sources again by name and forgets the map''s transactions; returns whether the state was restored';

CREATE OR REPLACE FUNCTION uuid7_migration_resume(migration bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	pid int;
	problems bigint;
	saved_role text := @extschema@.uuid7_online_become_starter(migration, 'resume');
BEGIN
	PERFORM @extschema@.uuid7_online_state_lock(migration);
	-- a state restored from a dump: its cursors and OIDs made valid here first
	PERFORM @extschema@.uuid7_online_rehome(migration);
	SELECT * INTO m FROM uuid7_state.uuid7_online_migration WHERE id = migration;
	IF m.state IN ('finished', 'aborted') THEN
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
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_table', jsonb_build_object(
			'blocks_total', NULL, 'next_block', 0, 'backfill_started_at', NULL, 'backfill_done_at', NULL, 'batches_since_vacuum', 0));
		PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', '{"phase": "backfill"}');
	END IF;
	PERFORM @extschema@.uuid7_online_state_update(migration, 'uuid7_online_migration', jsonb_build_object(
		'state', 'running', 'lock_attempts', 0, 'run_started_at', NULL, 'updated_at', clock_timestamp()));
	pid := @extschema@.uuid7_online_start_worker(migration);
	PERFORM @extschema@.uuid7_online_restore_role(saved_role);
	RETURN pid;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_resume(bigint) IS
	'starts a new worker for an online migration that stopped (crash, kill, restart, failure, or a verification that blocked it or refused its finish); returns its pid';
