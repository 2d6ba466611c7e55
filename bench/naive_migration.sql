-- bench/naive_migration.sql — the hand-written int → uuid key migration that bench/migration.sh compares
-- uuid7_migrate() against: what a careful engineer writes without the helper (add uuid columns, backfill them
-- with UPDATE, keep a mapping table, UPDATE the child FK columns through a join, swap columns and constraints).
-- Same end state as uuid7_migrate(ARRAY['parent']): parent.id uuid (v7, in old key order) with the same
-- constraint names, child FK columns uuid under their old names, FKs and indexes recreated, mapping kept.
\set ON_ERROR_STOP on
BEGIN;

-- 1. new keys, in old key order, and the mapping (kept, as the helper keeps it)
CREATE TABLE parent_id_map (old_id bigint PRIMARY KEY, new_id uuid NOT NULL UNIQUE);
INSERT INTO parent_id_map SELECT id, uuid_generate_v7() FROM (SELECT id FROM parent ORDER BY id) s;
ANALYZE parent_id_map;

ALTER TABLE parent ADD COLUMN new_id uuid;
UPDATE parent p SET new_id = m.new_id FROM parent_id_map m WHERE m.old_id = p.id;

-- 2. child FK columns through the mapping
ALTER TABLE child_a ADD COLUMN new_parent_id uuid;
UPDATE child_a c SET new_parent_id = m.new_id FROM parent_id_map m WHERE m.old_id = c.parent_id;
ALTER TABLE child_b ADD COLUMN new_parent_id uuid;
UPDATE child_b c SET new_parent_id = m.new_id FROM parent_id_map m WHERE m.old_id = c.parent_id;

-- 3. swap: drop the old constraints and columns, rename, recreate keys, FKs and indexes under the old names
ALTER TABLE child_a DROP CONSTRAINT child_a_parent_id_fkey;
ALTER TABLE child_b DROP CONSTRAINT child_b_parent_fkey;
ALTER TABLE parent DROP CONSTRAINT parent_tenant_id_id_key;
ALTER TABLE parent DROP CONSTRAINT parent_pkey;
ALTER TABLE parent DROP COLUMN id;
ALTER TABLE parent RENAME COLUMN new_id TO id;
ALTER TABLE parent ALTER COLUMN id SET NOT NULL, ALTER COLUMN id SET DEFAULT uuid_generate_v7();
ALTER TABLE parent ADD CONSTRAINT parent_pkey PRIMARY KEY (id);
ALTER TABLE parent ADD CONSTRAINT parent_tenant_id_id_key UNIQUE (tenant_id, id);

ALTER TABLE child_a DROP COLUMN parent_id;
ALTER TABLE child_a RENAME COLUMN new_parent_id TO parent_id;
ALTER TABLE child_a ALTER COLUMN parent_id SET NOT NULL;
ALTER TABLE child_a ADD CONSTRAINT child_a_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id);
CREATE INDEX child_a_parent_id_idx ON child_a (parent_id);

ALTER TABLE child_b DROP COLUMN parent_id;
ALTER TABLE child_b RENAME COLUMN new_parent_id TO parent_id;
ALTER TABLE child_b ALTER COLUMN parent_id SET NOT NULL;
ALTER TABLE child_b ADD CONSTRAINT child_b_parent_fkey FOREIGN KEY (tenant_id, parent_id) REFERENCES parent (tenant_id, id);
CREATE INDEX child_b_tenant_parent_idx ON child_b (tenant_id, parent_id);

COMMIT;
