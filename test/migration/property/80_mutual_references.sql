-- property: two migrated tables referencing each other (users.team_id, teams.owner_id)
-- tables: ARRAY['public.users', 'public.teams']::regclass[]
-- options: {}
CREATE TABLE users (id bigserial PRIMARY KEY, team_id bigint, name text);
CREATE TABLE teams (id bigserial PRIMARY KEY, owner_id bigint REFERENCES users, name text);
ALTER TABLE users ADD CONSTRAINT users_team FOREIGN KEY (team_id) REFERENCES teams;
INSERT INTO users (name) VALUES ('a'), ('b');
INSERT INTO teams (owner_id, name) VALUES (1, 't1'), (NULL, 't2');
UPDATE users SET team_id = 1 WHERE id = 2;
