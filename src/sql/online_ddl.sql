-- src/sql/online_ddl.sql — the DDL of the uuid twins built beside the old indexes and foreign keys.

-- ---- what to build: the uuid twin of every index and foreign key on a converted column --------------------------

-- The expressions of a CHECK constraint or an index with each of columns[i] replaced by twins[i] (src/pg/twin_expr.cpp).
CREATE OR REPLACE FUNCTION uuid7_twin_expressions(source oid, kind text, columns name[], twins name[]) RETURNS text[]
LANGUAGE C STABLE STRICT
AS 'MODULE_PATHNAME', 'uuid7_twin_expressions';
COMMENT ON FUNCTION uuid7_twin_expressions(oid, text, name[], name[]) IS
	'internal to the online migration: the expression of a CHECK constraint (kind check), or the predicate and key expressions of an index (kind index), with columns[i] replaced by twins[i], printed as pg_get_expr() prints them';

-- The same, for the converted columns of the table of an online migration, each replaced by its uuid twin.
CREATE OR REPLACE FUNCTION uuid7_online_twin_expressions(migration bigint, rel regclass, of_object oid, kind text) RETURNS text[]
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT @extschema@.uuid7_twin_expressions(of_object, kind,
			coalesce(array_agg(oc.attname ORDER BY oc.attname), '{}'), coalesce(array_agg(oc.new_name ORDER BY oc.attname), '{}'))
	  FROM uuid7_state.uuid7_online_column oc WHERE oc.migration_id = migration AND oc.relid = rel
$fn$;
COMMENT ON FUNCTION uuid7_online_twin_expressions(bigint, regclass, oid, text) IS
	'internal to the online migration: uuid7_twin_expressions() over the converted columns of one table and their twins';
-- The twin of an index is the index over the twins of its converted columns (uuid7_index_sql): a named integer
-- operator class of a converted column becomes the uuid class of its kind, as the offline plan's 'create index' does.
CREATE OR REPLACE FUNCTION uuid7_online_index_sql(migration bigint, idx oid, new_name name) RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT @extschema@.uuid7_index_sql(idx, uuid7_online_index_sql.new_name,
			coalesce(array_agg(oc.attname ORDER BY oc.attname), '{}'), coalesce(array_agg(oc.new_name ORDER BY oc.attname), '{}'), true)
	  FROM pg_index i JOIN uuid7_state.uuid7_online_column oc ON oc.migration_id = migration AND oc.relid = i.indrelid
	 WHERE i.indexrelid = idx
$fn$;
COMMENT ON FUNCTION uuid7_online_index_sql(bigint, oid, name) IS
	'internal to the online migration: CREATE INDEX CONCURRENTLY for the uuid twin of an index (same shape, converted columns replaced, also in its expressions and predicate)';

CREATE OR REPLACE FUNCTION uuid7_online_fk_sql(migration bigint, con oid, new_name name) RETURNS text
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
			  LEFT JOIN uuid7_state.uuid7_online_column oc ON oc.migration_id = migration AND oc.relid = x.conrelid AND oc.attname = a.attname) AS cols,
		   (SELECT string_agg(quote_ident(coalesce(oc.new_name, a.attname)), ', ' ORDER BY k.n)
			  FROM unnest(x.confkey) WITH ORDINALITY AS k(att, n) JOIN pg_attribute a ON a.attrelid = x.confrelid AND a.attnum = k.att
			  LEFT JOIN uuid7_state.uuid7_online_column oc ON oc.migration_id = migration AND oc.relid = x.confrelid AND oc.attname = a.attname) AS refcols
	  INTO c FROM pg_constraint x WHERE x.oid = con;
	-- SET NULL / SET DEFAULT (columns): PostgreSQL 15 and later
	IF jsonb_typeof(to_jsonb(c)->'confdelsetcols') = 'array' AND jsonb_array_length(to_jsonb(c)->'confdelsetcols') > 0 THEN
		SELECT ' (' || string_agg(quote_ident(coalesce(oc.new_name, a.attname)), ', ' ORDER BY k.n) || ')' INTO setcols
		  FROM jsonb_array_elements_text(to_jsonb(c)->'confdelsetcols') WITH ORDINALITY AS k(att, n)
		  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att::int2
		  LEFT JOIN uuid7_state.uuid7_online_column oc ON oc.migration_id = migration AND oc.relid = c.conrelid AND oc.attname = a.attname;
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

-- The statement that builds a twin, derived from the catalog when it is built: the state says which object (index,
-- foreign key, CHECK constraint, or the NOT NULL proof of a table) and the name, never the statement. The source must still be an
-- index or foreign key of the same table, or the step fails with a clear error.
CREATE OR REPLACE FUNCTION uuid7_online_object_sql(migration bigint, object_ord integer) RETURNS text
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	o record;
	cond text;
BEGIN
	SELECT * INTO o FROM uuid7_state.uuid7_online_object WHERE migration_id = migration AND ord = object_ord;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'online migration % has no object %', migration, object_ord USING ERRCODE = '42704';
	END IF;
	IF o.kind = 'index' AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = o.source AND i.indrelid = o.relid) THEN
		RETURN @extschema@.uuid7_online_index_sql(migration, o.source, o.new_name);
	ELSIF o.kind = 'foreign key' AND EXISTS (SELECT 1 FROM pg_constraint c WHERE c.oid = o.source AND c.conrelid = o.relid AND c.contype = 'f') THEN
		RETURN @extschema@.uuid7_online_fk_sql(migration, o.source, o.new_name);
	ELSIF o.kind = 'check' AND EXISTS (SELECT 1 FROM pg_constraint c WHERE c.oid = o.source AND c.conrelid = o.relid AND c.contype = 'c') THEN
		-- NOT VALID, then validated by the constrain phase when the original was (SHARE UPDATE EXCLUSIVE: no outage)
		RETURN format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s)%s NOT VALID', o.relid, o.new_name,
			(@extschema@.uuid7_online_twin_expressions(migration, o.relid, o.source, 'check'))[1],
			CASE WHEN (SELECT c.connoinherit FROM pg_constraint c WHERE c.oid = o.source) THEN ' NO INHERIT' ELSE '' END);
	ELSIF o.kind = 'notnull' THEN
		SELECT string_agg(format('%I IS NOT NULL', oc.new_name), ' AND ' ORDER BY oc.attname) INTO cond
		  FROM uuid7_state.uuid7_online_column oc JOIN pg_attribute a ON a.attrelid = oc.relid AND a.attname = oc.attname
		 WHERE oc.migration_id = migration AND oc.relid = o.relid AND a.attnotnull;
		IF cond IS NOT NULL THEN
			RETURN format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', o.relid, o.new_name, cond);
		END IF;
	END IF;
	RAISE EXCEPTION 'cannot build % "%" of online migration %: what it replaces on table % is gone', o.kind, o.new_name, migration, o.relid
		USING ERRCODE = '55000', HINT = 'The table was changed during the migration: abort it (uuid7_migration_abort) and start again.';
END;
$fn$;
COMMENT ON FUNCTION uuid7_online_object_sql(bigint, integer) IS
	'internal to the online migration: the statement that builds an index or constraint twin, derived from the catalog at the moment of use';
