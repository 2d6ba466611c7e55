-- property: the owner of the tables, a role without LOGIN, migrates (online: its worker cannot log in)
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
-- role: uuid7_prop_nologin
GRANT CREATE ON SCHEMA public TO uuid7_prop_nologin;
CREATE TABLE parent (id bigserial PRIMARY KEY, tenant text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent);
INSERT INTO parent (tenant) VALUES ('t0'), ('t1'), ('t1');
INSERT INTO child (p_id) VALUES (1), (2), (3);
ALTER TABLE parent OWNER TO uuid7_prop_nologin;
ALTER TABLE child OWNER TO uuid7_prop_nologin;
ALTER SEQUENCE parent_id_seq OWNER TO uuid7_prop_nologin;
ALTER TABLE parent ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON parent USING (tenant = 't0');
