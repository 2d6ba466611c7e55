-- property: an FK to a UNIQUE column that is not the key (not converted) beside one to the key
-- tables: ARRAY['public.users']::regclass[]
-- options: {}
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL, code int UNIQUE);
CREATE TABLE logins (id serial PRIMARY KEY, user_id int REFERENCES users, email text REFERENCES users (email), code int REFERENCES users (code));
INSERT INTO users (email, code) VALUES ('a@x', 1), ('b@x', NULL);
INSERT INTO logins (user_id, email, code) VALUES (1, 'a@x', 1), (2, 'b@x', NULL), (NULL, NULL, NULL);
