-- property: expressions over the whole row of a table with a converted column: a CHECK (num_nonnulls(t.*)) and an
-- index on a row-valued function; they stay valid as uuid
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, name text);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id bigint REFERENCES parent, note text,
	CONSTRAINT child_some CHECK (num_nonnulls(child.*) >= 1));
CREATE FUNCTION child_label(c child) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(c.note, '-') $$;
CREATE INDEX child_label_ix ON child (child_label(child));
INSERT INTO parent (id, name) VALUES (1, 'one'), (2, NULL);
INSERT INTO child (p_id, note) VALUES (1, 'a'), (2, NULL), (NULL, 'x');
