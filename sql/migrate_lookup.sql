-- uuid7_migration_lookup(map, old_id) reads only ordinary mapping tables: any other relation kind is refused with
-- 42809 before a scan starts (a view, a temporary view or a partitioned table used to crash the backend), whoever
-- calls it, and so is a table whose row-level security applies to the caller (42501). Run as an ordinary role that
-- only has CONNECT and SELECT.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
\set VERBOSITY sqlstate
\set SHOW_CONTEXT never
CREATE ROLE regress_uuid7_lookup;
CREATE SCHEMA lookup_kinds;
GRANT USAGE ON SCHEMA lookup_kinds TO regress_uuid7_lookup;
GRANT CREATE ON SCHEMA lookup_kinds TO regress_uuid7_lookup;
CREATE TABLE lookup_kinds.map (old_id bigint NOT NULL, new_id uuid NOT NULL);
INSERT INTO lookup_kinds.map VALUES (1, '017f22e2-79b0-7cc3-98c4-dc0c0c07398f'), (2, '017f22e2-79b0-7cc3-98c4-dc0c0c073990');
CREATE VIEW lookup_kinds.map_view AS SELECT * FROM lookup_kinds.map;
CREATE MATERIALIZED VIEW lookup_kinds.map_matview AS SELECT * FROM lookup_kinds.map;
CREATE TABLE lookup_kinds.map_parted (old_id bigint NOT NULL, new_id uuid NOT NULL) PARTITION BY RANGE (old_id);
CREATE TABLE lookup_kinds.map_part1 PARTITION OF lookup_kinds.map_parted FOR VALUES FROM (0) TO (100);
INSERT INTO lookup_kinds.map_parted SELECT * FROM lookup_kinds.map;
CREATE SEQUENCE lookup_kinds.seq;
CREATE TABLE lookup_kinds.not_a_map (old_id int, new_id uuid);
GRANT SELECT ON ALL TABLES IN SCHEMA lookup_kinds TO regress_uuid7_lookup;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA lookup_kinds TO regress_uuid7_lookup;
SET ROLE regress_uuid7_lookup;
-- an ordinary mapping table works
SELECT uuid7_migration_lookup('lookup_kinds.map', 2) = '017f22e2-79b0-7cc3-98c4-dc0c0c073990' AS mapped;
-- every other kind is refused, and the backend lives on
SELECT uuid7_migration_lookup('lookup_kinds.map_view', 1);
SELECT uuid7_migration_lookup('lookup_kinds.map_matview', 1);
SELECT uuid7_migration_lookup('lookup_kinds.map_parted', 1);
SELECT uuid7_migration_lookup('lookup_kinds.seq', 1);
CREATE TEMP VIEW tv AS SELECT 1::bigint AS old_id, gen_random_uuid() AS new_id;
SELECT uuid7_migration_lookup('tv', 1);
-- a partition is an ordinary table
SELECT uuid7_migration_lookup('lookup_kinds.map_part1', 1) = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f' AS mapped;
-- the shape is checked too
SELECT uuid7_migration_lookup('lookup_kinds.not_a_map', 1);
-- row security: the lookup reads the table without its policies, so a table whose policies apply to the caller is
-- refused (42501) whatever key is asked; a superuser (not subject to them) reads it
RESET ROLE;
CREATE TABLE lookup_kinds.map_rls (old_id bigint NOT NULL, new_id uuid NOT NULL);
INSERT INTO lookup_kinds.map_rls SELECT * FROM lookup_kinds.map;
ALTER TABLE lookup_kinds.map_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY low_keys ON lookup_kinds.map_rls USING (old_id OPERATOR(pg_catalog.<) 2);
GRANT SELECT ON lookup_kinds.map_rls TO regress_uuid7_lookup;
SET ROLE regress_uuid7_lookup;
SELECT count(*) AS visible FROM lookup_kinds.map_rls;
SELECT uuid7_migration_lookup('lookup_kinds.map_rls', 2);
SELECT uuid7_migration_lookup('lookup_kinds.map_rls', 1);
RESET ROLE;
SELECT uuid7_migration_lookup('lookup_kinds.map_rls', 2) = '017f22e2-79b0-7cc3-98c4-dc0c0c073990' AS mapped;
SET ROLE regress_uuid7_lookup;
SELECT 'backend alive' AS still_here;
RESET ROLE;
DROP SCHEMA lookup_kinds CASCADE;
DROP OWNED BY regress_uuid7_lookup;
DROP ROLE regress_uuid7_lookup;
