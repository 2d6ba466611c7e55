-- property: foreign keys with every action: CASCADE, SET NULL, SET DEFAULT, RESTRICT, DEFERRABLE INITIALLY DEFERRED
-- tables: ARRAY['public.parent']::regclass[]
-- options: {}
CREATE TABLE parent (id bigserial PRIMARY KEY, n int);
CREATE TABLE c_cascade (id int PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE c_setnull (id int PRIMARY KEY, parent_id bigint REFERENCES parent ON DELETE SET NULL);
CREATE TABLE c_setdefault (id int PRIMARY KEY, parent_id bigint DEFAULT NULL REFERENCES parent ON DELETE SET DEFAULT);
CREATE TABLE c_restrict (id int PRIMARY KEY, parent_id bigint REFERENCES parent ON DELETE RESTRICT);
CREATE TABLE c_deferred (id int PRIMARY KEY, parent_id bigint REFERENCES parent DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE c_deferrable (id int PRIMARY KEY, parent_id bigint CONSTRAINT c_deferrable_fk REFERENCES parent DEFERRABLE);
INSERT INTO parent (n) SELECT g FROM generate_series(1, 5) g;
INSERT INTO c_cascade VALUES (1, 1), (2, 5);
INSERT INTO c_setnull VALUES (1, 2), (2, NULL);
INSERT INTO c_setdefault VALUES (1, 3);
INSERT INTO c_restrict VALUES (1, 4);
INSERT INTO c_deferred VALUES (1, 5);
INSERT INTO c_deferrable VALUES (1, 1);
