-- test/migration/property/describe.sql — the normalized description of a database that property.sh compares before
-- and after each migration: one line per item, "kind <TAB> subject <TAB> part <TAB> attributes" (subject: the
-- qualified, quoted name of the relation, schema, domain or publication the item belongs to; part: the column,
-- index, constraint, trigger, rule, policy or publication name within it, or empty). Objects of extensions
-- (pg_depend 'e': the registry and online state tables of uuid7) are left out. Kinds 'physical' (file nodes) and
-- 'data' (row count and hash; every uuid that a mapping table holds shown as the old key it stands for, columns in
-- name order) are compared only as a whole (a refused migration changes nothing at all).
SET search_path = pg_catalog, pg_temp;
SET jit = off;	-- (no statistics on fresh mapping tables: estimates in the millions, and JIT compiling for seconds)
CREATE TEMP VIEW rels AS
	SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS q, c.relkind, c.relname, n.nspname
	  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
	   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
	   AND NOT (c.relkind = 'c' AND EXISTS (SELECT 1 FROM pg_type t JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e' WHERE t.typrelid = c.oid));
CREATE FUNCTION pg_temp.one(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT regexp_replace(t, '\s+', ' ', 'g') $$;
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a) x) $$;
\ir ../rows_hash.sql
CREATE FUNCTION pg_temp.data_lines() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	maps text;
	r record;
BEGIN
	SELECT string_agg(format('SELECT new_id, old_id::text AS label FROM %s', mapping_table::regclass), ' UNION ALL ')
	  INTO maps FROM (SELECT m.mapping_table FROM pg_temp.registry() m) g;
	FOR r IN SELECT * FROM rels WHERE relkind IN ('r', 'p', 'm') AND oid NOT IN (SELECT mapping_table FROM pg_temp.registry())
			   AND (relkind <> 'm' OR (SELECT relispopulated FROM pg_class WHERE oid = rels.oid)) ORDER BY q COLLATE "C" LOOP
		RETURN NEXT E'data\t' || r.q || E'\t\t' || pg_temp.rows_hash(r.oid, maps);
	END LOOP;
END $$;
-- the registry of migrated tables (empty before any migration), wherever the extension lives
CREATE FUNCTION pg_temp.registry() RETURNS TABLE (relid oid, mapping_table oid) LANGUAGE plpgsql AS $$
DECLARE reg text;
BEGIN
	SELECT format('%I.%I', n.nspname, c.relname) INTO reg FROM pg_extension e
	  JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e' AND d.classid = 'pg_class'::regclass
	  JOIN pg_class c ON c.oid = d.objid JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE e.extname = 'uuid7' AND c.relname = 'uuid7_migrated_table';
	IF reg IS NOT NULL THEN
		RETURN QUERY EXECUTE format('SELECT relid::oid, mapping_table::oid FROM %s', reg);
	END IF;
END $$;

SELECT kind, subject, part, pg_temp.one(attrs) FROM (
	-- mapping tables (the registry's): not compared, they tell property.sh which relations are the migration's own
	SELECT 'mapping' AS kind, r.q AS subject, '' AS part, '' AS attrs FROM rels r WHERE r.oid IN (SELECT mapping_table FROM pg_temp.registry())
	UNION ALL
	SELECT 'schema', quote_ident(n.nspname), '', format('owner %s acl %s comment %s', pg_get_userbyid(n.nspowner), pg_temp.acl(n.nspacl),
			obj_description(n.oid, 'pg_namespace'))
	  FROM pg_namespace n WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
	UNION ALL
	SELECT 'relation', r.q, '', format('kind %s owner %s acl %s options %s comment %s persistence %s rls %s force %s replident %s tablespace %s partbound %s inherits %s',
			c.relkind, pg_get_userbyid(c.relowner), pg_temp.acl(c.relacl), c.reloptions, pg_temp.one(obj_description(c.oid, 'pg_class')),
			c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.reltablespace, pg_get_expr(c.relpartbound, c.oid),
			(SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno) FROM pg_inherits i WHERE i.inhrelid = c.oid))
	  FROM rels r JOIN pg_class c ON c.oid = r.oid
	UNION ALL
	-- columns: one item per attribute, so that each change must be listed for what it is
	SELECT 'column.' || x.k, r.q, a.attname::text, x.v
	  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	  CROSS JOIN LATERAL (VALUES
		('type', format_type(a.atttypid, a.atttypmod) || coalesce(' collate ' || (SELECT collname FROM pg_collation WHERE oid = a.attcollation AND a.attcollation <> 100), '')),
		('notnull', a.attnotnull::text),
		('default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END),
		('generated', CASE WHEN a.attgenerated <> '' THEN a.attgenerated::text || ' ' || pg_get_expr(ad.adbin, ad.adrelid) END),
		('identity', a.attidentity::text),
		('comment', col_description(r.oid, a.attnum)),
		('acl', pg_temp.acl(a.attacl)),
		('stattarget', CASE WHEN coalesce(a.attstattarget::int, -1) < 0 THEN 'default' ELSE a.attstattarget::text END),
		-- (pg_attver=...: a stamp this server build puts on every column it writes; lib.sh leaves it out too)
		('options', (SELECT array_agg(o ORDER BY o) FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_attver=%')::text || ' storage ' || a.attstorage::text || ' compression ' || a.attcompression::text)
	  ) x(k, v)
	 WHERE r.relkind <> 'S'
	UNION ALL
	SELECT 'index', r.q, ci.relname::text, format('%s valid %s clustered %s replident %s comment %s stattargets %s', pg_get_indexdef(i.indexrelid),
			i.indisvalid, i.indisclustered, i.indisreplident, obj_description(ci.oid, 'pg_class'),
			(SELECT string_agg(attnum || '=' || attstattarget::text, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = ci.oid AND coalesce(attstattarget::int, -1) >= 0))
	  FROM rels r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ci ON ci.oid = i.indexrelid
	UNION ALL
	SELECT 'constraint', r.q, con.conname::text, format('%s validated %s comment %s', pg_get_constraintdef(con.oid), con.convalidated,
			obj_description(con.oid, 'pg_constraint'))
	  FROM rels r JOIN pg_constraint con ON con.conrelid = r.oid
	UNION ALL
	SELECT 'domain', format('%I.%I', n.nspname, t.typname), '', format('%s notnull %s default %s constraints %s owner %s', format_type(t.typbasetype, t.typtypmod),
			t.typnotnull, t.typdefault, (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated, ', ' ORDER BY conname) FROM pg_constraint WHERE contypid = t.oid),
			pg_get_userbyid(t.typowner))
	  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
	 WHERE t.typtype = 'd' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
	UNION ALL
	SELECT 'view', r.q, '', pg_temp.one(pg_get_viewdef(r.oid)) FROM rels r WHERE r.relkind IN ('v', 'm')
	UNION ALL
	SELECT 'trigger', r.q, t.tgname::text, pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text || ' comment ' || coalesce(obj_description(t.oid, 'pg_trigger'), '')
	  FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT 'rule', r.q, rw.rulename::text, pg_temp.one(pg_get_ruledef(rw.oid)) || ' enabled ' || rw.ev_enabled::text
	  FROM rels r JOIN pg_rewrite rw ON rw.ev_class = r.oid AND rw.rulename <> '_RETURN'
	UNION ALL
	SELECT 'policy', r.q, p.polname::text, format('cmd %s permissive %s roles %s using %s check %s', p.polcmd, p.polpermissive,
			(SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE pg_get_userbyid(x) END, ',' ORDER BY 1) FROM unnest(p.polroles) x),
			pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
	  FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
	UNION ALL
	SELECT 'publication', quote_ident(p.pubname), '', format('all %s ins %s upd %s del %s trunc %s viaroot %s', p.puballtables, p.pubinsert, p.pubupdate,
			p.pubdelete, p.pubtruncate, p.pubviaroot)
	  FROM pg_publication p
	UNION ALL
	SELECT 'published', format('%I.%I', pt.schemaname, pt.tablename), pt.pubname::text, format('columns %s filter %s', pt.attnames, pt.rowfilter)
	  FROM pg_publication_tables pt
	UNION ALL
	SELECT 'statistics', format('%I.%I', n.nspname, s.stxname), '', format('%s owner %s target %s comment %s', pg_get_statisticsobjdef(s.oid),
			pg_get_userbyid(s.stxowner), coalesce((to_jsonb(s)->>'stxstattarget')::int, -1), obj_description(s.oid, 'pg_statistic_ext'))
	  FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
	UNION ALL
	SELECT 'sequence', r.q, '', format('type %s start %s inc %s min %s max %s cycle %s last %s called %s owned by %s',
			format_type(sq.seqtypid, NULL), sq.seqstart, sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqcycle, ps.last_value, ps.last_value IS NOT NULL,
			(SELECT d.refobjid::regclass::text || ' column ' || quote_ident(a.attname) || ' ' || d.deptype::text FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
			  WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
	  FROM rels r JOIN pg_sequence sq ON sq.seqrelid = r.oid JOIN pg_sequences ps ON ps.schemaname = r.nspname AND ps.sequencename = r.relname
	UNION ALL
	SELECT 'function', p.oid::regprocedure::text, '', format('owner %s md5 %s acl %s', pg_get_userbyid(p.proowner), md5(pg_get_functiondef(p.oid)), pg_temp.acl(p.proacl))
	  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)' AND p.prokind IN ('f', 'p')
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
	UNION ALL
	SELECT 'physical', r.q, '', c.relfilenode::text FROM rels r JOIN pg_class c ON c.oid = r.oid
	UNION ALL
	SELECT 'physical', r.q, ci.relname::text, ci.relfilenode::text FROM rels r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ci ON ci.oid = i.indexrelid
	UNION ALL
	SELECT 'data', split_part(l, E'\t', 2), '', split_part(l, E'\t', 4) FROM pg_temp.data_lines() l
) s
ORDER BY kind COLLATE "C", subject COLLATE "C", part COLLATE "C";
