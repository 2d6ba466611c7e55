-- bench/online.sh and bench/sync_trigger.sh: the parent and child tables, loaded with :n_parent and :n_child rows
-- (psql -v n_parent=... -v n_child=...). parent.seq finds a parent whatever type its key has (it is not migrated);
-- parent_del_seq is the next seq the steady mix deletes (bench/online/steady_delete_parent.sql).
CREATE SEQUENCE parent_seq_seq;
CREATE SEQUENCE parent_del_seq;
CREATE TABLE parent (
	id bigserial PRIMARY KEY,
	seq bigint NOT NULL DEFAULT nextval('parent_seq_seq'),
	created_at timestamptz NOT NULL,
	name text NOT NULL,
	payload text NOT NULL
);
CREATE TABLE child (
	id bigserial PRIMARY KEY,
	parent_id bigint NOT NULL,
	created_at timestamptz NOT NULL,
	amount int NOT NULL,
	note text
);
INSERT INTO parent (seq, created_at, name, payload)
SELECT g, '2020-01-01'::timestamptz + g * interval '1 second', 'parent ' || g, left(repeat(md5(g::text), 3), 60 + g % 41)
  FROM generate_series(1, :n_parent) g;
SELECT setval('parent_seq_seq', :n_parent), setval('parent_id_seq', :n_parent);
INSERT INTO child (parent_id, created_at, amount, note)
SELECT 1 + (g::bigint * 7919) % :n_parent, '2020-01-01'::timestamptz + g * interval '1 second', g % 10000,
	   CASE WHEN g % 3 = 0 THEN 'note ' || g END
  FROM generate_series(1, :n_child) g;
SELECT setval('child_id_seq', :n_child);
ALTER TABLE parent ADD CONSTRAINT parent_seq_key UNIQUE (seq);
ALTER TABLE child ADD CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE;
CREATE INDEX child_parent_id_idx ON child (parent_id);
