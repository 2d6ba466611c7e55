-- Migration helper: the analytics schema (events, provider_configs, event_queue with two foreign keys).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
\set VERBOSITY sqlstate
CREATE SCHEMA analytics;
SET search_path = analytics, public;

CREATE TABLE events (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, name text);
CREATE TABLE provider_configs (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text UNIQUE);
CREATE TABLE event_queue (
	id serial PRIMARY KEY,
	event_id bigint NOT NULL REFERENCES events ON DELETE CASCADE,
	provider_config_id int REFERENCES provider_configs ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
	payload text);
CREATE INDEX event_queue_event_idx ON event_queue (event_id) INCLUDE (payload);
CREATE INDEX event_queue_provider_idx ON event_queue (provider_config_id DESC, id) WHERE provider_config_id IS NOT NULL;
CREATE INDEX event_queue_payload_idx ON event_queue (payload) WITH (fillfactor = 70) WHERE payload <> '';
COMMENT ON COLUMN event_queue.event_id IS 'the event to deliver';
INSERT INTO events (created_at, name)
	SELECT timestamptz '2024-01-01 00:00:00+00' + (g % 50) * interval '1 minute', 'e' || g FROM generate_series(1, 2000) g;
INSERT INTO provider_configs (name) SELECT 'p' || g FROM generate_series(1, 10) g;
INSERT INTO event_queue (event_id, provider_config_id, payload)
	SELECT 1 + (g * 7) % 2000, CASE WHEN g % 3 = 0 THEN NULL ELSE 1 + g % 10 END, 'x' || g % 5
	FROM generate_series(1, 6000) g;
DELETE FROM events WHERE id % 97 = 0;	-- gaps in the old keys

-- what must survive: relationships, definitions, files
CREATE TABLE public.before_rel AS SELECT id, event_id, provider_config_id FROM event_queue;
CREATE TABLE public.before_def AS
	SELECT 'constraint' AS kind, conrelid::regclass::text AS rel, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
	 WHERE conrelid IN ('events'::regclass, 'provider_configs'::regclass, 'event_queue'::regclass)
	UNION ALL
	SELECT 'index', indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
	 WHERE indrelid IN ('events'::regclass, 'provider_configs'::regclass, 'event_queue'::regclass);
CREATE TABLE public.filenodes (rel text, filenode oid);
INSERT INTO public.filenodes SELECT c, pg_relation_filenode(c) FROM unnest(ARRAY['events', 'provider_configs', 'event_queue']) AS c;
-- an event trigger records each table's file after every DDL command the migration runs
CREATE FUNCTION public.record_filenodes() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.filenodes SELECT c, pg_relation_filenode(('analytics.' || c)::regclass)
	  FROM unnest(ARRAY['events', 'provider_configs', 'event_queue']) AS c;
END $$;
CREATE EVENT TRIGGER record_filenodes ON ddl_command_end EXECUTE FUNCTION public.record_filenodes();

-- dry run: the plan, then proof that nothing changed
SELECT step, phase, object, detail FROM uuid7_migration_plan(ARRAY['analytics.events', 'analytics.provider_configs', 'analytics.event_queue']::regclass[]);
SELECT statement FROM uuid7_migration_plan(ARRAY['analytics.events', 'analytics.provider_configs', 'analytics.event_queue']::regclass[])
 WHERE phase IN ('drop identity', 'alter table', 'add foreign key', 'sequence') ORDER BY step;
SELECT count(*) AS maps FROM pg_class WHERE relname LIKE '%uuid7_map';
SELECT atttypid::regtype FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'id';

-- the migration
SELECT uuid7_migrate(ARRAY['analytics.events', 'analytics.provider_configs', 'analytics.event_queue']::regclass[]);
DROP EVENT TRIGGER record_filenodes;

-- types and defaults
SELECT attrelid::regclass, attname, atttypid::regtype, attnotnull, attidentity, pg_get_expr(adbin, adrelid) AS default
  FROM pg_attribute LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum
 WHERE attrelid IN ('events'::regclass, 'provider_configs'::regclass, 'event_queue'::regclass) AND attnum > 0
 ORDER BY attrelid, attnum;
-- sequences gone
SELECT relname FROM pg_class WHERE relkind = 'S' AND relnamespace = 'analytics'::regnamespace;
-- row counts
SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM provider_configs) AS configs,
	   (SELECT count(*) FROM event_queue) AS queue;
