#!/usr/bin/env bash
# test/migration/cancel.sh — cancelling uuid7_migrate half-way leaves everything as before. A 300k-row parent
# with two children (one by a composite FK) is migrated once in a copy of the database to measure how long it
# takes (D). In the original:
#   - statement_timeout at 10% and 30% of D (early phases: planning, mapping tables), inside a transaction that is
#     rolled back anyway, so a run that finishes early cannot spoil the rest of the script;
#   - a table_rewrite event trigger that sleeps at the k-th rewrite (k = 1, 2, 3: the parent and each child) holds
#     the migration *inside* a table rewrite, where statement_timeout cancels it — deterministic, not timing-based;
#   - pg_cancel_backend from a second session while the migration sleeps inside the second rewrite.
# After each: SQLSTATE 57014 and the fingerprint (schema, filenodes, sequences, every table's rows) byte-for-byte
# unchanged. Finally the migration runs to completion.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db cancel
orig=$PGDATABASE

mig_setup <<'SQL'
CREATE TABLE accounts (id bigserial PRIMARY KEY, tenant int NOT NULL, name text NOT NULL, UNIQUE (tenant, id));
CREATE TABLE payments (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
	amount numeric(12, 2) NOT NULL);
CREATE INDEX payments_account ON payments (account_id);
CREATE TABLE audit (id bigserial PRIMARY KEY, tenant int NOT NULL, account_id bigint,
	FOREIGN KEY (tenant, account_id) REFERENCES accounts (tenant, id) DEFERRABLE);
INSERT INTO accounts (tenant, name) SELECT g % 100, 'account ' || g FROM generate_series(1, 300000) g;
INSERT INTO payments (account_id, amount) SELECT 1 + (g * 7) % 300000, (g % 1000) / 10.0 FROM generate_series(1, 300000) g;
INSERT INTO audit (tenant, account_id) SELECT (1 + (g * 13) % 300000) % 100, 1 + (g * 13) % 300000 FROM generate_series(1, 300000) g;
-- Counts rewrites in this transaction; sleeps at the one numbered by the setting mig.stall_at.
CREATE FUNCTION say_rewrite() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
	n int := coalesce(nullif(current_setting('mig.rewrites', true), ''), '0')::int + 1;
BEGIN
	PERFORM set_config('mig.rewrites', n::text, true);
	RAISE NOTICE 'mig-rewrite-started #% %', n, pg_event_trigger_table_rewrite_oid()::regclass;
	IF n = coalesce(nullif(current_setting('mig.stall_at', true), ''), '0')::int THEN
		PERFORM pg_sleep(120);
	END IF;
END $$;
CREATE EVENT TRIGGER say_rewrite ON table_rewrite EXECUTE FUNCTION say_rewrite();
VACUUM ANALYZE;
SQL
tables="ARRAY['public.accounts']::regclass[]"

probe="mig_cancel_probe_$$"
createdb -T "$orig" "$probe" && MIG_DBS+=("$probe")
t0=$(date +%s%N)
out=$(psql -X -q -d "$probe" -v ON_ERROR_STOP=1 -c "SELECT uuid7_migrate($tables)" 2>&1 >/dev/null)
duration_ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "probe migration in a copy succeeds (took ${duration_ms} ms)" "" "$(printf '%s' "$out" | grep -v 'NOTICE:  mig-rewrite-started')"
if [ "$duration_ms" -lt 200 ]; then
	fail "probe migration is long enough to cancel half-way" "only ${duration_ms} ms"
fi

before=$(mig_fingerprint)
for pct in 10 30; do
	timeout_ms=$((duration_ms * pct / 100))
	out=$(psql -X -q -c "\\set VERBOSITY sqlstate" -c "BEGIN" -c "SET LOCAL statement_timeout = $timeout_ms" \
		-c "SELECT uuid7_migrate($tables)" -c "ROLLBACK" 2>&1)
	if grep -q "ERROR:  57014" <<<"$out"; then
		pass "statement_timeout at $pct% of D (${timeout_ms} ms): cancelled with 57014"
	else
		fail "statement_timeout at $pct% of D (${timeout_ms} ms): cancelled with 57014" "got: $out"
	fi
	check_fingerprint "statement_timeout at $pct% of D: nothing changed" "$before"
