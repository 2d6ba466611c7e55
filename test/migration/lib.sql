-- test/migration/lib.sql — the "before" snapshot and the after-migration comparisons used by test/migration/*.sh.
--
-- Loaded into the test database (schema mig_snap) by mig_snapshot in lib.sh, *before* the migration. Everything
-- it records is keyed by relation *name* (regclass text under the default search_path), never by OID, so a
-- migration that recreates objects is still compared correctly. Each diff_* function returns one text line per
-- difference: an empty result means "as expected".
--
-- "Converted columns" (mig_snap.conv): each listed table's primary key column, mapped through its own mapping,
-- and each column of a foreign key that pairs with the primary key of a listed table, mapped through that
-- table's mapping. "Affected tables": every table owning a converted column.

CREATE SCHEMA mig_snap;

CREATE TABLE mig_snap.targets (ord int, rel text, keycol text, keyattnum int, keytype text, keyseq text, keyseq_shared bool);
CREATE TABLE mig_snap.conv (rel text, col text, parent text);
CREATE TABLE mig_snap.copies (rel text, copy text);
CREATE TABLE mig_snap.rels (rel text, relkind "char", relfilenode oid, n_tup_upd bigint, n_tup_del bigint, n_dead_tup bigint);
CREATE TABLE mig_snap.cons (rel text, conname text, contype "char", def text, validated bool);
CREATE TABLE mig_snap.idx (rel text, idx text, def text);
CREATE TABLE mig_snap.cols (rel text, attname text, attnum int, typ text, not_null bool, def text, comment text, acl text);
CREATE TABLE mig_snap.views (rel text, relkind "char", def text, options text, owner text, acl text, comment text, populated bool);
CREATE TABLE mig_snap.seqs (seq text);
CREATE TABLE mig_snap.rewrites (relid oid, rel text, reason int);

-- Every table_rewrite event (ALTER TABLE rewrites) is logged, so "rewritten at most once" is counted exactly for
-- ALTER TABLE. (VACUUM FULL and CLUSTER fire no such event: an extra rewrite of that kind would only show up as
-- time, not here; bloat is still caught by the n_dead_tup check below and by size.sh.)
CREATE FUNCTION mig_snap.log_rewrite() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO mig_snap.rewrites
	VALUES (pg_event_trigger_table_rewrite_oid(), pg_event_trigger_table_rewrite_oid()::regclass::text,
		pg_event_trigger_table_rewrite_reason());
END $$;
CREATE EVENT TRIGGER mig_snap_count_rewrites ON table_rewrite EXECUTE FUNCTION mig_snap.log_rewrite();

-- User relations: not in a system schema, not in mig_snap, not a member of an extension.
CREATE VIEW mig_snap.user_rels AS
SELECT c.oid, c.oid::regclass::text AS rel, c.relkind, c.relfilenode
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'mig_snap') AND n.nspname !~ '^pg_(toast_)?temp'
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e');

-- (PostgreSQL 18+: an inherited NOT NULL constraint of a partition is listed under its parent's name — the type change
-- gives it that name, as the plan notes, and it cannot be renamed back)
CREATE VIEW mig_snap.now_cons AS
SELECT r.rel, CASE WHEN c.contype = 'n' AND c.coninhcount > 0 THEN coalesce((
		SELECT pc.conname FROM pg_inherits ih JOIN pg_constraint pc ON pc.conrelid = ih.inhparent AND pc.contype = 'n'
		 WHERE ih.inhrelid = c.conrelid AND pc.conkey = ARRAY[(SELECT pa.attnum FROM pg_attribute pa
				 JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = c.conkey[1] AND ca.attname = pa.attname
				WHERE pa.attrelid = ih.inhparent)]), c.conname) ELSE c.conname END::text AS conname,
	   c.contype, pg_get_constraintdef(c.oid) AS def, c.convalidated AS validated
FROM pg_constraint c JOIN mig_snap.user_rels r ON r.oid = c.conrelid
-- (the copies PostgreSQL derives from a foreign key of a partitioned table, conparentid set, are left out: which
-- copies it makes depends on the major — 16 beta makes one per referenced partition of a self-reference again)
WHERE NOT (c.contype = 'f' AND c.conparentid <> 0);

CREATE VIEW mig_snap.now_idx AS
SELECT r.rel, i.indexrelid::regclass::text AS idx, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i JOIN mig_snap.user_rels r ON r.oid = i.indrelid;

CREATE VIEW mig_snap.now_cols AS
SELECT r.rel, a.attname::text, a.attnum::int, format_type(a.atttypid, a.atttypmod) AS typ, a.attnotnull AS not_null,
	pg_get_expr(d.adbin, d.adrelid) AS def, col_description(a.attrelid, a.attnum) AS comment, a.attacl::text AS acl
FROM pg_attribute a JOIN mig_snap.user_rels r ON r.oid = a.attrelid AND r.relkind IN ('r', 'p', 'v', 'm', 'f')
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped;

CREATE VIEW mig_snap.now_views AS
SELECT r.rel, r.relkind, pg_get_viewdef(r.oid) AS def, c.reloptions::text AS options, pg_get_userbyid(c.relowner)::text AS owner,
	c.relacl::text AS acl, obj_description(r.oid, 'pg_class') AS comment, c.relispopulated AS populated
FROM mig_snap.user_rels r JOIN pg_class c ON c.oid = r.oid WHERE r.relkind IN ('v', 'm');

-- Record the before state. targets: the regclass[] that will be passed to uuid7_migrate.
CREATE FUNCTION mig_snap.take(targets regclass[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t record;
	n int := 0;
BEGIN
	INSERT INTO mig_snap.targets
	SELECT u.ord, u.t::text, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod),
		coalesce(pg_get_serial_sequence(u.t::text, a.attname)::regclass::text,
			(SELECT dep.refobjid::regclass::text FROM pg_attrdef ad JOIN pg_depend dep ON dep.classid = 'pg_attrdef'::regclass
				AND dep.objid = ad.oid AND dep.refclassid = 'pg_class'::regclass
				JOIN pg_class sq ON sq.oid = dep.refobjid AND sq.relkind = 'S'
				WHERE ad.adrelid = u.t AND ad.adnum = a.attnum LIMIT 1)),
		NULL
	FROM unnest(targets) WITH ORDINALITY u(t, ord)
	LEFT JOIN pg_constraint pk ON pk.conrelid = u.t AND pk.contype = 'p'
	-- the key: the primary key's only column; of a partitioned table, its integer column outside the partition key
	LEFT JOIN pg_attribute a ON a.attrelid = u.t AND a.attnum = (
		SELECT k FROM unnest(pk.conkey) AS k
		 WHERE cardinality(pk.conkey) = 1
			OR (k <> ALL (coalesce((SELECT pt.partattrs::int2[] FROM pg_partitioned_table pt WHERE pt.partrelid = u.t), '{}'))
				AND (SELECT atttypid FROM pg_attribute WHERE attrelid = u.t AND attnum = k) IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype))
		 LIMIT 1);
	-- A key sequence is "shared" when a column other than the key has a default that uses it.
	UPDATE mig_snap.targets tg SET keyseq_shared = EXISTS (
		SELECT 1 FROM pg_depend dep JOIN pg_attrdef ad ON dep.classid = 'pg_attrdef'::regclass AND dep.objid = ad.oid
		WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = tg.keyseq::regclass
			-- (the key's default, or its copy on a partition of the table)
			AND NOT ((ad.adrelid = tg.rel::regclass OR ad.adrelid IN (SELECT relid FROM pg_partition_tree(tg.rel::regclass)))
					 AND (SELECT attname FROM pg_attribute WHERE attrelid = ad.adrelid AND attnum = ad.adnum) = tg.keycol))
	WHERE tg.keyseq IS NOT NULL;

	INSERT INTO mig_snap.conv SELECT rel, keycol, rel FROM mig_snap.targets WHERE keycol IS NOT NULL;
	-- Foreign key columns paired with a converted column are converted too (to a fixpoint: a composite FK may
	-- reference a column that is itself converted because of another FK).
	LOOP
		INSERT INTO mig_snap.conv
		SELECT DISTINCT ON (1, 2) c.conrelid::regclass::text, ca.attname, v.parent
		FROM pg_constraint c
		CROSS JOIN LATERAL generate_subscripts(c.confkey, 1) AS i
		JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[i]
		JOIN mig_snap.conv v ON v.rel = c.confrelid::regclass::text AND v.col = pa.attname
		JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = c.conkey[i]
		WHERE c.contype = 'f'
			AND NOT EXISTS (SELECT 1 FROM mig_snap.conv w WHERE w.rel = c.conrelid::regclass::text AND w.col = ca.attname)
		ORDER BY 1, 2, 3;
		EXIT WHEN NOT FOUND;
	END LOOP;
	-- a converted column of a partitioned table is converted in each of its partitions (by name), from the same mapping
	INSERT INTO mig_snap.conv
	SELECT DISTINCT pt.relid::regclass::text, v.col, v.parent
	FROM mig_snap.conv v JOIN pg_class c ON c.oid = v.rel::regclass AND c.relkind = 'p'
	CROSS JOIN LATERAL pg_partition_tree(c.oid) AS pt
	WHERE pt.relid <> c.oid
		AND NOT EXISTS (SELECT 1 FROM mig_snap.conv w WHERE w.rel = pt.relid::regclass::text AND w.col = v.col);

	FOR t IN SELECT DISTINCT rel FROM mig_snap.conv ORDER BY rel LOOP
		n := n + 1;
		EXECUTE format('CREATE TABLE mig_snap.%I AS SELECT * FROM %s', 'copy_' || n, t.rel);
		INSERT INTO mig_snap.copies VALUES (t.rel, 'copy_' || n);
	END LOOP;

	INSERT INTO mig_snap.rels
	SELECT r.rel, r.relkind, r.relfilenode, s.n_tup_upd, s.n_tup_del, s.n_dead_tup
	FROM mig_snap.user_rels r LEFT JOIN pg_stat_user_tables s ON s.relid = r.oid;
	INSERT INTO mig_snap.cons SELECT * FROM mig_snap.now_cons;
	INSERT INTO mig_snap.idx SELECT * FROM mig_snap.now_idx;
	INSERT INTO mig_snap.cols SELECT * FROM mig_snap.now_cols;
	INSERT INTO mig_snap.views SELECT * FROM mig_snap.now_views;
	INSERT INTO mig_snap.seqs SELECT rel FROM mig_snap.user_rels WHERE relkind = 'S';
	DELETE FROM mig_snap.rewrites;
END $$;

-- Rows of an affected table, compared as a multiset with the copy taken before, every converted column of the old
-- row mapped through uuid7_mapped_id. Covers row counts, non-key data, and every FK relationship through the mapping.
CREATE FUNCTION mig_snap.diff_rows(p_rel text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	pairs text;
	expected text;
	actual text;
BEGIN
	-- (aliases that no test table has as a column: a column name would win over a whole-row reference)
	SELECT string_agg(format('%L, uuid7_mapped_id(%L::regclass, mig_old_row.%I)', col, parent, col), ', ')
	INTO pairs FROM mig_snap.conv WHERE rel = p_rel;
	expected := format('SELECT to_jsonb(mig_old_row) || jsonb_build_object(%s) FROM mig_snap.%I mig_old_row', coalesce(pairs, ''),
		(SELECT copy FROM mig_snap.copies WHERE rel = p_rel));
	actual := format('SELECT to_jsonb(mig_new_row) FROM %s mig_new_row', p_rel);
	RETURN QUERY EXECUTE format(
		'(SELECT ''missing row: '' || j::text FROM ((%s) EXCEPT ALL (%s)) x(j) LIMIT 3) UNION ALL '
		'(SELECT ''unexpected row: '' || j::text FROM ((%s) EXCEPT ALL (%s)) y(j) LIMIT 3)',
		expected, actual, actual, expected);
END $$;

-- Order, version, and both directions of the mapping for one migrated table.
CREATE FUNCTION mig_snap.diff_key(p_rel text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	tg mig_snap.targets;
	cp text;
	k bigint;
BEGIN
	SELECT * INTO tg FROM mig_snap.targets WHERE rel = p_rel;
	SELECT copy INTO cp FROM mig_snap.copies WHERE rel = p_rel;
	EXECUTE format('SELECT count(*) FROM %s WHERE substr(%I::text, 15, 1) <> ''7'' OR substr(%I::text, 20, 1) NOT IN (''8'',''9'',''a'',''b'')',
		p_rel, tg.keycol, tg.keycol) INTO k;
	IF k <> 0 THEN RETURN NEXT format('%s keys are not RFC 9562 v7', k); END IF;
	EXECUTE format('SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY o.%I) a, row_number() OVER (ORDER BY uuid7_mapped_id(%L::regclass, o.%I)) b FROM mig_snap.%I o) x WHERE a <> b',
		tg.keycol, p_rel, tg.keycol, cp) INTO k;
	IF k <> 0 THEN RETURN NEXT format('%s old keys change rank through uuid7_mapped_id', k); END IF;
	EXECUTE format('SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY n.%I) a, row_number() OVER (ORDER BY uuid7_legacy_id(%L::regclass, n.%I)) b FROM %s n) x WHERE a <> b',
		tg.keycol, p_rel, tg.keycol, p_rel) INTO k;
	IF k <> 0 THEN RETURN NEXT format('%s new keys change rank through uuid7_legacy_id', k); END IF;
	EXECUTE format('SELECT count(*) FROM %s n WHERE uuid7_mapped_id(%L::regclass, uuid7_legacy_id(%L::regclass, n.%I)) IS DISTINCT FROM n.%I',
		p_rel, p_rel, p_rel, tg.keycol, tg.keycol) INTO k;
	IF k <> 0 THEN RETURN NEXT format('%s keys do not round-trip legacy -> mapped', k); END IF;
	EXECUTE format('SELECT count(*) FROM ((SELECT uuid7_legacy_id(%L::regclass, %I) FROM %s) EXCEPT ALL (SELECT %I FROM mig_snap.%I)) x',
		p_rel, tg.keycol, p_rel, tg.keycol, cp) INTO k;
	IF k <> 0 THEN RETURN NEXT format('%s legacy ids are not old keys', k); END IF;
	EXECUTE format('SELECT count(*) FROM ((SELECT %I FROM mig_snap.%I) EXCEPT ALL (SELECT uuid7_legacy_id(%L::regclass, %I) FROM %s)) x',
		tg.keycol, cp, p_rel, tg.keycol, p_rel) INTO k;
	IF k <> 0 THEN RETURN NEXT format('%s old keys have no new row', k); END IF;
END $$;

-- Column attributes of every relation that existed before: name, position, NOT NULL, comment and grants always
-- equal; type equal except converted columns (uuid) and view columns (checked through the view definition);
-- default equal except converted columns.
CREATE FUNCTION mig_snap.diff_cols() RETURNS SETOF text LANGUAGE sql AS $$
	WITH b AS (
		SELECT c.rel, c.attname, c.attnum, c.not_null, c.comment, c.acl,
			CASE WHEN r.relkind IN ('v', 'm') THEN NULL WHEN v.col IS NULL THEN c.typ ELSE 'uuid' END AS typ,
			CASE WHEN v.col IS NULL THEN c.def END AS def
		FROM mig_snap.cols c JOIN mig_snap.rels r USING (rel) LEFT JOIN mig_snap.conv v ON v.rel = c.rel AND v.col = c.attname),
	a AS (
		SELECT c.rel, c.attname, c.attnum, c.not_null, c.comment, c.acl,
			CASE WHEN r.relkind IN ('v', 'm') THEN NULL ELSE c.typ END, CASE WHEN v.col IS NULL THEN c.def END
		FROM mig_snap.now_cols c JOIN mig_snap.rels r USING (rel) LEFT JOIN mig_snap.conv v ON v.rel = c.rel AND v.col = c.attname)
	(SELECT 'before: ' || row(b.*)::text FROM (TABLE b EXCEPT TABLE a) b)
	UNION ALL (SELECT 'after:  ' || row(a.*)::text FROM (TABLE a EXCEPT TABLE b) a)
$$;

CREATE FUNCTION mig_snap.diff_cons() RETURNS SETOF text LANGUAGE sql AS $$
	(SELECT 'before: ' || row(x.*)::text FROM (TABLE mig_snap.cons EXCEPT
		SELECT * FROM mig_snap.now_cons WHERE rel IN (SELECT rel FROM mig_snap.rels)) x)
	UNION ALL
	(SELECT 'after:  ' || row(x.*)::text FROM (SELECT * FROM mig_snap.now_cons WHERE rel IN (SELECT rel FROM mig_snap.rels)
		EXCEPT TABLE mig_snap.cons) x)
$$;

CREATE FUNCTION mig_snap.diff_idx() RETURNS SETOF text LANGUAGE sql AS $$
	(SELECT 'before: ' || row(x.*)::text FROM (TABLE mig_snap.idx EXCEPT
		SELECT * FROM mig_snap.now_idx WHERE rel IN (SELECT rel FROM mig_snap.rels)) x)
	UNION ALL
	(SELECT 'after:  ' || row(x.*)::text FROM (SELECT * FROM mig_snap.now_idx WHERE rel IN (SELECT rel FROM mig_snap.rels)
		EXCEPT TABLE mig_snap.idx) x)
	UNION ALL
	(SELECT 'invalid index: ' || indexrelid::regclass::text FROM pg_index WHERE NOT (indisvalid AND indisready AND indislive))
$$;

CREATE FUNCTION mig_snap.diff_views() RETURNS SETOF text LANGUAGE sql AS $$
	(SELECT 'before: ' || row(x.*)::text FROM (TABLE mig_snap.views EXCEPT TABLE mig_snap.now_views) x)
	UNION ALL
	(SELECT 'after:  ' || row(x.*)::text FROM (SELECT * FROM mig_snap.now_views EXCEPT TABLE mig_snap.views) x)
$$;

-- Key sequences gone (unless another column's default uses them); every other sequence still there.
CREATE FUNCTION mig_snap.diff_seqs() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT 'key sequence still exists: ' || keyseq FROM mig_snap.targets
	WHERE keyseq IS NOT NULL AND NOT keyseq_shared AND to_regclass(keyseq) IS NOT NULL
	UNION ALL
	SELECT 'sequence disappeared: ' || seq FROM mig_snap.seqs
	WHERE seq NOT IN (SELECT keyseq FROM mig_snap.targets WHERE keyseq IS NOT NULL AND NOT keyseq_shared)
		AND to_regclass(seq) IS NULL
$$;

-- Affected tables: rewritten (filenode changed), by at most one table_rewrite event, without UPDATE/DELETE and
-- without dead tuples. Every other table that existed before: filenode unchanged (nothing else rewritten; materialized
-- views on converted columns are necessarily rebuilt).
CREATE FUNCTION mig_snap.diff_rewrites() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT format('%s: filenode not changed', r.rel) FROM mig_snap.rels r JOIN mig_snap.user_rels u USING (rel)
	WHERE r.rel IN (SELECT rel FROM mig_snap.conv) AND u.relfilenode = r.relfilenode AND r.relkind <> 'p'
	UNION ALL
	SELECT format('%s: %s table_rewrite events', rel, count(*)) FROM mig_snap.rewrites GROUP BY rel HAVING count(*) > 1
	UNION ALL
	SELECT format('%s: rewritten although not affected', r.rel) FROM mig_snap.rels r JOIN mig_snap.user_rels u USING (rel)
	WHERE r.relkind = 'r' AND r.rel NOT IN (SELECT rel FROM mig_snap.conv) AND u.relfilenode <> r.relfilenode
	UNION ALL
	SELECT format('%s: n_tup_upd +%s, n_tup_del +%s, n_dead_tup %s -> %s', r.rel, s.n_tup_upd - r.n_tup_upd,
		s.n_tup_del - r.n_tup_del, r.n_dead_tup, s.n_dead_tup)
	FROM mig_snap.rels r JOIN mig_snap.user_rels u USING (rel) JOIN pg_stat_user_tables s ON s.relid = u.oid
	WHERE r.rel IN (SELECT rel FROM mig_snap.conv)
		AND (s.n_tup_upd <> r.n_tup_upd OR s.n_tup_del <> r.n_tup_del OR s.n_dead_tup > r.n_dead_tup)
$$;

-- Every validated foreign key of every user table holds on the data (no orphans), checked by query rather than
-- by trusting convalidated.
CREATE FUNCTION mig_snap.diff_fk_data() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	c record;
	orphans bigint;
BEGIN
	FOR c IN
		SELECT con.conname, con.conrelid::regclass::text AS child, con.confrelid::regclass::text AS parent,
			(SELECT string_agg(format('c.%I IS NOT NULL', a.attname), ' AND ')
				FROM unnest(con.conkey) ck JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ck) AS not_nulls,
			(SELECT string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND ')
				FROM generate_subscripts(con.conkey, 1) i
				JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = con.conkey[i]
				JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = con.confkey[i]) AS joincond
		FROM pg_constraint con JOIN mig_snap.user_rels u ON u.oid = con.conrelid
		WHERE con.contype = 'f' AND con.convalidated
			-- (not the copies towards each partition of a partitioned referenced table: the root's is checked)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint pc WHERE pc.oid = con.conparentid AND pc.conrelid = con.conrelid)
	LOOP
		EXECUTE format('SELECT count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',
			c.child, c.not_nulls, c.parent, c.joincond) INTO orphans;
		IF orphans <> 0 THEN RETURN NEXT format('%s on %s: %s orphan rows', c.conname, c.child, orphans); END IF;
	END LOOP;
END $$;
