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
WHERE function ~ '^(uuid_generate|uuid_v|uuid_version|uuidv7|uuid_extract|uuid_timestamp|uuid7_ordering)'
ORDER BY function;

SELECT count(*) FILTER (WHERE comment IS NULL) AS uncommented, count(*) FILTER (WHERE prosecdef) AS security_definer
FROM uuid7_functions;

-- the generator's volatility keeps it out of constant folding: one value per row
SELECT count(DISTINCT uuid_generate_v7()) AS distinct_per_row FROM generate_series(1, 3);
