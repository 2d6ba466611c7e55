-- test/migration/rows_hash.sql — one relation's rows as "count md5", every uuid a mapping table holds shown as the key
-- it stands for: what lib.sh's mig_data_shape and property/describe.sql compare before and after a migration (or
-- between the offline and the online run). Loaded with psql -f (or \ir) into the session; defines only pg_temp objects.
--
--   pg_temp.rows_hash(rel regclass, maps text) → 'count md5'
--     maps: a query of (new_id uuid, label text), the uuids to show as their label (NULL: none). Columns in name
--     order, joined by '|', '-' for NULL; the rows of rel itself (ONLY: a parent's partitions are hashed on their own).
CREATE FUNCTION pg_temp.rows_hash(rel regclass, maps text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	cols text;
	joins text;
	h text;
BEGIN
	-- (one hash join per uuid column: a lookup per row would be quadratic)
	SELECT string_agg(CASE WHEN a.atttypid = 'uuid'::regtype
						   THEN format('coalesce(m%s.label, t.%I::text, ''-'')', a.attnum, a.attname)
						   ELSE format('coalesce(t.%I::text, ''-'')', a.attname) END, ', ' ORDER BY a.attname),
		   coalesce(string_agg(format(' LEFT JOIN m AS m%1$s ON m%1$s.new_id = t.%2$I', a.attnum, a.attname), '')
						FILTER (WHERE a.atttypid = 'uuid'::regtype), '')
	  INTO cols, joins FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
	EXECUTE format('WITH m AS MATERIALIZED (%s) SELECT count(*) || '' '' || md5(coalesce(string_agg(x, E''\n'' ORDER BY x COLLATE "C"), ''''))'
				   ' FROM (SELECT concat_ws(''|'', %s) AS x FROM ONLY %s t%s) s',
		coalesce(maps, 'SELECT NULL::uuid AS new_id, NULL::text AS label'), coalesce(cols, '1'), rel, joins) INTO h;
	RETURN h;
END $$;
