-- property: tables and views in several schemas: app, billing (referencing app), reporting (a view over both)
-- tables: ARRAY['app.accounts', 'billing.invoices']::regclass[]
-- options: {}
CREATE SCHEMA app; CREATE SCHEMA billing; CREATE SCHEMA reporting;
CREATE TABLE app.accounts (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE billing.invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id int NOT NULL REFERENCES app.accounts, total numeric);
CREATE TABLE billing.lines (id serial PRIMARY KEY, invoice_id bigint REFERENCES billing.invoices ON DELETE CASCADE, qty int);
CREATE VIEW reporting.revenue AS SELECT a.id AS account_id, a.name, sum(i.total) AS total, count(l.id) AS lines
  FROM app.accounts a JOIN billing.invoices i ON i.account_id = a.id LEFT JOIN billing.lines l ON l.invoice_id = i.id GROUP BY a.id, a.name;
INSERT INTO app.accounts (name) VALUES ('acme'), ('globex');
INSERT INTO billing.invoices (account_id, total) VALUES (1, 10), (1, 20.5), (2, 0);
INSERT INTO billing.lines (invoice_id, qty) VALUES (1, 1), (1, 2), (3, NULL);
