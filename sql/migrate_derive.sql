-- Deterministic keys ("deterministic_keys", docs/migration.md): uuid7_migration_derive() against known answers
-- computed with Python's hmac (HMAC-SHA-256 of label, schema, table and old key), the option in the plan (a note,
-- the fill with $1, never the secret) and in uuid7_migrate(), and its refusals.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
RESET client_min_messages;
\set VERBOSITY sqlstate

-- known answers: the secret is 'regress secret, 32 bytes long...'
SELECT s, t, k, uuid7_migration_derive(convert_to('regress secret, 32 bytes long...', 'UTF8'), s, t, k) AS derived
  FROM (VALUES ('public', 'drv_parent', 1::bigint), ('public', 'parent', 1), ('public', 'parent', 2), ('public', 'parent', 3),
               ('public', 'child', 1), ('a.b', 'c', 7), ('a', 'b.c', 7)) AS v(s, t, k);
-- the known answers of Python's hmac for the rows above from the second on (the first is this file's own table)
SELECT uuid7_migration_derive(convert_to('regress secret, 32 bytes long...', 'UTF8'), 'public', 'parent', 1) = '00000000-0001-710e-8b7f-041709f260e1'
   AND uuid7_migration_derive(convert_to('regress secret, 32 bytes long...', 'UTF8'), 'public', 'parent', 3) = '00000000-0003-7ce0-bbd2-d365d10b6782'
   AND uuid7_migration_derive(convert_to('regress secret, 32 bytes long...', 'UTF8'), 'a', 'b.c', 7) = '00000000-0007-7ab8-9d7e-11b4d1c9243a' AS python_agrees;
-- refusals of the function: a short secret (22023), keys outside 0 .. 2^48-1 (22003)
SELECT uuid7_migration_derive('\x000102030405060708090a0b0c0d0e', 'public', 't', 1);
SELECT uuid7_migration_derive(convert_to('regress secret, 32 bytes long...', 'UTF8'), 'public', 't', -1);
SELECT uuid7_migration_derive(convert_to('regress secret, 32 bytes long...', 'UTF8'), 'public', 't', 281474976710656);
SELECT uuid7_migration_derive(convert_to('regress secret, 32 bytes long...', 'UTF8'), 'public', 't', 281474976710655);

CREATE TABLE drv_parent (id int PRIMARY KEY);
CREATE TABLE drv_child (id int PRIMARY KEY, parent_id int REFERENCES drv_parent);
INSERT INTO drv_parent SELECT generate_series(1, 5);
INSERT INTO drv_child SELECT g, 1 + g % 5 FROM generate_series(1, 5) g;

-- the plan: a note per table, fills with $1, the secret nowhere
SELECT phase, detail, statement FROM uuid7_migration_plan(ARRAY['drv_parent', 'drv_child']::regclass[],
	'{"deterministic_keys": {"secret": "regress secret, 32 bytes long..."}, "mapping_schema": "public"}')
 WHERE phase IN ('mapping', 'note') ORDER BY step;
SELECT count(*) AS rows_with_the_secret FROM uuid7_migration_plan(ARRAY['drv_parent', 'drv_child']::regclass[],
	'{"deterministic_keys": {"secret": "regress secret, 32 bytes long..."}, "mapping_schema": "public"}') AS p
 WHERE concat_ws(' ', p.object, p.detail, p.statement, p.hint) LIKE '%regress secret%';

-- bad options: 22023
SELECT uuid7_migrate(ARRAY['drv_parent']::regclass[], '{"deterministic_keys": {"secret": "too short"}}');
SELECT uuid7_migrate(ARRAY['drv_parent']::regclass[], '{"deterministic_keys": {"secret": 42}}');
SELECT uuid7_migrate(ARRAY['drv_parent']::regclass[], '{"deterministic_keys": "regress secret, 32 bytes long..."}');
SELECT uuid7_migrate(ARRAY['drv_parent']::regclass[], '{"deterministic_keys": {"secret": "regress secret, 32 bytes long...", "x": 1}}');
SELECT uuid7_migrate(ARRAY['drv_parent']::regclass[], '{"version": 6, "deterministic_keys": {"secret": "regress secret, 32 bytes long..."}}');
-- online: 0A000
SELECT uuid7_migration_start(ARRAY['drv_parent']::regclass[], '{"deterministic_keys": {"secret": "regress secret, 32 bytes long..."}}');
SELECT format_type(atttypid, atttypmod) AS still FROM pg_attribute WHERE attrelid = 'drv_parent'::regclass AND attname = 'id';

-- migrate: the keys are the known answers, in key order, and the child follows
SELECT uuid7_migrate(ARRAY['drv_parent']::regclass[],
	'{"deterministic_keys": {"secret": "regress secret, 32 bytes long..."}, "mapping_schema": "public"}') ->> 'tables_altered' AS altered;
SELECT old_id, new_id, new_id = uuid7_migration_derive(convert_to('regress secret, 32 bytes long...', 'UTF8'), 'public', 'drv_parent', old_id) AS derived
  FROM drv_parent_uuid7_map ORDER BY new_id;
SELECT c.id, c.parent_id = m.new_id AS follows FROM drv_child c JOIN drv_parent_uuid7_map m ON m.old_id = 1 + c.id % 5 ORDER BY c.id;

DROP TABLE drv_child, drv_parent, drv_parent_uuid7_map;
DELETE FROM uuid7_state.uuid7_migrated_table;
