/* uuid7 1.2: online migration — the same end state as uuid7_migrate(), reached by a background worker with only
   short locks while the application keeps writing. docs/online-migration.md explains the phases. */

\echo Use "CREATE EXTENSION uuid7" or "ALTER EXTENSION uuid7 UPDATE TO '1.2'" to load this file. \quit

-- ---- state: everything the worker needs to stop and resume lives in these tables ----------------------------

CREATE TABLE uuid7_online_migration (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tables regclass[] NOT NULL,
	options jsonb NOT NULL,			-- as given to uuid7_migration_start()
	plan_options jsonb NOT NULL,	-- the part uuid7_migration_plan() understands
	phase text NOT NULL DEFAULT 'map'
		CHECK (phase IN ('map', 'expand', 'backfill', 'index', 'constrain', 'verify', 'ready', 'finished', 'aborted')),
	state text NOT NULL DEFAULT 'running'
		CHECK (state IN ('running', 'waiting', 'failed', 'blocked', 'ready', 'finished', 'aborted')),
	worker_pid integer,
	worker_started_at timestamptz,	-- a worker is not visible in pg_stat_activity for its first moments
	lock_attempts integer NOT NULL DEFAULT 0,
	key_time_base timestamptz,		-- new keys of existing rows are made from here on, one millisecond per batch
	last_error text,
	started_by name NOT NULL DEFAULT CURRENT_USER,
	started_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	finished_at timestamptz
);
COMMENT ON TABLE uuid7_online_migration IS
	'online migrations started by uuid7_migration_start(): phase, state and options of each';

CREATE TABLE uuid7_online_table (
	migration_id bigint NOT NULL REFERENCES uuid7_online_migration (id) ON DELETE CASCADE,
	relid regclass NOT NULL,
	ord integer NOT NULL,			-- processing order: listed tables first, in list order
	is_key boolean NOT NULL,		-- listed (its primary key is converted), else only referencing
	key_column name,
	old_type regtype,
	mapping_table regclass,
	uuid_version integer,
	sync_function text,				-- qualified, quoted name of the generated trigger function
	map_cursor bigint,				-- last old key given a new key by the map phase
	map_batches integer NOT NULL DEFAULT 0,
	map_done boolean NOT NULL DEFAULT false,
	blocks_total bigint,
	next_block bigint NOT NULL DEFAULT 0,
	rows_total bigint,
	rows_done bigint NOT NULL DEFAULT 0,
	batches_since_vacuum integer NOT NULL DEFAULT 0,
	vacuums integer NOT NULL DEFAULT 0,
	backfill_started_at timestamptz,
	backfill_done_at timestamptz,
	PRIMARY KEY (migration_id, relid)
);
COMMENT ON TABLE uuid7_online_table IS
	'tables altered by an online migration, with the backfill cursor of each';

CREATE TABLE uuid7_online_column (
	migration_id bigint NOT NULL REFERENCES uuid7_online_migration (id) ON DELETE CASCADE,
	relid regclass NOT NULL,
	attname name NOT NULL,			-- the integer column
	new_name name NOT NULL,			-- its uuid twin until the swap
	source regclass NOT NULL,		-- the listed table whose mapping gives the values
	PRIMARY KEY (migration_id, relid, attname)
);
COMMENT ON TABLE uuid7_online_column IS
	'integer columns converted by an online migration and the uuid column that replaces each at the swap';

CREATE TABLE uuid7_online_object (
	migration_id bigint NOT NULL REFERENCES uuid7_online_migration (id) ON DELETE CASCADE,
	ord integer NOT NULL,
	kind text NOT NULL CHECK (kind IN ('index', 'notnull', 'foreign key')),
	relid regclass NOT NULL,
	old_name name,					-- index or constraint it replaces at the swap
	contype "char",					-- p or u when the index backs that constraint
	deferrable_clause text NOT NULL DEFAULT '',
	new_name name NOT NULL,
	create_sql text NOT NULL,
	validate boolean NOT NULL DEFAULT true,
	done boolean NOT NULL DEFAULT false,
	PRIMARY KEY (migration_id, ord)
);
COMMENT ON TABLE uuid7_online_object IS
	'indexes and constraints an online migration builds beside the old ones and swaps in';

-- Everyone may read the state; only members of the role that started a migration may change it.
GRANT SELECT, INSERT, UPDATE, DELETE ON uuid7_online_migration, uuid7_online_table, uuid7_online_column,
	uuid7_online_object TO PUBLIC;
ALTER TABLE uuid7_online_migration ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_online_migration_read ON uuid7_online_migration FOR SELECT USING (true);
CREATE POLICY uuid7_online_migration_write ON uuid7_online_migration FOR ALL
	USING (pg_catalog.pg_has_role(started_by, 'USAGE')) WITH CHECK (pg_catalog.pg_has_role(started_by, 'USAGE'));
