-- src/sql/migrate_rehearsal.sql — the plan rehearses what it cannot judge from the catalog alone, on empty
-- stand-ins, and rolls the rehearsal back: what fails there is a refusal, before one row is rewritten.

CREATE OR REPLACE FUNCTION uuid7_rehearsal_view_query(view oid, relations oid[], stand_ins oid[]) RETURNS text[]
LANGUAGE C STRICT STABLE
AS 'MODULE_PATHNAME', 'uuid7_rehearsal_view_query';
COMMENT ON FUNCTION uuid7_rehearsal_view_query(oid, oid[], oid[]) IS
	'internal to the migration plan: the view''s query as pg_get_viewdef() prints it, NULL and empty integer constants beside the key retyped to uuid: [1] reading stand_ins[i] where it reads relations[i], [2] reading the relations themselves, [3...] what was retyped (NULL when a stand-in is 0)';

-- The views and materialized views the migration recreates (v_oid, in dependency order) are created again over empty
-- temporary stand-ins of the altered tables (c_rel: every column in its place, the converted ones, c_att, already
-- uuid) and of the views before them, from the very text the migration will run but for the relation names
-- (uuid7_rehearsal_view_query), with the NULL and empty integer constants that stand beside the key retyped to uuid.
-- A view that fails there (COALESCE of the key with a number, arithmetic on it, a comparison with a number, max()
-- where the major has no uuid aggregate, ...) would fail the migration after every table was rewritten: one refusal
-- per such view (sqlstate set), with the error it raised. The views built on it are not rehearsed (they go with it).
-- Every view that passes gives one row (sqlstate NULL): view_oid, the definition the migration creates it with (the
-- rehearsed text over the real relations) and what was retyped (retyped, empty when nothing). Nothing is left behind:
-- the whole rehearsal is rolled back.
CREATE OR REPLACE FUNCTION uuid7_plan_rehearse_views(c_rel oid[], c_att int2[], v_oid oid[])
RETURNS TABLE (object text, detail text, sqlstate text, hint text, view_oid oid, definition text, retyped text[])
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	t_rel oid;
	v oid;
	stand_in text;
	col_list text;
	dropped text;
	view_sql text;
	texts text[];
	d_view oid[] := '{}';
	d_def text[] := '{}';
	d_retyped text[] := '{}';	-- one element per view: its lines joined by chr(10)
	s_from oid[] := '{}';
	s_to oid[] := '{}';
	f_object text[] := '{}';
	f_detail text[] := '{}';
	f_state text[] := '{}';
	f_hint text[] := '{}';
	err_state text;
	err_text text;
	carried record;
