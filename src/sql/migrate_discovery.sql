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

	FOR i IN 1 .. cardinality(t_oid) LOOP
		SELECT c.relname, a.attname, ty.typlen INTO tname, key_name, key_len
		  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = t_att[i]
		  JOIN pg_type ty ON ty.oid = a.atttypid
		 WHERE c.oid = t_oid[i];
		tname := lower(tname);
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
			IF rule IS NOT NULL OR rec.len <= key_len THEN
				EXECUTE format('SELECT count(*), count(DISTINCT v), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM %s k WHERE k.%I OPERATOR(pg_catalog.=) s.v)) '
							   'FROM (SELECT x.v FROM %s t %s WHERE x.v IS NOT NULL LIMIT %s) s',
							   t_oid[i]::regclass, key_name, rec.rel::regclass,
							   CASE WHEN rec.is_array THEN format('CROSS JOIN LATERAL pg_catalog.unnest(t.%I) AS x(v)', rec.attname)
									ELSE format('CROSS JOIN LATERAL (SELECT t.%I) AS x(v)', rec.attname) END, sample_rows)
				   INTO n_sampled, n_distinct, n_found;
			END IF;
			-- by its sample alone: a column named like the key ("id": that table's own identifier, a copy) is not one
			CONTINUE WHEN rule IS NULL AND NOT (rec.len <= key_len AND n_distinct >= min_sample AND n_found = n_sampled
												AND rec.lname <> lower(key_name));
			qcol := format('%I.%I.%I', rec.nspname, rec.relname, rec.attname);
			evidence := concat_ws('; ',
				CASE WHEN rule IS NOT NULL THEN format('name rule %s', rule) END,
				CASE WHEN n_sampled = 0 THEN 'no value sampled'
					 ELSE format('%s of %s sampled values found among the keys (%s%%)', n_found, n_sampled,
								 round(100.0 * n_found / n_sampled)) END);
			object := qcol;
			detail := format('likely reference to %s.%I without a foreign key (%s %s; %s): to convert it with the key, add to the options {"references": [%s]}',
				t_oid[i]::regclass, key_name, CASE WHEN rec.is_array THEN 'array column' ELSE 'column' END, rec.typ, evidence,
				format('{"column": %s, "to": %s}', to_json(qcol), to_json(t_oid[i]::regclass::text)));
			RETURN NEXT;
		END LOOP;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_discovery(jsonb, oid[], int2[], oid[], int2[], text[], integer, integer) IS
	'internal to uuid7_migration_plan(): likely soft references to the migrated keys (name rule, or a bounded sample found among the keys), with the option text that converts them';
