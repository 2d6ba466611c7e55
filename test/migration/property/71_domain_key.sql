-- property: the key itself typed by a domain over bigint with a CHECK
-- tables: ARRAY['public.things']::regclass[]
-- options: {}
CREATE DOMAIN thing_id AS bigint CONSTRAINT thing_id_positive CHECK (VALUE > 0);
CREATE TABLE things (id thing_id PRIMARY KEY, v text);
CREATE TABLE thing_refs (id serial PRIMARY KEY, thing_id thing_id REFERENCES things);
INSERT INTO things VALUES (1, 'a'), (2, NULL);
INSERT INTO thing_refs (thing_id) VALUES (1), (NULL);