done

# Held inside the k-th table rewrite, then cancelled by statement_timeout. The timeout must outlast the way to the
# k-th rewrite: D + 2 s at first; on a loaded machine the run can be slower than the probe was, so a cancel that came
# before rewrite #k is retried with a larger margin (it proves nothing about rewrite #k; the fingerprint check after
# the last try covers every try).
for k in 1 2 3; do
	margin_ms=2000
	for _ in 1 2 3; do
		out=$(psql -X -q -c "\\set VERBOSITY sqlstate" -c "SET mig.stall_at = $k" \
			-c "SET statement_timeout = $((duration_ms + margin_ms))" -c "SELECT uuid7_migrate($tables)" 2>&1)
		# (VERBOSITY sqlstate prints each NOTICE as "NOTICE:  00000": one per rewrite started)
		rewrites=$(printf '%s\n' "$out" | grep -c 'NOTICE:  00000')
		[ "$rewrites" -lt "$k" ] && grep -q "ERROR:  57014" <<<"$out" || break
		margin_ms=$((margin_ms * 2 + duration_ms))
	done
	if grep -q "ERROR:  57014" <<<"$out" && [ "$rewrites" = "$k" ]; then
		pass "statement_timeout inside rewrite #$k: cancelled with 57014"
	else
		fail "statement_timeout inside rewrite #$k: cancelled with 57014" "got: $(printf '%s' "$out" | tr '\n' ' ')"
	fi
	check_fingerprint "statement_timeout inside rewrite #$k: nothing changed" "$before"
done

# pg_cancel_backend from a second session, while the migration is held inside the second rewrite.
out_file=$(mktemp /tmp/mig_cancel_XXXXXX)
trap 'rm -f "$out_file"; mig_cleanup' EXIT
PGAPPNAME=mig_cancel_victim_$$ psql -X -q -c "\\set VERBOSITY sqlstate" -c "SET mig.stall_at = 2" \
	-c "SELECT uuid7_migrate($tables)" >"$out_file" 2>&1 &
victim=$!
for _ in $(seq 1 600); do
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mig_cancel_victim_$$' AND wait_event = 'PgSleep'")" = 1 ] && break
	sleep 0.05
done
check_eq "pg_cancel_backend reaches the migrating session (held in rewrite #2)" t \
	"$(sql "SELECT bool_or(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE application_name = 'mig_cancel_victim_$$' AND wait_event = 'PgSleep'")"
wait "$victim"
if grep -q "ERROR:  57014" "$out_file"; then pass "pg_cancel_backend: cancelled with 57014"; else fail "pg_cancel_backend: cancelled with 57014" "got: $(cat "$out_file")"; fi
check_fingerprint "pg_cancel_backend: nothing changed" "$before"

check_eq "no migrating session left behind" 0 \
	"$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mig_cancel_victim_$$'")"
out=$(psql -X -q -v ON_ERROR_STOP=1 -c "SELECT uuid7_migrate($tables)" 2>&1 >/dev/null)
check_eq "after the cancels the migration completes" "" "$(printf '%s' "$out" | grep -v 'NOTICE:  mig-rewrite-started')"
check_eq "migrated: row counts and relationships intact" "300000|300000|300000|0" \
	"$(sql "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM payments p JOIN accounts a ON a.id = p.account_id),
		(SELECT count(*) FROM audit x JOIN accounts a ON a.id = x.account_id AND a.tenant = x.tenant),
		(SELECT count(*) FROM accounts WHERE uuid7_mapped_id('accounts', uuid7_legacy_id('accounts', id)) <> id)")"
check_eq "migrated: the same relationships as in the probe copy" \
	"$(psql -X -A -t -d "$probe" -c "SELECT md5(string_agg(uuid7_legacy_id('accounts', account_id)::text, ',' ORDER BY id)) FROM payments")" \
	"$(sql "SELECT md5(string_agg(uuid7_legacy_id('accounts', account_id)::text, ',' ORDER BY id)) FROM payments")"
