# test/security/lib.sh — helpers for the security suites (one finding of the security review per check). Source it
# after ../assert.sh and ../migration/lib.sh (databases and roles that are dropped on exit):
# shellcheck shell=bash
#
#   sec_as ROLE SQL               run SQL as ROLE (SET ROLE inside the session), printing the result like sql()
#   sec_sqlstate_as NAME ROLE STATE SQL   one check: SQL run as ROLE fails with SQLSTATE STATE
#   sec_is_superuser ROLE         t or f
#
# (test/run_all.sh runs every test/security/*.sh; run on its own, this file does nothing and records nothing.)

[ "${BASH_SOURCE[0]}" = "$0" ] && exit 0

sec_as() {
	local role=$1 query=$2
	psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET ROLE \"$role\"" -c "$query"
}

sec_sqlstate_as() {
	local name=$1 role=$2 state=$3 out
	out=$(psql -X -A -t -q -c "\\set VERBOSITY sqlstate" -c "SET ROLE \"$role\"" -c "$4" 2>&1)
	if grep -q "ERROR:  $state" <<<"$out"; then pass "$name"; else fail "$name" "expected SQLSTATE $state, got: $out"; fi
}

sec_is_superuser() {
	sql "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = '$1'"
}
