#!/usr/bin/env bash
# test/online/privileges.sh — an online migration run by a role that is not a superuser, while another role that
# may only write the tables writes them. The sync trigger must extend the mapping for that writer (who has no
# privilege on the mapping table), and must refuse to serve a trigger the writer attaches by hand to reach the
# mapping (42501), before and after its first legitimate use in the session.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

online_db privileges
mig_role onl_owner LOGIN; owner=$MIG_ROLE
mig_role onl_writer LOGIN; writer=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner", "$writer";
SET ROLE "$owner";
CREATE TABLE parent (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id serial PRIMARY KEY, parent_id int NOT NULL REFERENCES parent ON DELETE CASCADE);
INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 300) g;
INSERT INTO child (parent_id) SELECT 1 + g % 300 FROM generate_series(1, 600) g;
GRANT SELECT, INSERT, UPDATE, DELETE ON parent, child TO "$writer";
GRANT USAGE ON SEQUENCE parent_id_seq, child_id_seq TO "$writer";
SQL

as_owner() { PGOPTIONS="-c role=$owner" "$@"; }
as_writer() { PGOPTIONS="-c role=$writer" "$@"; }

mid=$(as_owner online_start "ARRAY['parent']::regclass[]")
check_eq "the owner's migration reaches ready" "ready" "$(online_wait "${mid:-0}" 120)"
check_eq "the worker ran as the owner, the mapping is the owner's" "$owner $owner" \
	"$(sql "SELECT m.started_by || ' ' || pg_get_userbyid(c.relowner) FROM uuid7_state.uuid7_online_migration m, pg_class c
		WHERE m.id = ${mid:-0} AND c.oid = 'uuid7_mapping.parent_uuid7_map'::regclass")"

# the writer cannot touch the mapping itself ...
PGOPTIONS="-c role=$writer" check_sqlstate "the writer may not write the mapping table" 42501 \
	"INSERT INTO uuid7_mapping.parent_uuid7_map VALUES (100000, uuid_generate_v7())"
# ... a trigger it attaches by hand is refused, also on its own table, whether the real one ran in the session or not
as_writer sql "CREATE TABLE forged (parent_id int, twin uuid);
	CREATE TRIGGER forged BEFORE INSERT ON forged FOR EACH ROW
		EXECUTE FUNCTION uuid7_online_sync('${mid:-0}', 'parent_id', 'twin', 'uuid7_mapping.parent_uuid7_map', '7')" >/dev/null
PGOPTIONS="-c role=$writer" check_sqlstate "a trigger attached by hand to the writer's table is refused" 42501 \
	"INSERT INTO forged VALUES (1, NULL)"
PGOPTIONS="-c role=$writer" check_sqlstate "... also after the real trigger served the session" 42501 \
	"INSERT INTO child (parent_id) VALUES (1); INSERT INTO forged VALUES (1, NULL)"
check_true "the refused trigger added nothing to the mapping" "SELECT count(*) = 300 FROM uuid7_mapping.parent_uuid7_map"

# ... but its writes go through the real trigger, which extends the mapping as the owner
as_writer sql "INSERT INTO parent (name) VALUES ('new'); INSERT INTO child (parent_id) VALUES (currval('parent_id_seq')), (7);
	UPDATE child SET parent_id = 8 WHERE id = 1" >/dev/null
check_true "the writer's new parent and its child got the same new key, mapped by the trigger" \
	"SELECT p.uuid7_new_1 IS NOT NULL AND p.uuid7_new_1 = m.new_id
		AND (SELECT count(*) FROM child c WHERE c.parent_id = 301 AND c.uuid7_new_2 = m.new_id) = 1
	 FROM parent p JOIN uuid7_mapping.parent_uuid7_map m ON m.old_id = p.id WHERE p.id = 301"
check_true "the writer's update of a reference moved its twin" \
	"SELECT c.uuid7_new_2 = m.new_id FROM child c JOIN uuid7_mapping.parent_uuid7_map m ON m.old_id = 8 WHERE c.id = 1"

out=$(as_owner sql "SELECT uuid7_migration_finish(${mid:-0}) ->> 'migration_id'" 2>&1)
check_eq "the owner finishes the migration" "${mid:-0}" "$out"
check_true "after the swap every child references its parent's new key" \
	"SELECT count(*) = 602 FROM child c JOIN parent p ON p.id = c.parent_id"
sql "DROP TABLE forged" >/dev/null
online_check_no_crash
