-- property: FORCE ROW LEVEL SECURITY on a key table owned by another role, a superuser migrates (online: the worker acts as the owner and the policy hides rows)
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
GRANT CREATE ON SCHEMA public TO uuid7_prop_owner;
CREATE TABLE parent (id bigserial PRIMARY KEY, tenant text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent);
INSERT INTO parent (tenant) VALUES ('t0'), ('t1'), ('t1');
INSERT INTO child (p_id) VALUES (1), (2), (3);
ALTER TABLE parent OWNER TO uuid7_prop_owner;
ALTER TABLE child OWNER TO uuid7_prop_owner;
ALTER SEQUENCE parent_id_seq OWNER TO uuid7_prop_owner;
ALTER TABLE parent ENABLE ROW LEVEL SECURITY;
ALTER TABLE parent FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON parent USING (tenant = 't0');