ALTER TABLE uuid7_online_table ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_online_table_read ON uuid7_online_table FOR SELECT USING (true);
CREATE POLICY uuid7_online_table_write ON uuid7_online_table FOR ALL
	USING (pg_catalog.pg_has_role((SELECT m.started_by FROM @extschema@.uuid7_online_migration m WHERE m.id = migration_id), 'USAGE'))
	WITH CHECK (pg_catalog.pg_has_role((SELECT m.started_by FROM @extschema@.uuid7_online_migration m WHERE m.id = migration_id), 'USAGE'));
ALTER TABLE uuid7_online_column ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_online_column_read ON uuid7_online_column FOR SELECT USING (true);
CREATE POLICY uuid7_online_column_write ON uuid7_online_column FOR ALL
	USING (pg_catalog.pg_has_role((SELECT m.started_by FROM @extschema@.uuid7_online_migration m WHERE m.id = migration_id), 'USAGE'))
	WITH CHECK (pg_catalog.pg_has_role((SELECT m.started_by FROM @extschema@.uuid7_online_migration m WHERE m.id = migration_id), 'USAGE'));
ALTER TABLE uuid7_online_object ENABLE ROW LEVEL SECURITY;
CREATE POLICY uuid7_online_object_read ON uuid7_online_object FOR SELECT USING (true);
CREATE POLICY uuid7_online_object_write ON uuid7_online_object FOR ALL
	USING (pg_catalog.pg_has_role((SELECT m.started_by FROM @extschema@.uuid7_online_migration m WHERE m.id = migration_id), 'USAGE'))
	WITH CHECK (pg_catalog.pg_has_role((SELECT m.started_by FROM @extschema@.uuid7_online_migration m WHERE m.id = migration_id), 'USAGE'));

-- ---- the worker ------------------------------------------------------------------------------------------------

CREATE FUNCTION uuid7_online_launch(migration_id bigint) RETURNS integer
	AS 'MODULE_PATHNAME', 'uuid7_online_launch'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION uuid7_online_launch(bigint) IS
	'internal to the online migration: starts the background worker that drives migration_id, as the calling role; returns its pid';

