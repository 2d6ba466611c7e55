-- property: a NOT VALID foreign key whose rows all have a key
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY);
CREATE TABLE c_notvalid (id int PRIMARY KEY, parent_id bigint);
INSERT INTO parent SELECT g FROM generate_series(1, 4) g;
INSERT INTO c_notvalid VALUES (1, 1), (2, 4), (3, NULL);
ALTER TABLE c_notvalid ADD CONSTRAINT c_notvalid_fk FOREIGN KEY (parent_id) REFERENCES parent NOT VALID;
