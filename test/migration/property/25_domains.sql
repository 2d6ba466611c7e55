-- property: domains: a text domain with a CHECK on another column; the FK column typed by a domain over bigint with a CHECK (issue 21: dropped, must be a line)
-- tables: ARRAY['public.parent', 'public.child']::regclass[]
-- options: {}
CREATE DOMAIN short_text AS text CONSTRAINT short_text_len CHECK (length(VALUE) < 20);
CREATE DOMAIN positive_id AS bigint CONSTRAINT positive_id_check CHECK (VALUE > 0);
CREATE TABLE parent (id bigserial PRIMARY KEY, name short_text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, p_id positive_id REFERENCES parent, note short_text);
INSERT INTO parent (name) VALUES ('a'), ('b'), ('');
INSERT INTO child (p_id, note) VALUES (1, 'x'), (3, NULL), (NULL, 'y');
