-- src/sql/audit.sql — the whole picture of a database's keys, and the waves to migrate its integer keys in.
--
-- A migration call rewrites every listed table and every table whose foreign key references a listed key. Tables
-- joined by such references and migrated in separate calls are rewritten once per call; migrated together, once.
-- So a wave is a connected group of that graph: every table is rewritten exactly once in the whole migration.

-- Every table (in schemas, or in every schema but the system ones when NULL) whose primary key is one column of an
-- integer type (or a domain over one) or uuid, with the kind of key it holds: 'integer', or for uuid keys 'uuid v4',
-- 'uuid v7', 'uuid v6' (from the column default, else from the version of up to 100 stored keys when the caller
-- may read them without row security) or 'uuid'. The mapping tables of earlier migrations are not keys of the application.
CREATE OR REPLACE FUNCTION uuid7_audit_keys(schemas name[])
RETURNS TABLE (relid oid, key_column name, key_type regtype, key_kind text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rec record;
	def text;
	kind text;
BEGIN
	FOR rec IN
		SELECT c.oid, a.attname, a.atttypid, coalesce(NULLIF(ty.typbasetype, 0), ty.oid) AS base,
			   (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = c.oid AND d.adnum = a.attnum) AS def
		  FROM pg_class c
		  JOIN pg_namespace ns ON ns.oid = c.relnamespace
		  JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary AND i.indnatts = 1
		  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
		  JOIN pg_type ty ON ty.oid = a.atttypid
		 WHERE c.relkind IN ('r', 'p')
		   AND (schemas IS NULL OR ns.nspname = ANY (schemas))
		   AND ns.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND ns.nspname !~ '^pg_(toast_)?temp_'
		   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
		   AND NOT EXISTS (SELECT 1 FROM uuid7_state.uuid7_migrated_table m WHERE m.mapping_table = c.oid)	-- mapping tables
		   AND coalesce(NULLIF(ty.typbasetype, 0), ty.oid) IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'uuid'::regtype)
		 ORDER BY c.oid LOOP
		IF rec.base <> 'uuid'::regtype THEN
			kind := 'integer';
		ELSE
			def := coalesce(rec.def, '');
			kind := CASE WHEN def ~ '\m(gen_random_uuid|uuid_generate_v4)\(' THEN 'uuid v4'
						 WHEN def ~ '\m(uuid_generate_v7|uuidv7)\(' THEN 'uuid v7'
						 WHEN def ~ '\muuid_generate_v6\(' THEN 'uuid v6' END;
			-- (never where row security applies to the caller: its policies are the owner's code, not ours to run)
			IF kind IS NULL AND has_column_privilege(rec.oid, rec.attname, 'SELECT') AND NOT row_security_active(rec.oid) THEN
				BEGIN
					EXECUTE format('SELECT ''uuid v'' || v FROM (SELECT @extschema@.uuid_version(s.k) AS v FROM (SELECT %I AS k FROM %s LIMIT 100) s) x'
								   ' GROUP BY v HAVING count(*) * 10 >= 9 * (SELECT count(*) FROM (SELECT 1 FROM %2$s LIMIT 100) n)',
								   rec.attname, rec.oid::regclass)
					  INTO kind;
				EXCEPTION WHEN insufficient_privilege THEN
					kind := NULL;	-- row security or a revoked grant: the data says nothing then
				END;
			END IF;
			kind := coalesce(CASE WHEN kind IN ('uuid v4', 'uuid v6', 'uuid v7') THEN kind END, 'uuid');
		END IF;
		relid := rec.oid;
		key_column := rec.attname;
		key_type := rec.atttypid;
		key_kind := kind;
		RETURN NEXT;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_audit_keys(name[]) IS
	'internal to uuid7_audit(): the tables with a one-column integer or uuid primary key, and the kind of key';

-- The groups of integer-key tables that must be migrated in one call for each table to be rewritten once: tables
-- joined (either way) by a foreign key to an integer key. One row per table of a group, referencing tables with other
-- keys included (they are rewritten with the group); group: the least table OID of the group.
CREATE OR REPLACE FUNCTION uuid7_audit_groups(int_keys oid[])
RETURNS TABLE (relid oid, grp oid)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH RECURSIVE edge AS (
		SELECT con.conrelid AS a, con.confrelid AS b
		  FROM pg_constraint con
		 WHERE con.contype = 'f' AND con.confrelid = ANY (int_keys)
	), link AS (
		SELECT a, b FROM edge UNION SELECT b, a FROM edge
	), reach(root, node) AS (
		SELECT n, n FROM (SELECT unnest(int_keys) UNION SELECT a FROM edge) AS s(n)
		UNION
		SELECT r.root, l.b FROM reach r JOIN link l ON l.a = r.node
	)
	SELECT node, min(root) FROM reach GROUP BY node
$fn$;
COMMENT ON FUNCTION uuid7_audit_groups(oid[]) IS
	'internal to uuid7_audit(): the connected groups of the foreign-key graph around the integer keys';

-- This server's unit costs of a migration, measured on a sample table rewritten in a subtransaction that is always
-- rolled back (seconds; NULL when no sample can be made, as in a read-only transaction):
--   map       per key row: the mapping table (new keys in key order, both indexes built after)
--   map_online  the same, filled with its indexes in place (as the online migration fills it)
--   heap      per heap byte: a rewrite (ALTER COLUMN TYPE), the lookups apart
--   lookup    per row and converted column: old key -> new key
--   index     per row and index: an index built again
--   fk        per row and foreign key: its validation
--   backfill_read   per row and converted column: the online backfill's read of a twin's new value
--   backfill_write  per row: its write of the row's twins by ctid, the table's index maintained
CREATE OR REPLACE FUNCTION uuid7_audit_rates(sample_schema name) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	n constant int := 40000;
	ext text := @extschema@.uuid7_extension_schema();
	lookup_sql text;
	t0 timestamptz;
	heap double precision;
	c jsonb := '{}';
	one double precision;
	tids tid[];
	vals uuid[];
	elapsed double precision;
	sch text;
BEGIN
	-- In a schema of the database when one is given (its tables write WAL, as the migrated tables will), else
	-- temporary (no WAL: the costs come out lower).
	sch := CASE WHEN sample_schema IS NULL THEN 'pg_temp' ELSE quote_ident(sample_schema) END;
	lookup_sql := format('%s.uuid7_migration_lookup(%L::pg_catalog.regclass, %%I)', ext, sch || '.uuid7_audit_map');
	BEGIN
		EXECUTE format('CREATE TABLE %s.uuid7_audit_sample (id bigint, ref bigint, payload text)', sch);
		EXECUTE format('INSERT INTO %s.uuid7_audit_sample SELECT g, 1 + (g * 7) %% %s, pg_catalog.repeat(''x'', 60) FROM pg_catalog.generate_series(1, %s) g', sch, n, n);
		EXECUTE format('CREATE TABLE %1$s.uuid7_audit_copy AS SELECT * FROM %1$s.uuid7_audit_sample', sch);
		heap := pg_relation_size(format('%s.uuid7_audit_sample', sch)::regclass);

		t0 := clock_timestamp();
		EXECUTE format('CREATE TABLE %s.uuid7_audit_map (old_id bigint NOT NULL, new_id uuid NOT NULL)', sch);
		EXECUTE format('INSERT INTO %1$s.uuid7_audit_map SELECT id, %2$s.uuid_generate_v7() FROM %1$s.uuid7_audit_sample ORDER BY id', sch, ext);
		EXECUTE format('ALTER TABLE %s.uuid7_audit_map ADD PRIMARY KEY (old_id), ADD UNIQUE (new_id)', sch);
		c := c || jsonb_build_object('map', extract(epoch FROM clock_timestamp() - t0) / n);
		-- online, the mapping is filled with its indexes in place, and may meet keys the sync trigger mapped
		EXECUTE format('CREATE TABLE %s.uuid7_audit_map_online (old_id bigint PRIMARY KEY, new_id uuid NOT NULL UNIQUE)', sch);
		t0 := clock_timestamp();
		EXECUTE format('INSERT INTO %1$s.uuid7_audit_map_online SELECT id, %2$s.uuid_generate_v7() FROM %1$s.uuid7_audit_sample ORDER BY id'
					   ' ON CONFLICT (old_id) DO NOTHING', sch, ext);
		c := c || jsonb_build_object('map_online', extract(epoch FROM clock_timestamp() - t0) / n);

		-- a pass of lookups alone, then a rewrite with one converted column: the rest of it is the rewrite's own
		t0 := clock_timestamp();
		EXECUTE format('SELECT pg_catalog.count(' || lookup_sql || ') FROM %s.uuid7_audit_copy', 'id', sch);
		c := c || jsonb_build_object('lookup', extract(epoch FROM clock_timestamp() - t0) / n);
		t0 := clock_timestamp();
		EXECUTE format('ALTER TABLE %s.uuid7_audit_sample ALTER COLUMN id TYPE uuid USING ' || lookup_sql, sch, 'id');
		one := extract(epoch FROM clock_timestamp() - t0);
		c := c || jsonb_build_object('heap', greatest(one - n * (c->>'lookup')::double precision, 0) / heap);
		EXECUTE format('ALTER TABLE %s.uuid7_audit_copy ALTER COLUMN id TYPE uuid USING ' || lookup_sql || ', ALTER COLUMN ref TYPE uuid USING ' || lookup_sql, sch, 'id', 'ref');

		t0 := clock_timestamp();
		EXECUTE format('CREATE INDEX ON %s.uuid7_audit_copy (ref)', sch);
		c := c || jsonb_build_object('index', extract(epoch FROM clock_timestamp() - t0) / n);
		t0 := clock_timestamp();
		EXECUTE format('ALTER TABLE %1$s.uuid7_audit_copy ADD FOREIGN KEY (ref) REFERENCES %1$s.uuid7_audit_map (new_id)', sch);
		c := c || jsonb_build_object('fk', extract(epoch FROM clock_timestamp() - t0) / n);

		-- the backfill's batch as the online migration runs it: read the new values of the rows whose twin is not
		-- right yet (as the migrating role), then write them by ctid (as the owner), the table's index maintained
		EXECUTE format('CREATE TABLE %s.uuid7_audit_backfill (id bigint, ref bigint, payload text, twin uuid)', sch);
		EXECUTE format('INSERT INTO %s.uuid7_audit_backfill (id, ref, payload) SELECT g, 1, pg_catalog.repeat(''x'', 60) FROM pg_catalog.generate_series(1, %s) g', sch, n);
		EXECUTE format('CREATE INDEX ON %s.uuid7_audit_backfill (id)', sch);
		t0 := clock_timestamp();
		EXECUTE format('SELECT pg_catalog.array_agg(t.ctid), pg_catalog.array_agg((SELECT m.new_id FROM %1$s.uuid7_audit_map m WHERE m.old_id OPERATOR(pg_catalog.=) t.id))'
					   ' FROM %1$s.uuid7_audit_backfill t'
					   ' WHERE t.twin IS DISTINCT FROM (SELECT m.new_id FROM %1$s.uuid7_audit_map m WHERE m.old_id OPERATOR(pg_catalog.=) t.id)', sch)
		  INTO tids, vals;
		c := c || jsonb_build_object('backfill_read', extract(epoch FROM clock_timestamp() - t0) / n);
		t0 := clock_timestamp();
		EXECUTE format('UPDATE %s.uuid7_audit_backfill t SET twin = v.c1 FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.tid[]), pg_catalog.unnest($2::pg_catalog.uuid[])) AS v(tid, c1)'
					   ' WHERE t.ctid OPERATOR(pg_catalog.=) v.tid AND t.ctid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.tid[])', sch)
		  USING tids, vals;
		c := c || jsonb_build_object('backfill_write', extract(epoch FROM clock_timestamp() - t0) / n);
		RAISE EXCEPTION USING ERRCODE = 'U7R01';	-- the sample goes: always rolled back
	EXCEPTION
		WHEN SQLSTATE 'U7R01' THEN
			RETURN c;
		WHEN read_only_sql_transaction OR insufficient_privilege OR duplicate_table THEN
			RETURN NULL;	-- (a table of the sample's name already there: no estimate rather than a failed audit)
	END;
END;
$fn$;
COMMENT ON FUNCTION uuid7_audit_rates(name) IS
	'internal to uuid7_audit(): this server''s unit costs of a migration (seconds per row, column, index, foreign key or byte), measured on a rolled-back sample';

-- The time a migration spends on one table of a wave whose integer keys are int_keys, from this server's unit costs
-- (uuid7_audit_rates): offline, the mapping (a key table), one rewrite with every converted column looked up, every
-- index built again and every converted foreign key validated; online, the mapping, the backfill's update of every
-- twin column with the VACUUMs behind it, the indexes over converted columns built concurrently (two passes), the
-- foreign keys validated and the twins verified — stretched by the worker's default share of the time (work_percent).
CREATE OR REPLACE FUNCTION uuid7_audit_estimate(rel oid, int_keys oid[], rates jsonb,
	OUT offline interval, OUT online interval)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rows double precision;
	heap double precision;
	is_key boolean := rel = ANY (int_keys);
	fks int;
	cols int;
	idx int;
	idx_conv int;
	share double precision := @extschema@.uuid7_online_setting('{}', 'work_percent') / 100.0;
	off_s double precision;
	on_s double precision;
BEGIN
	IF rates IS NULL THEN
		RETURN;
	END IF;
	heap := pg_relation_size(rel);
	SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples
				-- never analyzed: as many rows as the sample would have in these pages
				ELSE heap / 8192.0 * 60 END INTO rows FROM pg_class c WHERE c.oid = rel;
	-- the columns that become uuid: the key, and those of foreign keys to a key of the wave
	SELECT count(*) FILTER (WHERE con.contype = 'f'), count(DISTINCT a.k) INTO fks, cols
	  FROM pg_constraint con, unnest(con.conkey) AS a(k)
	 WHERE con.conrelid = rel AND con.contype = 'f' AND con.confrelid = ANY (int_keys);
	IF is_key THEN
		cols := cols + 1;
	END IF;
	SELECT count(*), count(*) FILTER (WHERE EXISTS (
			SELECT 1 FROM unnest(i.indkey) AS k(att)
			 WHERE (is_key AND k.att = (SELECT ik.indkey[0] FROM pg_index ik WHERE ik.indrelid = rel AND ik.indisprimary))
				OR k.att IN (SELECT unnest(con.conkey) FROM pg_constraint con
							  WHERE con.conrelid = rel AND con.contype = 'f' AND con.confrelid = ANY (int_keys))))
	  INTO idx, idx_conv FROM pg_index i WHERE i.indrelid = rel;
	off_s := CASE WHEN is_key THEN rows * (rates->>'map')::double precision ELSE 0 END
		+ heap * (rates->>'heap')::double precision
		+ rows * cols * (rates->>'lookup')::double precision
		+ rows * idx * (rates->>'index')::double precision
		+ rows * fks * (rates->>'fk')::double precision;
	on_s := (CASE WHEN is_key THEN rows * (rates->>'map_online')::double precision ELSE 0 END
		+ rows * cols * (rates->>'backfill_read')::double precision
		+ rows * (rates->>'backfill_write')::double precision
		+ rows * cols * (rates->>'lookup')::double precision		-- the verification
		+ 2 * heap * (rates->>'heap')::double precision		-- the VACUUMs behind the backfill
		+ 2 * rows * idx_conv * (rates->>'index')::double precision
		+ rows * fks * (rates->>'fk')::double precision) / share;
	offline := make_interval(secs => off_s);
	online := make_interval(secs => on_s);
END;
$fn$;
COMMENT ON FUNCTION uuid7_audit_estimate(oid, oid[], jsonb) IS
	'internal to uuid7_audit(): estimated offline and online migration time of one table of a wave, from this server''s unit costs';

-- The offline time of one wave whose integer keys are wave_keys: each of its tables, and each table outside it whose
-- foreign key references one of its keys (rewritten by the same call), from uuid7_audit_estimate. NULL without rates.
CREATE OR REPLACE FUNCTION uuid7_audit_wave_offline(wave_keys oid[], rates jsonb) RETURNS interval
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT sum((@extschema@.uuid7_audit_estimate(s.t, wave_keys, rates)).offline)
	  FROM (SELECT unnest(wave_keys)
			UNION
			SELECT con.conrelid FROM pg_constraint con WHERE con.contype = 'f' AND con.confrelid = ANY (wave_keys)) AS s(t)
$fn$;
COMMENT ON FUNCTION uuid7_audit_wave_offline(oid[], jsonb) IS
	'internal to uuid7_audit(): estimated offline time of a wave, the tables it rewrites for their foreign keys included';

-- The integer-key tables whose primary key is also their foreign key to another integer key (int_keys): 1:1 extension
-- tables (child) of their parent. Migrating the parent converts the child's key through the parent's mapping, so the
-- child moves with its parent, and is never listed in a wave itself (the plan refuses a key fed by two mappings).
CREATE OR REPLACE FUNCTION uuid7_audit_extensions(int_keys oid[]) RETURNS TABLE (child oid, parent oid)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT DISTINCT ON (con.conrelid) con.conrelid, con.confrelid
	  FROM pg_constraint con
	  JOIN pg_index i ON i.indrelid = con.conrelid AND i.indisprimary AND i.indnatts = 1
	 WHERE con.contype = 'f' AND con.conrelid = ANY (int_keys) AND con.confrelid = ANY (int_keys)
	   AND con.conrelid <> con.confrelid AND con.conkey = ARRAY[i.indkey[0]]::int2[]
	 ORDER BY con.conrelid, con.oid
$fn$;
COMMENT ON FUNCTION uuid7_audit_extensions(oid[]) IS
	'internal to uuid7_audit(): the 1:1 extension tables (primary key = foreign key to another integer key) and their parents';

-- How much adding the integer key nxt to a wave of keys cur adds to uuid7_audit_wave_offline(cur), in seconds: the
-- estimates of nxt and of the tables referencing it with nxt in the wave, less those they had without it (a table
-- neither in cur nor referencing it had none). Everything else keeps its estimate, so a split costs a few estimates
-- per table rather than a whole wave's each time.
CREATE OR REPLACE FUNCTION uuid7_audit_split_delta(cur oid[], nxt oid, rates jsonb) RETURNS double precision
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT coalesce(sum(extract(epoch FROM (@extschema@.uuid7_audit_estimate(a.t, cur || nxt, rates)).offline)), 0)
		 - coalesce(sum(extract(epoch FROM (@extschema@.uuid7_audit_estimate(a.t, cur, rates)).offline))
					FILTER (WHERE a.t = ANY (cur) OR EXISTS (SELECT 1 FROM pg_constraint con
															  WHERE con.contype = 'f' AND con.conrelid = a.t AND con.confrelid = ANY (cur))), 0)
	  FROM (SELECT nxt
			UNION
			SELECT con.conrelid FROM pg_constraint con WHERE con.contype = 'f' AND con.confrelid = nxt) AS a(t)
$fn$;
COMMENT ON FUNCTION uuid7_audit_split_delta(oid[], oid, jsonb) IS
	'internal to uuid7_audit(): what one more integer key adds to a wave''s offline estimate (seconds)';

-- A group's integer-key tables (members, 1:1 extension tables apart) too long for one window split into parts whose
-- offline estimate is at most max_offline, along its references, leaf side first: part 1 holds tables nothing left
-- references (transitions, step edges), the last part the most referenced. A part is one table where that alone is
-- above max_offline. (A 1:1 extension table is no member: its parent's part rewrites it, uuid7_audit_wave_offline
-- counts it there.) The cost: a table whose foreign key references a key of a later part is rewritten again by that
-- part (uuid7_audit_rewrite_waves).
CREATE OR REPLACE FUNCTION uuid7_audit_split(members oid[], rates jsonb, max_offline interval)
RETURNS TABLE (relid oid, part integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ref_from oid[];
	ref_to oid[];
	placed oid[] := '{}';
	cur oid[] := '{}';
	cur_s double precision := 0;	-- uuid7_audit_wave_offline(cur), kept up to date as tables join
	delta double precision;
	nxt oid;
	p int := 1;
BEGIN
	-- the references between members: ref_from[i] references ref_to[i]
	SELECT array_agg(con.conrelid), array_agg(con.confrelid) INTO ref_from, ref_to
	  FROM pg_constraint con
	 WHERE con.contype = 'f' AND con.conrelid = ANY (members) AND con.confrelid = ANY (members) AND con.conrelid <> con.confrelid;
	LOOP
		-- next: the member with the fewest references from members not placed yet (0: a leaf of what is left; a cycle
		-- of references is cut where it costs least), then the least OID
		SELECT m.x INTO nxt
		  FROM unnest(members) AS m(x)
		 WHERE NOT m.x = ANY (placed)
		 ORDER BY (SELECT count(DISTINCT r.a) FROM unnest(ref_from, ref_to) AS r(a, b) WHERE r.b = m.x AND NOT r.a = ANY (placed)), m.x
		 LIMIT 1;
		EXIT WHEN nxt IS NULL;
		-- what nxt adds to the part: only nxt and the tables referencing it change (their foreign keys convert)
		delta := @extschema@.uuid7_audit_split_delta(cur, nxt, rates);
		IF cardinality(cur) > 0 AND make_interval(secs => cur_s + delta) > max_offline THEN
			p := p + 1;
			cur := '{}';
			cur_s := 0;
			delta := @extschema@.uuid7_audit_split_delta(cur, nxt, rates);
		END IF;
		cur := cur || nxt;
		cur_s := cur_s + delta;
		placed := placed || nxt;
		relid := nxt;
		part := p;
		RETURN NEXT;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_audit_split(oid[], jsonb, interval) IS
	'internal to uuid7_audit(): a group of integer-key tables split along its references into parts that fit max_wave_offline, leaf side first';

-- The waves that rewrite rel, given the wave of each integer key (key_rels[i] in key_waves[i]): its own, and the wave
-- of each key its foreign keys reference (its column changes type then). More than one: rewritten more than once.
CREATE OR REPLACE FUNCTION uuid7_audit_rewrite_waves(rel oid, key_rels oid[], key_waves integer[]) RETURNS integer[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT array_agg(DISTINCT s.w ORDER BY s.w)
	  FROM (SELECT key_waves[array_position(key_rels, rel)]
			UNION
			SELECT key_waves[array_position(key_rels, con.confrelid)]
			  FROM pg_constraint con WHERE con.contype = 'f' AND con.conrelid = rel AND con.confrelid = ANY (key_rels)) AS s(w)
	 WHERE s.w IS NOT NULL
$fn$;
COMMENT ON FUNCTION uuid7_audit_rewrite_waves(oid, oid[], integer[]) IS
	'internal to uuid7_audit(): the waves that rewrite a table (its own, and those of the keys its foreign keys reference)';

-- The plan's refusals for one wave, in the plan's order, with the wave's table each names (NULL where it names another
-- object); a plan that fails is one row with its SQLSTATE and message. What both uuid7_audit (the refusal column)
-- and uuid7_audit_report (the blockers and their hints) say about a wave.
CREATE OR REPLACE FUNCTION uuid7_audit_refusals(wave_tables regclass[])
RETURNS TABLE (step integer, relid oid, object text, code text, detail text, hint text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	-- (the plan names a table schema-qualified, whatever the search_path)
	RETURN QUERY
		SELECT p.step, (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
						 WHERE c.oid = ANY (wave_tables::oid[]) AND format('%I.%I', n.nspname, c.relname) OPERATOR(pg_catalog.=) p.object),
			   p.object, p.sqlstate, p.detail, p.hint
		  FROM @extschema@.uuid7_migration_plan(wave_tables) AS p
		 WHERE p.phase OPERATOR(pg_catalog.=) 'refusal'
		 ORDER BY p.step;
EXCEPTION WHEN OTHERS THEN
	RETURN QUERY SELECT NULL::integer, NULL::oid, NULL::text, SQLSTATE::text, SQLERRM::text, NULL::text;
END;
$fn$;
COMMENT ON FUNCTION uuid7_audit_refusals(regclass[]) IS
	'internal to uuid7_audit() and uuid7_audit_report(): the plan''s refusals of a wave, with the table each names';

-- One row per table with an integer or uuid primary key (see docs/audit.md): for the integer keys the wave to
-- migrate it in (waves in the order to run them: small, leaf groups first; the most referenced and largest last;
-- groups a refusal blocks at the end; a group whose offline estimate is above max_wave_offline split in consecutive
-- waves, leaf side first), the waves that rewrite it, the references both ways, the plan's first refusal and
-- estimates of its share of its wave (its own rewrite, and an equal part of what the wave's tables share: the plans,
-- the tables rewritten only for their foreign keys), so that a wave's rows add up to the wave; for uuid keys the kind,
-- and advice.
CREATE OR REPLACE FUNCTION uuid7_audit(schemas name[] DEFAULT NULL, max_wave_offline interval DEFAULT NULL)
RETURNS TABLE (wave integer, table_name regclass, key_column name, key_type regtype, key_kind text, rows bigint,
			   total_bytes bigint, referenced_by regclass[], "references" regclass[], soft_references text[],
			   routines text[], refusal text, offline_estimate interval, online_estimate interval,
			   rewritten_in integer[], advice text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	k_rel oid[];
	k_col name[];
	k_type regtype[];
	k_kind text[];
	cc_rel oid[];		-- one key and the columns of the foreign keys to it (soft references, routines)
	cc_att int2[];
	int_keys oid[];
	ext_child oid[];		-- 1:1 extension tables (never listed: they move with their parent ext_parent[i])
	ext_parent oid[];
	g_rel oid[];
	g_grp oid[];
	w_rel oid[] := '{}';	-- the integer keys, each in its wave w_grp[i]:w_part[i] (w_num[i] once ordered)
	w_grp oid[] := '{}';
	w_part int[] := '{}';
	w_num int[];
	grp oid;
	members oid[];
	parts int[];
	wave_order text[];
	wid text;
	wave_tables regclass[];
	p record;
	refusals jsonb := '{}';
	blocked jsonb := '{}';
	shared jsonb := '{}';	-- per wave, the seconds its tables share: its plans, and the tables rewritten with it
	x_off double precision;
	x_on double precision;
	t0 timestamptz;
	rates jsonb;
	sample_schema name;
	est record;
	j int;
	i int;
BEGIN
	SELECT array_agg(s.relid ORDER BY s.relid), array_agg(s.key_column ORDER BY s.relid),
		   array_agg(s.key_type ORDER BY s.relid), array_agg(s.key_kind ORDER BY s.relid)
	  INTO k_rel, k_col, k_type, k_kind
	  FROM @extschema@.uuid7_audit_keys(schemas) s;
	IF k_rel IS NULL THEN
		RETURN;
	END IF;
	SELECT array_agg(u.r) INTO int_keys FROM unnest(k_rel, k_kind) AS u(r, kd) WHERE u.kd = 'integer';
	int_keys := coalesce(int_keys, '{}');
	SELECT coalesce(array_agg(x.child), '{}'), coalesce(array_agg(x.parent), '{}') INTO ext_child, ext_parent
	  FROM @extschema@.uuid7_audit_extensions(int_keys) x;
	SELECT array_agg(g.relid ORDER BY g.relid), array_agg(g.grp ORDER BY g.relid) INTO g_rel, g_grp
	  FROM @extschema@.uuid7_audit_groups(int_keys) g;

	IF cardinality(int_keys) > 0 THEN
		-- the sample where the keys are: the first schema of a key table the caller may create tables in; each unit
		-- cost the median of three samples (one alone moves by 2x on a busy server)
		sample_schema := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
						   WHERE c.oid = ANY (int_keys) AND has_schema_privilege(n.oid, 'CREATE') ORDER BY c.oid LIMIT 1);
		SELECT jsonb_object_agg(u.key, u.cost) INTO rates
		  FROM (SELECT e.key, percentile_cont(0.5) WITHIN GROUP (ORDER BY e.value::text::double precision) AS cost
				  FROM (SELECT @extschema@.uuid7_audit_rates(sample_schema) AS r FROM generate_series(1, 3)) s,
					   jsonb_each(s.r) AS e
				 GROUP BY e.key) u;
	END IF;

	-- each group one wave, or (above max_wave_offline, when there are estimates) split in parts
	FOR grp IN SELECT DISTINCT u.g FROM unnest(g_rel, g_grp) AS u(r, g) ORDER BY 1 LOOP
		SELECT array_agg(u.r ORDER BY u.r) INTO members FROM unnest(g_rel, g_grp) AS u(r, g)
		 WHERE u.g = grp AND u.r = ANY (int_keys) AND NOT u.r = ANY (ext_child);
		CONTINUE WHEN members IS NULL;
		IF max_wave_offline IS NOT NULL AND rates IS NOT NULL
		   AND @extschema@.uuid7_audit_wave_offline(members, rates) > max_wave_offline THEN
			SELECT array_agg(s.relid ORDER BY s.relid), array_agg(s.part ORDER BY s.relid) INTO members, parts
			  FROM @extschema@.uuid7_audit_split(members, rates, max_wave_offline) s;
		ELSE
			parts := array_fill(1, ARRAY[cardinality(members)]);
		END IF;
		w_rel := w_rel || members;
		w_grp := w_grp || array_fill(grp, ARRAY[cardinality(members)]);
		w_part := w_part || parts;
	END LOOP;

	-- each wave's plan: its refusals, per table (a refusal naming another object blocks the whole wave), and how long
	-- it took
	FOR wid IN SELECT DISTINCT u.g || ':' || u.p FROM unnest(w_grp, w_part) AS u(g, p) LOOP
		SELECT array_agg(u.r::regclass ORDER BY u.r) INTO wave_tables
		  FROM unnest(w_rel, w_grp, w_part) AS u(r, g, p) WHERE u.g || ':' || u.p = wid;
		t0 := clock_timestamp();
		FOR p IN SELECT * FROM @extschema@.uuid7_audit_refusals(wave_tables) LOOP
			IF NOT blocked ? wid THEN
				blocked := blocked || jsonb_build_object(wid, format('%s: %s', p.code, p.detail));
			END IF;
			IF p.relid IS NOT NULL AND NOT refusals ? p.relid::text THEN
				refusals := refusals || jsonb_build_object(p.relid::text, format('%s: %s', p.code, p.detail));
			END IF;
		END LOOP;
		-- what the wave's tables share: its plans, each as long as the one just made (three offline: uuid7_migrate plans
		-- before and after taking its locks; one online, at start), and the tables outside it that it rewrites for their
		-- foreign keys (uuid keys, composite keys, 1:1 extension tables, the tables of other waves of a split group)
		x_off := 3 * extract(epoch FROM clock_timestamp() - t0);
		x_on := x_off / 3;
		SELECT x_off + coalesce(sum(extract(epoch FROM (x.e).offline)), 0), x_on + coalesce(sum(extract(epoch FROM (x.e).online)), 0)
		  INTO x_off, x_on
		  FROM (SELECT @extschema@.uuid7_audit_estimate(o.t, wave_tables::oid[], rates) AS e
				  FROM (SELECT DISTINCT con.conrelid FROM pg_constraint con
						 WHERE con.contype = 'f' AND con.confrelid = ANY (wave_tables::oid[]) AND NOT con.conrelid = ANY (wave_tables::oid[])) AS o(t)) x;
		shared := shared || jsonb_build_object(wid, jsonb_build_array(x_off / cardinality(wave_tables), x_on / cardinality(wave_tables)));
	END LOOP;

	-- waves in the order to run them: groups without a blocked wave first; then the groups whose most referenced
	-- table has the fewest referencing tables (leaves and small hubs), then the smallest; OID for a stable order; a
	-- split group's parts together, leaf side first
	SELECT array_agg(w.g || ':' || w.p ORDER BY s.is_blocked, s.hub, s.bytes, s.g, w.p) INTO wave_order
	  FROM (SELECT DISTINCT u.g, u.p FROM unnest(w_grp, w_part) AS u(g, p)) w
	  JOIN (SELECT u.g, EXISTS (SELECT 1 FROM jsonb_object_keys(blocked) AS b(k) WHERE b.k LIKE u.g || ':%') AS is_blocked,
				   max((SELECT count(DISTINCT con.conrelid) FROM pg_constraint con WHERE con.contype = 'f' AND con.confrelid = u.r)) AS hub,
				   sum(pg_total_relation_size(u.r)) AS bytes
			  FROM unnest(g_rel, g_grp) AS u(r, g) GROUP BY u.g) s ON s.g = w.g;
	SELECT array_agg(array_position(wave_order, u.g || ':' || u.p) ORDER BY u.o) INTO w_num
	  FROM unnest(w_grp, w_part) WITH ORDINALITY AS u(g, p, o);

	FOR i IN 1 .. cardinality(k_rel) LOOP
		table_name := k_rel[i]::regclass;
		key_column := k_col[i];
		key_type := k_type[i];
		key_kind := k_kind[i];
		SELECT CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END INTO rows FROM pg_class c WHERE c.oid = k_rel[i];
		total_bytes := pg_total_relation_size(k_rel[i]);
		SELECT array_agg(DISTINCT con.conrelid::regclass ORDER BY con.conrelid::regclass) INTO referenced_by
		  FROM pg_constraint con WHERE con.contype = 'f' AND con.confrelid = k_rel[i];
		SELECT array_agg(DISTINCT con.confrelid::regclass ORDER BY con.confrelid::regclass) INTO "references"
		  FROM pg_constraint con WHERE con.contype = 'f' AND con.conrelid = k_rel[i];
		-- references the catalog does not know, and code that uses the key: the notes the plan of this table alone
		-- gives (migrate_discovery.sql), over its key and the columns of the foreign keys to it
		IF key_kind = 'integer' THEN
			SELECT array_agg(u.r ORDER BY u.n), array_agg(u.a ORDER BY u.n) INTO cc_rel, cc_att
			  FROM (SELECT k_rel[i] AS r, a.attnum AS a, 0 AS n FROM pg_attribute a WHERE a.attrelid = k_rel[i] AND a.attname = k_col[i]
					UNION ALL
					SELECT con.conrelid, ck.att, 1 FROM pg_constraint con, unnest(con.conkey, con.confkey) AS ck(att, fatt)
					 WHERE con.contype = 'f' AND con.confrelid = k_rel[i] AND con.conparentid = 0
					   AND ck.fatt = (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = k_rel[i] AND a.attname = k_col[i])) AS u;
			SELECT array_agg(d.object ORDER BY d.object) INTO soft_references
			  FROM @extschema@.uuid7_plan_discovery('[]'::jsonb, ARRAY[k_rel[i]], cc_att[1:1], cc_rel, cc_att, '{}') AS d;
			SELECT array_agg(DISTINCT d.object ORDER BY d.object) INTO routines
			  FROM @extschema@.uuid7_plan_code('[]'::jsonb, ARRAY[k_rel[i]], cc_att[1:1], cc_rel, cc_att) AS d;
		ELSE
			soft_references := NULL;
			routines := NULL;
		END IF;
		wave := NULL;
		refusal := NULL;
		offline_estimate := NULL;
		online_estimate := NULL;
		rewritten_in := @extschema@.uuid7_audit_rewrite_waves(k_rel[i], w_rel, w_num);
		advice := NULL;
		IF k_rel[i] = ANY (ext_child) THEN
			-- a 1:1 extension table: rewritten by its parent's wave, its key converted through the parent's mapping
			j := array_position(w_rel, ext_parent[array_position(ext_child, k_rel[i])]);
			refusal := blocked->>(w_grp[j] || ':' || w_part[j]);
			SELECT array_agg(u.r) INTO members FROM unnest(w_rel, w_num) AS u(r, n) WHERE u.n = w_num[j];
			est := @extschema@.uuid7_audit_estimate(k_rel[i], members, rates);
			offline_estimate := est.offline;
			online_estimate := est.online;
			advice := format('moves with %s in wave %s: its key is its foreign key, converted through that table''s mapping (not listed itself)',
				w_rel[j]::regclass, w_num[j]);
		ELSIF key_kind = 'integer' THEN
			j := array_position(w_rel, k_rel[i]);
			wave := w_num[j];
			refusal := coalesce(refusals->>(k_rel[i]::text), blocked->>(w_grp[j] || ':' || w_part[j]));
			SELECT array_agg(u.r) INTO members FROM unnest(w_rel, w_num) AS u(r, n) WHERE u.n = wave;
			est := @extschema@.uuid7_audit_estimate(k_rel[i], members, rates);
			-- and its share of what the wave's tables share
			offline_estimate := est.offline + make_interval(secs => (shared->(w_grp[j] || ':' || w_part[j])->>0)::double precision);
			online_estimate := est.online + make_interval(secs => (shared->(w_grp[j] || ':' || w_part[j])->>1)::double precision);
			advice := CASE WHEN refusal IS NULL THEN format('migrate in wave %s', wave)
						   ELSE 'resolve the refusal, then migrate with its wave' END;
			IF cardinality(rewritten_in) > 1 THEN
				advice := advice || format('; rewritten again in wave %s (its foreign keys to keys of a split group)',
					array_to_string(array_remove(rewritten_in, wave), ', '));
			END IF;
		ELSIF key_kind = 'uuid v4' THEN
			advice := 'random uuid keys: make uuid_generate_v7() the default for new rows (existing keys stay valid)';
		ELSIF key_kind IN ('uuid v7', 'uuid v6') THEN
			advice := 'already time-ordered';
		ELSE
			advice := 'uuid key of unknown kind: make uuid_generate_v7() the default for new rows';
		END IF;
		IF key_kind <> 'integer' AND rewritten_in IS NOT NULL THEN
			advice := advice || format('; rewritten in wave %s (its foreign keys to integer keys)', array_to_string(rewritten_in, ', '));
		END IF;
		RETURN NEXT;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_audit(name[], interval) IS
	'every table with an integer or uuid primary key (in these schemas, or all): the wave to migrate the integer keys in (groups above max_wave_offline split), the waves that rewrite it, references, the plan''s refusal, time estimates measured on this server, advice';

-- The audit for people: markdown to paste into a ticket — the keys found, then per wave its tables, the tables it also
-- rewrites, the estimates, the blockers with what to do about each (the plan's hints) and the exact calls to run;
-- where a group was split (max_wave_offline), the tables that cost: those rewritten by more than one wave.
CREATE OR REPLACE FUNCTION uuid7_audit_report(schemas name[] DEFAULT NULL, max_wave_offline interval DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text := @extschema@.uuid7_extension_schema();
	a record;
	w int;
	wave_tables regclass[];
	also text;
	tables_sql text;
	p record;
	out text;
BEGIN
	CREATE TEMPORARY TABLE uuid7_audit_rows ON COMMIT DROP AS SELECT * FROM @extschema@.uuid7_audit(schemas, max_wave_offline);
	out := format(E'# uuid7 audit of database %s\n\n', quote_ident(current_database()));
	out := out || format(E'%s tables with an integer key in %s waves; %s with random (v4) uuid keys; %s already time-ordered; %s other uuid keys.\n',
		(SELECT count(*) FROM uuid7_audit_rows WHERE key_kind = 'integer'),
		(SELECT count(DISTINCT wave) FROM uuid7_audit_rows WHERE key_kind = 'integer'),
		(SELECT count(*) FROM uuid7_audit_rows WHERE key_kind = 'uuid v4'),
		(SELECT count(*) FROM uuid7_audit_rows WHERE key_kind IN ('uuid v7', 'uuid v6')),
		(SELECT count(*) FROM uuid7_audit_rows WHERE key_kind = 'uuid'));
	out := out || E'Run the waves in order; each is one call, and rewrites each of its tables once.\n'
		|| E'Estimates are measured on this server (a rolled-back sample): the tables'' own rewrites, not lock waits.\n';
	-- the cost of splitting: every table that more than one wave rewrites (its own wave, and those of the keys its
	-- foreign keys reference), integer keys or not
	SELECT string_agg(format('%s (waves %s)', s.t, array_to_string(s.ws, ', ')), ', ' ORDER BY s.t::text) INTO also
	  FROM (SELECT t.t::regclass AS t, @extschema@.uuid7_audit_rewrite_waves(t.t, k.rels, k.waves) AS ws
			  FROM (SELECT array_agg(r.table_name::oid) AS rels, array_agg(r.wave) AS waves FROM uuid7_audit_rows r WHERE r.wave IS NOT NULL) k,
				   LATERAL (SELECT unnest(k.rels)
							UNION
							SELECT con.conrelid FROM pg_constraint con WHERE con.contype = 'f' AND con.confrelid = ANY (k.rels)) AS t(t)) s
	 WHERE cardinality(s.ws) > 1;
	IF also IS NOT NULL THEN
		out := out || format(E'\nGroups above max_wave_offline (%s) are split in consecutive waves, leaf side first. '
			'The cost: these tables are rewritten by more than one wave: %s.\n', max_wave_offline, also);
	END IF;
	FOR w IN SELECT DISTINCT r.wave FROM uuid7_audit_rows r WHERE r.wave IS NOT NULL ORDER BY 1 LOOP
		SELECT array_agg(r.table_name ORDER BY r.table_name::text) INTO wave_tables FROM uuid7_audit_rows r WHERE r.wave = w;
		tables_sql := format('ARRAY[%s]::regclass[]',
			(SELECT string_agg(quote_literal(t::text), ', ' ORDER BY t::text) FROM unnest(wave_tables) AS t));
		out := out || format(E'\n## Wave %s%s\n\n', w,
			CASE WHEN EXISTS (SELECT 1 FROM uuid7_audit_rows r WHERE r.wave = w AND r.refusal IS NOT NULL) THEN ' — blocked' ELSE '' END);
		out := out || format(E'Estimated: offline %s (the tables are locked throughout), online %s.\n\n',
			(SELECT sum(r.offline_estimate) FROM uuid7_audit_rows r WHERE r.wave = w),
			(SELECT sum(r.online_estimate) FROM uuid7_audit_rows r WHERE r.wave = w));
		out := out || E'| table | key | rows | size | referenced by | offline | online |\n|---|---|---|---|---|---|---|\n';
		FOR a IN SELECT * FROM uuid7_audit_rows r WHERE r.wave = w ORDER BY r.table_name::text LOOP
			out := out || format(E'| %s | %s %s | %s | %s | %s | %s | %s |\n', a.table_name, quote_ident(a.key_column), a.key_type,
				coalesce(a.rows::text, 'not analyzed'), pg_size_pretty(a.total_bytes),
				coalesce(array_to_string(a.referenced_by, ', '), ''), a.offline_estimate, a.online_estimate);
		END LOOP;
		-- the tables of the group without an integer key of their own: rewritten too, for their foreign keys
		SELECT string_agg(DISTINCT con.conrelid::regclass::text, ', ') INTO also
		  FROM pg_constraint con
		 WHERE con.contype = 'f' AND con.confrelid = ANY (wave_tables::oid[]) AND NOT con.conrelid = ANY (wave_tables::oid[]);
		IF also IS NOT NULL THEN
			out := out || format(E'\nAlso rewritten (their foreign keys become uuid): %s.\n', also);
		END IF;
		IF EXISTS (SELECT 1 FROM uuid7_audit_rows r WHERE r.wave = w AND r.refusal IS NOT NULL) THEN
			out := out || E'\nBlockers, and what to do:\n\n';
			FOR p IN SELECT * FROM @extschema@.uuid7_audit_refusals(wave_tables) LOOP
				out := out || format(E'- %s: %s%s\n', coalesce(p.object || ' (' || p.code || ')', p.code), p.detail, coalesce(' — ' || p.hint, ''));
			END LOOP;
		END IF;
		out := out || format(E'\n```sql\nSELECT * FROM %1$s.uuid7_migration_plan(%2$s);  -- read it first\n'
			'SELECT %1$s.uuid7_migrate(%2$s);  -- offline, in one transaction\n'
			'-- or online: SELECT %1$s.uuid7_migration_start(%2$s);\n```\n', ext, tables_sql);
	END LOOP;
	IF EXISTS (SELECT 1 FROM uuid7_audit_rows r WHERE r.key_kind <> 'integer') THEN
		out := out || E'\n## uuid keys\n\n| table | key | kind | advice |\n|---|---|---|---|\n';
		FOR a IN SELECT * FROM uuid7_audit_rows r WHERE r.key_kind <> 'integer' ORDER BY r.table_name::text LOOP
			out := out || format(E'| %s | %s | %s | %s |\n', a.table_name, quote_ident(a.key_column), a.key_kind, a.advice);
		END LOOP;
	END IF;
	DROP TABLE uuid7_audit_rows;
	RETURN out;
END;
$fn$;
COMMENT ON FUNCTION uuid7_audit_report(name[], interval) IS
	'uuid7_audit() as a markdown report: per wave its tables, estimates, blockers with hints, and the calls to run';
