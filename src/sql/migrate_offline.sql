-- src/sql/migrate_offline.sql — uuid7_migrate(): the offline migration, one rewrite per table.

CREATE OR REPLACE FUNCTION uuid7_migrate(tables regclass[], options jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	ext text;
	rec record;
	first_refusal record;
	refusals int := 0;
	steps int := 0;
	altered int := 0;
	fks int := 0;
	views int := 0;
	migrated jsonb := '[]';
	summary jsonb;
	tbls regclass[];
	unlocked_options jsonb;
	progress boolean := false;
	started timestamptz := clock_timestamp();
	secret bytea;		-- "deterministic_keys": bound as $1 of the mapping fills, never written into a statement
BEGIN
	ext := @extschema@.uuid7_extension_schema();
	-- "progress" is this function's own option (a NOTICE per step), not the plan's
	IF jsonb_typeof(options) = 'object' AND options ? 'progress' THEN
		IF jsonb_typeof(options->'progress') <> 'boolean' THEN
			RAISE EXCEPTION 'option "progress" must be true or false' USING ERRCODE = '22023';
		END IF;
		progress := (options->>'progress')::boolean;
		options := options - 'progress';
	END IF;
	secret := @extschema@.uuid7_derive_secret(options);
	-- counting dangling references reads the referencing tables: only the plan made under the locks counts, the two
	-- before it do not
	unlocked_options := CASE WHEN jsonb_typeof(options) = 'object' THEN options || '{"validate": false}' ELSE options END;

	-- Refuse what can be refused before taking any lock: a missing table, or one the caller may not alter, gets the
	-- plan's precise error rather than LOCK TABLE's.
	FOR rec IN SELECT * FROM @extschema@.uuid7_migration_plan(tables, unlocked_options) AS p WHERE p.phase = 'refusal' ORDER BY p.step LOOP
		refusals := refusals + 1;
		IF refusals = 1 THEN first_refusal := rec; END IF;
	END LOOP;

	IF refusals = 0 THEN
		-- Lock the listed tables: once they are locked no foreign key to them can appear or vanish, so the plan's
		-- list of referencing tables is final; the plan's own first step then locks those as well.
		SELECT array_agg(DISTINCT t ORDER BY t) INTO tbls FROM unnest(tables) AS t WHERE t IS NOT NULL;
		IF tbls IS NOT NULL THEN
			EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE',
				(SELECT string_agg(t::text, ', ' ORDER BY t::oid) FROM unnest(tbls) AS t));
		END IF;
		FOR rec IN SELECT * FROM @extschema@.uuid7_migration_plan(tables, unlocked_options) AS p WHERE p.phase = 'lock' LOOP
			EXECUTE rec.statement;
		END LOOP;
	END IF;

	-- Everything is locked: plan again, then refuse or run. The plan lists refusals first, and only refusals
	-- when there is any, so nothing has run when the error is raised.
	FOR rec IN SELECT p.*, count(*) FILTER (WHERE p.phase NOT IN ('refusal', 'note')) OVER () AS total
				 FROM @extschema@.uuid7_migration_plan(tables, options) AS p WHERE refusals = 0 ORDER BY p.step LOOP
		IF rec.phase = 'refusal' THEN
			refusals := refusals + 1;
			IF refusals = 1 THEN first_refusal := rec; END IF;
			CONTINUE;
		END IF;
		IF refusals > 0 THEN EXIT; END IF;
		IF rec.phase = 'note' THEN CONTINUE; END IF;		-- what a step implies, with no statement of its own
		IF progress THEN
			RAISE NOTICE 'uuid7_migrate: step % of % (%): %, % s in', steps + 1, rec.total, rec.phase, rec.object,
				round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);
		END IF;
		IF secret IS NOT NULL AND rec.phase = 'mapping' AND rec.statement LIKE 'INSERT INTO %' THEN
			EXECUTE rec.statement USING secret;
		ELSE
			EXECUTE rec.statement;
		END IF;
		steps := steps + 1;
		IF rec.phase = 'register' THEN migrated := migrated || to_jsonb(rec.object); END IF;
		IF rec.phase = 'alter table' THEN altered := altered + 1; END IF;
		IF rec.phase = 'add foreign key' AND rec.detail <> 'comment' THEN
			fks := fks + (SELECT count(*) FROM regexp_matches(rec.statement, ' ADD CONSTRAINT ', 'g'));
		END IF;
		IF rec.phase = 'create view' AND rec.detail IN ('view', 'materialized view, populated', 'materialized view, not populated') THEN
			views := views + 1;
		END IF;
	END LOOP;
	IF refusals > 0 THEN
		PERFORM @extschema@.uuid7_plan_raise_refusal(first_refusal.sqlstate, first_refusal.detail, first_refusal.hint,
			refusals, 'migrate');
	END IF;

	IF progress THEN
		RAISE NOTICE 'uuid7_migrate: done, % steps in % s', steps, round(extract(epoch FROM clock_timestamp() - started)::numeric, 1);
	END IF;
	summary := jsonb_build_object('tables', migrated, 'tables_altered', altered, 'foreign_keys_recreated', fks,
		'views_recreated', views, 'steps', steps);
	RETURN summary;
END;
$fn$;
COMMENT ON FUNCTION uuid7_migrate(regclass[], jsonb) IS
	'converts the integer primary keys of these tables, and every foreign key referencing them, to uuid in the caller''s transaction (all or nothing), keeping a mapping table per table; see uuid7_migration_plan()';
