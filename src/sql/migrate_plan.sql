-- src/sql/migrate_plan.sql — uuid7_migration_plan() and its pieces: what it refuses, every statement it runs.

-- Whether a CHECK or index expression keeps its meaning on the new keys (src/pg/translatable_expr.cpp).
CREATE OR REPLACE FUNCTION uuid7_expression_translates(expr pg_node_tree, columns int2[], sources int[]) RETURNS boolean
LANGUAGE C STRICT STABLE
AS 'MODULE_PATHNAME', 'uuid7_expression_translates';
COMMENT ON FUNCTION uuid7_expression_translates(pg_node_tree, int2[], int[]) IS
	'internal to the migration plan: whether a stored CHECK or index expression has the same truth once columns[i] hold the uuids of mapping sources[i] (only NULL tests, and comparisons of two columns of one mapping)';

-- The operator class of uuid that takes the place of an integer one in an index on a converted column (NULL: none).
-- The integer classes of one kind share an operator family per access method (BRIN integer_minmax_multi_ops,
-- integer_bloom_ops, ...); uuid's class of that kind is the one of the same access method whose family is named for
-- uuid the same way (uuid_minmax_multi_ops, uuid_bloom_ops). Classes are matched through their families, never by
-- their own names.
CREATE OR REPLACE FUNCTION uuid7_uuid_opclass(opclass oid) RETURNS oid
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT u.oid
	  FROM pg_opclass oc
	  JOIN pg_opfamily f ON f.oid = oc.opcfamily
	  JOIN pg_opclass u ON u.opcmethod = oc.opcmethod AND u.opcintype = 'pg_catalog.uuid'::pg_catalog.regtype
	  JOIN pg_opfamily uf ON uf.oid = u.opcfamily AND uf.opfmethod = f.opfmethod
	 WHERE oc.oid = opclass
	   AND oc.opcintype IN ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype, 'pg_catalog.int8'::pg_catalog.regtype)
	   AND starts_with(f.opfname::text, 'integer_')
	   AND uf.opfname::text = 'uuid_' || substr(f.opfname::text, length('integer_') + 1)
	 ORDER BY u.opcdefault DESC, u.oid
	 LIMIT 1
$fn$;
COMMENT ON FUNCTION uuid7_uuid_opclass(oid) IS
	'internal to the migration: the uuid operator class of the same kind (access method and operator family) as an integer one, NULL when there is none';

-- CREATE INDEX for an index of a table whose columns[i] are (or will be) uuid, written over twins[i] (the online
-- twins; the same names offline): same kind, columns, collations, ordering, INCLUDE, NULLS NOT DISTINCT, storage
-- parameters, tablespace and predicate. The operator class of a converted column: uuid's default where the integer
-- one was the default, the uuid class of the same kind where one was named (uuid7_uuid_opclass), with its
-- parameters (values_per_range, false_positive_rate, ...); other columns keep theirs. Expressions are printed over
-- the twins (uuid7_twin_expressions). concurrent: CREATE INDEX CONCURRENTLY.
CREATE OR REPLACE FUNCTION uuid7_index_sql(idx oid, index_name name, columns name[], twins name[], concurrent boolean)
RETURNS text
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
	converted boolean;
	nulls text := '';
	withs text;
	exprs text[];		-- the predicate, then each key expression, over the twins
	nexpr int := 1;
BEGIN
	SELECT i.*, c.relname, c.reloptions, c.reltablespace, am.amname, i.indrelid::regclass AS tbl
	  INTO ix FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
	 WHERE i.indexrelid = idx;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'index with OID % does not exist', idx USING ERRCODE = '42704';
	END IF;
	exprs := @extschema@.uuid7_twin_expressions(idx, 'index', columns, twins);
	FOR k IN 0 .. ix.indnatts - 1 LOOP
		att := ix.indkey[k];
		converted := false;
		IF att = 0 THEN
			nexpr := nexpr + 1;
			col := '(' || exprs[nexpr] || ')';
		ELSE
			SELECT quote_ident(coalesce(twins[array_position(columns, a.attname)], a.attname)), a.attname = ANY (columns)
			  INTO col, converted
			  FROM pg_attribute a WHERE a.attrelid = ix.indrelid AND a.attnum = att;
		END IF;
		IF k >= ix.indnkeyatts THEN
			incl := incl || col;
			CONTINUE;
		END IF;
		IF converted THEN
			-- a named integer class becomes the uuid class of its kind, parameters kept; a default one, uuid's default
			SELECT col || CASE WHEN oc.opcdefault AND oc.opcintype = coalesce(nullif(ty.typbasetype, 0), a.atttypid) THEN ''
							   ELSE (SELECT format(' %I.%I', un.nspname, u.opcname) FROM pg_opclass u JOIN pg_namespace un ON un.oid = u.opcnamespace
									  WHERE u.oid = coalesce(@extschema@.uuid7_uuid_opclass(oc.oid), oc.oid))
									|| coalesce('(' || @extschema@.uuid7_option_list(ia.attoptions) || ')', '') END
			  INTO col
			  FROM pg_opclass oc
			  JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = att
			  JOIN pg_type ty ON ty.oid = a.atttypid
			  LEFT JOIN pg_attribute ia ON ia.attrelid = idx AND ia.attnum = k + 1
			 WHERE oc.oid = ix.indclass[k];
		ELSE
			-- a non-default operator class (with its parameters) or collation of an unconverted column is kept
			SELECT col || CASE WHEN ix.indcollation[k] <> 0 AND ix.indcollation[k] IS DISTINCT FROM (SELECT a.attcollation FROM pg_attribute a WHERE a.attrelid = ix.indrelid AND a.attnum = att)
							   THEN format(' COLLATE %I.%I', cn.nspname, co.collname) ELSE '' END
						|| CASE WHEN NOT oc.opcdefault OR ia.attoptions IS NOT NULL
								THEN format(' %I.%I', ons.nspname, oc.opcname) || coalesce('(' || @extschema@.uuid7_option_list(ia.attoptions) || ')', '')
								ELSE '' END
			  INTO col
			  FROM pg_opclass oc JOIN pg_namespace ons ON ons.oid = oc.opcnamespace
			  LEFT JOIN pg_collation co ON co.oid = ix.indcollation[k]
			  LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
			  LEFT JOIN pg_attribute ia ON ia.attrelid = idx AND ia.attnum = k + 1
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
		withs := ' WITH (' || @extschema@.uuid7_option_list(ix.reloptions) || ')';
	END IF;
	RETURN format('CREATE %sINDEX %s%I ON %s USING %I (%s)%s%s%s%s%s',
		CASE WHEN ix.indisunique THEN 'UNIQUE ' ELSE '' END, CASE WHEN concurrent THEN 'CONCURRENTLY ' ELSE '' END,
		index_name, ix.tbl, ix.amname,
		array_to_string(cols, ', '),
		CASE WHEN cardinality(incl) > 0 THEN ' INCLUDE (' || array_to_string(incl, ', ') || ')' ELSE '' END,
		nulls, coalesce(withs, ''),
		CASE WHEN ix.reltablespace <> 0 THEN ' TABLESPACE ' || quote_ident((SELECT spcname FROM pg_tablespace WHERE oid = ix.reltablespace)) ELSE '' END,
		CASE WHEN exprs[1] IS NOT NULL THEN ' WHERE ' || exprs[1] ELSE '' END);
END;
$fn$;
COMMENT ON FUNCTION uuid7_index_sql(oid, name, name[], name[], boolean) IS
	'internal to the migration: CREATE INDEX for an index whose columns[i] become uuid, over twins[i] (same shape; the named integer operator classes of those columns translated to uuid''s)';

-- The indexes the offline migration drops before the type change and creates again after it: those that name an
-- integer operator class on a converted column (c_rel, c_att) that ALTER COLUMN TYPE would keep, and refuse, where
-- uuid has a class of the same kind (uuid7_uuid_opclass). Not those behind a constraint, nor those with a converted
-- column whose class has no uuid counterpart (refused). detail: which class becomes which.
CREATE OR REPLACE FUNCTION uuid7_plan_translated_indexes(c_rel oid[], c_att int2[]) RETURNS TABLE (idx oid, detail text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH keycols AS (
		SELECT ix.indexrelid AS idx, a.attname, oc.oid AS opc, oc.opcname, ons.nspname AS opcschema, k.n,
			   oc.opcdefault AND oc.opcintype = coalesce(nullif(ty.typbasetype, 0), a.atttypid) AS is_default,
			   @extschema@.uuid7_uuid_opclass(oc.oid) AS for_uuid
		  FROM (SELECT DISTINCT x.rel, x.att FROM unnest(c_rel, c_att) AS x(rel, att)) AS cc
		  JOIN pg_index ix ON ix.indrelid = cc.rel
		  JOIN LATERAL generate_series(0, ix.indnkeyatts - 1) AS k(n) ON ix.indkey[k.n] = cc.att
		  JOIN pg_opclass oc ON oc.oid = ix.indclass[k.n]
		  JOIN pg_namespace ons ON ons.oid = oc.opcnamespace
		  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
		  JOIN pg_type ty ON ty.oid = a.atttypid
	)
	SELECT kc.idx, string_agg(format('column %I: operator class %I.%I becomes %s', kc.attname, kc.opcschema, kc.opcname,
			(SELECT format('%I.%I', un.nspname, u.opcname) FROM pg_opclass u JOIN pg_namespace un ON un.oid = u.opcnamespace WHERE u.oid = kc.for_uuid)),
			', ' ORDER BY kc.n) FILTER (WHERE NOT kc.is_default)
	  FROM keycols kc
	 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = kc.idx)
	   -- (a partition's index attached to a partitioned index follows it: dropped and created with it)
	   AND NOT EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = kc.idx)
	 GROUP BY kc.idx
	HAVING bool_or(NOT kc.is_default) AND bool_and(kc.is_default OR kc.for_uuid IS NOT NULL)
	 ORDER BY kc.idx
$fn$;
COMMENT ON FUNCTION uuid7_plan_translated_indexes(oid[], int2[]) IS
	'internal to the migration plan: the indexes created again with uuid operator classes (a named integer class on a converted column with a uuid counterpart)';

-- The plan's refusals for what depends on a converted column (c_rel, c_att; c_src: index into t_* of the key whose
-- mapping gives its values) and cannot follow it to uuid: constraints, indexes, defaults and generated columns, rules,
-- policies, triggers, SQL-bodied functions, publications, row types used elsewhere, shared key sequences. Views are
-- not refused here: uuid7_plan_views lists them and the plan recreates them. t_oid, t_att: the migrated keys; fk_oid:
-- the foreign keys the plan recreates. One row per refusal, in a fixed order.
CREATE OR REPLACE FUNCTION uuid7_plan_dependent_refusals(c_rel oid[], c_att int2[], c_src int[], t_oid oid[], t_att int2[],
	fk_oid oid[])