-- Options of the online migration that uuid7_migration_plan() does not know, with their defaults.
CREATE FUNCTION uuid7_online_setting(options jsonb, name text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT coalesce((options->>name)::integer, CASE name
		WHEN 'batch_blocks' THEN 100		-- heap pages per backfill batch (one transaction each)
		WHEN 'map_batch' THEN 50000			-- old keys per mapping batch
		WHEN 'pause_ms' THEN 0				-- pause between batches
		WHEN 'vacuum_every' THEN 0			-- batches between VACUUMs; 0: every 5% of the table
		WHEN 'lock_timeout_ms' THEN 200		-- longest wait for a lock (others queue behind the request)
		WHEN 'lock_retries' THEN 50 END)	-- attempts per exclusive step, with backoff
$fn$;
COMMENT ON FUNCTION uuid7_online_setting(jsonb, text) IS
	'internal to the online migration: an online option (batch_blocks, map_batch, pause_ms, vacuum_every, lock_timeout_ms, lock_retries) or its default';

-- Is the worker of a migration alive? (a crash, kill or restart leaves worker_pid behind)
CREATE FUNCTION uuid7_online_worker_alive(pid integer, launched_at timestamptz) RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT pid IS NOT NULL
	   AND (EXISTS (SELECT 1 FROM pg_catalog.pg_stat_get_activity(pid) a WHERE a.backend_type = 'uuid7 migration')
			OR pg_catalog.clock_timestamp() - launched_at < interval '10 seconds')
$fn$;
COMMENT ON FUNCTION uuid7_online_worker_alive(integer, timestamptz) IS
	'internal to the online migration: whether pid is a running uuid7 migration worker (assumed so for 10 s after its launch, before it shows in pg_stat_activity)';

-- ---- what to build: the uuid twin of every index and foreign key on a converted column --------------------------

CREATE FUNCTION uuid7_online_index_sql(migration bigint, idx oid, new_name name) RETURNS text
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ix record;
	cols text[] := '{}';
	incl text[] := '{}';
	col text;
	k int;
	att int2;
	opt int2;
	nulls text := '';
	withs text;
BEGIN
	SELECT i.*, c.relname, c.reloptions, c.reltablespace, am.amname, i.indrelid::regclass AS tbl
	  INTO ix FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
	 WHERE i.indexrelid = idx;
	FOR k IN 0 .. ix.indnatts - 1 LOOP
		att := ix.indkey[k];
		IF att = 0 THEN
			col := pg_get_indexdef(idx, k + 1, false);		-- an expression of other columns
		ELSE
			SELECT quote_ident(coalesce(oc.new_name, a.attname)) INTO col
			  FROM pg_attribute a
			  LEFT JOIN @extschema@.uuid7_online_column oc ON oc.migration_id = migration AND oc.relid = a.attrelid AND oc.attname = a.attname
			 WHERE a.attrelid = ix.indrelid AND a.attnum = att;
		END IF;
		IF k >= ix.indnkeyatts THEN
			incl := incl || col;
			CONTINUE;
		END IF;
		-- a non-default operator class or collation of an unconverted column is kept
		IF att = 0 OR NOT EXISTS (SELECT 1 FROM @extschema@.uuid7_online_column oc JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
								  WHERE oc.migration_id = migration AND oc.relid = ix.indrelid AND a.attnum = att) THEN
			SELECT col || CASE WHEN ix.indcollation[k] <> 0 AND ix.indcollation[k] IS DISTINCT FROM (SELECT a.attcollation FROM pg_attribute a WHERE a.attrelid = ix.indrelid AND a.attnum = att)
							   THEN format(' COLLATE %I.%I', cn.nspname, co.collname) ELSE '' END
						|| CASE WHEN NOT oc.opcdefault THEN format(' %I.%I', ons.nspname, oc.opcname) ELSE '' END
			  INTO col
			  FROM pg_opclass oc JOIN pg_namespace ons ON ons.oid = oc.opcnamespace
			  LEFT JOIN pg_collation co ON co.oid = ix.indcollation[k]
			  LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
			 WHERE oc.oid = ix.indclass[k];
		END IF;
		opt := ix.indoption[k];
		IF opt & 1 = 1 THEN
			col := col || ' DESC' || CASE WHEN opt & 2 = 0 THEN ' NULLS LAST' ELSE '' END;
		ELSIF opt & 2 = 2 THEN
			col := col || ' NULLS FIRST';
		END IF;
		cols := cols || col;
	END LOOP;
	IF coalesce((to_jsonb(ix)->>'indnullsnotdistinct')::boolean, false) THEN
		nulls := ' NULLS NOT DISTINCT';
	END IF;
	IF ix.reloptions IS NOT NULL THEN
		SELECT ' WITH (' || string_agg(quote_ident(split_part(o, '=', 1)) || '=' || quote_literal(substr(o, position('=' IN o) + 1)), ', ') || ')'
		  INTO withs FROM unnest(ix.reloptions) AS o;
	END IF;
	RETURN format('CREATE %sINDEX CONCURRENTLY %I ON %s USING %I (%s)%s%s%s%s%s',
		CASE WHEN ix.indisunique THEN 'UNIQUE ' ELSE '' END, new_name, ix.tbl, ix.amname,
		array_to_string(cols, ', '),
		CASE WHEN cardinality(incl) > 0 THEN ' INCLUDE (' || array_to_string(incl, ', ') || ')' ELSE '' END,
		nulls, coalesce(withs, ''),
		CASE WHEN ix.reltablespace <> 0 THEN ' TABLESPACE ' || quote_ident((SELECT spcname FROM pg_tablespace WHERE oid = ix.reltablespace)) ELSE '' END,
		CASE WHEN ix.indpred IS NOT NULL THEN ' WHERE ' || pg_get_expr(ix.indpred, ix.indrelid) ELSE '' END);
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_index_sql(bigint, oid, name) IS
	'internal to the online migration: CREATE INDEX CONCURRENTLY for the uuid twin of an index (same shape, converted columns replaced)';

CREATE FUNCTION uuid7_online_fk_sql(migration bigint, con oid, new_name name) RETURNS text
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	c record;
	setcols text := '';
BEGIN
	SELECT x.*, x.conrelid::regclass AS tbl, x.confrelid::regclass AS ref,
		   (SELECT string_agg(quote_ident(coalesce(oc.new_name, a.attname)), ', ' ORDER BY k.n)
			  FROM unnest(x.conkey) WITH ORDINALITY AS k(att, n) JOIN pg_attribute a ON a.attrelid = x.conrelid AND a.attnum = k.att
			  LEFT JOIN @extschema@.uuid7_online_column oc ON oc.migration_id = migration AND oc.relid = x.conrelid AND oc.attname = a.attname) AS cols,
		   (SELECT string_agg(quote_ident(coalesce(oc.new_name, a.attname)), ', ' ORDER BY k.n)
			  FROM unnest(x.confkey) WITH ORDINALITY AS k(att, n) JOIN pg_attribute a ON a.attrelid = x.confrelid AND a.attnum = k.att
			  LEFT JOIN @extschema@.uuid7_online_column oc ON oc.migration_id = migration AND oc.relid = x.confrelid AND oc.attname = a.attname) AS refcols
	  INTO c FROM pg_constraint x WHERE x.oid = con;
	-- SET NULL / SET DEFAULT (columns): PostgreSQL 15 and later
	IF jsonb_typeof(to_jsonb(c)->'confdelsetcols') = 'array' AND jsonb_array_length(to_jsonb(c)->'confdelsetcols') > 0 THEN
		SELECT ' (' || string_agg(quote_ident(coalesce(oc.new_name, a.attname)), ', ' ORDER BY k.n) || ')' INTO setcols
		  FROM jsonb_array_elements_text(to_jsonb(c)->'confdelsetcols') WITH ORDINALITY AS k(att, n)
		  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att::int2
		  LEFT JOIN @extschema@.uuid7_online_column oc ON oc.migration_id = migration AND oc.relid = c.conrelid AND oc.attname = a.attname;
	END IF;
	RETURN format('ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%s) REFERENCES %s (%s)%s ON UPDATE %s ON DELETE %s%s%s NOT VALID',
		c.tbl, new_name, c.cols, c.ref, c.refcols,
		CASE c.confmatchtype WHEN 'f' THEN ' MATCH FULL' ELSE '' END,
		CASE c.confupdtype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END,
		CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END,
		setcols,
		CASE WHEN c.condeferrable THEN ' DEFERRABLE' || CASE WHEN c.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END ELSE '' END);
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_fk_sql(bigint, oid, name) IS
	'internal to the online migration: ADD CONSTRAINT ... NOT VALID for the uuid twin of a foreign key (same MATCH, actions, deferrability)';

-- ---- locks: exclusive steps wait at most lock_timeout, then give way and retry -----------------------------------

CREATE FUNCTION uuid7_online_lock(migration bigint, budget_ms integer) RETURNS void
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
	FOR rel IN SELECT t.relid FROM @extschema@.uuid7_online_table t WHERE t.migration_id = migration ORDER BY t.ord LOOP
		PERFORM set_config('lock_timeout',
			greatest(1, budget_ms - (extract(epoch FROM clock_timestamp() - t0) * 1000)::int) || 'ms', true);
		EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', rel);
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_lock(bigint, integer) IS
	'internal to the online migration: ACCESS EXCLUSIVE on every table of the migration, parents before children, waiting at most budget_ms in all (55P03 beyond)';

CREATE FUNCTION uuid7_online_backoff_ms(attempt integer) RETURNS integer
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	-- 100 ms doubling to 5 s, with jitter so that retries of two migrations do not stay in step
	SELECT (least(5000, 100 * (2 ^ least(attempt, 6))::int) * (0.75 + random() / 2))::int
$fn$;
COMMENT ON FUNCTION uuid7_online_backoff_ms(integer) IS
	'internal to the online migration: pause before lock attempt number attempt';

-- ---- verification ----------------------------------------------------------------------------------------------

CREATE FUNCTION uuid7_online_verify(migration bigint)
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
		  FROM @extschema@.uuid7_online_column oc
		  JOIN @extschema@.uuid7_online_table t ON t.migration_id = oc.migration_id AND t.relid = oc.source
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
		SELECT o.new_name, o.relid FROM @extschema@.uuid7_online_object o
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

-- ---- the step function the worker calls in a loop, one transaction per call -------------------------------------

CREATE FUNCTION uuid7_online_step(migration bigint)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text;
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
	SELECT quote_ident(ns.nspname) INTO ext
	  FROM pg_extension e JOIN pg_namespace ns ON ns.oid = e.extnamespace WHERE e.extname = 'uuid7';
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
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
			RETURN;
		END IF;
		SELECT * INTO t FROM @extschema@.uuid7_online_table WHERE migration_id = migration AND is_key AND NOT map_done ORDER BY ord LIMIT 1;
		IF FOUND THEN
			EXECUTE format('WITH s AS (SELECT %I AS k FROM %s WHERE %I > $1 ORDER BY %I LIMIT %s),'
					' ins AS (INSERT INTO %s (old_id, new_id) SELECT s.k, %s.uuid7_migration_next(%L::regclass, %s, $2, true)'
					' FROM (SELECT k FROM s ORDER BY k OFFSET 0) s ON CONFLICT (old_id) DO NOTHING)'
					' SELECT count(*), max(k) FROM s',
				t.key_column, t.relid, t.key_column, t.key_column, @extschema@.uuid7_online_setting(m.options, 'map_batch'),
				t.mapping_table, ext, t.mapping_table, t.uuid_version)
			  INTO n, k
			  USING coalesce(t.map_cursor, -9223372036854775808),
					(SELECT m.key_time_base + make_interval(secs => sum(x.map_batches) / 1000.0)
					   FROM @extschema@.uuid7_online_table x WHERE x.migration_id = migration);
			UPDATE @extschema@.uuid7_online_table
			   SET map_cursor = coalesce(k, map_cursor), map_batches = map_batches + 1, map_done = (n = 0)
			 WHERE migration_id = migration AND relid = t.relid;
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
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
			-- keys written since the map phase read the tables
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
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
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
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
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
			RETURN QUERY SELECT 'run', format('VACUUM %s', t.relid), NULL::int;
			RETURN;
		END IF;
		IF t.next_block >= t.blocks_total THEN
			UPDATE @extschema@.uuid7_online_table SET backfill_done_at = clock_timestamp()
			 WHERE migration_id = migration AND relid = t.relid;
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
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
		IF pause > 0 THEN
			RETURN QUERY SELECT 'sleep', NULL::text, pause;
		ELSE
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
		END IF;
		RETURN;
	END IF;

	-- ---- index: the uuid twin of every index on a converted column, built concurrently -------------------------
	IF m.phase = 'index' THEN
		FOR o IN SELECT * FROM @extschema@.uuid7_online_object WHERE migration_id = migration AND kind = 'index' AND NOT done ORDER BY ord LOOP
			SELECT i.indisvalid INTO ok
			  FROM pg_class ci JOIN pg_index i ON i.indexrelid = ci.oid
			 WHERE ci.relname = o.new_name AND ci.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = o.relid);
			IF NOT FOUND THEN
				RETURN QUERY SELECT 'run', o.create_sql, NULL::int;
			ELSIF NOT ok THEN
				-- left behind by a build that was interrupted (a crash, a kill, a cancel): build it again
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
			RETURN QUERY SELECT 'continue', NULL::text, NULL::int;
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