-- every definition equal up to the type change (constraints, indexes: same names)
SELECT b.kind, b.rel, b.name, b.def = a.def AS same
  FROM public.before_def b
  LEFT JOIN (SELECT 'constraint' AS kind, conrelid::regclass::text AS rel, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
			  WHERE conrelid IN ('events'::regclass, 'provider_configs'::regclass, 'event_queue'::regclass)
			 UNION ALL
			 SELECT 'index', indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
			  WHERE indrelid IN ('events'::regclass, 'provider_configs'::regclass, 'event_queue'::regclass)) a USING (kind, rel, name)
 WHERE b.def NOT LIKE 'NOT NULL %'
 ORDER BY 1, 2, 3;
-- 18+ records each NOT NULL as a constraint (five here): all kept under their names; none before 18
SELECT count(*) FILTER (WHERE a.conname IS NULL) AS not_null_lost,
       count(*) = CASE WHEN current_setting('server_version_num')::int >= 180000 THEN 5 ELSE 0 END AS not_null_as_expected
  FROM public.before_def b
  LEFT JOIN pg_constraint a ON a.conrelid = b.rel::regclass AND a.conname = b.name AND a.contype = 'n'
                           AND pg_get_constraintdef(a.oid) = b.def
 WHERE b.kind = 'constraint' AND b.def LIKE 'NOT NULL %';
SELECT conname, convalidated, condeferrable, condeferred FROM pg_constraint WHERE conrelid = 'event_queue'::regclass AND contype = 'f' ORDER BY 1;
SELECT col_description('event_queue'::regclass, 2);
-- every relationship equal through the mapping
SELECT count(*) AS rows_checked,
	   count(*) FILTER (WHERE q.event_id IS DISTINCT FROM uuid7_mapped_id('analytics.events', b.event_id)
					   OR q.provider_config_id IS DISTINCT FROM uuid7_mapped_id('analytics.provider_configs', b.provider_config_id)) AS mismatches
  FROM public.before_rel b JOIN event_queue q ON q.id = uuid7_mapped_id('analytics.event_queue', b.id);
-- mapping both ways, key order preserved, v7
SELECT bool_and(uuid7_legacy_id('analytics.events', id) IS NOT NULL) AS all_mapped,
	   bool_and(uuid7_mapped_id('analytics.events', uuid7_legacy_id('analytics.events', id)) = id) AS round_trip,
	   bool_and(uuid_version(id) = 7) AS v7
  FROM events;
SELECT bool_and(ok) AS order_preserved FROM (
	SELECT (lag(old_id) OVER (ORDER BY new_id)) < old_id OR lag(old_id) OVER (ORDER BY new_id) IS NULL AS ok
	  FROM uuid7_mapping.events_uuid7_map) s;
SELECT uuid7_mapped_id('analytics.events', 97) IS NULL AS deleted_key_unmapped, uuid7_mapped_id('analytics.events', 96) IS NOT NULL AS kept;
-- each table's file changed exactly once
SELECT rel, count(DISTINCT filenode) - 1 AS rewrites FROM public.filenodes GROUP BY rel ORDER BY rel;
-- the foreign keys work on the new keys
INSERT INTO event_queue (event_id) SELECT id FROM events ORDER BY id LIMIT 1;
INSERT INTO event_queue (event_id) VALUES (uuid_generate_v7());
DELETE FROM events WHERE id = (SELECT id FROM events ORDER BY id LIMIT 1);
SELECT count(*) AS queue_after_cascade FROM event_queue;
-- new rows get new v7 keys after every migrated one
INSERT INTO events (created_at, name) VALUES (now(), 'new') RETURNING uuid_version(id), id > (SELECT new_id FROM uuid7_mapping.events_uuid7_map ORDER BY new_id DESC LIMIT 1) AS after_all;

RESET search_path;
DROP SCHEMA analytics CASCADE;
DROP TABLE uuid7_mapping.events_uuid7_map, uuid7_mapping.provider_configs_uuid7_map, uuid7_mapping.event_queue_uuid7_map;
DROP SCHEMA uuid7_mapping;
DROP TABLE public.before_rel, public.before_def, public.filenodes;
DROP FUNCTION public.record_filenodes();
DELETE FROM uuid7_state.uuid7_migrated_table;
