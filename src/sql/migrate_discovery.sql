-- src/sql/migrate_discovery.sql — what the catalog does not say: likely soft references (integer columns that hold
-- keys of a migrated table without a foreign key constraint) and the routines, rules and policies that use a migrated
-- table or a converted column. uuid7_migration_plan() lists both as notes (phase 'note': they block nothing and
-- uuid7_migrate() skips them); uuid7_migration_check() re-validates, after a migration, what can be validated
-- without running it.

-- Likely soft references to the migrated tables t_oid (keys t_att): one row per column, object schema.table.column,
-- detail with the evidence and the option text that converts it. Candidates: integer and integer-array columns of
-- ordinary tables the caller can read, with no foreign key, not converted already (c_rel, c_att), not declared in
-- refs (option "references"), not the key of their own table (a single-column primary key, an identity), outside the
-- extension's schemas and the mapping tables (mapping_tables). A candidate is listed when its name matches the table
-- (<table>_id, <singular>_id, ..._<singular>_id, and _ids for arrays) or when a bounded sample of its values
-- (the first sample_rows non-NULL values; array elements unnested) is found among the keys in full (at least
-- min_sample distinct values; only for a type no wider than the key's; not a column named like the key).
CREATE OR REPLACE FUNCTION uuid7_plan_discovery(refs jsonb, t_oid oid[], t_att int2[], c_rel oid[], c_att int2[],
	mapping_tables text[], sample_rows integer DEFAULT 200, min_sample integer DEFAULT 5)
RETURNS TABLE (object text, detail text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	i int;
	parts text[];
	elem jsonb;
	d_rel oid[] := '{}';
	d_att int2[] := '{}';
	rec record;
	tname text;
	singular text;
	key_name name;
	key_len int;
	rule text;
	n_sampled bigint;
	n_found bigint;
	n_distinct bigint;
	evidence text;
	qcol text;
	o_obj text[] := '{}';
	o_det text[] := '{}';
	o_byname boolean[] := '{}';
	dense boolean;
	can_read boolean;
BEGIN
	-- the declared references (the plan checked them already)
	IF jsonb_typeof(refs) = 'array' THEN
		FOR elem IN SELECT e FROM jsonb_array_elements(refs) AS e LOOP
			parts := parse_ident(elem->>'column');
			SELECT c.oid, a.attnum INTO rec
			  FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
			  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = parts[3]
			 WHERE ns.nspname = parts[1] AND c.relname = parts[2];
			IF FOUND THEN d_rel := d_rel || rec.oid; d_att := d_att || rec.attnum; END IF;
		END LOOP;
	END IF;

	-- each migrated key once, of a table that exists (the plan passes each once; a long list repeats work only)
	SELECT coalesce(array_agg(k.o ORDER BY k.n), '{}'), coalesce(array_agg(k.a ORDER BY k.n), '{}') INTO t_oid, t_att
	  FROM (SELECT DISTINCT ON (u.o, u.a) u.o, u.a, u.n FROM unnest(t_oid, t_att) WITH ORDINALITY AS u(o, a, n)
			 WHERE EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = u.o) ORDER BY u.o, u.a, u.n) AS k;
	FOR i IN 1 .. cardinality(t_oid) LOOP
		SELECT c.relname, a.attname, ty.typlen INTO tname, key_name, key_len
		  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = t_att[i]
		  JOIN pg_type ty ON ty.oid = a.atttypid
		 WHERE c.oid = t_oid[i];
		tname := lower(tname);
		-- Dense keys (a serial with few gaps) make a sample weak evidence: any small counter (a position, a line
		-- number) falls among them. There, a column found by its sample alone must at least be named like an id.
		-- (keys this role may not read whole: no sample, and no density either)
		can_read := has_table_privilege(t_oid[i], 'SELECT') AND NOT row_security_active(t_oid[i]);
		dense := true;
		IF can_read THEN
			EXECUTE format('SELECT coalesce((SELECT c.reltuples FROM pg_class c WHERE c.oid = %s) / nullif(max(k.%I)::numeric - min(k.%I) + 1, 0) > 0.5, false) FROM %s k',
						   t_oid[i], key_name, key_name, t_oid[i]::regclass)
			   INTO dense;
		END IF;
		singular := CASE WHEN tname ~ 'ies$' THEN regexp_replace(tname, 'ies$', 'y')
						 WHEN tname ~ '(ss|x|ch|sh)es$' THEN regexp_replace(tname, 'es$', '')
						 WHEN tname ~ '[^s]s$' THEN regexp_replace(tname, 's$', '')
						 ELSE tname END;
		FOR rec IN
			SELECT c.oid AS rel, a.attnum, a.attname, lower(a.attname) AS lname, ns.nspname, c.relname,
				   a.atttypid IN ('int2[]'::regtype, 'int4[]'::regtype, 'int8[]'::regtype) AS is_array,
				   CASE WHEN a.atttypid IN ('int2'::regtype, 'int2[]'::regtype) THEN 2
						WHEN a.atttypid IN ('int4'::regtype, 'int4[]'::regtype) THEN 4 ELSE 8 END AS len,
				   format_type(a.atttypid, a.atttypmod) AS typ
			  FROM pg_class c
			  JOIN pg_namespace ns ON ns.oid = c.relnamespace
			  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
			   AND ns.nspname NOT IN ('pg_catalog', 'information_schema', 'uuid7_state', 'uuid7_mapping')
			   AND ns.nspname !~ '^pg_(toast|temp_)'
			   AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype,
								  'int2[]'::regtype, 'int4[]'::regtype, 'int8[]'::regtype)
			   AND has_schema_privilege(ns.oid, 'USAGE') AND has_column_privilege(c.oid, a.attnum, 'SELECT')
			   AND a.attidentity = ''
			   AND NOT (c.oid = t_oid[i] AND a.attnum = t_att[i])
			   AND NOT EXISTS (SELECT 1 FROM unnest(t_oid, t_att) AS k(r, n) WHERE k.r = c.oid AND k.n = a.attnum)
			   AND NOT EXISTS (SELECT 1 FROM unnest(c_rel, c_att) AS k(r, n) WHERE k.r = c.oid AND k.n = a.attnum)
			   AND NOT EXISTS (SELECT 1 FROM unnest(d_rel, d_att) AS k(r, n) WHERE k.r = c.oid AND k.n = a.attnum)
			   AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conrelid = c.oid AND co.contype = 'f' AND a.attnum = ANY (co.conkey))
			   AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conrelid = c.oid AND co.contype = 'p' AND co.conkey = ARRAY[a.attnum])
			   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
			   AND format('%I.%I', ns.nspname, c.relname) <> ALL (coalesce(mapping_tables, '{}'))
			 ORDER BY ns.nspname, c.relname, a.attnum
		LOOP
			-- the name rule
			rule := NULL;
			IF rec.lname IN (tname || '_id', singular || '_id') OR (rec.is_array AND rec.lname IN (tname || '_ids', singular || '_ids')) THEN
				rule := rec.lname;
			ELSIF right(rec.lname, length(singular) + 4) = '_' || singular || '_id' OR right(rec.lname, length(tname) + 4) = '_' || tname || '_id'
				  OR (rec.is_array AND right(rec.lname, length(singular) + 5) = '_' || singular || '_ids') THEN
				rule := '*_' || singular || '_id' || CASE WHEN right(rec.lname, 1) = 's' AND rec.is_array THEN 's' ELSE '' END;
			END IF;
			-- the sample: the first sample_rows non-NULL values (elements), bounded whatever the table's size
			n_sampled := 0; n_found := 0; n_distinct := 0;
			IF can_read AND (rule IS NOT NULL OR rec.len <= key_len) THEN
				EXECUTE format('SELECT count(*), count(DISTINCT v), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM %s k WHERE k.%I OPERATOR(pg_catalog.=) s.v)) '
							   'FROM (SELECT x.v FROM %s t %s WHERE x.v IS NOT NULL LIMIT %s) s',
							   t_oid[i]::regclass, key_name, rec.rel::regclass,
							   CASE WHEN rec.is_array THEN format('CROSS JOIN LATERAL pg_catalog.unnest(t.%I) AS x(v)', rec.attname)
									ELSE format('CROSS JOIN LATERAL (SELECT t.%I) AS x(v)', rec.attname) END, sample_rows)
				   INTO n_sampled, n_distinct, n_found;
			END IF;
			-- by its sample alone: a column named like the key ("id": that table's own identifier, a copy) is not one
			CONTINUE WHEN rule IS NULL AND NOT (rec.len <= key_len AND n_distinct >= min_sample AND n_found = n_sampled
												AND rec.lname <> lower(key_name) AND (NOT dense OR rec.lname ~ '(^|_)ids?$'));
			qcol := format('%I.%I.%I', rec.nspname, rec.relname, rec.attname);
			evidence := concat_ws('; ',
				CASE WHEN rule IS NOT NULL THEN format('name rule %s', rule) END,
				CASE WHEN n_sampled = 0 THEN 'no value sampled'
					 ELSE format('%s of %s sampled values found among the keys (%s%%)', n_found, n_sampled,
								 round(100.0 * n_found / n_sampled)) END);
			o_obj := o_obj || qcol;
			o_byname := o_byname || (rule IS NOT NULL);
			o_det := o_det || format('likely reference to %s.%I without a foreign key (%s %s; %s): to convert it with the key, add to the options {"references": [%s]}',
				t_oid[i]::regclass, key_name, CASE WHEN rec.is_array THEN 'array column' ELSE 'column' END, rec.typ, evidence,
				format('{"column": %s, "to": %s}', to_json(qcol), to_json(t_oid[i]::regclass::text)));
		END LOOP;
	END LOOP;
	-- a column whose name points at one table is listed for that one only, not for every table its sample fits
	RETURN QUERY
		SELECT o.obj, o.det FROM unnest(o_obj, o_det, o_byname) WITH ORDINALITY AS o(obj, det, byname, n)
		 WHERE o.byname OR NOT EXISTS (SELECT 1 FROM unnest(o_obj, o_byname) AS b(obj, byname) WHERE b.obj = o.obj AND b.byname)
		 ORDER BY o.n;
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_discovery(jsonb, oid[], int2[], oid[], int2[], text[], integer, integer) IS
	'internal to uuid7_migration_plan(): likely soft references to the migrated keys (name rule, or a bounded sample found among the keys), with the option text that converts them';

-- Whether a routine's source (lower case) names the table nsp.rel where a table goes: after FROM, JOIN, INTO,
-- UPDATE, TABLE or ONLY, schema-qualified anywhere, or in name%ROWTYPE / name.column%TYPE (quoted or not, case
-- folded). A column or variable of the same name elsewhere does not count; comments are left out.
CREATE OR REPLACE FUNCTION uuid7_source_names_table(src text, nsp text, rel text) RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT regexp_replace(regexp_replace(src, '/\*.*?\*/', ' ', 'g'), '--[^\n]*', ' ', 'g') ~ format(
		'(?:^|[^[:alnum:]_$])(?:(?:from|join|into|update|table|only)\s+(?:"?%1$s"?\s*\.\s*)?"?%2$s"?|"?%1$s"?\s*\.\s*"?%2$s"?|"?%2$s"?%%rowtype|"?%2$s"?\.[[:alnum:]_$"]+%%type)(?:[^[:alnum:]_$"]|$)',
		regexp_replace(lower(nsp), '([^[:alnum:]_])', '\\\1', 'g'), regexp_replace(lower(rel), '([^[:alnum:]_])', '\\\1', 'g'))
$fn$;
COMMENT ON FUNCTION uuid7_source_names_table(text, text, text) IS
	'internal to uuid7_plan_code(): whether a routine''s source names a table where a table goes (FROM, JOIN, INTO, UPDATE, qualified, %ROWTYPE)';

-- The routines (functions, procedures, trigger functions), rules and policies that use the migrated tables t_oid or
-- the converted columns (c_rel, c_att; declared references in refs): one row each, object naming it, detail saying
-- why and which of its integer argument and result types will no longer match. The migration changes none of them.
-- A PL/pgSQL or string-body SQL routine is not in pg_depend: its source is read for the names (identifiers, case
-- folded, quoted or not; comments left out): a migrated table named where a table goes (uuid7_source_names_table),
-- or a table holding a converted column named so together with that column's name. An SQL-standard body (BEGIN ATOMIC, RETURN expr) is read from pg_depend. A trigger function is listed
-- when a trigger of one of these tables calls it; a rule or policy when it is on one of them or depends on one.
CREATE OR REPLACE FUNCTION uuid7_plan_code(refs jsonb, t_oid oid[], t_att int2[], c_rel oid[], c_att int2[])
RETURNS TABLE (object text, detail text, routine oid)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	elem jsonb;
	parts text[];
	rec record;
	a_rel oid[];
	a_att int2[];
	rels oid[];
	why text[];
	ints text[];
	src text;
	ident text := '[^[:alnum:]_$]';
BEGIN
	-- every converted column: the keys, the foreign key columns, the declared references
	a_rel := t_oid || c_rel; a_att := t_att || c_att;
	IF jsonb_typeof(refs) = 'array' THEN
		FOR elem IN SELECT e FROM jsonb_array_elements(refs) AS e LOOP
			parts := parse_ident(elem->>'column');
			SELECT c.oid, a.attnum INTO rec
			  FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
			  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = parts[3]
			 WHERE ns.nspname = parts[1] AND c.relname = parts[2];
			IF FOUND THEN a_rel := a_rel || rec.oid; a_att := a_att || rec.attnum; END IF;
		END LOOP;
	END IF;
	rels := ARRAY(SELECT DISTINCT u FROM unnest(a_rel) AS u);

	-- routines
	FOR rec IN
		SELECT p.oid, p.prokind, l.lanname, p.prosrc, p.prosqlbody IS NOT NULL AS atomic, p.prorettype,
			   coalesce(p.proallargtypes, p.proargtypes::oid[]) AS argtypes, p.proargnames, p.proargmodes
		  FROM pg_proc p
		  JOIN pg_namespace ns ON ns.oid = p.pronamespace
		  JOIN pg_language l ON l.oid = p.prolang
		 WHERE ns.nspname NOT IN ('pg_catalog', 'information_schema') AND ns.nspname !~ '^pg_(toast|temp_)'
		   AND p.prokind IN ('f', 'p')
		   AND has_schema_privilege(ns.oid, 'USAGE')
		   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
		 ORDER BY p.oid::regprocedure::text
	LOOP
		why := '{}';
		-- the row type of a table whose columns change
		IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_type ty ON ty.oid = c.reltype
					WHERE c.oid = ANY (rels) AND (ty.oid = rec.prorettype OR ty.oid = ANY (rec.argtypes)
												   OR ty.typarray = rec.prorettype OR ty.typarray = ANY (rec.argtypes))) THEN
			why := why || 'the row type of a table whose columns change in its arguments or result'::text;
		END IF;
		IF rec.atomic THEN
			why := why || ARRAY(SELECT DISTINCT format('its body uses %s', d.refobjid::regclass)
								  FROM pg_depend d
								 WHERE d.classid = 'pg_proc'::regclass AND d.objid = rec.oid AND d.refclassid = 'pg_class'::regclass
								   AND (d.refobjid = ANY (t_oid)
										OR EXISTS (SELECT 1 FROM unnest(a_rel, a_att) AS k(r, n) WHERE k.r = d.refobjid AND k.n = d.refobjsubid))
								 ORDER BY 1);
		ELSIF rec.lanname IN ('plpgsql', 'sql') THEN
			src := ' ' || lower(rec.prosrc) || ' ';
			why := why || ARRAY(SELECT format('its source names %s', c.oid::regclass)
								  FROM pg_class c
								  JOIN pg_namespace cn ON cn.oid = c.relnamespace
								 WHERE c.oid = ANY (t_oid) AND @extschema@.uuid7_source_names_table(src, cn.nspname, c.relname)
								 ORDER BY 1);
			why := why || ARRAY(SELECT DISTINCT format('its source names %s and its column %I', c.oid::regclass, a.attname)
								  FROM unnest(a_rel, a_att) AS k(r, n)
								  JOIN pg_class c ON c.oid = k.r
								  JOIN pg_attribute a ON a.attrelid = k.r AND a.attnum = k.n
								  JOIN pg_namespace cn ON cn.oid = c.relnamespace
								 WHERE c.oid <> ALL (t_oid) AND @extschema@.uuid7_source_names_table(src, cn.nspname, c.relname)
								   AND src ~ (ident || regexp_replace(lower(a.attname), '([^[:alnum:]_])', '\\\1', 'g') || ident)
								 ORDER BY 1);
		END IF;
		why := why || ARRAY(SELECT DISTINCT format('trigger %I on %s calls it', tg.tgname, tg.tgrelid::regclass)
							  FROM pg_trigger tg WHERE tg.tgfoid = rec.oid AND NOT tg.tgisinternal AND tg.tgrelid = ANY (rels)
							 ORDER BY 1);
		CONTINUE WHEN cardinality(why) = 0;
		-- the integer arguments and results (RETURNS TABLE columns included) that may hold keys
		ints := ARRAY(SELECT format('%s %s%s', CASE WHEN coalesce(rec.proargmodes[x.n], 'i') IN ('o', 't') THEN 'result' ELSE 'argument' END,
									  coalesce(nullif(rec.proargnames[x.n], '') || ' ', ''), format_type(x.t, NULL))
						FROM unnest(rec.argtypes) WITH ORDINALITY AS x(t, n)
					   WHERE x.t IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'int2[]'::regtype, 'int4[]'::regtype, 'int8[]'::regtype)
					   ORDER BY x.n);
		IF rec.prorettype IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'int2[]'::regtype, 'int4[]'::regtype, 'int8[]'::regtype)
		   AND NOT ('o' = ANY (coalesce(rec.proargmodes, '{}')) OR 't' = ANY (coalesce(rec.proargmodes, '{}'))) THEN
			ints := ints || format('result %s', format_type(rec.prorettype, NULL));
		END IF;
		object := rec.oid::regprocedure::text;
		detail := format('%s %s uses the changed key: %s%s; the migration does not change it: update it, then run uuid7_migration_check()',
			CASE WHEN rec.prokind = 'p' THEN 'procedure' WHEN rec.prorettype = 'trigger'::regtype THEN 'trigger function' ELSE 'function' END,
			rec.lanname, array_to_string(why, ', '),
			CASE WHEN cardinality(ints) > 0 THEN format(' (integer %s: may no longer match the uuid key)', array_to_string(ints, ', ')) ELSE '' END);
		routine := rec.oid;
		RETURN NEXT;
	END LOOP;

	-- rules (not a view's own) and policies on these tables or depending on them
	routine := NULL;
	FOR rec IN
		SELECT format('rule %I on %s', r.rulename, r.ev_class::regclass) AS o,
			   CASE WHEN r.ev_class = ANY (rels) THEN format('on %s', r.ev_class::regclass)
					ELSE 'depends on ' || (SELECT string_agg(DISTINCT d.refobjid::regclass::text, ', ') FROM pg_depend d
											WHERE d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refobjid = ANY (rels)) END AS w
		  FROM pg_rewrite r
		 WHERE r.rulename <> '_RETURN'
		   AND (r.ev_class = ANY (rels) OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
												  AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY (rels)))
		UNION ALL
		SELECT format('policy %I on %s', pol.polname, pol.polrelid::regclass),
			   CASE WHEN pol.polrelid = ANY (rels) THEN format('on %s', pol.polrelid::regclass)
					ELSE 'depends on ' || (SELECT string_agg(DISTINCT d.refobjid::regclass::text, ', ') FROM pg_depend d
											WHERE d.classid = 'pg_policy'::regclass AND d.objid = pol.oid AND d.refobjid = ANY (rels)) END
		  FROM pg_policy pol
		 WHERE pol.polrelid = ANY (rels)
			OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_policy'::regclass AND d.objid = pol.oid
						 AND d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY (rels))
		ORDER BY 1
	LOOP
		object := rec.o;
		detail := format('%s %s, whose columns change: its expressions are kept as written; check they still mean what they did with uuid keys',
			split_part(rec.o, ' ', 1), rec.w);
		RETURN NEXT;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_code(jsonb, oid[], int2[], oid[], int2[]) IS
	'internal to uuid7_migration_plan() and uuid7_migration_check(): the routines, rules and policies that use the migrated tables or converted columns';

