#!/usr/bin/env bash
# test/migration/deterministic.sh — the "deterministic_keys" option (docs/migration.md) on TWO clusters: the suite's
# own and a second one started here (other OIDs, rows inserted in another physical order). The same schema and rows,
# migrated with the same secret, get identical mappings; keys follow old-key order and are v7; another secret gives
# other keys; two tables with the same integer ids get different uuids; a known-answer vector computed with Python's
# hmac matches; bad input is refused with 22023 and changes nothing; the online start refuses it with 0A000; and the
# secret appears nowhere: not in the plan, not in any table (pg_dump of the whole database), not in the server log
# (every statement logged), not in pg_stat_activity, not in any error message.
#
# The secret reaches the server out of band (a session setting from the startup packet, PGOPTIONS), as an
# application would bind it: the statements themselves never hold it.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/scripts/lib.sh"

SECRET="determ-secret-$$-0f9c2a7e51b3d864"
OTHER_SECRET="another-secret-$$-77aa01be93cd42f0"
with_secret() { PGOPTIONS="-c determ.secret=$1" "${@:2}"; }
OPTS="jsonb_build_object('deterministic_keys', jsonb_build_object('secret', current_setting('determ.secret')))"

# ---- the second cluster: started here, stopped on exit (with lib.sh's cleanup of the first cluster's databases) ----
B_DIR=$(mktemp -d /tmp/uuid7-determ-b-XXXXXX)
chmod 755 "$B_DIR"
[ "$(id -u)" -eq 0 ] && chown "$UUID7_OS_USER" "$B_DIR"
B_LOG=$B_DIR/server.log
stop_b() {
	[ -d "$B_DIR/data" ] && as_server_user "$(pg_bindir)/pg_ctl" -D "$B_DIR/data" -m fast -w stop >/dev/null 2>&1
	rm -rf "$B_DIR"
}
trap 'mig_cleanup; stop_b' EXIT
if ! as_server_user "$(pg_bindir)/initdb" -D "$B_DIR/data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$B_DIR/initdb.log" 2>&1; then
	fail "setup" "initdb of the second cluster: $(tail -n 5 "$B_DIR/initdb.log")"
	exit 1
fi
{
	echo "listen_addresses = ''"
	echo "unix_socket_directories = '$B_DIR'"
	echo "port = 5432"
	echo "fsync = off"
	echo "max_connections = 20"
	echo "log_line_prefix = '%m [%p] '"
	echo "log_statement = 'all'"                 # every top-level statement in the log
	echo "log_min_error_statement = 'error'"
	echo "log_error_verbosity = 'verbose'"       # DETAIL, HINT, CONTEXT (the nested statements) of every error
} >>"$B_DIR/data/postgresql.conf"
if ! as_server_user "$(pg_bindir)/pg_ctl" -D "$B_DIR/data" -l "$B_LOG" -w -t 60 start >/dev/null; then
	fail "setup" "second cluster start: $(tail -n 5 "$B_LOG")"
	exit 1
fi
A_HOST=$PGHOST
on_b() { PGHOST=$B_DIR PGPORT=5432 PGUSER=postgres "$@"; }
sql_b() { on_b psql -X -A -t -q -v ON_ERROR_STOP=1 -d determ -c "$1"; }

mig_db determ
on_b createdb determ && sql_b "CREATE EXTENSION uuid7" || { fail "setup" "database on the second cluster"; exit 1; }
# other OIDs on B: objects made before the schema
sql_b "CREATE TABLE filler AS SELECT g FROM generate_series(1, 10) g; CREATE SCHEMA filler_s; CREATE TABLE filler_s.t1 (a int); CREATE TABLE filler_s.t2 (a int)" >/dev/null

