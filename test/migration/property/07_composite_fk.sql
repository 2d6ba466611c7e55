-- property: a tenant-scoped composite FK (tenant, account_id) to UNIQUE (tenant, id), MATCH FULL
-- tables: ARRAY['public.accounts']::regclass[]
-- options: {}
CREATE TABLE accounts (id bigserial PRIMARY KEY, tenant int NOT NULL, name text NOT NULL, UNIQUE (tenant, id));
CREATE TABLE audit (id bigserial PRIMARY KEY, tenant int NOT NULL, account_id bigint,
  FOREIGN KEY (tenant, account_id) REFERENCES accounts (tenant, id) MATCH FULL ON DELETE CASCADE);
INSERT INTO accounts (tenant, name) VALUES (1, 'a'), (1, 'b'), (2, 'c');
INSERT INTO audit (tenant, account_id) VALUES (1, 1), (1, 2), (2, 3), (2, 3);
