-- property: a comment on the migrated table's primary key index (online: the comment is lost, unlisted)
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent);
COMMENT ON INDEX parent_pkey IS 'pk';
COMMENT ON INDEX child_pkey IS 'child pk';
INSERT INTO parent (name) VALUES ('a'), ('b');
INSERT INTO child (p_id) VALUES (1), (2), (NULL);