schema='
CREATE SCHEMA app;
CREATE TABLE app.users (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE app.items (id integer PRIMARY KEY, label text);
CREATE TABLE app.orders (id serial PRIMARY KEY, user_id bigint NOT NULL REFERENCES app.users, item_id integer REFERENCES app.items);
CREATE TABLE app.negative (id integer PRIMARY KEY);
CREATE TABLE app.stamped (id integer PRIMARY KEY, at timestamptz NOT NULL);'
# the same rows; B inserts them in another order (ORDER BY md5 / DESC), so its heap and its TOAST differ
rows() {
	cat <<SQL
INSERT INTO app.users (id, name) SELECT g, 'user ' || g FROM generate_series(1, 2000) g WHERE g % 7 <> 3 ORDER BY $1;
INSERT INTO app.users (id, name) VALUES (281474976710655, 'the largest key that fits 48 bits');
INSERT INTO app.items (id, label) SELECT g, 'item ' || g FROM generate_series(0, 1500) g ORDER BY $1;
INSERT INTO app.orders (user_id, item_id) SELECT 1 + (g * 13) % 1999, g % 1500 FROM generate_series(1, 3000) g WHERE (1 + (g * 13) % 1999) % 7 <> 3;
INSERT INTO app.negative VALUES (-5), (1), (2);
INSERT INTO app.stamped SELECT g, '2024-01-01'::timestamptz + g * interval '1 s' FROM generate_series(1, 10) g;
SQL
}
mig_setup <<<"$schema$(rows g)"
on_b psql -X -q -v ON_ERROR_STOP=1 -d determ -c "$schema" -c "$(rows 'md5(g::text)')" >/dev/null ||
	{ fail "setup" "schema on the second cluster"; exit 1; }
check_true "the two clusters give app.users different OIDs" \
	"SELECT 'app.users'::regclass::oid <> $(sql_b "SELECT 'app.users'::regclass::oid")"

tables="ARRAY['app.users', 'app.items']::regclass[]"

# ---- bad input: 22023, nothing changed ------------------------------------------------------------------------------
state_of() { sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'app.users'::regclass AND attname = 'id'
	UNION ALL SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'uuid7_mapping'"; }
before=$(state_of)
bad() {
	local name=$1 opts=$2 out
	out=$(with_secret "$SECRET" psql -X -A -t -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migrate($tables, $opts)" 2>&1)
	if grep -q "ERROR:  22023" <<<"$out"; then pass "$name: 22023"; else fail "$name: 22023" "$out"; fi
	check_eq "$name: nothing changed" "$before" "$(state_of)"
	if grep -qF -- "$SECRET" <<<"$out"; then fail "$name: the error does not show the secret" "$out"; else pass "$name: the error does not show the secret"; fi
}
bad "secret too short" "'{\"deterministic_keys\": {\"secret\": \"short-secret\"}}'"
out=$(psql -X -A -t -q -c "SELECT uuid7_migrate($tables, '{\"deterministic_keys\": {\"secret\": \"short-secret\"}}')" 2>&1)
if grep -q "short-secret" <<<"$out"; then fail "a too short secret is not echoed" "$out"; else pass "a too short secret is not echoed"; fi
bad "secret is a number" "'{\"deterministic_keys\": {\"secret\": 12345678901234567890}}'"
bad "secret missing" "'{\"deterministic_keys\": {}}'"
bad "option is a string" "'{\"deterministic_keys\": \"a string of more than sixteen bytes\"}'"
bad "unknown key in the option" "jsonb_build_object('deterministic_keys', jsonb_build_object('secret', current_setting('determ.secret'), 'salt', 'x'))"
bad "with version 6" "$OPTS || '{\"version\": 6}'"
out=$(with_secret "$SECRET" psql -X -A -t -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migrate(ARRAY['app.stamped']::regclass[], $OPTS || '{\"tables\": {\"app.stamped\": {\"timestamp_column\": \"at\"}}}')" 2>&1)
if grep -q "ERROR:  22023" <<<"$out"; then pass "with a timestamp column (a real one): 22023"; else fail "with a timestamp column (a real one): 22023" "$out"; fi
check_sqlstate "uuid7_migration_derive: a secret of 15 bytes" 22023 "SELECT uuid7_migration_derive('\\x000102030405060708090a0b0c0d0e'::bytea, 'app', 'users', 1)"
# an old key outside the 48-bit time field: 22003 from the fill, the whole migration rolled back
out=$(with_secret "$SECRET" psql -X -A -t -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migrate(ARRAY['app.negative']::regclass[], $OPTS)" 2>&1)
if grep -q "ERROR:  22003" <<<"$out"; then pass "a negative old key: 22003"; else fail "a negative old key: 22003" "$out"; fi
check_eq "a negative old key: nothing changed" "integer" "$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'app.negative'::regclass AND attname = 'id'")"
if grep -qF -- "$SECRET" <<<"$out"; then fail "a negative old key: the error does not show the secret" "$out"; else pass "a negative old key: the error does not show the secret"; fi

# ---- online: refused, nothing stored --------------------------------------------------------------------------------
out=$(with_secret "$SECRET" psql -X -A -t -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migration_start($tables, $OPTS)" 2>&1)
if grep -q "ERROR:  0A000" <<<"$out"; then pass "online start: 0A000"; else fail "online start: 0A000" "$out"; fi
check_eq "online start: no online migration recorded" 0 "$(sql "SELECT count(*) FROM uuid7_state.uuid7_online_migration")"
check_eq "online start: nothing changed" "$before" "$(state_of)"

# ---- the plan: deterministic, said so, without the secret -----------------------------------------------------------
plan=$(with_secret "$SECRET" psql -X -A -t -q -c "SELECT concat_ws(' | ', phase, object, detail, statement) FROM uuid7_migration_plan($tables, $OPTS) ORDER BY step" 2>&1)
if grep -qF -- "$SECRET" <<<"$plan"; then fail "plan: the secret is not shown" "$(grep -F -- "$SECRET" <<<"$plan" | head -3)"; else pass "plan: the secret is not shown"; fi
check_eq "plan: a note per table says the keys are deterministic" 2 "$(grep -c '^note | .* | keys are deterministic' <<<"$plan")"
check_eq "plan: the fills take the secret as \$1" 2 "$(grep -c 'uuid7_migration_derive(\$1, ' <<<"$plan")"
check_eq "plan: no drawn keys" 0 "$(grep -c 'uuid7_migration_next' <<<"$plan")"

# ---- migrate on both clusters with the same secret ------------------------------------------------------------------
migrate() { with_secret "$2" "${@:3}" psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -c "SELECT uuid7_migrate(ARRAY['app.users', 'app.items']::regclass[], $OPTS)" 2>&1; }
out=$(migrate "$PGDATABASE" "$SECRET") && pass "migrate on cluster A" || { fail "migrate on cluster A" "$out"; exit 1; }
out=$(on_b migrate determ "$SECRET") && pass "migrate on cluster B" || { fail "migrate on cluster B" "$out"; exit 1; }

mapping='SELECT md5(string_agg(old_id || '"'='"' || new_id, '"','"' ORDER BY old_id)) || '"' '"' || count(*) FROM uuid7_mapping.'
# check_same NAME A B: equal, and not both empty (a failing query on both sides is no proof)
check_same() { if [ -z "$2" ]; then fail "$1" "nothing to compare"; else check_eq "$1" "$2" "$3"; fi; }
check_same "users: the two clusters have the same mapping" "$(sql "${mapping}users_uuid7_map")" "$(sql_b "${mapping}users_uuid7_map")"
check_same "items: the two clusters have the same mapping" "$(sql "${mapping}items_uuid7_map")" "$(sql_b "${mapping}items_uuid7_map")"
rowsum='SELECT md5(string_agg(concat_ws(chr(9), o.id, o.user_id, o.item_id, u.name, i.label), chr(10) ORDER BY o.id)) FROM app.orders o JOIN app.users u ON u.id = o.user_id LEFT JOIN app.items i ON i.id = o.item_id'
check_same "orders: the same converted references on both clusters" "$(sql "$rowsum")" "$(sql_b "$rowsum")"
check_eq "users: every row mapped" "$(sql "SELECT count(*) FROM app.users")" "$(sql "SELECT count(*) FROM uuid7_mapping.users_uuid7_map")"

check_true "users: new-key order is old-key order" \
	"SELECT bool_and(prev < new_id) FROM (SELECT new_id, lag(new_id) OVER (ORDER BY old_id) AS prev FROM uuid7_mapping.users_uuid7_map) s WHERE prev IS NOT NULL"
check_true "items: new-key order is old-key order" \
	"SELECT bool_and(prev < new_id) FROM (SELECT new_id, lag(new_id) OVER (ORDER BY old_id) AS prev FROM uuid7_mapping.items_uuid7_map) s WHERE prev IS NOT NULL"
check_true "every key is a v7 with the RFC 9562 variant" \
	"SELECT bool_and(substr(new_id::text, 15, 1) = '7' AND substr(new_id::text, 20, 1) IN ('8', '9', 'a', 'b')) FROM (SELECT new_id FROM uuid7_mapping.users_uuid7_map UNION ALL SELECT new_id FROM uuid7_mapping.items_uuid7_map) s"
check_true "the time field is the old key (up to 2^48-1)" \
	"SELECT bool_and(('x' || lpad(substr(replace(new_id::text, '-', ''), 1, 12), 16, '0'))::bit(64)::bigint = old_id) FROM uuid7_mapping.users_uuid7_map"
check_eq "users and items: the same integers, no shared uuid" 0 \
	"$(sql "SELECT count(*) FROM uuid7_mapping.users_uuid7_map u JOIN uuid7_mapping.items_uuid7_map i ON i.new_id = u.new_id")"
check_eq "users and items: the same integers, different random bits" "$(sql "SELECT count(*) FROM uuid7_mapping.users_uuid7_map u JOIN uuid7_mapping.items_uuid7_map i USING (old_id)")" \
	"$(sql "SELECT count(*) FROM uuid7_mapping.users_uuid7_map u JOIN uuid7_mapping.items_uuid7_map i USING (old_id) WHERE substr(u.new_id::text, 15) <> substr(i.new_id::text, 15)")"
check_true "the mapping equals uuid7_migration_derive() of each old key" \
	"SELECT bool_and(new_id = uuid7_migration_derive(convert_to('$SECRET', 'UTF8'), 'app', 'users', old_id)) FROM uuid7_mapping.users_uuid7_map"

# a known answer, computed here with Python's hmac (an implementation other than the server's)
expected=$(python3 - "$SECRET" <<'PY'
import hmac, hashlib, struct, sys
secret = sys.argv[1].encode()
def derive(schema, table, key):
    msg = b"uuid7 derived key v1\0" + struct.pack(">I", len(schema)) + schema + struct.pack(">I", len(table)) + table + struct.pack(">q", key)
    d = hmac.new(secret, msg, hashlib.sha256).digest()
    rand_a = int.from_bytes(d[0:2], "big") & 0x0FFF
    rand_b = int.from_bytes(d[2:10], "big") & ((1 << 62) - 1)
    v = (key << 80) | (7 << 76) | (rand_a << 64) | (2 << 62) | rand_b
    h = "%032x" % v
    return "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
print(",".join(derive(s.encode(), t.encode(), k) for s, t, k in [("app", "users", 1), ("app", "items", 1), ("app", "users", 281474976710655), ("sch\u00e9ma", "t", 0)]))
PY
)
check_eq "known answers (Python's hmac)" "$expected" "$(sql "SELECT concat_ws(',', (SELECT new_id FROM uuid7_mapping.users_uuid7_map WHERE old_id = 1), (SELECT new_id FROM uuid7_mapping.items_uuid7_map WHERE old_id = 1), (SELECT new_id FROM uuid7_mapping.users_uuid7_map WHERE old_id = 281474976710655), uuid7_migration_derive(convert_to('$SECRET', 'UTF8'), 'schéma', 't', 0))")"

# ---- another secret: other keys for every row -----------------------------------------------------------------------
on_b createdb determ2 && on_b psql -X -q -v ON_ERROR_STOP=1 -d determ2 -c "CREATE EXTENSION uuid7" -c "$schema" -c "$(rows g)" >/dev/null ||
	{ fail "setup" "third database"; exit 1; }
out=$(on_b migrate determ2 "$OTHER_SECRET") && pass "migrate with another secret" || fail "migrate with another secret" "$out"
other=$(on_b psql -X -A -t -q -d determ2 -c "SELECT old_id || '=' || new_id FROM uuid7_mapping.users_uuid7_map ORDER BY old_id")
same=$(comm -12 <(sql "SELECT old_id || '=' || new_id FROM uuid7_mapping.users_uuid7_map" | sort) <(sort <<<"$other") | wc -l)
[ -n "$other" ] || fail "another secret: mapping read" "empty"
check_eq "another secret: no key in common" 0 "$same"
check_eq "another secret: every row mapped" "$(sql "SELECT count(*) FROM uuid7_mapping.users_uuid7_map")" "$(wc -l <<<"$other")"
check_true "another secret: the order is still the old-key order" \
	"SELECT bool_and(prev < new_id) FROM (SELECT new_id, lag(new_id) OVER (ORDER BY old_id) AS prev FROM uuid7_mapping.users_uuid7_map) s WHERE prev IS NOT NULL"

# ---- pg_stat_activity during a migration (held on a lock), then nowhere in the database or the log ------------------
on_b createdb determ3 && on_b psql -X -q -v ON_ERROR_STOP=1 -d determ3 -c "CREATE EXTENSION uuid7" -c "$schema" -c "$(rows g)" >/dev/null ||
	{ fail "setup" "fourth database"; exit 1; }
on_b psql -X -q -d determ3 -c "BEGIN; LOCK TABLE app.orders IN ACCESS SHARE MODE; SELECT pg_sleep(3); COMMIT" >/dev/null 2>&1 &
holder=$!
sleep 0.5
on_b migrate determ3 "$SECRET" >/dev/null &
migrator=$!
sleep 1
activity=$(on_b psql -X -A -t -q -d postgres -c "SELECT concat_ws(' | ', datname, state, wait_event_type, query) FROM pg_stat_activity WHERE datname = 'determ3'")
check_true "pg_stat_activity: the migration is seen waiting" "SELECT $(grep -c 'uuid7_migrate' <<<"$activity") > 0"
if grep -qF -- "$SECRET" <<<"$activity"; then fail "pg_stat_activity: the secret is not shown" "$activity"; else pass "pg_stat_activity: the secret is not shown"; fi
wait "$holder" "$migrator"
check_same "the migration held on a lock gives the same keys" "$(sql "${mapping}users_uuid7_map")" "$(on_b psql -X -A -t -q -d determ3 -c "${mapping}users_uuid7_map")"

for db in determ determ2 determ3; do
	dump=$(on_b pg_dump -d "$db" 2>&1)
	if grep -qF -- "$SECRET" <<<"$dump"; then fail "pg_dump of $db: the secret is in no table" "$(grep -F -- "$SECRET" <<<"$dump" | head -3)"; else pass "pg_dump of $db: the secret is in no table"; fi
done
dump=$(pg_dump 2>&1)
if grep -qF -- "$SECRET" <<<"$dump"; then fail "pg_dump on cluster A: the secret is in no table" "$(grep -F -- "$SECRET" <<<"$dump" | head -3)"; else pass "pg_dump on cluster A: the secret is in no table"; fi
# an error inside the fill on B, logged with its DETAIL, HINT and CONTEXT (the nested statement, with $1)
out=$(with_secret "$SECRET" on_b psql -X -A -t -q -d determ3 -c "SELECT uuid7_migrate(ARRAY['app.negative']::regclass[], $OPTS)" 2>&1)
check_true "the second cluster logged the failed fill with its statement" "SELECT $(grep -c 'uuid7_migration_derive(\$1' "$B_LOG") > 0"
check_true "the second cluster logged the migrations" "SELECT $(grep -c 'uuid7_migrate' "$B_LOG") >= 3"
if grep -qF -- "$SECRET" "$B_LOG" || grep -qF -- "$OTHER_SECRET" "$B_LOG"; then
	fail "server log: the secret is not logged" "$(grep -F -e "$SECRET" -e "$OTHER_SECRET" "$B_LOG" | head -3)"
else
	pass "server log: the secret is not logged"
fi
if server_log_has_crash "$B_LOG"; then fail "second cluster: no backend crashed" "$(tail -n 20 "$B_LOG")"; else pass "second cluster: no backend crashed"; fi
