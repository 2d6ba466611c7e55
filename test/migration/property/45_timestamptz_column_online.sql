-- property: timestamp_column on a timestamptz column (new keys in created_at order)
-- tables: ARRAY['public.events']::regclass[]
-- options: {"tables": {"public.events": {"timestamp_column": "created_at"}}}
CREATE TABLE events (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, v int);
CREATE TABLE event_queue (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id bigint REFERENCES events, status text);
INSERT INTO events (created_at, v) VALUES ('2026-01-01 00:00+00', 1), ('2025-06-30 12:00+02', 2), ('1970-01-01 00:00+00', 3);
INSERT INTO event_queue (event_id, status) VALUES (1, 'pending'), (3, 'done');
