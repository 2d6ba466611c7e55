-- property: an integer key with no default, a dropped column before it
-- tables: ARRAY['public.k_nodefault']::regclass[]
-- options: {}
CREATE TABLE k_nodefault (gone int, id integer PRIMARY KEY, v text);
ALTER TABLE k_nodefault DROP COLUMN gone;
INSERT INTO k_nodefault VALUES (5, 'five'), (7, NULL), (-1, 'neg');
