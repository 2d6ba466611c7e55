-- src/sql/migrate_references.sql — declared references (option "references" of uuid7_migration_plan/uuid7_migrate):
-- columns that hold keys of a migrated table without a foreign key constraint, converted through the mapping in the
-- same single rewrite of their table as everything else.
--
--   kind      column type                 becomes
--   integer   smallint, integer, bigint   uuid (the new key)
--   array     smallint[], integer[], ...  uuid[], element by element, order and NULL elements kept
--   text      text, varchar(n >= 36)      the same type, holding the new key's text
--   poly      integer or text, with       text (a text column keeps its type): the new key's text in the rows whose
--             type_column and type_value  type column equals type_value, every other row's value as text, unchanged
-- A value no key answers (dangling) is counted by the plan (a 23503 refusal) and is an error at migrate time, unless
-- the reference says "dangling": "null", which sets it NULL (an array element: a NULL element).

CREATE OR REPLACE FUNCTION uuid7_reference_lookup(map regclass, old_id bigint, keep_null boolean, ref text) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid7_reference_lookup'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION uuid7_reference_lookup(regclass, bigint, boolean, text) IS
	'internal to uuid7_migrate(): old key -> new key of a declared reference ref through a mapping table; NULL stays NULL; a missing key is NULL when keep_null, else an error (23503)';

-- A text value holding an old key as digits (an integer of at most 18 digits, nothing else) -> the new key's text;
-- NULL stays NULL; anything else, or a key no row has, is dangling (NULL when keep_null, else 23503).
CREATE OR REPLACE FUNCTION uuid7_reference_text(map regclass, val text, keep_null boolean, ref text) RETURNS text
	AS 'MODULE_PATHNAME', 'uuid7_reference_text'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION uuid7_reference_text(regclass, text, boolean, text) IS
	'internal to uuid7_migrate(): a declared text reference holding an old key as digits -> the new key as text (a dangling value: NULL when keep_null, else 23503)';

-- An array of old keys -> the array of new keys, element by element: order, NULL elements and the lower bound kept
-- (one dimension: 22023 otherwise); a NULL array stays NULL, an empty one empty.
CREATE OR REPLACE FUNCTION uuid7_reference_array(map regclass, vals bigint[], keep_null boolean, ref text) RETURNS uuid[]
	AS 'MODULE_PATHNAME', 'uuid7_reference_array'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION uuid7_reference_array(regclass, bigint[], boolean, text) IS
	'internal to uuid7_migrate(): a declared array reference -> uuid[] element by element, order and NULL elements kept (a dangling element: NULL when keep_null, else 23503)';

-- The plan's part for option "references" (refs): each declaration checked (an invalid one is an error at once:
-- 22023, 42P01, 42703), then per referencing table its refusals (phase 'refusal': not an ordinary table, not the
-- caller's, something depending on the column, dangling values counted when count_dangling), its notes (phase
-- 'note') and the ALTER COLUMN subcommands (phase 'column', part) that join the one ALTER TABLE of that table.
-- tables: the call's list; t_oid, t_att, t_map: the migrated keys that passed the plan's checks and their mapping
-- tables; c_rel, c_att: the columns converted already (keys and foreign key columns).
CREATE OR REPLACE FUNCTION uuid7_plan_references(refs jsonb, tables regclass[], t_oid oid[], t_att int2[], t_map text[],
	c_rel oid[], c_att int2[], count_dangling boolean)
