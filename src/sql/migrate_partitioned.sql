-- src/sql/migrate_partitioned.sql — what the migration plan knows about declaratively partitioned tables.
--
-- A partitioned table migrates through its root: one mapping table, filled from the whole tree in old-key order; one
-- ALTER TABLE on the root, which PostgreSQL applies to every partition (one rewrite each) and with which it rebuilds
-- the partitioned indexes and their partitions' indexes under their own names; the foreign keys defined on (or
-- referencing) the root dropped and added again, which drops and clones their per-partition copies. The functions
-- here find the key of such a table, the partitions' own copies of the converted columns (their attribute numbers
-- may differ: a partition attached with another column order), and what cannot be converted: a converted column in
-- a partition key (its bounds are integers). Legacy inheritance (INHERITS) stays refused by the plan. (A foreign
-- table cannot be a partition here: PostgreSQL allows none below a primary key, nor below a foreign key.)

-- The integer key of partitioned table rel: its primary key is that column and the partition key columns of every
-- level of the tree ((id, created_at) for a table partitioned by created_at). One row: att (NULL when refused), and
-- the refusal's detail, SQLSTATE and hint.
CREATE OR REPLACE FUNCTION uuid7_plan_partitioned_key(rel oid)
RETURNS TABLE (att int2, detail text, sqlstate text, hint text)
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	qname text := rel::regclass::text;
	pk record;
	part_cols name[];		-- the columns of every level's partition key, by name
	int_cols name[];		-- the integer columns of the primary key
	rest name[];			-- the primary key's columns outside the partition keys
	lvl record;
BEGIN
	SELECT con.conname, array_agg(a.attname ORDER BY k.n) AS cols,
		   array_agg(a.attname ORDER BY k.n) FILTER (WHERE a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)) AS ints
	  INTO pk
	  FROM pg_constraint con
	  JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(att, n) ON true
	  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.att
	 WHERE con.conrelid = rel AND con.contype = 'p'
	 GROUP BY con.conname;
	IF NOT FOUND THEN
		RETURN QUERY SELECT NULL::int2, format('partitioned table %s has no primary key', qname), '0A000'::text,
			'uuid7_migrate() converts a partitioned table whose primary key is one integer column and the partition key columns, for example (id, created_at).'::text;
		RETURN;
	END IF;
	-- the partition key columns of the root and of every partitioned partition, as columns or in expressions (a key
	-- column, even one used in an expression only, depends internally on its table)
	SELECT array_agg(DISTINCT ra.attname) INTO part_cols
	  FROM pg_partition_tree(rel) AS t
	  JOIN pg_partitioned_table pt ON pt.partrelid = t.relid
	  JOIN pg_attribute la ON la.attrelid = t.relid AND la.attnum > 0 AND NOT la.attisdropped
	  JOIN pg_attribute ra ON ra.attrelid = rel AND ra.attname = la.attname
	 WHERE la.attnum = ANY (pt.partattrs::int2[])
		OR EXISTS (SELECT 1 FROM pg_depend d
					WHERE d.classid = 'pg_class'::regclass AND d.objid = t.relid AND d.objsubid = la.attnum
					  AND d.refclassid = 'pg_class'::regclass AND d.refobjid = t.relid AND d.refobjsubid = 0 AND d.deptype = 'i');
	part_cols := coalesce(part_cols, '{}');
	int_cols := coalesce(pk.ints, '{}');
	-- an integer key in a partition key: its bounds (or hash) are integers, which the uuids cannot keep
	FOR lvl IN
		SELECT t.relid::regclass AS tbl, pg_get_partkeydef(t.relid) AS keydef, ia.attname
		  FROM pg_partition_tree(rel) AS t
		  JOIN pg_partitioned_table pt ON pt.partrelid = t.relid
		  JOIN unnest(int_cols) AS ia(attname) ON ia.attname = ANY (part_cols)
		  JOIN pg_attribute la ON la.attrelid = t.relid AND la.attname = ia.attname
		 WHERE la.attnum = ANY (pt.partattrs::int2[])
			OR EXISTS (SELECT 1 FROM pg_depend d
						WHERE d.classid = 'pg_class'::regclass AND d.objid = t.relid
						  AND d.refclassid = 'pg_class'::regclass AND d.refobjid = t.relid
						  AND d.objsubid = la.attnum AND d.refobjsubid = 0 AND d.deptype = 'i')
		 ORDER BY t.level, t.relid
		 LIMIT 1
	LOOP
		RETURN QUERY SELECT NULL::int2,
			format('the integer key %I of table %s is in the partition key of %s (PARTITION BY %s): its partition bounds are integers, which the new uuid keys cannot keep',
				   lvl.attname, qname, lvl.tbl, lvl.keydef),
			'0A000'::text,
			format('Partition %s by another column (a timestamp, for instance) with primary key (%I, that column), then migrate; or migrate a copy that is not partitioned.',
				   qname, lvl.attname);
		RETURN;
	END LOOP;
	SELECT array_agg(c ORDER BY n) INTO rest FROM unnest(pk.cols) WITH ORDINALITY AS u(c, n) WHERE c <> ALL (part_cols);
	IF cardinality(rest) IS DISTINCT FROM 1 OR NOT rest[1] = ANY (int_cols) THEN
		RETURN QUERY SELECT NULL::int2,
			format('primary key %I of partitioned table %s is not one smallint, integer or bigint column beside the partition key columns (%s)',
				   pk.conname, qname, coalesce((SELECT string_agg(quote_ident(c), ', ') FROM unnest(part_cols) AS c), 'none')),
			'0A000'::text,
			'uuid7_migrate() converts a partitioned table whose primary key is one integer column and the partition key columns, for example (id, created_at).'::text;
		RETURN;
	END IF;
	RETURN QUERY SELECT a.attnum, NULL::text, NULL::text, NULL::text FROM pg_attribute a WHERE a.attrelid = rel AND a.attname = rest[1];
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_partitioned_key(oid) IS
	'internal to the migration plan: the integer key column of a partitioned table (its primary key beside the partition key columns), or why it is refused';

