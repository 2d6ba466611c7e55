-- property: ON DELETE SET NULL (parent_id) with a column list (PostgreSQL 15), a UNIQUE (tenant, id)
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, tenant int NOT NULL, CONSTRAINT parent_tenant_id UNIQUE (tenant, id));
CREATE TABLE c_setnull_col (id int PRIMARY KEY, tenant int NOT NULL, parent_id bigint,
  FOREIGN KEY (tenant, parent_id) REFERENCES parent (tenant, id) ON DELETE SET NULL (parent_id));
INSERT INTO parent (tenant) VALUES (1), (1), (2);
INSERT INTO c_setnull_col VALUES (1, 1, 1), (2, 2, 3), (3, 1, NULL);
