-- property: a serial sequence also used by another table (kept, OWNED BY NONE)
-- tables: ARRAY['public.a']::regclass[]
-- options: {}
CREATE TABLE a (id serial PRIMARY KEY, v text);
CREATE TABLE b (id int PRIMARY KEY DEFAULT nextval('a_id_seq'), v text);
INSERT INTO a (v) VALUES ('x'), ('y');
INSERT INTO b (v) VALUES ('z');
