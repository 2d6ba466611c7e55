-- property: issue 21: a MATCH SIMPLE composite FK with a dangling id (NULL tenant), planned without "validate" (the plan only notes the risk)
-- tables: ARRAY['public.accounts']::regclass[]
-- options: {}
CREATE TABLE accounts (id bigserial PRIMARY KEY, tenant int NOT NULL, UNIQUE (tenant, id));
CREATE TABLE audit (id bigserial PRIMARY KEY, tenant int, account_id bigint, FOREIGN KEY (tenant, account_id) REFERENCES accounts (tenant, id));
INSERT INTO accounts (tenant) VALUES (1), (2);
INSERT INTO audit (tenant, account_id) VALUES (1, 1), (NULL, 999), (2, 2);
