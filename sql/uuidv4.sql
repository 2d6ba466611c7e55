-- uuidv4(): PostgreSQL 18's name for gen_random_uuid(). uuid7 provides it before 18 and leaves it to the core
-- function from 18 on; the same results on every major.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
RESET client_min_messages;

SELECT uuid_version(uuidv4()) = 4 AS version_4, uuidv4() <> uuidv4() AS random;

-- RFC 9562 version 4: variant 10, 122 random bits that differ between calls
WITH ids AS (SELECT uuidv4() AS id FROM generate_series(1, 10000))
SELECT count(*) FILTER (WHERE uuid_version(id) = 4) AS v4,
       count(*) FILTER (WHERE (get_byte(uuid_send(id), 8) & 192) = 128) AS rfc_variant,
       count(DISTINCT id) AS distinct_ids
FROM ids;

-- volatile: one value per row, never folded to a constant
SELECT count(DISTINCT uuidv4()) AS distinct_per_row FROM generate_series(1, 3);

-- exactly one uuidv4: uuid7's member before 18, pg_catalog's from 18 on (the core function is never shadowed)
SELECT count(*) = 1 AS one_uuidv4,
       bool_and(p.pronamespace = CASE WHEN current_setting('server_version_num')::int >= 180000
                                      THEN 'pg_catalog'::regnamespace ELSE e.extnamespace END) AS expected_schema,
       bool_and((d.objid IS NOT NULL) = (current_setting('server_version_num')::int < 180000)) AS member_before_18_only
FROM pg_proc p
CROSS JOIN (SELECT oid, extnamespace FROM pg_extension WHERE extname = 'uuid7') e
LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refobjid = e.oid AND d.deptype = 'e'
WHERE p.proname = 'uuidv4';

-- gen_random_uuid() under another name: same internal function and labels (leakproofness checked on uuid7's own,
-- as the core catalog is not ours to pin)
SELECT bool_and(u.prolang = g.prolang AND u.prosrc = g.prosrc AND u.prorettype = g.prorettype AND u.pronargs = 0
                AND u.provolatile = g.provolatile AND u.proparallel = g.proparallel AND u.proisstrict = g.proisstrict
                AND (current_setting('server_version_num')::int >= 180000 OR u.proleakproof = g.proleakproof)
                AND obj_description(u.oid, 'pg_proc') IS NOT NULL) AS same_as_gen_random_uuid
FROM pg_proc u, pg_proc g
WHERE u.proname = 'uuidv4' AND g.proname = 'gen_random_uuid' AND g.pronamespace = 'pg_catalog'::regnamespace;

-- DDL written for PostgreSQL 18
CREATE TEMP TABLE tokens (id uuid PRIMARY KEY DEFAULT uuidv4(), n int);
INSERT INTO tokens (n) SELECT g FROM generate_series(1, 100) g;
SELECT count(DISTINCT id) AS rows, bool_and(uuid_version(id) = 4) AS all_v4 FROM tokens;
