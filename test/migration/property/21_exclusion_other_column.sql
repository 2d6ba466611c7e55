-- property: an exclusion constraint (gist, tsrange &&) on a column that is not converted
-- tables: ARRAY['public.rooms']::regclass[]
-- options: {}
CREATE TABLE rooms (id serial PRIMARY KEY, name text);
CREATE TABLE bookings (id serial PRIMARY KEY, room_id int REFERENCES rooms, during tsrange NOT NULL, EXCLUDE USING gist (during WITH &&));
INSERT INTO rooms (name) VALUES ('r1'), ('r2');
INSERT INTO bookings (room_id, during) VALUES (1, '[2026-01-01 10:00, 2026-01-01 11:00)'), (2, '[2026-01-01 11:00, 2026-01-01 12:00)');
