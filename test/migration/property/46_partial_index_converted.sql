-- property: partial indexes comparing two converted columns and testing the FK for NULL
-- tables: ARRAY['public.steps']::regclass[]
-- options: {}
CREATE TABLE steps (id bigserial PRIMARY KEY, name text);
CREATE TABLE transitions (id bigserial PRIMARY KEY, from_id bigint NOT NULL REFERENCES steps, to_id bigint REFERENCES steps);
CREATE INDEX transitions_loops ON transitions (id) WHERE from_id = to_id;
CREATE INDEX transitions_open ON transitions (from_id) WHERE to_id IS NULL;
INSERT INTO steps (name) VALUES ('a'), ('b');
INSERT INTO transitions (from_id, to_id) VALUES (1, 2), (2, NULL), (1, 1);