-- A lock could not be had within lock_timeout: wait and retry, or give up after lock_retries attempts.
CREATE FUNCTION uuid7_online_retry(migration bigint, what text)
RETURNS TABLE (action text, statement text, wait_ms integer)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
BEGIN
	UPDATE @extschema@.uuid7_online_migration
	   SET lock_attempts = lock_attempts + 1, state = 'waiting', updated_at = clock_timestamp(),
		   last_error = format('55P03: %s: lock not available within lock_timeout (attempt %s)', what, lock_attempts + 1)
	 WHERE id = migration RETURNING * INTO m;
	IF m.lock_attempts >= @extschema@.uuid7_online_setting(m.options, 'lock_retries') THEN
		UPDATE @extschema@.uuid7_online_migration SET state = 'failed', worker_pid = NULL WHERE id = migration;
		RETURN QUERY SELECT 'stop', NULL::text, NULL::int;
	ELSE
		RETURN QUERY SELECT 'sleep', NULL::text, @extschema@.uuid7_online_backoff_ms(m.lock_attempts);
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_retry(bigint, text) IS
	'internal to the online migration: records a lock timeout and returns the pause before the next attempt (or stop after lock_retries)';

CREATE FUNCTION uuid7_online_fail(migration bigint, sqlstate text, message text) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
	UPDATE @extschema@.uuid7_online_migration
	   SET state = 'failed', worker_pid = NULL, last_error = sqlstate || ': ' || message, updated_at = clock_timestamp()
	 WHERE id = migration
