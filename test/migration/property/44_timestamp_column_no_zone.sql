-- property: issue 21: timestamp_column on a timestamp without time zone, no time zone given (refused)
-- tables: ARRAY['public.events']::regclass[]
-- options: {"tables": {"public.events": {"timestamp_column": "created_at"}}}
CREATE TABLE events (id bigserial PRIMARY KEY, created_at timestamp NOT NULL, v int);
INSERT INTO events (created_at, v) VALUES ('2026-01-01 00:00', 1), ('2025-06-30 12:00', 2), ('2026-01-01 00:00', 3);
