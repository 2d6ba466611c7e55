-- src/sql/migrate_keep.sql — option "keep_old_column" (per table) of uuid7_migration_plan/uuid7_migrate: the old
-- integer key stays in the table, under the name given, NOT NULL with a UNIQUE constraint, filled in the same single
-- rewrite as the key's type change.
--
-- How one rewrite does it: a column added in an ALTER TABLE cannot be given a USING expression in the same command,
-- and a column's DEFAULT cannot read the row. A STORED generated column can, and it is computed from the new row, in
-- the same rewrite: the new column is added as GENERATED ALWAYS AS (old key of the new uuid key, through the
-- mapping) STORED, and the generation expression is dropped right after (ALTER COLUMN ... DROP EXPRESSION changes the
-- catalog only). The reverse lookup is a SQL function made for the migration in pg_temp (a generation expression
-- must be IMMUTABLE; the mapping table cannot change while the migration holds it) and dropped in the same
-- transaction: a SQL function's plan is kept across the rows (an index lookup each), where a generic one taking the
-- mapping table as an argument would have to plan a dynamic query per row, about four times slower. The old key's default (a serial's nextval, with its sequence, now owned by the new column) or
-- identity (same kind, continuing after the old sequence's position) moves to the new column, so that rows inserted
-- later get a new integer as well as a v7 key.

-- The name of the UNIQUE constraint (and its index) of a kept old key column: <table>_<column>_key, as PostgreSQL
-- names a UNIQUE constraint; when that is longer than 63 bytes, the table part is shortened and an md5 of the full
-- name keeps it apart.
CREATE OR REPLACE FUNCTION uuid7_keep_index_name(relname name, colname text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	full_name text := relname || '_' || colname || '_key';
	base text := relname || '_' || colname;
BEGIN
	IF octet_length(full_name) <= 63 THEN
		RETURN full_name;
	END IF;
	WHILE octet_length(base) > 63 - 4 - 9 LOOP
		base := left(base, -1);
	END LOOP;
	RETURN base || '_' || left(md5(full_name), 8) || '_key';
END;
$fn$;
COMMENT ON FUNCTION uuid7_keep_index_name(name, text) IS
	'internal to uuid7_migration_plan(): the name of the UNIQUE constraint of a kept old key column (option keep_old_column)';

-- The plan's part for option "keep_old_column" of one table: rel, its key column keyatt, its mapping table map (as the
-- plan writes it), and the option's value opt. A value that is not a name is an error at once (22023); a name the
-- table already has, a constraint/index name already taken, or a role that may not create the temporary function, is
-- a refusal (phase 'refusal': 42701, 42P07, 42501).
-- Otherwise: phase 'column' rows, subcommands (part) joining the table's one ALTER TABLE, and phase 'keep old key'
-- rows, statements run after it, and phase 'before' rows, statements run before it (detail says what each does).
CREATE OR REPLACE FUNCTION uuid7_plan_keep_old(rel oid, keyatt int2, map text, opt jsonb)
RETURNS TABLE (phase text, object text, detail text, part text, sqlstate text, hint text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	col text;
	ixname text;
	qname text;
	k record;
	seq record;
	fn text := format('pg_temp.uuid7_keep_%s', rel);
BEGIN
	SELECT format('%I.%I', ns.nspname, c.relname) AS qname, c.relname, c.relnamespace, ns.nspname,
		   a.attname, a.atttypid::regtype AS keytype, a.attidentity, a.atthasdef,
		   pg_get_expr(ad.adbin, ad.adrelid) AS defexpr
	  INTO k
	  FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
	  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = keyatt
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = keyatt
	 WHERE c.oid = rel;
	qname := k.qname;
	IF jsonb_typeof(opt) IS DISTINCT FROM 'string' OR opt->>0 = '' OR octet_length(opt->>0) > 63 THEN
		RAISE EXCEPTION 'option "keep_old_column" of table % must be a column name of 1 to 63 bytes', qname
			USING ERRCODE = '22023', HINT = 'Give the name the old key keeps, e.g. "keep_old_column": "legacy_id".';
	END IF;
	col := opt->>0;
	IF EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped) THEN
		RETURN QUERY SELECT 'refusal'::text, qname,
			format('column %I of table %s already exists: option "keep_old_column" must name a new column', col, qname),
			NULL::text, '42701'::text, 'Choose a name the table does not have yet.'::text;
		RETURN;
	END IF;
	ixname := @extschema@.uuid7_keep_index_name(k.relname, col);
	IF EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = k.relnamespace AND c.relname = ixname)
	   OR EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conrelid = rel AND con.conname = ixname) THEN
		RETURN QUERY SELECT 'refusal'::text, qname,
			format('the UNIQUE constraint of the kept old key would be named %I, a name schema %I or table %s already has', ixname, k.nspname, qname),
			NULL::text, '42P07'::text, 'Choose another name with "keep_old_column", or rename what holds that name.'::text;
		RETURN;
	END IF;

	IF NOT has_database_privilege(current_database(), 'TEMPORARY') THEN
		RETURN QUERY SELECT 'refusal'::text, qname,
			format('option "keep_old_column" of table %s needs a temporary function (the reverse lookup that fills the column), and role %I may not create temporary objects in database %I',
				   qname, current_user, current_database()),
			NULL::text, '42501'::text, 'Grant TEMPORARY on the database to the migrating role, for the migration.'::text;
		RETURN;
	END IF;

	-- before the rewrite: new key -> old key through the mapping (the mapping table exists by then)
	RETURN QUERY SELECT 'before'::text, qname,
		format('temporary function: new key -> old key through %s, for the generated column (dropped after the rewrite)', map),
		format('CREATE FUNCTION %s(pg_catalog.uuid) RETURNS %s LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED AS %L',
			   fn, k.keytype, format('SELECT m.old_id::%s FROM %s m WHERE m.new_id OPERATOR(pg_catalog.=) $1', k.keytype, map)),
		NULL::text, NULL::text;
	-- in the rewrite: the column, filled from the new key through the mapping, and its UNIQUE constraint
	RETURN QUERY SELECT 'column'::text, qname,
		format('column %I (%s, NOT NULL) keeps the old key %I, filled in the same rewrite', col, k.keytype, k.attname),
		format('ADD COLUMN %I %s NOT NULL GENERATED ALWAYS AS (%s(%I)) STORED', col, k.keytype, fn, k.attname),
		NULL::text, NULL::text;
	RETURN QUERY SELECT 'column'::text, qname,
		format('UNIQUE constraint %I on column %I, with its index', ixname, col),
		format('ADD CONSTRAINT %I UNIQUE (%I)', ixname, col), NULL::text, NULL::text;

	-- after it: an ordinary column, that new rows fill as the old key was filled
	RETURN QUERY SELECT 'keep old key'::text, qname,
		format('column %I becomes an ordinary column (the generation expression is dropped, no rewrite)', col),
		format('ALTER TABLE %s ALTER COLUMN %I DROP EXPRESSION', qname, col), NULL::text, NULL::text;
	RETURN QUERY SELECT 'keep old key'::text, qname,
		'the temporary function of the generated column, no longer used'::text,
		format('DROP FUNCTION %s(pg_catalog.uuid)', fn), NULL::text, NULL::text;
	IF k.attidentity <> '' THEN
		-- the key's identity (and its sequence) was dropped before the type change: the same kind on the new
		-- column, continuing after the old sequence's position (or the highest old key, if that is higher)
		RETURN QUERY SELECT 'keep old key'::text, qname,
			format('identity (GENERATED %s) of %I moves to column %I', CASE k.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, k.attname, col),
			format('ALTER TABLE %s ALTER COLUMN %I ADD GENERATED %s AS IDENTITY', qname, col, CASE k.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END),
			NULL::text, NULL::text;
		RETURN QUERY SELECT 'keep old key'::text, qname,
			format('the identity of %I continues after the old key''s sequence (or the highest old key, if higher)', col),
			format('SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(%L, %L), m.top, true) FROM (SELECT GREATEST(max(%I)::pg_catalog.int8, %s::pg_catalog.int8) AS top FROM %s) m WHERE m.top IS NOT NULL',
				   qname, col, col, coalesce(pg_sequence_last_value(pg_get_serial_sequence(qname, k.attname)::regclass)::text, 'NULL'), qname),
			NULL::text, NULL::text;
	ELSIF k.atthasdef THEN
		RETURN QUERY SELECT 'keep old key'::text, qname,
			format('the default of %I moves to column %I', k.attname, col),
			format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', qname, col, k.defexpr), NULL::text, NULL::text;
	ELSE
		RETURN QUERY SELECT 'note'::text, qname,
			format('key %I has no default: rows inserted after the migration must give column %I a value (it is NOT NULL)', k.attname, col),
			NULL::text, NULL::text, NULL::text;
	END IF;
	IF k.attidentity = '' THEN
		-- a serial's sequence: owned by the new column (not dropped)
		FOR seq IN
			SELECT s.oid::regclass AS seqname
			  FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
			 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
			   AND d.refobjid = rel AND d.refobjsubid = keyatt AND d.deptype = 'a'
		LOOP
			RETURN QUERY SELECT 'keep old key'::text, seq.seqname::text,
				format('sequence owned by column %I of %s (kept, not dropped)', col, qname),
				format('ALTER SEQUENCE %s OWNED BY %s.%I', seq.seqname, qname, col), NULL::text, NULL::text;
		END LOOP;
	END IF;
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_keep_old(oid, int2, text, jsonb) IS
	'internal to uuid7_migration_plan(): the refusals, subcommands and statements of option keep_old_column for one table';
