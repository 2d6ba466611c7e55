-- property: a NOT VALID FK with a dangling row, planned without "validate"
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY);
CREATE TABLE c_notvalid (id int PRIMARY KEY, parent_id bigint);
INSERT INTO parent SELECT g FROM generate_series(1, 3) g;
INSERT INTO c_notvalid VALUES (1, 1), (2, 77);
ALTER TABLE c_notvalid ADD CONSTRAINT c_notvalid_fk FOREIGN KEY (parent_id) REFERENCES parent NOT VALID;