-- After a migration: the routines that use the migrated tables of the registry (and the foreign key columns that
-- reference them), re-validated without running them; one row per problem: object (the routine), problem (the
-- error), sqlstate. No user code is executed.
--   sql (string body)   the server's own validator (fmgr_sql_validator, check_function_bodies on): every statement
--                       parsed and analysed under the new types, the result checked against the declared one, as
--                       at call time. The names resolve with the routine's own search_path setting, else with its
--                       schema then public.
--   plpgsql             compiled by plpgsql_validator (syntax, declarations); its statements are planned only when it
--                       runs, so its source is read for a converted column compared (=, <>, !=) with an integer
--                       argument: reported as the server would (42883, operator does not exist: uuid = bigint); an
--                       assignment to NEW.<key> in a trigger function of a migrated table is reported with no SQLSTATE;
--                       a routine with no finding is reported as not validated (no SQLSTATE).
--   SQL-standard bodies (bound when created) are listed by the plan, not checked here.
CREATE OR REPLACE FUNCTION uuid7_migration_check()
RETURNS TABLE (object text, problem text, sqlstate text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET check_function_bodies = on
AS $fn$
DECLARE
	t_oid oid[];
	t_att int2[];
	c_rel oid[];
	c_att int2[];
	rec record;
	arg record;
	col record;
	src text;
	path text;
	found_one boolean;
	m text[];
	key_names text[];
	pat text;
	e_state text;
	e_msg text;
BEGIN
	SELECT coalesce(array_agg(m.relid::oid ORDER BY m.relid), '{}'), coalesce(array_agg(a.attnum ORDER BY m.relid), '{}')
	  INTO t_oid, t_att
	  FROM uuid7_state.uuid7_migrated_table m
	  JOIN pg_attribute a ON a.attrelid = m.relid AND a.attname = m.key_column;
	SELECT coalesce(array_agg(co.conrelid ORDER BY co.oid), '{}'), coalesce(array_agg(co.conkey[1] ORDER BY co.oid), '{}')
	  INTO c_rel, c_att
	  FROM pg_constraint co WHERE co.contype = 'f' AND co.confrelid = ANY (t_oid) AND cardinality(co.conkey) = 1;
	key_names := ARRAY(SELECT DISTINCT lower(a.attname) FROM unnest(t_oid || c_rel, t_att || c_att) AS k(r, n)
						 JOIN pg_attribute a ON a.attrelid = k.r AND a.attnum = k.n);

	FOR rec IN
		SELECT pc.object, p.oid, p.prosrc, l.lanname, p.prosqlbody IS NOT NULL AS atomic, ns.nspname, p.prorettype,
			   coalesce(p.proallargtypes, p.proargtypes::oid[]) AS argtypes, p.proargnames, p.proargmodes,
			   (SELECT substr(c, 13) FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%') AS own_path
		  FROM @extschema@.uuid7_plan_code(NULL, t_oid, t_att, c_rel, c_att) AS pc
		  JOIN pg_proc p ON p.oid = pc.routine
		  JOIN pg_namespace ns ON ns.oid = p.pronamespace
		  JOIN pg_language l ON l.oid = p.prolang
		 ORDER BY pc.object
	LOOP
		CONTINUE WHEN rec.atomic;
		IF rec.lanname = 'sql' THEN
			path := coalesce(rec.own_path, format('%I, public', rec.nspname));
			e_state := NULL;
			BEGIN
				PERFORM set_config('search_path', path, true);
				PERFORM fmgr_sql_validator(rec.oid);
				PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT;
				PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
			END;
			IF e_state IS NOT NULL THEN
				object := rec.object; problem := e_msg; sqlstate := e_state;
				RETURN NEXT;
			END IF;
		ELSIF rec.lanname = 'plpgsql' THEN
			found_one := false;
			e_state := NULL;
			BEGIN
				PERFORM plpgsql_validator(rec.oid);
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT;
			END;
			IF e_state IS NOT NULL THEN
				object := rec.object; problem := e_msg; sqlstate := e_state; found_one := true;
				RETURN NEXT;
			END IF;
			src := lower(rec.prosrc);
			-- a converted column compared with an integer argument (by name or $n)
			FOR arg IN
				SELECT x.n, format_type(x.t, NULL) AS typ, lower(rec.proargnames[x.n]) AS aname
				  FROM unnest(rec.argtypes) WITH ORDINALITY AS x(t, n)
				 WHERE x.t IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
				   AND coalesce(rec.proargmodes[x.n], 'i') IN ('i', 'b', 'v')
			LOOP
				FOR col IN SELECT u AS cname FROM unnest(key_names) AS u ORDER BY 1 LOOP
					pat := format('(?:^|[^[:alnum:]_$])((?:[[:alnum:]_$]+\.)?%1$s\s*(=|<>|!=)\s*(?:%2$s|\$%3$s)|(?:%2$s|\$%3$s)\s*(=|<>|!=)\s*(?:[[:alnum:]_$]+\.)?%1$s)(?:[^[:alnum:]_$]|$)',
						regexp_replace(col.cname, '([^[:alnum:]_])', '\\\1', 'g'),
						coalesce(regexp_replace(nullif(arg.aname, ''), '([^[:alnum:]_])', '\\\1', 'g'), '\$' || arg.n), arg.n);
					FOR m IN SELECT regexp_matches(src, pat, 'g') LOOP
						object := rec.object;
						problem := format('operator does not exist: uuid %s %s (in its source: %s)', coalesce(m[2], m[3]), arg.typ, m[1]);
						sqlstate := '42883'; found_one := true;
						RETURN NEXT;
					END LOOP;
				END LOOP;
			END LOOP;
			-- a trigger function of a migrated table assigning NEW.<key>
			IF rec.prorettype = 'trigger'::regtype THEN
				FOR col IN
					SELECT DISTINCT lower(a.attname) AS cname
					  FROM pg_trigger tg JOIN unnest(t_oid || c_rel, t_att || c_att) AS k(r, n) ON k.r = tg.tgrelid
					  JOIN pg_attribute a ON a.attrelid = k.r AND a.attnum = k.n
					 WHERE tg.tgfoid = rec.oid
					 ORDER BY 1
				LOOP
					FOR m IN SELECT regexp_matches(src, format('(new\.%s\s*:?=[^;]*)', regexp_replace(col.cname, '([^[:alnum:]_])', '\\\1', 'g')), 'g') LOOP
						object := rec.object;
						problem := format('assigns a column that is uuid now: %s (a value that is not a uuid fails when the trigger runs)', m[1]);
						sqlstate := NULL; found_one := true;
						RETURN NEXT;
					END LOOP;
				END LOOP;
			END IF;
			IF NOT found_one THEN
				object := rec.object;
				problem := 'not validated: it uses the migrated key, and the statements of a PL/pgSQL body are planned only when it runs; read it';
				sqlstate := NULL;
				RETURN NEXT;
			END IF;
		ELSE
			object := rec.object;
			problem := format('not validated: a %s routine that uses the migrated key; read it', rec.lanname);
			sqlstate := NULL;
			RETURN NEXT;
		END IF;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_check() IS
	'after a migration: the routines using the migrated keys re-validated without running them (SQL bodies by the server''s validator, PL/pgSQL sources read for integer arguments compared with uuid columns); one row per problem';