$fn$;
COMMENT ON FUNCTION uuid7_online_fail(bigint, text, text) IS
	'internal to the online migration: the worker records the error that stopped it';

-- ---- entry points ----------------------------------------------------------------------------------------------

CREATE FUNCTION uuid7_migration_start(tables regclass[], options jsonb DEFAULT '{}') RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text;
	k text;
	plan_opts jsonb;
	rec record;
	first_refusal record;
	refusals int := 0;
	mid bigint;
	i int;
	ord int;
	map text;
	fk record;
	ix record;
	mapsch text;
	pkatt int2;
	online_keys text[] := ARRAY['batch_blocks', 'map_batch', 'pause_ms', 'vacuum_every', 'lock_timeout_ms', 'lock_retries'];
BEGIN
	SELECT quote_ident(ns.nspname) INTO ext
	  FROM pg_extension e JOIN pg_namespace ns ON ns.oid = e.extnamespace WHERE e.extname = 'uuid7';
	IF options IS NULL THEN options := '{}'; END IF;
	IF jsonb_typeof(options) <> 'object' THEN
		RAISE EXCEPTION 'options must be a jsonb object' USING ERRCODE = '22023';
	END IF;
	FOREACH k IN ARRAY online_keys LOOP
		IF options ? k AND (jsonb_typeof(options->k) <> 'number' OR (options->>k)::numeric <> floor((options->>k)::numeric)
							OR (options->>k)::numeric < CASE WHEN k IN ('pause_ms', 'vacuum_every') THEN 0 ELSE 1 END
							OR (options->>k)::numeric > 2147483647) THEN
			RAISE EXCEPTION 'option "%" must be an integer of at least %', k, CASE WHEN k IN ('pause_ms', 'vacuum_every') THEN 0 ELSE 1 END
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
	CREATE TEMP TABLE IF NOT EXISTS uuid7_start_plan (step int, phase text, object text, detail text, statement text, sqlstate text, hint text) ON COMMIT DROP;
	TRUNCATE uuid7_start_plan;
	INSERT INTO uuid7_start_plan SELECT * FROM @extschema@.uuid7_migration_plan(tables, plan_opts);
	FOR rec IN SELECT * FROM uuid7_start_plan AS p WHERE p.phase = 'refusal' ORDER BY p.step LOOP
		refusals := refusals + 1;
		IF refusals = 1 THEN first_refusal := rec; END IF;
	END LOOP;
	IF refusals > 0 THEN
		RAISE EXCEPTION USING
			ERRCODE = first_refusal.sqlstate,
			MESSAGE = 'cannot migrate: ' || first_refusal.detail,
			DETAIL = CASE WHEN refusals > 1 THEN format('%s other refusal(s) as well; nothing was changed.', refusals - 1)
						  ELSE 'Nothing was changed.' END,
			HINT = first_refusal.hint || ' uuid7_migration_plan() lists every refusal.';
	END IF;

	INSERT INTO @extschema@.uuid7_online_migration (tables, options, plan_options)
	VALUES (tables, options, plan_opts) RETURNING id INTO mid;
	-- the worker waits for this transaction to end before it looks for the migration
	PERFORM pg_advisory_xact_lock(1970629989, (mid % 2147483648)::int);

	-- listed tables: their mapping table, named and owned as uuid7_migrate() would, with its indexes from the start
	FOR i IN 1 .. cardinality(tables) LOOP
		SELECT p.object INTO map FROM uuid7_start_plan AS p
		 WHERE p.phase = 'mapping' AND p.detail = format('create the mapping table of %s', tables[i]);
		FOR rec IN SELECT p.statement, p.detail FROM uuid7_start_plan AS p
				   WHERE p.phase = 'mapping' AND p.object = map AND p.detail NOT LIKE 'one new v%' ORDER BY p.step LOOP
			EXECUTE rec.statement;
		END LOOP;
		SELECT con.conkey[1] INTO pkatt FROM pg_constraint con WHERE con.conrelid = tables[i] AND con.contype = 'p';
		SELECT nspname INTO mapsch FROM pg_namespace WHERE oid = (SELECT relnamespace FROM pg_class WHERE oid = map::regclass);
		INSERT INTO @extschema@.uuid7_online_table (migration_id, relid, ord, is_key, key_column, old_type, mapping_table, uuid_version, sync_function)
		SELECT mid, tables[i], i, true, a.attname, a.atttypid::regtype, map::regclass,
			   (SELECT substring(p.detail FROM '^one new v([67]) ')::int FROM uuid7_start_plan AS p
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
	FOR rec IN SELECT t.relid, oc.new_name FROM @extschema@.uuid7_online_table t
			   JOIN @extschema@.uuid7_online_column oc ON oc.migration_id = t.migration_id AND oc.relid = t.relid AND oc.attname = t.key_column
			   WHERE t.migration_id = mid AND t.is_key ORDER BY t.ord LOOP
		ord := ord + 1;
		INSERT INTO @extschema@.uuid7_online_object (migration_id, ord, kind, relid, new_name, create_sql)
		VALUES (mid, ord, 'notnull', rec.relid, 'uuid7_nn_' || mid,
				format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%I IS NOT NULL) NOT VALID', rec.relid, 'uuid7_nn_' || mid, rec.new_name));
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

	DROP TABLE uuid7_start_plan;
	UPDATE @extschema@.uuid7_online_migration SET worker_pid = @extschema@.uuid7_online_launch(mid), worker_started_at = clock_timestamp()
	 WHERE id = mid;
	RETURN mid;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_start(regclass[], jsonb) IS
	'starts an online migration of these tables (same result as uuid7_migrate(), with short locks only) in a background worker; returns its id at once';

CREATE VIEW uuid7_migration_status AS
SELECT m.id AS migration_id,
	   t.relid AS table_name,
	   CASE WHEN t.is_key THEN 'key' ELSE 'referencing' END AS role,
	   m.phase,
	   CASE WHEN m.state IN ('running', 'waiting') AND NOT coalesce(@extschema@.uuid7_online_worker_alive(m.worker_pid, m.worker_started_at), false)
			THEN 'stopped' ELSE m.state END AS state,
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

CREATE FUNCTION uuid7_migration_resume(migration bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	pid int;
BEGIN
	SELECT * INTO m FROM @extschema@.uuid7_online_migration WHERE id = migration FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'online migration % does not exist', migration USING ERRCODE = '42704';
	ELSIF m.state = 'ready' THEN
		RAISE EXCEPTION 'online migration % is ready: there is nothing to resume', migration USING ERRCODE = '55000',
			HINT = 'Call uuid7_migration_finish() to swap.';
	ELSIF m.state IN ('finished', 'aborted') THEN
		RAISE EXCEPTION 'online migration % is %: there is nothing to resume', migration, m.state USING ERRCODE = '55000';
	ELSIF m.worker_pid IS NOT NULL AND EXISTS (SELECT 1 FROM pg_stat_get_activity(m.worker_pid) a WHERE a.backend_type = 'uuid7 migration') THEN
		RAISE EXCEPTION 'online migration % is running (worker pid %)', migration, m.worker_pid USING ERRCODE = '55006';
	END IF;
	IF m.state = 'blocked' THEN
		-- rows the verification found out of sync: backfill every table again (rows already right are skipped)
		UPDATE @extschema@.uuid7_online_table
		   SET blocks_total = NULL, next_block = 0, backfill_started_at = NULL, backfill_done_at = NULL, batches_since_vacuum = 0
		 WHERE migration_id = migration;
		UPDATE @extschema@.uuid7_online_migration SET phase = 'backfill' WHERE id = migration;
	END IF;
	UPDATE @extschema@.uuid7_online_migration SET state = 'running', lock_attempts = 0, updated_at = clock_timestamp()
	 WHERE id = migration;
	PERFORM pg_advisory_xact_lock(1970629989, (migration % 2147483648)::int);
	pid := @extschema@.uuid7_online_launch(migration);
	UPDATE @extschema@.uuid7_online_migration SET worker_pid = pid, worker_started_at = clock_timestamp() WHERE id = migration;
	RETURN pid;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_resume(bigint) IS
	'starts a new worker for an online migration that stopped (crash, kill, restart, failure or a blocked verification); returns its pid';

-- Stops the worker of a migration, if it runs, and waits until it is gone.
CREATE FUNCTION uuid7_online_stop_worker(migration bigint) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	pid int;
	i int;
BEGIN
	SELECT worker_pid INTO pid FROM @extschema@.uuid7_online_migration WHERE id = migration;
	IF pid IS NULL OR NOT EXISTS (SELECT 1 FROM pg_stat_get_activity(pid) a WHERE a.backend_type = 'uuid7 migration') THEN
		RETURN;
	END IF;
	PERFORM pg_terminate_backend(pid);
	FOR i IN 1 .. 200 LOOP
		PERFORM pg_stat_clear_snapshot();
		IF NOT EXISTS (SELECT 1 FROM pg_stat_get_activity(pid) a WHERE a.backend_type = 'uuid7 migration') THEN
			RETURN;
		END IF;
		PERFORM pg_sleep(0.05);
	END LOOP;
	RAISE EXCEPTION 'the worker of online migration % (pid %) did not stop', migration, pid USING ERRCODE = '55006';
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_stop_worker(bigint) IS
	'internal to the online migration: terminates the worker of a migration and waits for it to exit';

-- Runs body (a statement list) under lock_timeout, retrying with backoff; raises 55P03 after lock_retries.
CREATE FUNCTION uuid7_online_locked(migration bigint, what text, body text) RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	attempt int := 0;
	saved text := current_setting('lock_timeout');
BEGIN
	SELECT * INTO m FROM @extschema@.uuid7_online_migration WHERE id = migration;
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

-- The swap, run under the exclusive locks: old columns and constraints go, the twins take their names.
CREATE FUNCTION uuid7_online_swap(migration bigint) RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text;
	m record;
	t record;
	c record;
	o record;
	rec record;
	first_refusal record;
	refusals int := 0;
	fake jsonb := '{}';
	plan_opts jsonb;
	saved_level text;
BEGIN
	SELECT quote_ident(ns.nspname) INTO ext
	  FROM pg_extension e JOIN pg_namespace ns ON ns.oid = e.extnamespace WHERE e.extname = 'uuid7';
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
	CREATE TEMP TABLE IF NOT EXISTS uuid7_swap_plan (step int, phase text, object text, detail text, statement text, sqlstate text, hint text) ON COMMIT DROP;
	TRUNCATE uuid7_swap_plan;
	INSERT INTO uuid7_swap_plan SELECT * FROM @extschema@.uuid7_migration_plan(m.tables, plan_opts);
	FOR rec IN SELECT * FROM uuid7_swap_plan p WHERE p.phase = 'refusal' ORDER BY p.step LOOP
		refusals := refusals + 1;
		IF refusals = 1 THEN first_refusal := rec; END IF;
	END LOOP;
	IF refusals > 0 THEN
		RAISE EXCEPTION USING
			ERRCODE = first_refusal.sqlstate,
			MESSAGE = 'cannot swap: ' || first_refusal.detail,
			DETAIL = 'Something changed since the migration started; nothing was changed by the swap.',
			HINT = first_refusal.hint || ' uuid7_migration_abort() undoes the migration.';
	END IF;

	FOR rec IN SELECT * FROM uuid7_swap_plan p WHERE p.phase IN ('drop view', 'drop foreign key') ORDER BY p.step LOOP
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
	FOR rec IN SELECT * FROM uuid7_swap_plan p WHERE p.phase = 'sequence' AND p.statement LIKE 'ALTER SEQUENCE %' ORDER BY p.step LOOP
		EXECUTE rec.statement;
	END LOOP;
	-- the old columns go (with their identity or serial sequence, default, indexes and constraints: metadata only)
	FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration ORDER BY ord LOOP
		EXECUTE format('ALTER TABLE %s %s', t.relid,
			(SELECT string_agg(format('DROP COLUMN %I', oc.attname), ', ' ORDER BY oc.attname)
			   FROM @extschema@.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid));
		FOR c IN SELECT * FROM @extschema@.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid ORDER BY oc.attname LOOP
			EXECUTE format('ALTER TABLE %s RENAME COLUMN %I TO %I', t.relid, c.new_name, c.attname);
		END LOOP;
		IF t.is_key THEN
			-- NOT NULL is proven by the validated check: no scan
			EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL, ALTER COLUMN %I SET DEFAULT %s.uuid_generate_v%s()',
				t.relid, t.key_column, t.key_column, ext, t.uuid_version);
			EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', t.relid, 'uuid7_nn_' || migration);
		END IF;
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
	FOR rec IN SELECT * FROM uuid7_swap_plan p
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
	DROP TABLE uuid7_swap_plan;
	PERFORM set_config('client_min_messages', saved_level, true);
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_swap(bigint) IS
	'internal to the online migration: the swap itself, run by uuid7_migration_finish() with every table locked';

CREATE FUNCTION uuid7_migration_finish(migration bigint) RETURNS jsonb
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
		RAISE EXCEPTION 'online migration % is not ready to finish: it is % (phase %)', migration, m.state, m.phase
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
	attempts := @extschema@.uuid7_online_locked(migration, 'swap', format('SELECT %s.uuid7_online_swap(%s)',
		(SELECT quote_ident(ns.nspname) FROM pg_extension e JOIN pg_namespace ns ON ns.oid = e.extnamespace WHERE e.extname = 'uuid7'), migration));
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

CREATE FUNCTION uuid7_migration_abort(migration bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	m record;
	undo text := '';
	t record;
	o record;
	attempts int;
BEGIN
	SELECT * INTO m FROM @extschema@.uuid7_online_migration WHERE id = migration;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'online migration % does not exist', migration USING ERRCODE = '42704';
	ELSIF m.state = 'finished' THEN
		RAISE EXCEPTION 'online migration % is already finished', migration USING ERRCODE = '55000',
			HINT = 'A finished migration is undone only by hand; the mapping table has the old keys.';
	ELSIF m.state = 'aborted' THEN
		RAISE EXCEPTION 'online migration % is already aborted', migration USING ERRCODE = '55000';
	END IF;
	PERFORM @extschema@.uuid7_online_stop_worker(migration);
	-- Everything the migration added, whatever phase it reached (IF EXISTS: a phase may not have run).
	FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration ORDER BY ord DESC LOOP
		undo := undo || format('DROP TRIGGER IF EXISTS %I ON %s; ', 'zz_uuid7_sync_' || migration, t.relid);
	END LOOP;
	FOR o IN SELECT * FROM @extschema@.uuid7_online_object WHERE migration_id = migration AND kind <> 'index' ORDER BY ord DESC LOOP
		undo := undo || format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I; ', o.relid, o.new_name);
	END LOOP;
	FOR o IN SELECT * FROM @extschema@.uuid7_online_object WHERE migration_id = migration AND kind = 'index' ORDER BY ord DESC LOOP
		undo := undo || format('DROP INDEX IF EXISTS %I.%I; ',
			(SELECT ns.nspname FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE c.oid = o.relid), o.new_name);
	END LOOP;
	FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration ORDER BY ord DESC LOOP
		undo := undo || format('ALTER TABLE %s %s; ', t.relid,
			(SELECT string_agg(format('DROP COLUMN IF EXISTS %I', oc.new_name), ', ' ORDER BY oc.attname)
			   FROM @extschema@.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = t.relid));
		undo := undo || format('DROP FUNCTION IF EXISTS %s(); ', t.sync_function);
	END LOOP;
	FOR t IN SELECT * FROM @extschema@.uuid7_online_table WHERE migration_id = migration AND is_key ORDER BY ord DESC LOOP
		undo := undo || format('DROP TABLE IF EXISTS %s; ', t.mapping_table);
	END LOOP;
	attempts := @extschema@.uuid7_online_locked(migration, 'abort', undo);
	UPDATE @extschema@.uuid7_online_migration
	   SET phase = 'aborted', state = 'aborted', worker_pid = NULL, finished_at = clock_timestamp(), updated_at = clock_timestamp()
	 WHERE id = migration;
	RETURN jsonb_build_object('migration_id', migration, 'aborted_in_phase', m.phase, 'lock_attempts', attempts);
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_abort(bigint) IS
	'stops an online migration before its swap and removes everything it added (columns, triggers, indexes, constraints, mapping tables)';
