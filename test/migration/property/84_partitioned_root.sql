-- property: a range-partitioned table migrated through its root (key (id, created_at), a default partition, two levels, a child referencing it)
-- tables: ARRAY['public.events']::regclass[]
-- options: {}
CREATE TABLE events (id bigserial, created_at timestamptz NOT NULL, kind text, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2026-02-01 00:00+00');
CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-03-01 00:00+00') PARTITION BY RANGE (created_at);
CREATE TABLE events_2026_02_a PARTITION OF events_2026_02 FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-02-15 00:00+00');
CREATE TABLE events_2026_02_b PARTITION OF events_2026_02 FOR VALUES FROM ('2026-02-15 00:00+00') TO ('2026-03-01 00:00+00');
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_kind_idx ON events (kind, id);
CREATE TABLE notes (id bigserial PRIMARY KEY, event_id bigint, event_at timestamptz, body text,
	FOREIGN KEY (event_id, event_at) REFERENCES events (id, created_at));
INSERT INTO events (created_at, kind)
SELECT timestamptz '2026-01-20 00:00+00' + ((g * 37) % 60) * interval '1 day', 'k' || (g % 3) FROM generate_series(1, 40) g;
INSERT INTO notes (event_id, event_at, body) SELECT id, created_at, 'note ' || id FROM events WHERE id % 4 = 0;
INSERT INTO notes (event_id, event_at, body) VALUES (NULL, NULL, 'no event');