RETURNS TABLE (rel oid, phase text, object text, detail text, part text, sqlstate text, hint text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text;
	elem jsonb;
	n int;
	i int;
	k text;
	parts text[];
	matches oid[];
	rec record;
	col record;
	to_oid oid;
	src int;
	kind text;
	keep boolean;
	tcol name;
	-- the declarations, checked
	d_rel oid[] := '{}';
	d_att int2[] := '{}';
	d_kind text[] := '{}';
	d_src int[] := '{}';
	d_keep boolean[] := '{}';
	d_tcol name[] := '{}';
	d_tval text[] := '{}';
	d_ref text[] := '{}';
	n_dangling bigint;
	n_multi bigint;
	example text;
	cond text;
	expr text;
	newtype text;
	key_col name;
	refusal_rels oid[] := '{}';
BEGIN
	IF refs IS NULL OR jsonb_typeof(refs) = 'null' THEN
		RETURN;
	END IF;
	ext := @extschema@.uuid7_extension_schema();
	IF jsonb_typeof(refs) <> 'array' THEN
		RAISE EXCEPTION 'option "references" must be an array of objects' USING ERRCODE = '22023',
			HINT = 'For example: "references": [{"column": "public.posts.editor_id", "to": "public.users"}].';
	END IF;

	-- ---- each declaration ---------------------------------------------------------------------------------------
	FOR elem, n IN SELECT e.value, e.ord FROM jsonb_array_elements(refs) WITH ORDINALITY AS e(value, ord) LOOP
		IF jsonb_typeof(elem) <> 'object' THEN
			RAISE EXCEPTION 'reference % of option "references" must be an object', n USING ERRCODE = '22023';
		END IF;
		FOR k IN SELECT jsonb_object_keys(elem) LOOP
			IF k NOT IN ('column', 'to', 'type_column', 'type_value', 'dangling') THEN
				RAISE EXCEPTION 'unknown key "%" in reference % of option "references"', k, n USING ERRCODE = '22023',
					HINT = 'A reference has column, to, and optionally type_column and type_value (a polymorphic pair) and dangling.';
			END IF;
		END LOOP;
		FOREACH k IN ARRAY ARRAY['column', 'to'] LOOP
			IF jsonb_typeof(elem->k) IS DISTINCT FROM 'string' THEN
				RAISE EXCEPTION 'reference % of option "references" needs "%" as a string', n, k USING ERRCODE = '22023',
					HINT = 'For example: {"column": "public.posts.editor_id", "to": "public.users"}.';
			END IF;
		END LOOP;
		-- the column: schema.table.column, identifier syntax (quoted parts keep their case)
		parts := parse_ident(elem->>'column');
		IF cardinality(parts) <> 3 THEN
			RAISE EXCEPTION 'reference %: "column" must name schema.table.column, not "%"', n, elem->>'column' USING ERRCODE = '22023';
		END IF;
		SELECT c.oid INTO to_oid FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
		 WHERE ns.nspname = parts[1] AND c.relname = parts[2];
		IF NOT FOUND THEN
			RAISE EXCEPTION 'reference %: table %.% does not exist', n, quote_ident(parts[1]), quote_ident(parts[2]) USING ERRCODE = '42P01';
		END IF;
		SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attcollation, format('%s.%I', a.attrelid::regclass, a.attname) AS ref
		  INTO col FROM pg_attribute a
		 WHERE a.attrelid = to_oid AND a.attname = parts[3] AND a.attnum > 0 AND NOT a.attisdropped;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'reference %: column "%" of table % does not exist', n, parts[3], to_oid::regclass USING ERRCODE = '42703';
		END IF;
		-- the referenced table: "table" or "schema.table", one of the tables being migrated
		parts := parse_ident(elem->>'to');
		SELECT array_agg(t.oid) INTO matches
		  FROM unnest(tables) AS u JOIN pg_class t ON t.oid = u JOIN pg_namespace ns ON ns.oid = t.relnamespace
		 WHERE (cardinality(parts) = 1 AND t.relname = parts[1])
			OR (cardinality(parts) = 2 AND ns.nspname = parts[1] AND t.relname = parts[2]);
		IF matches IS NULL THEN
			RAISE EXCEPTION 'reference % (column %): "to" names "%", which is not a table being migrated', n, col.ref, elem->>'to'
				USING ERRCODE = '22023', HINT = 'A declared reference points at one of the tables passed to the migration.';
		ELSIF cardinality(matches) > 1 THEN
			RAISE EXCEPTION 'reference % (column %): "to" names "%", which matches more than one listed table', n, col.ref, elem->>'to'
				USING ERRCODE = '22023', HINT = 'Qualify the name with its schema.';
		END IF;
		src := array_position(t_oid, matches[1]);
		-- dangling: "error" (the default) or "null"
		IF elem ? 'dangling' AND (jsonb_typeof(elem->'dangling') <> 'string' OR elem->>'dangling' NOT IN ('error', 'null')) THEN
			RAISE EXCEPTION 'reference % (column %): "dangling" must be "error" or "null"', n, col.ref USING ERRCODE = '22023';
		END IF;
		keep := coalesce(elem->>'dangling' = 'null', false);
		-- a polymorphic pair: type_column and type_value together
		tcol := NULL;
		IF elem ? 'type_column' OR elem ? 'type_value' THEN
			IF jsonb_typeof(elem->'type_column') IS DISTINCT FROM 'string' OR jsonb_typeof(elem->'type_value') IS DISTINCT FROM 'string' THEN
				RAISE EXCEPTION 'reference % (column %): "type_column" and "type_value" go together, as strings', n, col.ref USING ERRCODE = '22023';
			END IF;
			SELECT a.attname INTO tcol FROM pg_attribute a
			 WHERE a.attrelid = col.attrelid AND a.attname = elem->>'type_column' AND a.attnum > 0 AND NOT a.attisdropped;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'reference % (column %): type_column "%" of table % does not exist', n, col.ref, elem->>'type_column',
					col.attrelid::regclass USING ERRCODE = '42703';
			ELSIF tcol = col.attname THEN
				RAISE EXCEPTION 'reference % (column %): type_column is the column itself', n, col.ref USING ERRCODE = '22023';
			END IF;
		END IF;
		-- the kind, from the column's type (no domains)
		kind := CASE WHEN col.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN 'integer'
					 WHEN col.atttypid IN ('int2[]'::regtype, 'int4[]'::regtype, 'int8[]'::regtype) THEN 'array'
					 WHEN col.atttypid IN ('text'::regtype, 'varchar'::regtype) THEN 'text' END;
		IF kind IS NULL THEN
			RAISE EXCEPTION 'reference % (column %): type % cannot hold keys to convert', n, col.ref, format_type(col.atttypid, col.atttypmod)
				USING ERRCODE = '22023',
				HINT = 'Declared references convert smallint, integer and bigint columns, arrays of those, and text or varchar columns holding the key as digits.';
		ELSIF kind = 'text' AND col.atttypmod >= 0 AND col.atttypmod - 4 < 36 THEN
			RAISE EXCEPTION 'reference % (column %): type % is too short for a uuid''s 36 characters', n, col.ref, format_type(col.atttypid, col.atttypmod)
				USING ERRCODE = '22023', HINT = 'Widen the column to varchar(36) or more first.';
		ELSIF kind = 'array' AND tcol IS NOT NULL THEN
			RAISE EXCEPTION 'reference % (column %): a polymorphic pair needs an integer or text id column, not an array', n, col.ref
				USING ERRCODE = '22023';
		END IF;
		IF tcol IS NOT NULL THEN kind := 'poly'; END IF;
		-- a column the migration converts already, or one under a foreign key constraint
		FOR i IN 1 .. cardinality(c_rel) LOOP
			IF c_rel[i] = col.attrelid AND c_att[i] = col.attnum THEN
				RAISE EXCEPTION 'reference % (column %): the column is converted already, as a migrated key or the column of a foreign key to one', n, col.ref
					USING ERRCODE = '22023', HINT = 'Declare only columns that no foreign key constraint covers.';
			END IF;
		END LOOP;
		FOR rec IN SELECT con.conname FROM pg_constraint con
					WHERE con.contype = 'f' AND con.conrelid = col.attrelid AND col.attnum = ANY (con.conkey) LOOP
			RAISE EXCEPTION 'reference % (column %): the column is in foreign key % to another table', n, col.ref, quote_ident(rec.conname)
				USING ERRCODE = '22023', HINT = 'Declare only columns that no foreign key constraint covers.';
		END LOOP;
		-- declared twice: only as several polymorphic declarations of one pair, with different type values
		FOR i IN 1 .. cardinality(d_rel) LOOP
			IF d_rel[i] = col.attrelid AND d_att[i] = col.attnum THEN
				IF kind <> 'poly' OR d_kind[i] <> 'poly' OR d_tcol[i] <> tcol THEN
					RAISE EXCEPTION 'reference % (column %): the column is declared more than once', n, col.ref USING ERRCODE = '22023',
						HINT = 'Declare a column once, or, for a polymorphic pair, once per type value with the same type_column.';
				ELSIF d_tval[i] = elem->>'type_value' THEN
					RAISE EXCEPTION 'reference % (column %): type value "%" is declared more than once', n, col.ref, elem->>'type_value'
						USING ERRCODE = '22023';
				END IF;
			END IF;
		END LOOP;
		IF src IS NULL THEN
			CONTINUE;		-- the referenced table is refused by the plan: nothing to convert
		END IF;
		d_rel := d_rel || col.attrelid;
		d_att := d_att || col.attnum;
		d_kind := d_kind || kind;
		d_src := d_src || src;
		d_keep := d_keep || keep;
		d_tcol := d_tcol || tcol;
		d_tval := d_tval || (elem->>'type_value');
		d_ref := d_ref || CASE WHEN tcol IS NULL THEN col.ref ELSE format('%s (where %I = %L)', col.ref, tcol, elem->>'type_value') END;
	END LOOP;

	-- ---- each referencing table: what the migration must be allowed to do with it ----------------------------------
	FOR rec IN
		SELECT DISTINCT c.oid, c.relkind, c.relowner, c.relnamespace, ns.nspname, c.relhassubclass,
			   EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = c.oid) AS is_child
		  FROM unnest(d_rel) AS u JOIN pg_class c ON c.oid = u JOIN pg_namespace ns ON ns.oid = c.relnamespace
		 ORDER BY c.oid
	LOOP
		rel := rec.oid; phase := 'refusal'; part := NULL;
		object := rec.oid::regclass::text;
		IF rec.relkind <> 'r' OR rec.relhassubclass OR rec.is_child THEN
			detail := format('%s, which has declared references, is not an ordinary table outside any partitioning or inheritance tree', object);
			sqlstate := '0A000';
			hint := 'Declared references are converted in ordinary tables only.';
			RETURN NEXT;
		ELSIF NOT pg_has_role(rec.relowner, 'USAGE') THEN
			detail := format('must be owner of table %s, which has declared references', object);
			sqlstate := '42501';
			hint := 'Run the migration as the owner of every table it alters, or as a member of that role.';
			RETURN NEXT;
		ELSIF NOT has_schema_privilege(rec.relnamespace, 'USAGE') THEN
			detail := format('permission denied for schema %I of table %s, which has declared references', rec.nspname, object);
			sqlstate := '42501';
			hint := 'Run the migration as a role with USAGE on the schema of every table it alters.';
			RETURN NEXT;
		END IF;
		-- the row type of the table used as a column type elsewhere blocks ALTER COLUMN TYPE
		FOR col IN
			SELECT a.attrelid::regclass AS user_rel, a.attname FROM pg_class c JOIN pg_attribute a ON a.atttypid = c.reltype
			 WHERE c.oid = rec.oid AND a.attrelid <> c.oid AND a.attnum > 0 AND NOT a.attisdropped AND NOT (c.oid = ANY (c_rel))
		LOOP
			detail := format('column %I of %s uses the row type of table %s', col.attname, col.user_rel, object);
			sqlstate := '0A000';
			hint := 'Drop that column first.';
			RETURN NEXT;
		END LOOP;
	END LOOP;

	-- ---- each declared column: what depends on it and could not follow the type change ---------------------------
	-- Allowed: plain indexes (no expression, no predicate; a default operator class where the type changes) and
	-- extended statistics, which ALTER COLUMN TYPE rebuilds; a default only on a text column that stays text.
	FOR rec IN
		SELECT DISTINCT ON (d.classid, d.objid, d.objsubid, u.rel, u.att) u.rel, u.att, u.kind, d.classid, d.objid, d.objsubid,
			   pg_describe_object(d.classid, d.objid, d.objsubid) AS what, a.attname
		  FROM unnest(d_rel, d_att, d_kind) AS u(rel, att, kind)
		  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = u.rel AND d.refobjsubid = u.att
		  JOIN pg_attribute a ON a.attrelid = u.rel AND a.attnum = u.att
		 WHERE NOT (d.classid = 'pg_statistic_ext'::regclass)
		   AND NOT (d.classid = 'pg_attrdef'::regclass AND u.kind = 'text')
		   AND NOT (d.classid = 'pg_class'::regclass AND EXISTS (
				SELECT 1 FROM pg_index ix WHERE ix.indexrelid = d.objid AND ix.indexprs IS NULL AND ix.indpred IS NULL
				   AND (u.kind = 'text' OR NOT EXISTS (
						SELECT 1 FROM generate_series(0, ix.indnkeyatts - 1) AS kk(n) JOIN pg_opclass oc ON oc.oid = ix.indclass[kk.n]
						 WHERE ix.indkey[kk.n] = u.att AND NOT oc.opcdefault))))
		   AND NOT (d.classid = 'pg_class'::regclass AND d.objid = u.rel)
		 ORDER BY d.classid, d.objid, d.objsubid, u.rel, u.att
	LOOP
		rel := rec.rel; phase := 'refusal'; part := NULL;
		object := rec.what;
		detail := format('%s depends on column %I of table %s, a declared reference, and cannot follow its type change',
			rec.what, rec.attname, rec.rel::regclass);
		sqlstate := '0A000';
		hint := 'Drop it, migrate, then create it again for the converted column.';
		RETURN NEXT;
	END LOOP;

	-- ---- dangling values: counted against the referenced table's keys -------------------------------------------------
	IF count_dangling THEN
		FOR i IN 1 .. cardinality(d_rel) LOOP
			SELECT a.attname INTO key_col FROM pg_attribute a WHERE a.attrelid = t_oid[d_src[i]] AND a.attnum = t_att[d_src[i]];
			SELECT a.attname INTO k FROM pg_attribute a WHERE a.attrelid = d_rel[i] AND a.attnum = d_att[i];
			cond := CASE WHEN d_tcol[i] IS NULL THEN '' ELSE format(' AND r.%I::pg_catalog.text OPERATOR(pg_catalog.=) %L', d_tcol[i], d_tval[i]) END;
			n_multi := 0;
			IF d_kind[i] = 'integer' THEN
				EXECUTE format('SELECT count(*), min(r.%1$I)::pg_catalog.text FROM %2$s r WHERE r.%1$I IS NOT NULL%3$s AND NOT EXISTS (SELECT FROM %4$s k WHERE k.%5$I OPERATOR(pg_catalog.=) r.%1$I)',
					k, d_rel[i]::regclass, cond, t_oid[d_src[i]]::regclass, key_col) INTO n_dangling, example;
			ELSIF d_kind[i] = 'array' THEN
				EXECUTE format('SELECT count(*), min(u.e)::pg_catalog.text FROM %2$s r CROSS JOIN LATERAL pg_catalog.unnest(r.%1$I) AS u(e) WHERE u.e IS NOT NULL AND NOT EXISTS (SELECT FROM %4$s k WHERE k.%5$I OPERATOR(pg_catalog.=) u.e)',
					k, d_rel[i]::regclass, cond, t_oid[d_src[i]]::regclass, key_col) INTO n_dangling, example;
				EXECUTE format('SELECT count(*) FROM %2$s r WHERE pg_catalog.array_ndims(r.%1$I) > 1', k, d_rel[i]::regclass) INTO n_multi;
			ELSE
				-- (a left join, so that it hashes: a value that is no integer has x NULL and matches nothing)
				EXECUTE format('SELECT count(*), min(s.v) FROM (SELECT r.%1$I::pg_catalog.text AS v, CASE WHEN r.%1$I::pg_catalog.text OPERATOR(pg_catalog.~) ''^-?[0-9]{1,18}$'' THEN r.%1$I::pg_catalog.text::pg_catalog.int8 END AS x FROM %2$s r WHERE r.%1$I IS NOT NULL%3$s) AS s LEFT JOIN %4$s k ON k.%5$I OPERATOR(pg_catalog.=) s.x WHERE k.%5$I IS NULL',
					k, d_rel[i]::regclass, cond, t_oid[d_src[i]]::regclass, key_col) INTO n_dangling, example;
			END IF;
			rel := d_rel[i]; part := NULL;
			object := d_ref[i];
			IF n_multi > 0 THEN
				phase := 'refusal';
				detail := format('declared reference %s holds %s multidimensional array(s)', d_ref[i], n_multi);
				sqlstate := '22023';
				hint := 'Only one-dimensional arrays of keys are converted.';
				RETURN NEXT;
			END IF;
			IF n_dangling > 0 AND d_keep[i] THEN
				phase := 'note';
				detail := format('declared reference %s: %s value(s) that no row of %s has as its key (the least: %s) become NULL ("dangling": "null")',
					d_ref[i], n_dangling, t_oid[d_src[i]]::regclass, example);
				sqlstate := NULL; hint := NULL;
				RETURN NEXT;
			ELSIF n_dangling > 0 THEN
				phase := 'refusal';
				detail := format('declared reference %s holds %s value(s) that no row of %s has as its key (the least: %s)',
					d_ref[i], n_dangling, t_oid[d_src[i]]::regclass, example);
				sqlstate := '23503';
				hint := 'Fix or delete those values, or add "dangling": "null" to this reference to set them NULL.';
				RETURN NEXT;
			END IF;
		END LOOP;
	END IF;

	-- ---- the conversions: one ALTER COLUMN per declared column (the polymorphic declarations of a column together) ----
	FOR rec IN
		SELECT u.rel AS r, u.att, a.attname, a.atttypid, a.atttypmod, a.attcollation, min(u.n) AS first_n
		  FROM unnest(d_rel, d_att) WITH ORDINALITY AS u(rel, att, n)
		  JOIN pg_attribute a ON a.attrelid = u.rel AND a.attnum = u.att
		 GROUP BY u.rel, u.att, a.attname, a.atttypid, a.atttypmod, a.attcollation
		 ORDER BY u.rel, u.att
	LOOP
		i := rec.first_n;
		IF d_kind[i] = 'integer' THEN
			newtype := 'pg_catalog.uuid';
			expr := format('%s.uuid7_reference_lookup(%L::pg_catalog.regclass, %I::pg_catalog.int8, %s, %L)',
				ext, t_map[d_src[i]], rec.attname, d_keep[i]::text, d_ref[i]);
		ELSIF d_kind[i] = 'array' THEN
			newtype := 'pg_catalog.uuid[]';
			expr := format('%s.uuid7_reference_array(%L::pg_catalog.regclass, %I::pg_catalog.int8[], %s, %L)',
				ext, t_map[d_src[i]], rec.attname, d_keep[i]::text, d_ref[i]);
		ELSE
			-- text (a text column keeps its type and collation; an integer id column of a polymorphic pair becomes text)
			newtype := CASE WHEN rec.atttypid IN ('text'::regtype, 'varchar'::regtype) THEN format_type(rec.atttypid, rec.atttypmod)
							|| coalesce((SELECT format(' COLLATE %I.%I', cn.nspname, co.collname) FROM pg_collation co
										  JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = rec.attcollation), '')
							ELSE 'pg_catalog.text' END;
			IF d_kind[i] = 'text' THEN
				expr := format('%s.uuid7_reference_text(%L::pg_catalog.regclass, %I::pg_catalog.text, %s, %L)',
					ext, t_map[d_src[i]], rec.attname, d_keep[i]::text, d_ref[i]);
			ELSE
				expr := 'CASE';
				FOR j IN 1 .. cardinality(d_rel) LOOP
					CONTINUE WHEN NOT (d_rel[j] = rec.r AND d_att[j] = rec.att);
					expr := expr || format(' WHEN %I::pg_catalog.text OPERATOR(pg_catalog.=) %L THEN %s.uuid7_reference_text(%L::pg_catalog.regclass, %I::pg_catalog.text, %s, %L)',
						d_tcol[j], d_tval[j], ext, t_map[d_src[j]], rec.attname, d_keep[j]::text, d_ref[j]);
				END LOOP;
				expr := expr || format(' ELSE %I::pg_catalog.text END', rec.attname);
			END IF;
		END IF;
		rel := rec.r; sqlstate := NULL; hint := NULL;
		phase := 'note'; part := NULL;
		object := rec.r::regclass::text;
		detail := format('declared reference: column %I (%s) becomes %s, through the mapping%s', rec.attname,
			format_type(rec.atttypid, rec.atttypmod),
			CASE d_kind[i] WHEN 'integer' THEN 'uuid' WHEN 'array' THEN 'uuid[], element by element'
				 WHEN 'text' THEN format('the text of the new key (type %s kept)', format_type(rec.atttypid, rec.atttypmod))
				 ELSE format('text: the new key''s text where %I matches a declared type value, every other row''s value kept as text', d_tcol[i]) END,
			(SELECT string_agg(format(' of %s', t_oid[d_src[j]]::regclass), ',')
			   FROM generate_series(1, cardinality(d_rel)) AS j WHERE d_rel[j] = rec.r AND d_att[j] = rec.att));
		RETURN NEXT;
		phase := 'column';
		part := format('ALTER COLUMN %I TYPE %s USING %s', rec.attname, newtype, expr);
		detail := NULL;
		RETURN NEXT;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_references(jsonb, regclass[], oid[], int2[], text[], oid[], int2[], boolean) IS
	'internal to the migration plan: option "references" checked (errors at once), then per referencing table its refusals, notes and ALTER COLUMN subcommands';
