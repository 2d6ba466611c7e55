-- property: serial int keys with zero and negative ids, a NOT NULL FK, ON DELETE CASCADE
-- tables: ARRAY['public.accounts']::regclass[]
-- options: {}
CREATE TABLE accounts (id serial PRIMARY KEY, name text);
CREATE TABLE sessions (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts ON DELETE CASCADE, token text UNIQUE);
INSERT INTO accounts VALUES (-2147483648, 'min'), (0, 'zero'), (1, 'one'), (2147483647, 'max');
INSERT INTO sessions (account_id, token) VALUES (-2147483648, 't1'), (0, 't2'), (2147483647, 't3'), (1, NULL);
