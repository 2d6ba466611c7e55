-- Catalog: every function labelled honestly (volatility, strictness, parallel safety, leakproofness), commented,
-- and none SECURITY DEFINER.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
RESET client_min_messages;

CREATE TEMP VIEW uuid7_functions AS
SELECT p.oid::regprocedure::text AS function, p.provolatile, p.proisstrict, p.proparallel, p.proleakproof,
       p.prosecdef, obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'uuid7';

SELECT function, provolatile AS vol, proisstrict AS strict, proparallel AS par, proleakproof AS leakproof
FROM uuid7_functions
WHERE function ~ '^(uuid_generate|uuid_v|uuid_version|uuid_timestamp|uuid7_ordering)'
ORDER BY function;

-- PostgreSQL's own names: uuid7 provides them below the major that brought them and leaves core's alone from that
-- major on (uuid_extract_* came in 17, uuidv7 and uuidv4 in 18). Exactly one owner per name on every major.
SELECT f.name, count(*) AS overloads,
       bool_and(CASE WHEN current_setting('server_version_num')::int >= f.core_since
                     THEN n.nspname = 'pg_catalog' ELSE n.nspname = 'public' END) AS owner_as_documented
FROM (VALUES ('uuid_extract_timestamp', 170000), ('uuid_extract_version', 170000),
             ('uuidv4', 180000), ('uuidv7', 180000)) AS f(name, core_since)
JOIN pg_proc p ON p.proname = f.name
JOIN pg_namespace n ON n.oid = p.pronamespace
GROUP BY f.name ORDER BY f.name;
-- nothing of uuid7 shadows or is shadowed by a core function of this major (19 adds uuid <-> bytea conversions,
-- 18 uuidv4/uuidv7, 17 uuid_extract_*): no name with the same argument types in pg_catalog
SELECT count(*) AS collisions_with_core
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'uuid7'
JOIN pg_proc core ON core.pronamespace = 'pg_catalog'::regnamespace AND core.proname = p.proname
                 AND core.proargtypes = p.proargtypes;
-- where uuid7 provides them, their labels (no rows where core's are used)
SELECT function, provolatile AS vol, proisstrict AS strict, proparallel AS par, proleakproof AS leakproof
FROM uuid7_functions
WHERE function ~ '^(uuidv|uuid_extract)'
  AND NOT (function, provolatile, proisstrict, proparallel, proleakproof) IN (
        ('uuid_extract_timestamp(uuid)', 'i', true, 's', true), ('uuid_extract_version(uuid)', 'i', true, 's', true),
        ('uuidv4()', 'v', true, 's', true), ('uuidv7()', 'v', true, 's', false),
        ('uuidv7(interval)', 'v', true, 's', false))
ORDER BY function;

SELECT count(*) FILTER (WHERE comment IS NULL) AS uncommented, count(*) FILTER (WHERE prosecdef) AS security_definer
FROM uuid7_functions;

-- the generator's volatility keeps it out of constant folding: one value per row
SELECT count(DISTINCT uuid_generate_v7()) AS distinct_per_row FROM generate_series(1, 3);