BEGIN
	IF cardinality(v_oid) = 0 THEN
		RETURN;
	END IF;
	BEGIN
		FOR t_rel IN SELECT DISTINCT u FROM unnest(c_rel) AS u ORDER BY 1 LOOP
			stand_in := 'uuid7_stand_in_' || t_rel;
			SELECT string_agg(CASE WHEN a.attisdropped THEN format('%I pg_catalog.int4', 'uuid7_dropped_' || a.attnum)
					ELSE format('%I %s%s', a.attname,
						CASE WHEN cc.att IS NOT NULL THEN 'pg_catalog.uuid' ELSE format_type(a.atttypid, a.atttypmod) END,
						CASE WHEN cc.att IS NULL AND a.attcollation <> 0 AND a.attcollation <> t.typcollation
							 THEN (SELECT format(' COLLATE %I.%I', cn.nspname, co.collname)
									 FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
									WHERE co.oid = a.attcollation)
							 ELSE '' END) END, ', ' ORDER BY a.attnum)
			  INTO col_list
			  FROM pg_attribute a
			  LEFT JOIN pg_type t ON t.oid = a.atttypid
			  LEFT JOIN (SELECT DISTINCT x.att FROM unnest(c_rel, c_att) AS x(rel, att) WHERE x.rel = t_rel) AS cc ON cc.att = a.attnum
			 WHERE a.attrelid = t_rel AND a.attnum > 0;
			EXECUTE format('CREATE TEMPORARY TABLE %I (%s)', stand_in, col_list);
			-- dropped columns keep their place, so that every column keeps its number
			FOR dropped IN SELECT format('uuid7_dropped_%s', a.attnum) FROM pg_attribute a
							WHERE a.attrelid = t_rel AND a.attnum > 0 AND a.attisdropped LOOP
				EXECUTE format('ALTER TABLE pg_temp.%I DROP COLUMN %I', stand_in, dropped);
			END LOOP;
			s_from := s_from || t_rel;
			s_to := s_to || to_regclass(format('pg_temp.%I', stand_in))::oid;
		END LOOP;

		FOREACH v IN ARRAY v_oid LOOP
			texts := @extschema@.uuid7_rehearsal_view_query(v, s_from, s_to);
			view_sql := texts[1];
			s_from := s_from || v;
			IF view_sql IS NULL THEN
				s_to := s_to || 0::oid;		-- built on a view that failed: refused with it
				CONTINUE;
			END IF;
			stand_in := 'uuid7_stand_in_' || v;
			SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO col_list
			  FROM pg_attribute a WHERE a.attrelid = v AND a.attnum > 0 AND NOT a.attisdropped;
			BEGIN
				-- a materialized view's stand-in is a table (WITH NO DATA), for its indexes to be rehearsed on
				IF (SELECT relkind FROM pg_class WHERE oid = v) = 'm' THEN
					EXECUTE format('CREATE TEMPORARY TABLE %I (%s) AS %s WITH NO DATA', stand_in, col_list, view_sql);
				ELSE
					EXECUTE format('CREATE TEMPORARY VIEW %I (%s) AS %s', stand_in, col_list, view_sql);
				END IF;
				s_to := s_to || to_regclass(format('pg_temp.%I', stand_in))::oid;
				d_view := d_view || v;
				d_def := d_def || texts[2];
				d_retyped := d_retyped || array_to_string(texts[3:], chr(10));
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_text = MESSAGE_TEXT;
				s_to := s_to || 0::oid;
				f_object := f_object || v::regclass::text;
				f_detail := f_detail || format('%s %s cannot be created again once the key is uuid: %s',
					CASE WHEN (SELECT relkind FROM pg_class WHERE oid = v) = 'm' THEN 'materialized view' ELSE 'view' END,
					v::regclass, err_text);
				f_state := f_state || err_state;
				f_hint := f_hint || 'The view treats the key as a number (arithmetic, a comparison or COALESCE with a number, an integer cast, max() or min()); only a NULL or an empty array beside the key is retyped to uuid. Rewrite it (CREATE OR REPLACE VIEW) so that it works on the key as uuid too, or drop it and create it after the migration, then plan again.'::text;
				CONTINUE;
			END;
			-- what the migration creates on the view again (uuid7_plan_view_ddl: pg_get_indexdef, pg_get_ruledef), on
			-- its stand-in: an index or a rule that uses the key as a number fails here, not after the rewrite
			FOR carried IN
				SELECT 'index' AS kind, format('%I.%I', ns.nspname, ic.relname) AS qname,
					   replace(pg_get_indexdef(ix.indexrelid), format('INDEX %I ON %s USING ', ic.relname, v::regclass),
							   format('INDEX %I ON pg_temp.%I USING ', 'uuid7_stand_in_' || ix.indexrelid, stand_in)) AS stmt
				  FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid JOIN pg_namespace ns ON ns.oid = ic.relnamespace
				 WHERE ix.indrelid = v
				UNION ALL
				SELECT 'rule', format('%I on %s', rw.rulename, v::regclass),
					   replace(pg_get_ruledef(rw.oid), format(' TO %s ', v::regclass), format(' TO pg_temp.%I ', stand_in))
				  FROM pg_rewrite rw WHERE rw.ev_class = v AND rw.rulename <> '_RETURN'
				ORDER BY 1, 2
			LOOP
				BEGIN
					EXECUTE carried.stmt;
				EXCEPTION WHEN OTHERS THEN
					GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_text = MESSAGE_TEXT;
					f_object := f_object || carried.qname;
					f_detail := f_detail || format('%s %s of %s cannot be created again once the key is uuid: %s',
						carried.kind, carried.qname, v::regclass, err_text);
					f_state := f_state || err_state;
					f_hint := f_hint || format('The %s treats the key as a number (arithmetic, a comparison with a number, an integer cast). Drop it, migrate, and create it again for uuid; then plan again.', carried.kind);
				END;
			END LOOP;
		END LOOP;
		RAISE SQLSTATE 'U7RB0';		-- roll the stand-ins back
	EXCEPTION
		WHEN SQLSTATE 'U7RB0' THEN
			NULL;
		WHEN OTHERS THEN
			-- the stand-ins themselves could not be made (no TEMPORARY privilege, a read-only standby, ...)
			GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_text = MESSAGE_TEXT;
			f_object := ARRAY['views']::text[];
			f_detail := ARRAY[format('the recreation of the views could not be rehearsed: %s', err_text)];
			f_state := ARRAY[err_state];
			f_hint := ARRAY['The plan rehearses the views on temporary stand-ins: run it as a role with TEMPORARY on the database, on a primary.'];
	END;
	RETURN QUERY SELECT u.o, u.d, u.s, u.h, NULL::oid, NULL::text, NULL::text[] FROM unnest(f_object, f_detail, f_state, f_hint) AS u(o, d, s, h);
	RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, NULL::text, u.v, u.def,
			CASE WHEN u.r = '' THEN '{}'::text[] ELSE string_to_array(u.r, chr(10)) END
		  FROM unnest(d_view, d_def, d_retyped) AS u(v, def, r);
END;
$fn$;
COMMENT ON FUNCTION uuid7_plan_rehearse_views(oid[], int2[], oid[]) IS
	'internal to the migration plan: creates the views it recreates again on empty stand-ins of the altered tables, rolled back; one refusal per view that fails there, and for each that passes the definition the migration uses and the constants retyped';