RETURNS TABLE (object text, detail text, sqlstate text, hint text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	i int;
	rec record;
	rec2 record;
	x_object text[] := '{}';
	x_detail text[] := '{}';
	x_state text[] := '{}';
	x_hint text[] := '{}';
BEGIN
	-- the same columns in the partitions of a partitioned table, and the partitions' copies of the foreign keys
	-- (migrate_partitioned.sql)
	SELECT coalesce(array_agg(p.rel), '{}'), coalesce(array_agg(p.att), '{}'), coalesce(array_agg(p.src), '{}') INTO c_rel, c_att, c_src
	  FROM @extschema@.uuid7_plan_partition_columns(c_rel, c_att, c_src) AS p;
	fk_oid := @extschema@.uuid7_plan_partition_constraints(fk_oid);
	FOR rec IN
		SELECT DISTINCT d.classid, d.objid, d.objsubid, cc.rel, cc.att, cc.src,
			   format('%I.%I', ns.nspname, c.relname) AS qname,
			   a.attname, pg_describe_object(d.classid, d.objid, d.objsubid) AS what,
			   -- every converted column of the table, and the mapping each takes its values from
			   (SELECT array_agg(x.att ORDER BY x.att) FROM unnest(c_rel, c_att) AS x(rel, att) WHERE x.rel = cc.rel) AS rel_atts,
			   (SELECT array_agg(x.src ORDER BY x.att) FROM unnest(c_rel, c_att, c_src) AS x(rel, att, src) WHERE x.rel = cc.rel) AS rel_srcs
		  FROM unnest(c_rel, c_att, c_src) AS cc(rel, att, src)
		  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = cc.rel AND d.refobjsubid = cc.att
		  JOIN pg_class c ON c.oid = cc.rel
		  JOIN pg_namespace ns ON ns.oid = c.relnamespace
		  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
		 ORDER BY cc.rel, cc.att, d.classid, d.objid, d.objsubid
	LOOP
		IF rec.classid = 'pg_constraint'::regclass THEN
			SELECT con.contype, con.conname, con.conbin INTO rec2 FROM pg_constraint con WHERE con.oid = rec.objid;
			IF rec2.contype IN ('p', 'u') THEN
				CONTINUE;	-- rebuilt by ALTER COLUMN TYPE with the same name and shape
			ELSIF rec2.contype = 'f' THEN
				IF rec.objid = ANY (fk_oid) THEN CONTINUE; END IF;
				x_detail := x_detail || format('foreign key %I uses column %I of table %s, which becomes uuid, but does not reference a migrated key',
					rec2.conname, rec.attname, rec.qname);
				x_hint := x_hint || 'Migrate the referenced table in the same call, or drop that foreign key first.'::text;
			ELSIF rec2.contype = 'n' THEN
				CONTINUE;	-- NOT NULL, a constraint row of its own from PostgreSQL 18 on: holds for uuid as well
			ELSIF rec2.contype = 'c' AND @extschema@.uuid7_expression_translates(rec2.conbin, rec.rel_atts, rec.rel_srcs) THEN
				CONTINUE;	-- NULL tests, comparisons of columns of one mapping: the same truth on the new keys
			ELSE
				x_detail := x_detail || format('%s uses column %I of table %s in an expression that cannot be translated to uuid',
					rec.what, rec.attname, rec.qname);
				x_hint := x_hint || 'Drop the constraint (for example a comparison of the key with a number), migrate, then recreate it for uuid.'::text;
			END IF;
		ELSIF rec.classid = 'pg_class'::regclass THEN
			SELECT ci.relkind, ix.indexprs, ix.indpred, ci.relname INTO rec2
			  FROM pg_class ci LEFT JOIN pg_index ix ON ix.indexrelid = ci.oid WHERE ci.oid = rec.objid;
			IF rec2.relkind = 'S' THEN
				CONTINUE;	-- the owned sequence of a serial column: handled below
			ELSIF rec2.relkind IN ('i', 'I') THEN
				IF (rec2.indexprs IS NULL OR @extschema@.uuid7_expression_translates(rec2.indexprs, rec.rel_atts, rec.rel_srcs))
				   AND (rec2.indpred IS NULL OR @extschema@.uuid7_expression_translates(rec2.indpred, rec.rel_atts, rec.rel_srcs)) THEN
					-- Rebuilt by ALTER COLUMN TYPE with the same name and shape, operator classes included: one named in
					-- the definition (not the default for the column's type) is kept and refuses uuid (42804), unless
					-- uuid has a class of its kind: the plan then drops the index and creates it again with that class
					-- (not for an index behind a constraint); a default one becomes uuid's default for the access method,
					-- if it has one (42704 otherwise).
					SELECT oc.opcname, am.amname, oc.opcdefault AND oc.opcintype = coalesce(nullif(at.typbasetype, 0), a.atttypid) AS is_default,
						   (SELECT format('%I.%I', un.nspname, u.opcname) FROM pg_opclass u JOIN pg_namespace un ON un.oid = u.opcnamespace
							 WHERE u.oid = @extschema@.uuid7_uuid_opclass(oc.oid)) AS for_uuid,
						   EXISTS (SELECT 1 FROM pg_opclass u WHERE u.opcmethod = oc.opcmethod AND u.opcintype = 'uuid'::regtype AND u.opcdefault) AS uuid_has_default,
						   EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = rec.objid) AS of_constraint
					  INTO rec2
					  FROM pg_index ix
					  JOIN LATERAL generate_series(0, ix.indnkeyatts - 1) AS k(n) ON ix.indkey[k.n] = rec.att
					  JOIN pg_opclass oc ON oc.oid = ix.indclass[k.n]
					  JOIN pg_am am ON am.oid = oc.opcmethod
					  JOIN pg_attribute a ON a.attrelid = rec.rel AND a.attnum = rec.att
					  JOIN pg_type at ON at.oid = a.atttypid
					 WHERE ix.indexrelid = rec.objid
					 -- the class that cannot follow first
					 ORDER BY 3, 4 NULLS FIRST, k.n LIMIT 1;
					IF NOT FOUND OR (rec2.is_default AND rec2.uuid_has_default) THEN
						CONTINUE;
					ELSIF NOT rec2.is_default AND rec2.for_uuid IS NOT NULL AND NOT rec2.of_constraint THEN
						CONTINUE;	-- dropped and created again with the uuid class (uuid7_plan_translated_indexes)
					END IF;
					x_object := x_object || rec.what;
					x_state := x_state || CASE WHEN rec2.is_default THEN '42704' ELSE '42804' END;
					x_detail := x_detail || CASE WHEN rec2.is_default
						THEN format('%s on column %I of table %s would need a default %s operator class for uuid, and there is none',
									rec.what, rec.attname, rec.qname, rec2.amname)
						ELSE format('%s uses operator class %I on column %I of table %s, which does not accept uuid',
									rec.what, rec2.opcname, rec.attname, rec.qname) END;
					x_hint := x_hint || CASE WHEN rec2.for_uuid IS NOT NULL
						THEN format('Drop the index, migrate, then create it again with operator class %s.', rec2.for_uuid)
						WHEN rec2.is_default
						THEN format('Drop the index, migrate, then index the uuid column otherwise (access method %s has no operator class for uuid here).', rec2.amname)
						ELSE format('Drop the index, migrate, then index the uuid column otherwise (uuid has no %s operator class of the kind of %I here).', rec2.amname, rec2.opcname) END;
					CONTINUE;
				END IF;
				x_detail := x_detail || format('%s uses column %I of table %s in an expression or predicate that cannot be translated to uuid',
					rec.what, rec.attname, rec.qname);
				x_hint := x_hint || 'Drop the index (for example a partial index comparing the key with a number), migrate, then recreate it for uuid.'::text;
			ELSE
				x_detail := x_detail || format('%s depends on column %I of table %s', rec.what, rec.attname, rec.qname);
				x_hint := x_hint || 'Drop it, migrate, then recreate it.'::text;
			END IF;
		ELSIF rec.classid = 'pg_attrdef'::regclass THEN
			SELECT ad.adnum INTO rec2 FROM pg_attrdef ad WHERE ad.oid = rec.objid;
			IF rec2.adnum = rec.att AND rec.objid IN (SELECT @extschema@.uuid7_plan_key_defaults(t_oid[rec.src], t_att[rec.src])) THEN
				CONTINUE;	-- the key's own default (or its copy on a partition): replaced
			ELSIF rec2.adnum = rec.att THEN
				x_detail := x_detail || format('column %I of table %s has a default, which cannot be translated to uuid',
					rec.attname, rec.qname);
				x_hint := x_hint || format('Drop the default first (ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT).', rec.qname, rec.attname);
			ELSE
				x_detail := x_detail || format('generated column %I of table %s uses column %I',
					(SELECT attname FROM pg_attribute WHERE attrelid = rec.rel AND attnum = rec2.adnum), rec.qname, rec.attname);
				x_hint := x_hint || 'Drop the generated column, migrate, then add it again for uuid.'::text;
			END IF;
		ELSIF rec.classid = 'pg_rewrite'::regclass THEN
			SELECT rw.ev_class, rw.rulename, vc.relkind INTO rec2
			  FROM pg_rewrite rw JOIN pg_class vc ON vc.oid = rw.ev_class WHERE rw.oid = rec.objid;
			IF rec2.rulename = '_RETURN' AND rec2.relkind IN ('v', 'm') THEN
				CONTINUE;	-- a view or materialized view: recreated (uuid7_plan_views)
			END IF;
			x_detail := x_detail || format('%s uses column %I of table %s', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop the rule, migrate, then recreate it.'::text;
		ELSIF rec.classid = 'pg_statistic_ext'::regclass THEN
			SELECT st.stxexprs INTO rec2 FROM pg_statistic_ext st WHERE st.oid = rec.objid;
			IF rec2.stxexprs IS NULL OR @extschema@.uuid7_expression_translates(rec2.stxexprs, rec.rel_atts, rec.rel_srcs) THEN
				CONTINUE;		-- rebuilt by ALTER COLUMN TYPE
			END IF;
			-- an expression over the key (p_id % 10) is rebuilt by ALTER COLUMN TYPE too, and fails there (42883)
			x_detail := x_detail || format('%s uses column %I of table %s in an expression that cannot be translated to uuid',
				rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop the statistics object, migrate, then create it again over uuid.'::text;
		ELSIF rec.classid = 'pg_policy'::regclass THEN
			x_detail := x_detail || format('%s uses column %I of table %s', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Row-level security policies are not translated: drop the policy, migrate, then recreate it for uuid.'::text;
		ELSIF rec.classid = 'pg_trigger'::regclass THEN
			x_detail := x_detail || format('%s uses column %I of table %s (WHEN condition or UPDATE OF list)', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop the trigger, migrate, then recreate it for uuid.'::text;
		ELSIF rec.classid = 'pg_proc'::regclass THEN
			x_detail := x_detail || format('%s uses column %I of table %s in its SQL body', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop the function, migrate, then recreate it for uuid.'::text;
		ELSIF rec.classid = 'pg_publication_rel'::regclass THEN
			x_detail := x_detail || format('%s lists column %I of table %s', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Remove the table from the publication (or its column list or row filter), migrate, then add it back.'::text;
		ELSE
			x_detail := x_detail || format('%s depends on column %I of table %s', rec.what, rec.attname, rec.qname);
			x_hint := x_hint || 'Drop it, migrate, then recreate it.'::text;
		END IF;
		x_object := x_object || rec.what;
		x_state := x_state || '0A000'::text;
	END LOOP;

	-- the row type of an altered table used as a column type elsewhere blocks ALTER COLUMN TYPE
	FOR rec IN
		SELECT DISTINCT c.oid::regclass AS tbl, a.attrelid::regclass AS user_rel, a.attname
		  FROM pg_class c JOIN pg_attribute a ON a.atttypid = c.reltype AND a.attnum > 0 AND NOT a.attisdropped
		 WHERE c.oid = ANY (c_rel) AND a.attrelid <> c.oid
	LOOP
		x_object := x_object || rec.tbl::text;
		x_detail := x_detail || format('column %I of %s uses the row type of table %s', rec.attname, rec.user_rel, rec.tbl);
		x_state := x_state || '0A000'::text;
		x_hint := x_hint || 'Drop that column first.'::text;
	END LOOP;

	-- identity and serial sequences of the keys: something else using them blocks their removal
	FOR i IN 1 .. cardinality(t_oid) LOOP
		FOR rec IN
			SELECT s.oid AS seq, d.deptype,
				   (SELECT string_agg(pg_describe_object(o.classid, o.objid, o.objsubid), ', ')
					  FROM pg_depend o
					 WHERE o.refclassid = 'pg_class'::regclass AND o.refobjid = s.oid
					   AND NOT (o.classid = 'pg_attrdef'::regclass AND o.objid IN (SELECT @extschema@.uuid7_plan_key_defaults(t_oid[i], t_att[i])))
					   AND NOT (o.classid = 'pg_class'::regclass AND o.objid = s.oid)) AS others
			  FROM pg_depend d
			  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
			 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
			   AND d.refobjid = t_oid[i] AND d.refobjsubid = t_att[i] AND d.deptype IN ('a', 'i')
		LOOP
			IF rec.others IS NOT NULL AND rec.deptype = 'i' THEN
				x_object := x_object || rec.seq::regclass::text;
				x_detail := x_detail || format('identity sequence %s of table %s is also used by %s',
					rec.seq::regclass, t_oid[i]::regclass, rec.others);
				x_state := x_state || '2BP01'::text;
				x_hint := x_hint || 'Make the other objects use their own sequence first.'::text;
			END IF;
		END LOOP;
	END LOOP;

	RETURN QUERY SELECT x.o, x.d, x.s, x.h FROM unnest(x_object, x_detail, x_state, x_hint) WITH ORDINALITY AS x(o, d, s, h, n)
		ORDER BY x.n;
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_dependent_refusals(oid[], int2[], int[], oid[], int2[], oid[]) IS
	'internal to the migration plan: refusals for objects that depend on a converted column and cannot be translated to uuid';

-- The views and materialized views to recreate: those whose query uses a converted column (c_rel, c_att), and every
-- view built on those, deepest last (the order they are created in again).
CREATE OR REPLACE FUNCTION uuid7_plan_views(c_rel oid[], c_att int2[]) RETURNS oid[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH RECURSIVE tree(oid, depth) AS (
		SELECT DISTINCT rw.ev_class, 1
		  FROM unnest(c_rel, c_att) AS cc(rel, att)
		  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = cc.rel AND d.refobjsubid = cc.att
						  AND d.classid = 'pg_rewrite'::regclass
		  JOIN pg_rewrite rw ON rw.oid = d.objid AND rw.rulename = '_RETURN'
		  JOIN pg_class vc ON vc.oid = rw.ev_class AND vc.relkind IN ('v', 'm')
		UNION ALL
		SELECT rw.ev_class, tree.depth + 1
		  FROM tree
		  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = tree.oid AND d.classid = 'pg_rewrite'::regclass
		  JOIN pg_rewrite rw ON rw.oid = d.objid AND rw.ev_class <> tree.oid
		 WHERE tree.depth < 100
	)
	SELECT coalesce(array_agg(oid ORDER BY depth, oid), '{}')
	  FROM (SELECT oid, max(depth) AS depth FROM tree GROUP BY oid) AS t
$fn$;
COMMENT ON FUNCTION uuid7_plan_views(oid[], int2[]) IS
	'internal to the migration plan: the views and materialized views on converted columns and every view built on those, in the order to recreate them';

-- The extended statistics objects that use a converted column (c_rel, c_att): as a column or in an expression.
-- Changing the column's type rebuilds them (offline); dropping the column drops them (the online swap).
CREATE OR REPLACE FUNCTION uuid7_plan_statistics(c_rel oid[], c_att int2[]) RETURNS SETOF oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT DISTINCT s.oid
	  FROM pg_statistic_ext s JOIN unnest(c_rel, c_att) AS cc(rel, att) ON cc.rel = s.stxrelid
	 WHERE cc.att = ANY (s.stxkeys::int2[])
		OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_statistic_ext'::regclass AND d.objid = s.oid
					  AND d.refclassid = 'pg_class'::regclass AND d.refobjid = cc.rel AND d.refobjsubid = cc.att)
$fn$;
COMMENT ON FUNCTION uuid7_plan_statistics(oid[], int2[]) IS
	'internal to the migration plan: the extended statistics objects on converted columns (as a column or in an expression)';

-- The statements that recreate views and materialized views (v_oid, in dependency order) after their tables are
-- altered: the definition (options, access method, tablespace, populated or not), then owner, column defaults,
-- grants, column grants, comments, indexes, triggers and rules, in the order they must be applied. v_def[i]: the
-- query to create v_oid[i] with, as the rehearsal printed and created it (constants beside the key retyped); NULL,
-- or no element: pg_get_viewdef().
CREATE OR REPLACE FUNCTION uuid7_plan_view_ddl(v_oid oid[], v_def text[] DEFAULT '{}')
RETURNS TABLE (object text, detail text, statement text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	rec record;
	rec2 record;
	def text;
	stmt text;
BEGIN
	FOR rec IN
		SELECT c.oid, c.relkind, format('%I.%I', ns.nspname, c.relname) AS qname, c.reloptions, c.relacl,
			   c.relispopulated, pg_get_userbyid(c.relowner) AS owner, ts.spcname, am.amname,
			   coalesce(v_def[u.ord], pg_get_viewdef(c.oid)) AS def
		  FROM unnest(v_oid) WITH ORDINALITY AS u(oid, ord) JOIN pg_class c ON c.oid = u.oid
		  JOIN pg_namespace ns ON ns.oid = c.relnamespace
		  LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
		  LEFT JOIN pg_am am ON am.oid = c.relam
		 ORDER BY u.ord
	LOOP
		def := rtrim(rec.def, '; ' || chr(10));
		stmt := NULL;
		IF rec.reloptions IS NOT NULL THEN
			stmt := ' WITH (' || @extschema@.uuid7_option_list(rec.reloptions) || ')';
		END IF;
		object := rec.qname;
		IF rec.relkind = 'm' THEN
			detail := CASE WHEN rec.relispopulated THEN 'materialized view, populated' ELSE 'materialized view, not populated' END;
			statement := format('CREATE MATERIALIZED VIEW %s%s%s%s AS %s WITH %sDATA', rec.qname,
				CASE WHEN rec.amname IS NOT NULL AND rec.amname <> 'heap' THEN ' USING ' || quote_ident(rec.amname) ELSE '' END,
				coalesce(stmt, ''),
				CASE WHEN rec.spcname IS NOT NULL THEN ' TABLESPACE ' || quote_ident(rec.spcname) ELSE '' END,
				def, CASE WHEN rec.relispopulated THEN '' ELSE 'NO ' END);
		ELSE
			detail := 'view';
			statement := format('CREATE VIEW %s%s AS %s', rec.qname, coalesce(stmt, ''), def);
		END IF;
		RETURN NEXT;
		-- everything else about the view, in the order it must be applied
		FOR rec2 IN
			SELECT 1 AS ord, 'owner' AS what,
				   format('ALTER %s %s OWNER TO %I', CASE rec.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, rec.qname, rec.owner) AS sql
			UNION ALL
			SELECT 2, 'column default', format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', rec.qname, a.attname, pg_get_expr(ad.adbin, ad.adrelid))
			  FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
			 WHERE ad.adrelid = rec.oid
			UNION ALL
			SELECT 3, 'grants', format('REVOKE ALL ON %s FROM %I', rec.qname, rec.owner) WHERE rec.relacl IS NOT NULL
			UNION ALL
			SELECT 4, 'grants', format('GRANT %s ON %s TO %s%s', g.privilege_type, rec.qname,
					CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
					CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
			  FROM aclexplode(rec.relacl) AS g
			UNION ALL
			SELECT 5, 'column grants', format('GRANT %s (%I) ON %s TO %s%s', g.privilege_type, a.attname, rec.qname,
					CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
					CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
			  FROM pg_attribute a, aclexplode(a.attacl) AS g
			 WHERE a.attrelid = rec.oid AND a.attacl IS NOT NULL
			UNION ALL
			SELECT 6, 'comment', format('COMMENT ON %s %s IS %L', CASE rec.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, rec.qname, d.description)
			  FROM pg_description d WHERE d.classoid = 'pg_class'::regclass AND d.objoid = rec.oid AND d.objsubid = 0
			UNION ALL
			SELECT 7, 'column comment', format('COMMENT ON COLUMN %s.%I IS %L', rec.qname, a.attname, d.description)
			  FROM pg_description d JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
			 WHERE d.classoid = 'pg_class'::regclass AND d.objoid = rec.oid AND d.objsubid > 0
			UNION ALL
			SELECT 8, 'index', pg_get_indexdef(ix.indexrelid) FROM pg_index ix WHERE ix.indrelid = rec.oid
			UNION ALL
			SELECT 9, 'trigger', pg_get_triggerdef(tg.oid) FROM pg_trigger tg WHERE tg.tgrelid = rec.oid AND NOT tg.tgisinternal
			UNION ALL
			SELECT 10, 'rule', pg_get_ruledef(rw.oid) FROM pg_rewrite rw WHERE rw.ev_class = rec.oid AND rw.rulename <> '_RETURN'
			ORDER BY 1, 3
		LOOP
			object := rec.qname;
			detail := rec2.what;
			statement := rtrim(rec2.sql, ';');
			RETURN NEXT;
		END LOOP;
	END LOOP;
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_view_ddl(oid[], text[]) IS
	'internal to the migration plan: the statements that recreate views and materialized views after their tables are altered, with everything attached to them';

-- The plan of a migration, offline or online: one row per refusal (phase 'refusal', with SQLSTATE and hint), or,
-- when nothing is refused, every statement uuid7_migrate() runs, in order. Reads the catalog only; changes nothing.
CREATE OR REPLACE FUNCTION uuid7_migration_plan(tables regclass[], options jsonb DEFAULT '{}')
RETURNS TABLE (step integer, phase text, object text, detail text, statement text, sqlstate text, hint text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text;			-- quoted schema of the extension
	n int;
	i int;
	j int;
	k text;
	rel regclass;
	t_oid oid[] := '{}';			-- migrated tables (valid ones), in call order
	t_att int2[] := '{}';			-- their key column
	t_map text[] := '{}';			-- qualified, quoted mapping table
	t_mapns text[] := '{}';			-- its schema
	t_ver int[] := '{}';
	t_ts text[] := '{}';			-- timestamp column (or NULL)
	t_tsexpr text[] := '{}';		-- the timestamp column read as timestamptz (a timestamp: at the zone given)
	-- converted columns
	c_rel oid[] := '{}';
	c_att int2[] := '{}';
	c_src int[] := '{}';			-- index into t_* of the table whose mapping gives the new value
	-- foreign keys dropped and recreated
	fk_oid oid[] := '{}';
	-- views and materialized views dropped and recreated
	v_oid oid[] := '{}';
	v_def text[] := '{}';			-- the query each is created again with (the rehearsed one)
	v_retyped text[] := '{}';		-- what the translation retyped in it, lines joined by chr(10) ('' for nothing)
	-- indexes created again with uuid operator classes
	ix_object text[] := '{}';
	ix_detail text[] := '{}';
	ix_stmt text[] := '{}';
	-- output
	r_phase text[] := '{}';
	r_object text[] := '{}';
	r_detail text[] := '{}';
	r_stmt text[] := '{}';
	x_object text[] := '{}';		-- refusals
	x_detail text[] := '{}';
	x_state text[] := '{}';
	x_hint text[] := '{}';
	opt jsonb;
	topt jsonb;
	tab_opts jsonb := '{}';
	v_version int;
	v_analyze boolean;
	v_validate boolean;			-- count the references that no key answers in every converted column ("validate": true)
	v_validate_some boolean;	-- ... in the columns whose foreign keys let them dangle (the default; "validate": false: none)
	v_online boolean;			-- the plan of uuid7_migration_start(): the online migration's own refusals first
	n_dangling bigint;
	example text;
	rec record;
	rec2 record;
	qname text;
	map_schema text;
	map_name text;
	map_owner oid;
	dflt_checked boolean := false;	-- the default mapping schema, uuid7_mapping: looked at (once per call)
	dflt_refused boolean := false;	-- and refused
	make_schema boolean := false;	-- and missing: the migration creates it
	base text;
	parts text[];
	lock_list text[] := '{}';
	seq_stmts text[] := '{}';
	src int;
	v_derive boolean;			-- "deterministic_keys": keys derived from a secret (migrate_derive.sql), not drawn
	-- declared references (option "references", src/sql/migrate_references.sql): per table, notes and subcommands
	d_rel oid[] := '{}';
	d_phase text[] := '{}';
	d_detail text[] := '{}';
	d_part text[] := '{}';
	key_att int2;		-- the key of a partitioned table (uuid7_plan_partitioned_key)
	cp_rel oid[];		-- c_rel, c_att and the same columns in the partitions below them
	cp_att int2[];
	-- option "keep_old_column" (per table, src/sql/migrate_keep.sql): its subcommands and statements
	k_rel oid[] := '{}';
	k_phase text[] := '{}';
	k_object text[] := '{}';
	k_detail text[] := '{}';
	k_part text[] := '{}';
BEGIN
	ext := @extschema@.uuid7_extension_schema();

	-- ---- arguments and options (errors about the call itself are raised at once) ----------------------------
	IF tables IS NULL OR cardinality(tables) = 0 THEN
		RAISE EXCEPTION 'no table to migrate' USING ERRCODE = '22023',
			HINT = 'Pass the tables as an array: ARRAY[''public.events'']::regclass[].';
	END IF;
	IF options IS NULL THEN options := '{}'; END IF;
	IF jsonb_typeof(options) <> 'object' THEN
		RAISE EXCEPTION 'options must be a jsonb object' USING ERRCODE = '22023';
	END IF;
	FOR k IN SELECT jsonb_object_keys(options) LOOP
		IF k NOT IN ('version', 'mapping_schema', 'analyze', 'validate', 'online', 'tables', 'deterministic_keys', 'references') THEN
			RAISE EXCEPTION 'unknown option "%"', k USING ERRCODE = '22023',
				HINT = 'Top-level options are version, mapping_schema, analyze, validate, online, deterministic_keys, tables and references.';
		END IF;
	END LOOP;
	FOREACH k IN ARRAY ARRAY['analyze', 'validate', 'online'] LOOP
		IF options ? k AND jsonb_typeof(options->k) <> 'boolean' THEN
			RAISE EXCEPTION 'option "%" must be true or false', k USING ERRCODE = '22023';
		END IF;
	END LOOP;
	v_analyze := coalesce((options->>'analyze')::boolean, false);
	v_derive := @extschema@.uuid7_derive_secret(options) IS NOT NULL;	-- checks the option; the secret stays there
	v_validate := coalesce((options->>'validate')::boolean, false);
	v_validate_some := coalesce((options->>'validate')::boolean, true);
	v_online := coalesce((options->>'online')::boolean, false);
	IF options ? 'tables' THEN
		IF jsonb_typeof(options->'tables') <> 'object' THEN
			RAISE EXCEPTION 'option "tables" must be an object keyed by table name' USING ERRCODE = '22023';
		END IF;
		FOR k, topt IN SELECT * FROM jsonb_each(options->'tables') LOOP
			-- Matched against the listed tables by name ("name" or "schema.name", identifier syntax), not
			-- through regclass: this function runs with its own search_path, not the caller's.
			parts := parse_ident(k);
			SELECT array_agg(t.oid) INTO lock_list
			  FROM unnest(tables) AS u JOIN pg_class t ON t.oid = u JOIN pg_namespace ns ON ns.oid = t.relnamespace
			 WHERE (cardinality(parts) = 1 AND t.relname = parts[1])
				OR (cardinality(parts) = 2 AND ns.nspname = parts[1] AND t.relname = parts[2]);
			IF lock_list IS NULL THEN
				RAISE EXCEPTION 'option "tables" names "%", which is not in the list of tables to migrate', k
					USING ERRCODE = '22023';
			ELSIF cardinality(lock_list) > 1 THEN
				RAISE EXCEPTION 'option "tables" names "%", which matches more than one listed table', k
					USING ERRCODE = '22023', HINT = 'Qualify the name with its schema.';
			END IF;
			rel := lock_list[1]::oid::regclass;
			lock_list := '{}';
			IF jsonb_typeof(topt) <> 'object' THEN
				RAISE EXCEPTION 'options of table % must be a jsonb object', rel USING ERRCODE = '22023';
			END IF;
			FOR j IN SELECT 1 FROM jsonb_object_keys(topt) AS o(key)
					WHERE o.key NOT IN ('version', 'timestamp_column', 'time_zone', 'mapping_schema', 'mapping_table', 'keep_old_column') LOOP
				RAISE EXCEPTION 'unknown option for table %', rel USING ERRCODE = '22023',
					HINT = 'Per-table options are version, timestamp_column, time_zone, mapping_schema, mapping_table and keep_old_column.';
			END LOOP;
			tab_opts := tab_opts || jsonb_build_object(rel::oid::text, topt);
		END LOOP;
	END IF;

	-- ---- the tables to migrate -----------------------------------------------------------------------------
	FOR i IN 1 .. cardinality(tables) LOOP
		rel := tables[i];
		IF rel IS NULL THEN
			RAISE EXCEPTION 'the list of tables to migrate contains a NULL' USING ERRCODE = '22004';
		END IF;
		IF array_position(tables, rel) <> i THEN
			x_object := x_object || rel::text;
			x_detail := x_detail || format('table %s is listed more than once', rel);
			x_state := x_state || '22023'::text;
			x_hint := x_hint || 'List each table once.'::text;
			CONTINUE;
		END IF;
		SELECT c.oid, c.relkind, c.relpersistence, c.relowner, c.relnamespace, c.relname, ns.nspname,
			   c.relhassubclass, EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = c.oid) AS is_child
		  INTO rec FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE c.oid = rel;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'relation with OID % does not exist', rel::oid USING ERRCODE = '42P01';
		END IF;
		qname := format('%I.%I', rec.nspname, rec.relname);
		key_att := NULL;
		IF rec.relkind = 'p' THEN
			-- partitioned: migrated through its root, key (id, partition key columns) (migrate_partitioned.sql)
			SELECT * INTO rec2 FROM @extschema@.uuid7_plan_partitioned_key(rel);
			IF rec2.sqlstate IS NOT NULL THEN
				x_object := x_object || qname; x_detail := x_detail || rec2.detail;
				x_state := x_state || rec2.sqlstate; x_hint := x_hint || rec2.hint;
				CONTINUE;
			END IF;
			key_att := rec2.att;
		ELSIF rec.relhassubclass OR rec.is_child THEN
			x_object := x_object || qname;
			x_detail := x_detail || CASE WHEN (SELECT c.relispartition FROM pg_class c WHERE c.oid = rel)
				THEN format('table %s is a partition of %s: a partitioned table is migrated whole, through its root', qname,
							(SELECT ih.inhparent::regclass FROM pg_inherits ih WHERE ih.inhrelid = rel LIMIT 1))
				ELSE format('table %s is part of an inheritance tree (INHERITS)', qname) END;
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || CASE WHEN (SELECT c.relispartition FROM pg_class c WHERE c.oid = rel)
				THEN 'List the root partitioned table instead.'
				ELSE 'Legacy inheritance is not supported by uuid7_migrate(); declarative partitioning is.' END;
			CONTINUE;
		ELSIF rec.relkind <> 'r' THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('%s is not a table', qname);
			x_state := x_state || '42809'::text;
			x_hint := x_hint || 'Only ordinary tables can be migrated.'::text;
			CONTINUE;
		ELSIF rec.relpersistence = 't' THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('table %s is temporary', qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'Temporary tables are not supported by uuid7_migrate().'::text;
			CONTINUE;
		ELSIF EXISTS (SELECT 1 FROM uuid7_state.uuid7_migrated_table mt WHERE mt.mapping_table = rel)
			  OR EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_table ot WHERE ot.mapping_table = rel) THEN
			-- its old_id is what uuid7_mapped_id() / uuid7_legacy_id() and the online sync read
			x_object := x_object || qname;
			x_detail := x_detail || format('table %s is the mapping table of a migrated table', qname);
			x_state := x_state || '42809'::text;
			x_hint := x_hint || 'A mapping table keeps its integer old_id; drop it (uuid7_state.uuid7_migrated_table says whose it is) only when nothing needs the old keys.'::text;
			CONTINUE;
		END IF;
		IF NOT pg_has_role(rec.relowner, 'USAGE') THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('must be owner of table %s', qname);
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Run the migration as the owner of every table it alters, or as a member of that role.'::text;
			CONTINUE;
		END IF;
		IF NOT has_schema_privilege(rec.relnamespace, 'USAGE') THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('permission denied for schema %I of table %s', rec.nspname, qname);
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Run the migration as a role with USAGE on the schema of every table it alters.'::text;
			CONTINUE;
		END IF;
		-- The mapping is made by reading the table: rows that row security hides from this role would get no new
		-- key, and the rewrite would then fail on them (23503, no entry in the mapping table), after all the work.
		IF row_security_active(rel) THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('row-level security applies to role %I on table %s, whose every row the migration must read (policies: %s)',
				current_user, qname, coalesce(@extschema@.uuid7_policy_names(rel), 'none, so every row is hidden'));
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Run the migration as a role with BYPASSRLS, or ALTER TABLE ... NO FORCE ROW LEVEL SECURITY for its duration (the owner is then exempt).'::text;
			CONTINUE;
		END IF;
		-- the key: a one-column primary key of type smallint, integer or bigint
		SELECT con.conname, con.conkey, a.attname, a.atttypid, a.attidentity
		  INTO rec2
		  FROM pg_constraint con
		  LEFT JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
		 WHERE con.conrelid = rel AND con.contype = 'p';
		IF key_att IS NOT NULL THEN
			NULL;	-- partitioned: its key was found above
		ELSIF NOT FOUND THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('table %s has no primary key', qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'uuid7_migrate() converts a one-column smallint, integer or bigint primary key.'::text;
			CONTINUE;
		ELSIF cardinality(rec2.conkey) <> 1 OR rec2.atttypid NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('primary key %I of table %s is not a single integer column', rec2.conname, qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'uuid7_migrate() converts a one-column smallint, integer or bigint primary key.'::text;
			CONTINUE;
		END IF;

		-- options of this table
		opt := options - 'tables' - 'analyze' - 'validate' - 'online' - 'deterministic_keys' - 'references';
		IF tab_opts ? rel::oid::text THEN
			opt := opt || (tab_opts -> rel::oid::text);
		END IF;
		v_version := 7;
		IF opt ? 'version' THEN
			IF jsonb_typeof(opt->'version') <> 'number' OR (opt->>'version') NOT IN ('6', '7') THEN
				RAISE EXCEPTION 'option "version" must be 6 or 7' USING ERRCODE = '22023';
			END IF;
			v_version := (opt->>'version')::int;
		END IF;
		IF opt ? 'mapping_schema' THEN
			map_schema := opt->>'mapping_schema';
			IF map_schema IS NULL OR NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = map_schema) THEN
				RAISE EXCEPTION 'schema "%" given as mapping_schema does not exist', map_schema USING ERRCODE = '3F000';
			END IF;
		ELSE
			-- By default the mapping tables go to a schema of their own, not the application's (where its schema dumps
			-- and diffs would take them for its own): uuid7_mapping, which the migration creates, owned by the migrating
			-- role, when it is missing. One that exists must be the migrating role's (through its roles): the owner of
			-- a schema may drop what is in it, so a schema made by another role would hand it the mapping tables.
			map_schema := 'uuid7_mapping';
			IF NOT dflt_checked THEN
				dflt_checked := true;
				SELECT n.nspowner INTO map_owner FROM pg_namespace n WHERE n.nspname = map_schema;
				IF NOT FOUND THEN
					IF has_database_privilege(current_database(), 'CREATE') THEN
						make_schema := true;
					ELSE
						dflt_refused := true;
						x_object := x_object || quote_ident(map_schema);
						x_detail := x_detail || format('permission denied to create schema %I for the mapping tables (CREATE on database %I needed)',
													   map_schema, current_database());
						x_state := x_state || '42501'::text;
						x_hint := x_hint || format('Grant CREATE on the database, or create schema %I owned by the migrating role, or put the mapping tables in an existing schema with the "mapping_schema" option.', map_schema);
					END IF;
				ELSIF NOT pg_has_role(map_owner, 'USAGE') THEN
					dflt_refused := true;
					x_object := x_object || quote_ident(map_schema);
					x_detail := x_detail || format('schema %I, where the mapping tables go by default, is owned by role %s, not by the migrating role (its owner could drop the mapping tables)',
												   map_schema, map_owner::regrole);
					x_state := x_state || '42501'::text;
					x_hint := x_hint || format('Choose the schema of the mapping tables with the "mapping_schema" option, or drop schema %I if nothing of yours is in it.', map_schema);
				END IF;
			END IF;
		END IF;
		IF opt ? 'mapping_table' THEN
			map_name := opt->>'mapping_table';
			IF map_name IS NULL OR map_name = '' OR octet_length(map_name) > 63 THEN
				RAISE EXCEPTION 'option "mapping_table" must be a name of 1 to 63 bytes' USING ERRCODE = '22023';
			END IF;
		ELSE
			map_name := rec.relname || '_uuid7_map';
			IF octet_length(map_name) > 63 THEN
				base := rec.relname;
				WHILE octet_length(base) > 63 - 10 - 9 LOOP
					base := left(base, -1);
				END LOOP;
				map_name := base || '_' || left(md5(rec.relname), 8) || '_uuid7_map';
			END IF;
		END IF;
		IF to_regclass(format('%I.%I', map_schema, map_name)) IS NOT NULL
		   OR format('%I.%I', map_schema, map_name) = ANY (t_map) THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('mapping table %I.%I of table %s already exists', map_schema, map_name, qname);
			x_state := x_state || '42P07'::text;
			x_hint := x_hint || 'Name another mapping table with the "mapping_table" option, or drop the old one.'::text;
			CONTINUE;
		END IF;
		-- (the default schema: refused above, or made by the migration)
		IF NOT (NOT opt ? 'mapping_schema' AND (dflt_refused OR make_schema))
		   AND (NOT has_schema_privilege((SELECT oid FROM pg_namespace WHERE nspname = map_schema), 'CREATE')
				OR NOT has_schema_privilege((SELECT oid FROM pg_namespace WHERE nspname = map_schema), 'USAGE')) THEN
			x_object := x_object || qname;
			x_detail := x_detail || format('permission denied to create mapping table in schema %I (CREATE and USAGE needed)', map_schema);
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Grant CREATE and USAGE on that schema, or choose another with the "mapping_schema" option.'::text;
			CONTINUE;
		END IF;
		IF opt ? 'timestamp_column' THEN
			SELECT a.attname, a.atttypid INTO rec2 FROM pg_attribute a
			 WHERE a.attrelid = rel AND a.attname = opt->>'timestamp_column' AND a.attnum > 0 AND NOT a.attisdropped;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'column "%" of table % given as timestamp_column does not exist',
					opt->>'timestamp_column', qname USING ERRCODE = '42703';
			ELSIF rec2.atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype) THEN
				RAISE EXCEPTION 'column "%" of table % given as timestamp_column is of type %, not a timestamp',
					opt->>'timestamp_column', qname, rec2.atttypid::regtype USING ERRCODE = '42804';
			END IF;
			-- A timestamp without time zone means nothing without one: read in the session's TimeZone, the same
			-- rows would get other keys on a server configured otherwise. The zone must be said.
			IF rec2.atttypid = 'timestamp'::regtype AND NOT opt ? 'time_zone' THEN
				RAISE EXCEPTION 'column "%" of table % given as timestamp_column is a timestamp without time zone', rec2.attname, qname
					USING ERRCODE = '22023',
					HINT = format('Say which time zone its values are in: add "time_zone": "UTC" (or the application''s zone) to the options of table %s.', qname);
			ELSIF rec2.atttypid = 'timestamptz'::regtype AND opt ? 'time_zone' THEN
				RAISE EXCEPTION 'option "time_zone" of table % applies to a timestamp without time zone, and column "%" has one', qname, rec2.attname
					USING ERRCODE = '22023';
			ELSIF opt ? 'time_zone' THEN
				IF jsonb_typeof(opt->'time_zone') <> 'string' THEN
					RAISE EXCEPTION 'option "time_zone" of table % must be a string', qname USING ERRCODE = '22023';
				END IF;
				BEGIN
					PERFORM timestamp '2000-01-01' AT TIME ZONE (opt->>'time_zone');
				EXCEPTION WHEN invalid_parameter_value THEN
					RAISE EXCEPTION 'option "time_zone" of table %: time zone "%" is not recognized', qname, opt->>'time_zone'
						USING ERRCODE = '22023', HINT = 'Name a zone of pg_timezone_names, such as UTC or Europe/Berlin.';
				END;
			END IF;
			t_ts := t_ts || (rec2.attname)::text;
			t_tsexpr := t_tsexpr || CASE WHEN opt ? 'time_zone' THEN format('%I AT TIME ZONE %L', rec2.attname, opt->>'time_zone')
										 ELSE quote_ident(rec2.attname) END;
		ELSE
			IF opt ? 'time_zone' THEN
				RAISE EXCEPTION 'option "time_zone" of table % needs a timestamp_column', qname USING ERRCODE = '22023';
			END IF;
			t_ts := t_ts || NULL::text;
			t_tsexpr := t_tsexpr || NULL::text;
		END IF;
		t_oid := t_oid || rel::oid;
		t_att := t_att || coalesce(key_att, (SELECT con.conkey[1] FROM pg_constraint con WHERE con.conrelid = rel AND con.contype = 'p'));
		t_map := t_map || format('%I.%I', map_schema, map_name);
		t_mapns := t_mapns || map_schema;
		t_ver := t_ver || v_version;
		IF v_derive THEN PERFORM @extschema@.uuid7_derive_check(qname, v_version, t_ts[cardinality(t_ts)]); END IF;
		c_rel := c_rel || rel::oid;
		c_att := c_att || t_att[cardinality(t_att)];
		c_src := c_src || cardinality(t_oid);
		IF opt ? 'keep_old_column' THEN		-- the old key kept under another name (src/sql/migrate_keep.sql)
			FOR rec2 IN SELECT * FROM @extschema@.uuid7_plan_keep_old(rel, t_att[cardinality(t_att)], t_map[cardinality(t_map)], opt->'keep_old_column') LOOP
				IF rec2.phase = 'refusal' THEN
					x_object := x_object || rec2.object; x_detail := x_detail || rec2.detail; x_state := x_state || rec2.sqlstate; x_hint := x_hint || rec2.hint;
				ELSE
					k_rel := k_rel || rel::oid; k_phase := k_phase || rec2.phase; k_object := k_object || rec2.object; k_detail := k_detail || rec2.detail; k_part := k_part || rec2.part;
				END IF;
			END LOOP;
		END IF;
	END LOOP;

	-- ---- foreign keys referencing a migrated key: their columns are converted too ---------------------------
	FOR rec IN
		SELECT con.oid, con.conrelid, con.conname, con.conkey, con.confkey, con.confrelid,
			   format('%I.%I', ns.nspname, c.relname) AS qname, c.relkind, c.relowner, c.relhassubclass, c.relnamespace, ns.nspname,
			   EXISTS (SELECT 1 FROM pg_inherits ih WHERE ih.inhrelid = c.oid) AS is_child
		  FROM pg_constraint con
		  JOIN pg_class c ON c.oid = con.conrelid
		  JOIN pg_namespace ns ON ns.oid = c.relnamespace
		 WHERE con.contype = 'f' AND con.confrelid = ANY (t_oid)
		   AND con.conparentid = 0		-- (a partition's copy of a partitioned table's foreign key follows it)
		 ORDER BY con.conrelid, con.conname
	LOOP
		src := array_position(t_oid, rec.confrelid);
		IF NOT t_att[src] = ANY (rec.confkey) THEN
			CONTINUE;		-- references another unique key of the table, without the migrated column
		END IF;
		-- Known from here on even when refused below, so that no later check mistakes it for an unrelated one.
		fk_oid := fk_oid || rec.oid;
		IF rec.relkind <> 'p' AND (rec.relhassubclass OR rec.is_child) OR rec.conrelid <> ALL (t_oid) AND rec.relkind NOT IN ('r', 'p') THEN
			x_object := x_object || format('%I on %s', rec.conname, rec.qname);
			x_detail := x_detail || format('foreign key %I is on table %s, which is a partition (the foreign key is its own, not its partitioned table''s) or part of an inheritance tree',
				rec.conname, rec.qname);
			x_state := x_state || '0A000'::text;
			x_hint := x_hint || 'Define the foreign key on the partitioned table instead; legacy inheritance is not supported by uuid7_migrate().'::text;
			CONTINUE;
		END IF;
		IF NOT pg_has_role(rec.relowner, 'USAGE') THEN
			x_object := x_object || rec.qname;
			x_detail := x_detail || format('must be owner of table %s, whose foreign key %I references a migrated key',
				rec.qname, rec.conname);
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Run the migration as the owner of every table it alters, or as a member of that role.'::text;
			CONTINUE;
		END IF;
		IF NOT has_schema_privilege(rec.relnamespace, 'USAGE') THEN
			x_object := x_object || rec.qname;
			x_detail := x_detail || format('permission denied for schema %I of table %s, whose foreign key %I references a migrated key',
				rec.nspname, rec.qname, rec.conname);
			x_state := x_state || '42501'::text;
			x_hint := x_hint || 'Run the migration as a role with USAGE on the schema of every table it alters.'::text;
			CONTINUE;
		END IF;
		FOR j IN 1 .. cardinality(rec.conkey) LOOP
			IF rec.confkey[j] = t_att[src] THEN
				-- the same column converted from two different mappings cannot work
				n := NULL;
				FOR i IN 1 .. cardinality(c_rel) LOOP
					IF c_rel[i] = rec.conrelid AND c_att[i] = rec.conkey[j] THEN n := i; END IF;
				END LOOP;
				IF n IS NULL THEN
					c_rel := c_rel || rec.conrelid;
					c_att := c_att || rec.conkey[j];
					c_src := c_src || src;
				ELSIF c_src[n] <> src THEN
					x_object := x_object || format('%I on %s', rec.conname, rec.qname);
					x_detail := x_detail || format('column %I of table %s would take its new values from two mappings (%s and %s)',
						(SELECT attname FROM pg_attribute WHERE attrelid = rec.conrelid AND attnum = rec.conkey[j]),
						rec.qname, t_oid[c_src[n]]::regclass, t_oid[src]::regclass);
					x_state := x_state || '0A000'::text;
					x_hint := x_hint || 'A migrated primary key cannot also be a foreign key to another migrated key; migrate the tables separately.'::text;
				END IF;
			END IF;
		END LOOP;
	END LOOP;

	-- ---- references that no key answers: the rewrite would fail on them (23503) -------------------------------
	-- Possible under a NOT VALID foreign key, a MATCH SIMPLE one over several columns with a NULL among them, or rows
	-- written with triggers off. Counting reads the referencing tables: by default only those whose foreign keys allow
	-- it (so a plan without refusal holds for them); "validate": true counts in every converted column (rows written
	-- with triggers off too); "validate": false in none, and the plan notes the foreign keys that allow it.
	IF v_validate_some THEN
		FOR rec IN
			SELECT cc.rel, a.attname, t_oid[cc.src] AS key_rel, ka.attname AS key_col
			  FROM unnest(c_rel, c_att, c_src) AS cc(rel, att, src)
			  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
			  JOIN pg_attribute ka ON ka.attrelid = t_oid[cc.src] AND ka.attnum = t_att[cc.src]
			 WHERE NOT (cc.rel = t_oid[cc.src] AND cc.att = t_att[cc.src])
			   AND (v_validate OR EXISTS (
					SELECT 1 FROM pg_constraint con
					 WHERE con.oid = ANY (fk_oid) AND con.conrelid = cc.rel AND cc.att = ANY (con.conkey)
					   AND (NOT con.convalidated OR (cardinality(con.conkey) > 1 AND con.confmatchtype = 's'))))
			 ORDER BY cc.rel, cc.att
		LOOP
			EXECUTE format('SELECT count(*), min(r.%I)::text FROM %s r WHERE r.%I IS NOT NULL AND NOT EXISTS (SELECT FROM %s k WHERE k.%I OPERATOR(pg_catalog.=) r.%I)',
				rec.attname, rec.rel::regclass, rec.attname, rec.key_rel::regclass, rec.key_col, rec.attname)
			  INTO n_dangling, example;
			IF n_dangling > 0 THEN
				x_object := x_object || format('%s.%I', rec.rel::regclass, rec.attname);
				x_detail := x_detail || format('column %I of table %s holds %s value(s) that no row of %s has as its key (the least: %s): the rewrite would fail on them',
					rec.attname, rec.rel::regclass, n_dangling, rec.key_rel::regclass, example);
				x_state := x_state || '23503'::text;
				x_hint := x_hint || 'Delete those rows, set the column NULL in them, or add the missing keys; then plan again.'::text;
			END IF;
		END LOOP;
	END IF;

	-- ---- declared references: columns holding keys without a constraint (src/sql/migrate_references.sql) -------
	FOR rec IN SELECT * FROM @extschema@.uuid7_plan_references(options->'references', tables, t_oid, t_att, t_map, c_rel, c_att, v_validate_some) AS dr LOOP
		IF rec.phase = 'refusal' THEN
			x_object := x_object || rec.object; x_detail := x_detail || rec.detail; x_state := x_state || rec.sqlstate; x_hint := x_hint || rec.hint;
		ELSE
			d_rel := d_rel || rec.rel; d_phase := d_phase || rec.phase; d_detail := d_detail || rec.detail; d_part := d_part || rec.part;
		END IF;
	END LOOP;

	-- ---- converted columns in a partition key (migrate_partitioned.sql) ---------------------------------------
	FOR rec IN SELECT * FROM @extschema@.uuid7_plan_partition_refusals(c_rel, c_att) LOOP
		x_object := x_object || rec.object; x_detail := x_detail || rec.detail;
		x_state := x_state || rec.sqlstate; x_hint := x_hint || rec.hint;
	END LOOP;

	-- ---- everything else that depends on a converted column -------------------------------------------------
	FOR rec IN SELECT * FROM @extschema@.uuid7_plan_dependent_refusals(c_rel, c_att, c_src, t_oid, t_att, fk_oid) LOOP
		x_object := x_object || rec.object;
		x_detail := x_detail || rec.detail;
		x_state := x_state || rec.sqlstate;
		x_hint := x_hint || rec.hint;
	END LOOP;

	-- ---- views and materialized views: the ones on converted columns, and every view built on those --------
	-- (with the same columns in the partitions of a partitioned table: a view may read one partition)
	SELECT coalesce(array_agg(p.rel), '{}'), coalesce(array_agg(p.att), '{}') INTO cp_rel, cp_att
	  FROM @extschema@.uuid7_plan_partition_columns(c_rel, c_att, c_src) AS p;
	v_oid := @extschema@.uuid7_plan_views(cp_rel, cp_att);
	IF cardinality(v_oid) > 0 THEN
		FOR rec IN
			SELECT c.oid, format('%I.%I', ns.nspname, c.relname) AS qname, c.relowner, c.relnamespace, ns.nspname
			  FROM unnest(v_oid) AS u JOIN pg_class c ON c.oid = u JOIN pg_namespace ns ON ns.oid = c.relnamespace
		LOOP
			IF NOT has_schema_privilege(rec.relnamespace, 'USAGE') THEN
				x_object := x_object || rec.qname;
				x_detail := x_detail || format('permission denied for schema %I of view %s, which must be recreated', rec.nspname, rec.qname);
				x_state := x_state || '42501'::text;
				x_hint := x_hint || 'Run the migration as a role with USAGE on the schema of every view it recreates.'::text;
			END IF;
			IF NOT pg_has_role(rec.relowner, 'USAGE') THEN
				x_object := x_object || rec.qname;
				x_detail := x_detail || format('must be owner of view %s, which must be recreated', rec.qname);
				x_state := x_state || '42501'::text;
				x_hint := x_hint || 'Run the migration as the owner of every view it recreates, or as a member of that role.'::text;
			END IF;
		END LOOP;
	END IF;

	-- ---- the views, rehearsed: each must be created again over the converted columns ---------------------------
	v_def := array_fill(NULL::text, ARRAY[cardinality(v_oid)]);
	v_retyped := array_fill(''::text, ARRAY[cardinality(v_oid)]);
	FOR rec IN SELECT * FROM @extschema@.uuid7_plan_rehearse_views(cp_rel, cp_att, v_oid) LOOP
		IF rec.sqlstate IS NULL THEN
			i := array_position(v_oid, rec.view_oid);
			v_def[i] := rec.definition;
			v_retyped[i] := array_to_string(rec.retyped, chr(10));
			CONTINUE;
		END IF;
		x_object := x_object || rec.object;
		x_detail := x_detail || rec.detail;
		x_state := x_state || rec.sqlstate;
		x_hint := x_hint || rec.hint;
	END LOOP;

	-- ---- the steps --------------------------------------------------------------------------------------------
	-- 1. lock every table altered, in a fixed order (OID) so that concurrent callers queue instead of
	--    deadlocking (the views are locked when they are dropped)
	SELECT array_agg(format('%I.%I', ns.nspname, c.relname) ORDER BY c.oid) INTO lock_list
	  FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
	 WHERE c.oid IN (SELECT unnest(c_rel) UNION SELECT unnest(t_oid) UNION SELECT unnest(d_rel));
	IF lock_list IS NOT NULL THEN
		r_phase := r_phase || 'lock'::text;
		r_object := r_object || array_to_string(lock_list, ', ');
		r_detail := r_detail || 'ACCESS EXCLUSIVE until the end of the transaction'::text;
		r_stmt := r_stmt || format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', array_to_string(lock_list, ', '));
	END IF;

	-- 2. the schema of the mapping tables, when the default one is missing (one for all the tables of the call)
	IF make_schema THEN
		r_phase := r_phase || 'schema'::text;
		r_object := r_object || 'uuid7_mapping'::text;
		r_detail := r_detail || 'create the schema of the mapping tables, owned by the migrating role'::text;
		r_stmt := r_stmt || 'CREATE SCHEMA uuid7_mapping'::text;
		-- as in public: every role finds the tables there (the owner of a migrated table owns its mapping table, and
		-- the lookups run as the caller); what each may do with a table is still that table's privileges
		r_phase := r_phase || 'schema'::text;
		r_object := r_object || 'uuid7_mapping'::text;
		r_detail := r_detail || 'every role may look up the tables in it (each table''s own privileges still apply)'::text;
		r_stmt := r_stmt || 'GRANT USAGE ON SCHEMA uuid7_mapping TO PUBLIC'::text;
	END IF;

	-- 3. mapping tables: old key -> new key, new keys made in key order (or timestamp-column order)
	FOR i IN 1 .. cardinality(t_oid) LOOP
		qname := t_oid[i]::regclass::text;
		SELECT attname INTO k FROM pg_attribute WHERE attrelid = t_oid[i] AND attnum = t_att[i];
		r_phase := r_phase || 'mapping'::text || 'mapping'::text || 'mapping'::text;
		r_object := r_object || t_map[i] || t_map[i] || t_map[i];
		r_detail := r_detail || format('create the mapping table of %s', qname)
			|| CASE WHEN v_derive THEN format('one deterministic v7 key per row of %s, derived from the secret ($1), the table''s name and %I, in order of %I', qname, k, k)
			   ELSE format('one new v%s key per row of %s, in order of %s', t_ver[i], qname,
					  CASE WHEN t_ts[i] IS NULL THEN quote_ident(k) ELSE format('%I, then %I', t_ts[i], k) END) END
			|| 'index both directions'::text;
		r_stmt := r_stmt
			|| format('CREATE TABLE %s (old_id bigint NOT NULL, new_id uuid NOT NULL DEFAULT %s.uuid_generate_v%s())', t_map[i], ext, t_ver[i])
			|| CASE WHEN v_derive THEN @extschema@.uuid7_derive_fill(t_oid[i], t_map[i], k) ELSE
			   format('INSERT INTO %s (old_id, new_id) SELECT s.k, %s.uuid7_migration_next(%L::regclass, %s, %s, %s) FROM (SELECT %I AS k%s FROM %s ORDER BY %s OFFSET 0) AS s',
					  t_map[i], ext, t_map[i], t_ver[i],
					  CASE WHEN t_ts[i] IS NULL THEN 'NULL' ELSE 's.ts' END,
					  CASE WHEN t_ts[i] IS NULL THEN 'false' ELSE 'true' END,
					  k,
					  CASE WHEN t_ts[i] IS NULL THEN '' ELSE format(', (%s)::timestamptz AS ts', t_tsexpr[i]) END,
					  qname,
					  CASE WHEN t_ts[i] IS NULL THEN '1' ELSE '2, 1' END) END
			|| format('ALTER TABLE %s ADD PRIMARY KEY (old_id), ADD UNIQUE (new_id)', t_map[i]);
		r_phase := r_phase || 'mapping'::text;
		r_object := r_object || t_map[i];
		r_detail := r_detail || 'describe the mapping table'::text;
		r_stmt := r_stmt || format('COMMENT ON TABLE %s IS %L', t_map[i],
			format('uuid7 key mapping of %s (column %s): old_id -> new_id', qname, quote_ident(k)));
		IF v_derive THEN		-- deterministic keys: said once per table, the secret never shown
			r_phase := r_phase || 'note'::text;
			r_object := r_object || t_map[i];
			r_detail := r_detail || format('keys are deterministic (HMAC-SHA-256 of the secret, %s and the old key): the same secret, table name and rows give the same uuids on every database; the secret is not stored and not shown (the fill statement takes it as $1)', qname);
			r_stmt := r_stmt || NULL::text;
		END IF;
		IF (SELECT relowner FROM pg_class WHERE oid = t_oid[i]) <> (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN
			r_phase := r_phase || 'mapping'::text;
			r_object := r_object || t_map[i];
			r_detail := r_detail || 'owned by the owner of the migrated table'::text;
			r_stmt := r_stmt || format('ALTER TABLE %s OWNER TO %I', t_map[i],
				(SELECT rolname FROM pg_roles WHERE oid = (SELECT relowner FROM pg_class WHERE oid = t_oid[i])));
		END IF;
		-- A publication of every table (or of every table in the mapping schema) takes the new table in at once.
		FOR rec IN
			SELECT p.pubname, p.puballtables FROM pg_publication p
			 WHERE p.puballtables OR EXISTS (SELECT 1 FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid
											   WHERE pn.pnpubid = p.oid AND n.nspname = t_mapns[i])
			 ORDER BY p.pubname
		LOOP
			r_phase := r_phase || 'note'::text;
			r_object := r_object || t_map[i];
			r_detail := r_detail || format('joins publication %I, which publishes %s: its subscribers need a table %s, or their replication stops',
				rec.pubname, CASE WHEN rec.puballtables THEN 'every table' ELSE format('every table of schema %I', t_mapns[i]) END, t_map[i]);
			r_stmt := r_stmt || NULL::text;
		END LOOP;
	END LOOP;

	-- 4. drop the views (deepest first)
	IF cardinality(v_oid) > 0 THEN
		FOR rec IN
			SELECT format('%I.%I', ns.nspname, c.relname) AS qname, c.relkind
			  FROM unnest(v_oid) WITH ORDINALITY AS u(oid, ord) JOIN pg_class c ON c.oid = u.oid
			  JOIN pg_namespace ns ON ns.oid = c.relnamespace
			 ORDER BY u.ord DESC
		LOOP
			r_phase := r_phase || 'drop view'::text;
			r_object := r_object || rec.qname;
			r_detail := r_detail || 'recreated after the tables are altered'::text;
			r_stmt := r_stmt || format('DROP %s %s', CASE rec.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, rec.qname);
		END LOOP;
	END IF;

	-- 5. drop the foreign keys on converted columns (metadata only: no rewrite)
	FOR rec IN
		SELECT con.conrelid::regclass AS tbl, string_agg(format('DROP CONSTRAINT %I', con.conname), ', ' ORDER BY con.conname) AS cmds,
			   string_agg(quote_ident(con.conname), ', ' ORDER BY con.conname) AS names
		  FROM pg_constraint con WHERE con.oid = ANY (fk_oid)
		 GROUP BY con.conrelid ORDER BY con.conrelid
	LOOP
		IF NOT v_validate_some THEN
			FOR rec2 IN
				SELECT con.conname FROM pg_constraint con
				 WHERE con.oid = ANY (fk_oid) AND con.conrelid = rec.tbl
				   AND (NOT con.convalidated OR (cardinality(con.conkey) > 1 AND con.confmatchtype = 's'))
				 ORDER BY con.conname
			LOOP
				r_phase := r_phase || 'note'::text;
				r_object := r_object || format('%I on %s', rec2.conname, rec.tbl);
				r_detail := r_detail || 'NOT VALID or MATCH SIMPLE over several columns: rows may reference no key, and the rewrite would fail on them (23503); plan without "validate": false to count them first'::text;
				r_stmt := r_stmt || NULL::text;
			END LOOP;
		END IF;
		r_phase := r_phase || 'drop foreign key'::text;
		r_object := r_object || rec.tbl::text;
		r_detail := r_detail || format('foreign keys %s, recreated after the tables are altered', rec.names);
		r_stmt := r_stmt || format('ALTER TABLE %s %s', rec.tbl, rec.cmds);
	END LOOP;

	-- 4b. indexes naming an integer operator class that uuid has a class of the same kind for: ALTER COLUMN TYPE
	--     would build them again with the integer class and fail (42804). Dropped here, created after the type change
	--     with the uuid class (parameters, name, tablespace, storage parameters, predicate and comment kept).
	FOR rec IN
		SELECT ti.idx, ti.detail, format('%I.%I', ns.nspname, c.relname) AS qname, c.relname, ix.indrelid,
			   obj_description(ti.idx, 'pg_class') AS comment
		  FROM @extschema@.uuid7_plan_translated_indexes(cp_rel, cp_att) AS ti
		  JOIN pg_class c ON c.oid = ti.idx JOIN pg_namespace ns ON ns.oid = c.relnamespace
		  JOIN pg_index ix ON ix.indexrelid = ti.idx
		 ORDER BY ix.indrelid, c.relname
	LOOP
		SELECT array_agg(DISTINCT a.attname) INTO parts
		  FROM unnest(cp_rel, cp_att) AS cc(rel, att) JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
		 WHERE cc.rel = rec.indrelid;
		r_phase := r_phase || 'drop index'::text;
		r_object := r_object || rec.qname;
		r_detail := r_detail || format('created again with the uuid operator class after the tables are altered (%s)', rec.detail);
		r_stmt := r_stmt || format('DROP INDEX %s', rec.qname);
		-- a partitioned index: its partitions' indexes go with it, and come back under the names PostgreSQL gives
		FOR rec2 IN SELECT * FROM @extschema@.uuid7_plan_partition_indexes(rec.idx) LOOP
			r_phase := r_phase || 'note'::text;
			r_object := r_object || rec2.object;
			r_detail := r_detail || rec2.detail;
			r_stmt := r_stmt || NULL::text;
		END LOOP;
		ix_object := ix_object || rec.qname;
		ix_detail := ix_detail || format('translated: %s', rec.detail);
		ix_stmt := ix_stmt || @extschema@.uuid7_index_sql(rec.idx, rec.relname, parts::name[], parts::name[], false);
		IF rec.comment IS NOT NULL THEN
			ix_object := ix_object || rec.qname;
			ix_detail := ix_detail || 'comment'::text;
			ix_stmt := ix_stmt || format('COMMENT ON INDEX %s IS %L', rec.qname, rec.comment);
		END IF;
	END LOOP;

	-- 5. one ALTER TABLE per table: every converted column, the key's identity/default (one rewrite)
	FOR rec IN
		SELECT DISTINCT u AS rel FROM unnest(c_rel || d_rel) AS u ORDER BY u
	LOOP
		parts := '{}';
		FOR rec2 IN
			SELECT cc.att, cc.src, a.attname, a.attidentity, a.atthasdef, a.atttypid::regtype AS oldtype
			  FROM unnest(c_rel, c_att, c_src) AS cc(rel, att, src)
			  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
			 WHERE cc.rel = rec.rel ORDER BY cc.att
		LOOP
			IF t_oid[rec2.src] = rec.rel AND t_att[rec2.src] = rec2.att THEN
				IF rec2.attidentity <> '' THEN
					-- must precede the type change in its own statement (metadata only: no rewrite)
					r_phase := r_phase || 'drop identity'::text;
					r_object := r_object || rec.rel::regclass::text;
					r_detail := r_detail || format('identity of column %I and its sequence', rec2.attname);
					r_stmt := r_stmt || format('ALTER TABLE %s ALTER COLUMN %I DROP IDENTITY', rec.rel::regclass, rec2.attname);
				ELSIF rec2.atthasdef THEN
					parts := parts || format('ALTER COLUMN %I DROP DEFAULT', rec2.attname);
				END IF;
				parts := parts || format('ALTER COLUMN %I TYPE pg_catalog.uuid USING %s.uuid7_migration_lookup(%L::pg_catalog.regclass, %I::pg_catalog.int8)',
					rec2.attname, ext, t_map[rec2.src], rec2.attname);
				parts := parts || format('ALTER COLUMN %I SET DEFAULT %s.uuid_generate_v%s()', rec2.attname, ext, t_ver[rec2.src]);
			ELSE
				parts := parts || format('ALTER COLUMN %I TYPE pg_catalog.uuid USING %s.uuid7_migration_lookup(%L::pg_catalog.regclass, %I::pg_catalog.int8)',
					rec2.attname, ext, t_map[rec2.src], rec2.attname);
			END IF;
		END LOOP;
		-- the declared references of the table: their notes, and their subcommands in the same rewrite
		FOR i IN 1 .. cardinality(d_rel) LOOP
			CONTINUE WHEN d_rel[i] <> rec.rel;
			IF d_phase[i] = 'column' THEN
				parts := parts || d_part[i];
			ELSE
				r_phase := r_phase || 'note'::text; r_object := r_object || rec.rel::regclass::text;
				r_detail := r_detail || d_detail[i]; r_stmt := r_stmt || NULL::text;
			END IF;
		END LOOP;
		-- the old key kept under another name: its column and constraint in the same rewrite, its notes
		FOR i IN 1 .. cardinality(k_rel) LOOP
			CONTINUE WHEN k_rel[i] <> rec.rel;
			IF k_phase[i] = 'column' THEN
				parts := parts || k_part[i];
			ELSIF k_phase[i] = 'note' THEN
				r_phase := r_phase || 'note'::text; r_object := r_object || k_object[i]; r_detail := r_detail || k_detail[i]; r_stmt := r_stmt || NULL::text;
			END IF;
		END LOOP;
		-- what the type change takes away or passes on, with no statement of its own
		FOR rec2 IN
			SELECT format('column %I of type %s, a domain over %s%s, becomes plain uuid: the domain no longer applies to it',
						  a.attname, format_type(a.atttypid, NULL), format_type(ty.typbasetype, NULL),
						  coalesce(' with ' || (SELECT string_agg(format('constraint %I (%s)', dc.conname, pg_get_constraintdef(dc.oid)), ', ' ORDER BY dc.conname)
												  FROM pg_constraint dc WHERE dc.contypid = ty.oid), '')) AS note
			  FROM unnest(c_rel, c_att) AS cc(rel, att)
			  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
			  JOIN pg_type ty ON ty.oid = a.atttypid AND ty.typtype = 'd'
			 WHERE cc.rel = rec.rel
			UNION ALL
			SELECT format('published by %I: its subscribers must change the same columns to uuid before this change reaches them', pt.pubname)
			  FROM pg_publication_tables pt
			 WHERE format('%I.%I', pt.schemaname, pt.tablename) = rec.rel::regclass::text
		LOOP
			r_phase := r_phase || 'note'::text;
			r_object := r_object || rec.rel::regclass::text;
			r_detail := r_detail || rec2.note;
			r_stmt := r_stmt || NULL::text;
		END LOOP;
		FOR i IN 1 .. cardinality(k_rel) LOOP		-- the kept old key: what its generated column needs first
			CONTINUE WHEN k_rel[i] <> rec.rel OR k_phase[i] <> 'before';
			r_phase := r_phase || 'keep old key'::text; r_object := r_object || k_object[i]; r_detail := r_detail || k_detail[i]; r_stmt := r_stmt || k_part[i];
		END LOOP;
		r_phase := r_phase || 'alter table'::text;
		r_object := r_object || rec.rel::regclass::text;
		r_detail := r_detail || format('%s subcommand(s), one rewrite; indexes rebuilt with the same names', cardinality(parts))::text;
		r_stmt := r_stmt || format('ALTER TABLE %s %s', rec.rel::regclass, array_to_string(parts, ', '));
		FOR i IN 1 .. cardinality(k_rel) LOOP		-- the kept old key after the rewrite: default/identity, sequence
			CONTINUE WHEN k_rel[i] <> rec.rel OR k_phase[i] <> 'keep old key';
			r_phase := r_phase || k_phase[i]; r_object := r_object || k_object[i]; r_detail := r_detail || k_detail[i]; r_stmt := r_stmt || k_part[i];
		END LOOP;
		-- (partitioned, PostgreSQL 18+: NOT NULL constraints of partitions that take their parent's name; migrate_partitioned.sql)
		FOR rec2 IN SELECT * FROM @extschema@.uuid7_plan_partition_not_null(rec.rel,
						(SELECT array_agg(a.attname) FROM unnest(c_rel, c_att) AS u(r, n)
						   JOIN pg_attribute a ON a.attrelid = u.r AND a.attnum = u.n WHERE u.r = rec.rel)) LOOP
			r_phase := r_phase || 'note'::text;
			r_object := r_object || format('%I on %s', rec2.conname, rec2.part);
			r_detail := r_detail || format('NOT NULL constraint %I of column %I of partition %s is renamed %I by the type change (PostgreSQL gives it its parent''s name, and an inherited NOT NULL constraint cannot be renamed back)',
				rec2.conname, rec2.attname, rec2.part, rec2.new_name);
			r_stmt := r_stmt || NULL::text;
		END LOOP;
	END LOOP;

	-- 5b. the indexes dropped in 4b, with the uuid operator classes
	FOR i IN 1 .. cardinality(ix_stmt) LOOP
		r_phase := r_phase || 'create index'::text;
		r_object := r_object || ix_object[i];
		r_detail := r_detail || ix_detail[i];
		r_stmt := r_stmt || ix_stmt[i];
	END LOOP;

	-- 6. serial sequences: dropped when nothing else uses them
	FOR i IN 1 .. cardinality(t_oid) LOOP
		CONTINUE WHEN t_oid[i] = ANY (k_rel);		-- keep_old_column: the sequence goes with the kept old key
		FOR rec IN
			SELECT s.oid::regclass AS seq,
				   EXISTS (SELECT 1 FROM pg_depend o
						    WHERE o.refclassid = 'pg_class'::regclass AND o.refobjid = s.oid
							  AND NOT (o.classid = 'pg_attrdef'::regclass AND o.objid IN (SELECT @extschema@.uuid7_plan_key_defaults(t_oid[i], t_att[i])))
							  AND NOT (o.classid = 'pg_class'::regclass AND o.objid = s.oid)) AS used_elsewhere
			  FROM pg_depend d
			  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
			 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
			   AND d.refobjid = t_oid[i] AND d.refobjsubid = t_att[i] AND d.deptype = 'a'
		LOOP
			r_phase := r_phase || 'sequence'::text;
			r_object := r_object || rec.seq::text;
			IF rec.used_elsewhere THEN
				r_detail := r_detail || 'kept (other objects use it), no longer owned by the key'::text;
				r_stmt := r_stmt || format('ALTER SEQUENCE %s OWNED BY NONE', rec.seq);
			ELSE
				r_detail := r_detail || 'no longer used'::text;
				r_stmt := r_stmt || format('DROP SEQUENCE %s', rec.seq);
			END IF;
		END LOOP;
	END LOOP;

	-- 8. recreate the foreign keys, same name and definition (MATCH, actions, deferrability, NOT VALID)
	FOR rec IN
		SELECT con.conrelid::regclass AS tbl,
			   string_agg(format('ADD CONSTRAINT %I %s', con.conname, pg_get_constraintdef(con.oid)), ', ' ORDER BY con.conname) AS cmds,
			   string_agg(quote_ident(con.conname), ', ' ORDER BY con.conname) AS names
		  FROM pg_constraint con WHERE con.oid = ANY (fk_oid)
		 GROUP BY con.conrelid ORDER BY con.conrelid
	LOOP
		r_phase := r_phase || 'add foreign key'::text;
		r_object := r_object || rec.tbl::text;
		r_detail := r_detail || format('foreign keys %s (validated unless NOT VALID before)', rec.names);
		r_stmt := r_stmt || format('ALTER TABLE %s %s', rec.tbl, rec.cmds);
	END LOOP;
	FOR rec IN
		SELECT con.conrelid::regclass AS tbl, con.conname, d.description
		  FROM pg_constraint con JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid AND d.objsubid = 0
		 WHERE con.oid = ANY (fk_oid) ORDER BY con.conrelid, con.conname
	LOOP
		r_phase := r_phase || 'add foreign key'::text;
		r_object := r_object || format('%I on %s', rec.conname, rec.tbl);
		r_detail := r_detail || 'comment'::text;
		r_stmt := r_stmt || format('COMMENT ON CONSTRAINT %I ON %s IS %L', rec.conname, rec.tbl, rec.description);
	END LOOP;

	-- extended statistics over a converted column: ALTER COLUMN TYPE builds them again, without their statistics
	-- target (and, on some majors, owned by the role that migrates): both set back as they were
	FOR rec IN
		SELECT format('%I.%I', ns.nspname, s.stxname) AS qname, pg_get_userbyid(s.stxowner) AS owner,
			   pg_has_role(s.stxowner, 'USAGE') AS may_own,
			   (to_jsonb(s)->>'stxstattarget')::int AS target		-- -1 (up to 16) or NULL (17 on): the default
		  FROM pg_statistic_ext s JOIN pg_namespace ns ON ns.oid = s.stxnamespace
		 WHERE s.oid IN (SELECT @extschema@.uuid7_plan_statistics(cp_rel, cp_att))
		 ORDER BY 1
	LOOP
		IF rec.may_own THEN
			-- (a no-op where the rebuild kept the owner)
			r_phase := r_phase || 'statistics'::text;
			r_object := r_object || rec.qname;
			r_detail := r_detail || format('owner %s kept', rec.owner);
			r_stmt := r_stmt || format('ALTER STATISTICS %s OWNER TO %I', rec.qname, rec.owner);
		END IF;
		IF rec.target >= 0 THEN
			r_phase := r_phase || 'statistics'::text;
			r_object := r_object || rec.qname;
			r_detail := r_detail || format('statistics target %s kept', rec.target);
			r_stmt := r_stmt || format('ALTER STATISTICS %s SET STATISTICS %s', rec.qname, rec.target);
		END IF;
	END LOOP;

	-- 8. recreate the views in dependency order: definition, options, owner, grants, comments, indexes, triggers
	FOR rec IN SELECT * FROM @extschema@.uuid7_plan_view_ddl(v_oid, v_def) LOOP
		IF rec.detail IN ('view', 'materialized view, populated', 'materialized view, not populated') THEN
			-- the constants retyped in its definition, one line each, before it
			i := (SELECT u.ord FROM unnest(v_oid) WITH ORDINALITY AS u(oid, ord) JOIN pg_class c ON c.oid = u.oid
				   JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE format('%I.%I', ns.nspname, c.relname) = rec.object);
			FOREACH k IN ARRAY coalesce(string_to_array(nullif(v_retyped[i], ''), chr(10)), '{}') LOOP
				r_phase := r_phase || 'note'::text;
				r_object := r_object || rec.object;
				r_detail := r_detail || format('translated: %s', k);
				r_stmt := r_stmt || NULL::text;
			END LOOP;
		END IF;
		r_phase := r_phase || 'create view'::text;
		r_object := r_object || rec.object;
		r_detail := r_detail || rec.detail;
		r_stmt := r_stmt || rec.statement;
	END LOOP;

	-- 10. register the mapping tables
	FOR i IN 1 .. cardinality(t_oid) LOOP
		r_phase := r_phase || 'register'::text;
		r_object := r_object || t_oid[i]::regclass::text;
		r_detail := r_detail || format('mapping table %s', t_map[i]);
		r_stmt := r_stmt || format('SELECT %s.uuid7_register_migrated(%L::pg_catalog.regclass, %L, %L::pg_catalog.regtype, %L::pg_catalog.regclass, %s, %L)',
			ext, t_oid[i]::regclass, (SELECT attname FROM pg_attribute WHERE attrelid = t_oid[i] AND attnum = t_att[i]),
			(SELECT atttypid::regtype FROM pg_attribute WHERE attrelid = t_oid[i] AND attnum = t_att[i]),
			t_map[i], t_ver[i], t_ts[i]);
	END LOOP;

	-- 11. optional ANALYZE: ALTER COLUMN TYPE discards the column statistics
	IF v_analyze THEN
		FOR rec IN SELECT DISTINCT u AS rel FROM unnest(c_rel || d_rel) AS u ORDER BY u LOOP
			r_phase := r_phase || 'analyze'::text;
			r_object := r_object || rec.rel::regclass::text;
			r_detail := r_detail || 'fresh planner statistics'::text;
			r_stmt := r_stmt || format('ANALYZE %s', rec.rel::regclass);
		END LOOP;
	END IF;

	-- 12. what the catalog does not say (src/sql/migrate_discovery.sql): notes only, blocking nothing
	SELECT r_phase || coalesce(array_agg('note'::text ORDER BY dn.g, dn.n), '{}'), r_object || coalesce(array_agg(dn.object ORDER BY dn.g, dn.n), '{}'),
		   r_detail || coalesce(array_agg(dn.detail ORDER BY dn.g, dn.n), '{}'), r_stmt || coalesce(array_agg(NULL::text ORDER BY dn.g, dn.n), '{}')
	  INTO r_phase, r_object, r_detail, r_stmt
	  FROM (SELECT 1 AS g, d.n, d.object, d.detail
			  FROM @extschema@.uuid7_plan_discovery(options->'references', t_oid, t_att, c_rel, c_att, t_map) WITH ORDINALITY AS d(object, detail, n)
			UNION ALL
			SELECT 2, d.n, d.object, d.detail
			  FROM @extschema@.uuid7_plan_code(options->'references', t_oid, t_att, c_rel, c_att) WITH ORDINALITY AS d(object, detail, routine, n)) AS dn;

	-- ---- read for an online run: what only the online migration refuses, first ------------------------------
	IF v_online THEN
		SELECT coalesce(array_agg(o.object ORDER BY o.n), '{}') || x_object, coalesce(array_agg(o.detail ORDER BY o.n), '{}') || x_detail,
			   coalesce(array_agg(o.sqlstate ORDER BY o.n), '{}') || x_state, coalesce(array_agg(o.hint ORDER BY o.n), '{}') || x_hint
		  INTO x_object, x_detail, x_state, x_hint
		  FROM @extschema@.uuid7_plan_online_refusals(tables::oid[], t_oid, t_ts, c_rel, c_att,
				array_remove(ARRAY[CASE WHEN v_derive THEN 'deterministic_keys' END, CASE WHEN options ? 'references' THEN 'references' END,
					CASE WHEN cardinality(k_rel) > 0 THEN 'keep_old_column' END], NULL)) WITH ORDINALITY AS o(object, detail, sqlstate, hint, n);
	END IF;

	-- ---- output: refusals first, then the steps -------------------------------------------------------------
	n := cardinality(x_object);
	RETURN QUERY
		SELECT s.ord::integer, 'refusal'::text, s.o, s.d, NULL::text, s.st, s.h
		  FROM unnest(x_object, x_detail, x_state, x_hint) WITH ORDINALITY AS s(o, d, st, h, ord)
		UNION ALL
		SELECT (n + s.ord)::integer, s.p, s.o, s.d, s.sq, NULL::text, NULL::text
		  FROM unnest(r_phase, r_object, r_detail, r_stmt) WITH ORDINALITY AS s(p, o, d, sq, ord)
		 WHERE n = 0
		ORDER BY 1;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migration_plan(regclass[], jsonb) IS
	'what uuid7_migrate() would do with these tables and options: every refusal, or every step with its exact SQL; changes nothing';

-- Raises a plan's first refusal as the error of the call it refuses: its SQLSTATE, detail and hint, and how many
-- others there are. context 'swap': something changed since an online migration started (abort undoes it); any other
-- context: nothing was done yet.
CREATE OR REPLACE FUNCTION uuid7_plan_raise_refusal(code text, detail text, hint text, refusals integer, context text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF code !~ '^[0-9A-Z]{5}$' OR left(code, 2) IN ('00', '01', '02', '53', '57', '58', 'XX') THEN
		code := 'P0001';	-- a refusal is never success, a warning, a resource or system error, or an internal error
	END IF;
	IF context = 'swap' THEN
		RAISE EXCEPTION USING
			ERRCODE = code,
			MESSAGE = 'cannot swap: ' || detail,
			DETAIL = 'Something changed since the migration started; nothing was changed by the swap.',
			HINT = hint || ' uuid7_migration_abort() undoes the migration.';
	END IF;
	RAISE EXCEPTION USING
		ERRCODE = code,
		MESSAGE = 'cannot migrate: ' || detail,
		DETAIL = CASE WHEN refusals > 1 THEN format('%s other refusal(s) as well; nothing was changed.', refusals - 1)
					  ELSE 'Nothing was changed.' END,
		HINT = hint || ' uuid7_migration_plan() lists every refusal.';
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_raise_refusal(text, text, text, integer, text) IS
	'internal to the migration: raises the first refusal of a plan (context migrate/start: nothing was done; swap: abort undoes the migration)';