-- The converted columns (c_rel, c_att, c_src) and, for each on a partitioned table, the same column (by name) of every
-- partition below it, with the same source: what depends on a partition's column must follow it to uuid as well.
CREATE OR REPLACE FUNCTION uuid7_plan_partition_columns(c_rel oid[], c_att int2[], c_src int[])
RETURNS TABLE (rel oid, att int2, src int)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT cc.rel, cc.att, cc.src FROM unnest(c_rel, c_att, c_src) AS cc(rel, att, src)
	UNION ALL
	SELECT t.relid, pa.attnum, cc.src
	  FROM unnest(c_rel, c_att, c_src) AS cc(rel, att, src)
	  JOIN pg_class c ON c.oid = cc.rel AND c.relkind = 'p'
	  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
	  JOIN pg_partition_tree(cc.rel) AS t ON t.relid <> cc.rel
	  JOIN pg_attribute pa ON pa.attrelid = t.relid AND pa.attname = a.attname AND NOT pa.attisdropped
$fn$;
COMMENT ON FUNCTION uuid7_plan_partition_columns(oid[], int2[], int[]) IS
	'internal to the migration plan: the converted columns and their copies in every partition below a partitioned table';

-- The foreign keys fk_oid and every copy PostgreSQL made of them for partitions (on a partition of the referencing
-- table, or towards a partition of the referenced one): dropping the originals drops the copies, adding them back
-- clones them again.
CREATE OR REPLACE FUNCTION uuid7_plan_partition_constraints(fk_oid oid[]) RETURNS oid[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	WITH RECURSIVE tree(oid) AS (
		SELECT u FROM unnest(fk_oid) AS u
		UNION
		SELECT con.oid FROM pg_constraint con JOIN tree ON con.conparentid = tree.oid
	)
	SELECT coalesce(array_agg(oid ORDER BY oid), '{}') FROM tree
$fn$;
COMMENT ON FUNCTION uuid7_plan_partition_constraints(oid[]) IS
	'internal to the migration plan: foreign keys and their per-partition copies';

-- The defaults of key column att of table rel and of the same column in every partition below it (a serial on a
-- partitioned table: PARTITION OF copies its nextval() default to each partition). All of them go with the key.
CREATE OR REPLACE FUNCTION uuid7_plan_key_defaults(rel oid, att int2) RETURNS SETOF oid
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT ad.oid FROM pg_attrdef ad WHERE ad.adrelid = rel AND ad.adnum = att
	UNION
	SELECT ad.oid
	  FROM pg_attribute a
	  JOIN pg_partition_tree(rel) AS t ON t.relid <> rel
	  JOIN pg_attribute pa ON pa.attrelid = t.relid AND pa.attname = a.attname AND NOT pa.attisdropped
	  JOIN pg_attrdef ad ON ad.adrelid = pa.attrelid AND ad.adnum = pa.attnum
	 WHERE a.attrelid = rel AND a.attnum = att
$fn$;
COMMENT ON FUNCTION uuid7_plan_key_defaults(oid, int2) IS
	'internal to the migration plan: the defaults of a key column and of its copies in the partitions below it';

-- Refusals for converted columns (c_rel, c_att) that a partition key of their table's tree uses, at any level: ALTER
-- COLUMN TYPE refuses such a column, and integer bounds or hashes cannot hold the uuids.
CREATE OR REPLACE FUNCTION uuid7_plan_partition_refusals(c_rel oid[], c_att int2[])
RETURNS TABLE (object text, detail text, sqlstate text, hint text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT DISTINCT ON (cc.rel, cc.att)
		   format('%s.%I', cc.rel::regclass, a.attname),
		   format('column %I of table %s becomes uuid, but it is in the partition key of %s (PARTITION BY %s): its partition bounds are integers, which uuids cannot keep',
				  a.attname, cc.rel::regclass, t.relid::regclass, pg_get_partkeydef(t.relid)),
		   '0A000'::text,
		   format('Partition %s by another column first, or drop the foreign key that makes column %I follow a migrated key.', cc.rel::regclass, a.attname)
	  FROM unnest(c_rel, c_att) AS cc(rel, att)
	  JOIN pg_attribute a ON a.attrelid = cc.rel AND a.attnum = cc.att
	  JOIN pg_class c ON c.oid = cc.rel AND c.relkind = 'p'
	  JOIN pg_partition_tree(cc.rel) AS t ON true
	  JOIN pg_partitioned_table pt ON pt.partrelid = t.relid
	  JOIN pg_attribute la ON la.attrelid = t.relid AND la.attname = a.attname
	 WHERE la.attnum = ANY (pt.partattrs::int2[])
		OR EXISTS (SELECT 1 FROM pg_depend d
					WHERE d.classid = 'pg_class'::regclass AND d.objid = t.relid
					  AND d.refclassid = 'pg_class'::regclass AND d.refobjid = t.relid
					  AND d.objsubid = la.attnum AND d.refobjsubid = 0 AND d.deptype = 'i')
	 ORDER BY cc.rel, cc.att, t.level, t.relid
$fn$;
COMMENT ON FUNCTION uuid7_plan_partition_refusals(oid[], int2[]) IS
	'internal to the migration plan: refusals for converted columns used by a partition key';

-- The indexes of the partitions below partitioned index idx (none for an index of one table), for the plan's notes:
-- dropped with it, and created again with it by CREATE INDEX on the partitioned table, named as PostgreSQL names them.
CREATE OR REPLACE FUNCTION uuid7_plan_partition_indexes(idx oid) RETURNS TABLE (object text, detail text)
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT format('%I.%I', n.nspname, c.relname),
		   format('index of partition %s, dropped with partitioned index %s and created again with it, with the uuid operator class, under the name PostgreSQL chooses (this one if it was made that way)',
				  i.indrelid::regclass, idx::regclass)
	  FROM pg_partition_tree(idx) AS t
	  JOIN pg_class c ON c.oid = t.relid
	  JOIN pg_namespace n ON n.oid = c.relnamespace
	  JOIN pg_index i ON i.indexrelid = t.relid
	 WHERE t.relid <> idx
	 ORDER BY t.level, c.relname
$fn$;
COMMENT ON FUNCTION uuid7_plan_partition_indexes(oid) IS
	'internal to the migration plan: the partitions'' indexes below a partitioned index the plan drops and creates again';

-- PostgreSQL 18 records NOT NULL constraints by name (pg_constraint, contype 'n'), and ALTER COLUMN TYPE on a
-- partitioned table makes a partition's NOT NULL constraint of that column again under its parent's name; an
-- inherited NOT NULL constraint cannot be renamed back. The partitions below rel whose NOT NULL constraint of a
-- converted column (atts) has a name of its own (a table created alone and attached), with the name it will have:
-- the plan notes each. None before 18.
CREATE OR REPLACE FUNCTION uuid7_plan_partition_not_null(rel oid, atts name[])
RETURNS TABLE (part regclass, attname name, conname name, new_name name)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
	SELECT con.conrelid::regclass, a.attname, con.conname, pc.conname
	  FROM pg_partition_tree(rel) AS t
	  JOIN pg_constraint con ON con.conrelid = t.relid AND con.contype = 'n'
	  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
	  JOIN pg_inherits ih ON ih.inhrelid = con.conrelid
	  JOIN pg_constraint pc ON pc.conrelid = ih.inhparent AND pc.contype = 'n'
	  JOIN pg_attribute pa ON pa.attrelid = pc.conrelid AND pa.attnum = pc.conkey[1] AND pa.attname = a.attname
	 WHERE t.relid <> rel AND a.attname = ANY (atts) AND con.conname <> pc.conname
	 ORDER BY t.level, con.conrelid::regclass::text, a.attname
$fn$;
COMMENT ON FUNCTION uuid7_plan_partition_not_null(oid, name[]) IS
	'internal to the migration plan: the NOT NULL constraints of partitions whose own names the type change replaces by their parent''s (PostgreSQL 18+)';
