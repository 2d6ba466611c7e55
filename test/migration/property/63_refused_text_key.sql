-- property: refused: a text primary key, a composite key and a view on it
-- tables: ARRAY['public.textpk', 'public.comppk']::regclass[]
-- options: {}
CREATE TABLE textpk (id text PRIMARY KEY);
CREATE TABLE comppk (a int, b int, PRIMARY KEY (a, b));
INSERT INTO textpk VALUES ('a'), ('');
INSERT INTO comppk VALUES (1, 2);
