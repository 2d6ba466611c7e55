-- src/sql/online_refusals.sql — what only the online migration refuses, as plan lines: uuid7_migration_plan() with
-- {"online": true} lists them before the refusals of the offline plan, and uuid7_migration_start() raises the first.

-- The unfinished online migrations that already hold one of these tables (a table is in one online migration at a
-- time). except: a migration not to count (the one being started, when the start checks again after recording it).
CREATE OR REPLACE FUNCTION uuid7_online_busy_tables(rels oid[], not_migration bigint DEFAULT NULL)
RETURNS TABLE (relid regclass, migration_id bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT t.relid, t.migration_id
	  FROM uuid7_state.uuid7_online_table t
	  JOIN uuid7_state.uuid7_online_migration om ON om.id = t.migration_id
	 WHERE om.state NOT IN ('finished', 'aborted') AND t.relid::oid = ANY (rels)
	   AND om.id IS DISTINCT FROM not_migration
	 ORDER BY t.migration_id, t.ord;
$fn$;
COMMENT ON FUNCTION uuid7_online_busy_tables(oid[], bigint) IS
	'internal to the online migration: the unfinished online migrations that hold one of these tables';

-- To whom row security applies when the online migration reads or writes table rel, and what to do about it (NULL:
-- every row is seen and written). The backfill reads and the verification runs as the caller; the write of the twin
-- columns runs as the table's owner (src/pg/online_backfill.cpp), subject to the table's policies under FORCE ROW
-- LEVEL SECURITY unless the owner bypasses them. Rows hidden from either would keep NULL in their new columns.
CREATE OR REPLACE FUNCTION uuid7_online_rows_hidden(rel regclass, OUT role_name name, OUT hint text)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT CASE WHEN row_security_active(c.oid) THEN current_user::name ELSE r.rolname END,
		   CASE WHEN row_security_active(c.oid)
				THEN 'Run the migration as a role with BYPASSRLS, or ALTER TABLE ... NO FORCE ROW LEVEL SECURITY for its duration (the owner is then exempt).'
				ELSE 'The online migration writes the new columns as the table''s owner: ALTER TABLE ... NO FORCE ROW LEVEL SECURITY for its duration, give the owner BYPASSRLS, or use uuid7_migrate().' END
	  FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
	 WHERE c.oid = rel
	   AND (row_security_active(c.oid) OR (c.relrowsecurity AND c.relforcerowsecurity AND NOT (r.rolsuper OR r.rolbypassrls)));
$fn$;
COMMENT ON FUNCTION uuid7_online_rows_hidden(regclass) IS
	'internal to the online migration: the role to whom row security applies when the migration reads (the caller) or writes (the owner) the table, and a hint; NULL when none';

-- The online migration's own refusals of a migration the offline plan accepts (listed: the tables of the call; t_oid,
-- t_ts: the keys the plan migrates and their timestamp columns; c_rel, c_att: every converted column, the keys
-- included; offline_only: the options given that only uuid7_migrate() takes), in a fixed order. Raised by
-- uuid7_migration_start() through the plan; the swap reads the plan without them (the migration is under way).
CREATE OR REPLACE FUNCTION uuid7_plan_online_refusals(listed oid[], t_oid oid[], t_ts text[], c_rel oid[], c_att int2[], offline_only text[])
RETURNS TABLE (object text, detail text, sqlstate text, hint text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rec record;
	rels oid[];
BEGIN
	SELECT array_agg(DISTINCT u ORDER BY u) INTO rels FROM unnest(t_oid || c_rel) AS u;
	-- partitioned tables (listed, or referencing a listed key): only uuid7_migrate() converts them yet
	RETURN QUERY SELECT c.oid::regclass::text,
			format('table %s is partitioned: the online migration does not handle partitioned tables yet', c.oid::regclass),
			'0A000'::text, 'Migrate these tables offline with uuid7_migrate(), in one transaction.'::text
		  FROM pg_class c WHERE c.oid = ANY (rels) AND c.relkind = 'p' ORDER BY c.oid;
	-- the worker logs in as the role that starts the migration
	IF NOT (SELECT r.rolcanlogin FROM pg_roles r WHERE r.rolname = current_user) THEN
		RETURN QUERY SELECT current_user::text,
			format('role %I cannot run a uuid7 migration worker: the worker logs in as the role that starts the migration, which may not log in', current_user),
			'28000'::text, 'Give that role LOGIN, or start the migration as a role with LOGIN.'::text;
	END IF;
	-- Deterministic keys need the secret in every session that fills a mapping table: the worker and the steps run in
	-- other sessions, later, and could only get it from a table; refused rather than stored. Declared references: the
	-- sync trigger, backfill and verification do not cover them. keep_old_column: the twins and the swap do not carry the
	-- old key into a column of its own.
	RETURN QUERY SELECT o.name, format('option "%s" is not supported by the online migration%s', o.name,
			CASE o.name WHEN 'deterministic_keys' THEN ': the backfill runs in other sessions (the worker, uuid7_migration_step()), which could only read the secret from a table, and the secret is never stored'
						WHEN 'references' THEN ': the sync trigger, backfill and verification do not cover declared references'
						WHEN 'keep_old_column' THEN ': the shadow columns and the swap do not carry the old key into a column of its own' ELSE '' END),
			'0A000'::text, format('Use uuid7_migrate() for %s.', CASE o.name WHEN 'deterministic_keys' THEN 'deterministic keys'
						WHEN 'references' THEN 'declared references' WHEN 'keep_old_column' THEN 'keeping the old key in a column' ELSE 'that option' END)
		  FROM unnest(offline_only) WITH ORDINALITY AS o(name, n) ORDER BY o.n;
	FOR i IN 1 .. cardinality(t_oid) LOOP
		IF t_ts[i] IS NOT NULL THEN
			RETURN QUERY SELECT t_oid[i]::regclass::text,
				format('option "timestamp_column" (%I of table %s) is not supported by the online migration', t_ts[i], t_oid[i]::regclass),
				'0A000'::text, 'Rows keep their old key order; use uuid7_migrate() to carry a timestamp column into the new keys.'::text;
		END IF;
	END LOOP;
	-- (a listed table in another online migration: the offline plan refuses its mapping table, which exists)
	FOR rec IN SELECT * FROM @extschema@.uuid7_online_busy_tables(rels || listed) LOOP
		RETURN QUERY SELECT rec.relid::text,
			format('table %s is part of online migration %s, which is not finished', rec.relid, rec.migration_id),
			'55006'::text, 'Finish or abort that migration first.'::text;
	END LOOP;
	FOR rec IN SELECT u AS rel, h.role_name, h.hint FROM unnest(rels) AS u, LATERAL @extschema@.uuid7_online_rows_hidden(u) h
				WHERE h.role_name IS NOT NULL LOOP
		RETURN QUERY SELECT rec.rel::regclass::text,
			format('row-level security applies to role %I on table %s, which the online migration must read and write whole (policies: %s)',
				rec.role_name, rec.rel::regclass, coalesce(@extschema@.uuid7_policy_names(rec.rel), 'none, so every row is hidden')),
			'42501'::text, rec.hint;
	END LOOP;
	-- the twin of column n is uuid7_new_n (uuid7_migration_start)
	FOR rec IN SELECT DISTINCT cc.rel, cc.att FROM unnest(c_rel, c_att) AS cc(rel, att)
				WHERE EXISTS (SELECT 1 FROM pg_attribute a
							   WHERE a.attrelid = cc.rel AND a.attname = 'uuid7_new_' || cc.att AND NOT a.attisdropped)
				ORDER BY 1, 2 LOOP
		RETURN QUERY SELECT rec.rel::regclass::text,
			format('table %s already has a column named %I, the name of the new column of %I', rec.rel::regclass,
				'uuid7_new_' || rec.att, (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = rec.rel AND a.attnum = rec.att)),
			'42701'::text, 'Rename that column first.'::text;
	END LOOP;
	-- an exclusion constraint cannot be built again on twins and swapped in
	FOR rec IN SELECT DISTINCT con.conname, con.conrelid
				 FROM pg_constraint con
				 JOIN unnest(c_rel, c_att) AS cc(rel, att) ON cc.rel = con.conrelid
				WHERE con.contype = 'x'
				  AND (cc.att = ANY (con.conkey) OR EXISTS (
						SELECT 1 FROM pg_depend d
						 WHERE d.classid = 'pg_class'::regclass AND d.objid = con.conindid
						   AND d.refclassid = 'pg_class'::regclass AND d.refobjid = cc.rel AND d.refobjsubid = cc.att))
				ORDER BY 2, 1 LOOP
		RETURN QUERY SELECT format('%I on %s', rec.conname, rec.conrelid::regclass),
			format('exclusion constraint %I on table %s uses a converted column, which the online migration cannot convert',
				rec.conname, rec.conrelid::regclass),
			'0A000'::text, 'Use uuid7_migrate(), which converts it in place.'::text;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_online_refusals(oid[], oid[], text[], oid[], int2[], text[]) IS
	'internal to the migration plan: what the online migration refuses beyond the offline plan (the plan''s "online" option)';
