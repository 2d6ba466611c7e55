# test/assert.sh — assertions for the scripted suites (test/concurrency, test/migration). Source it.
#
# Each check appends one line to $UUID7_RESULTS: "PASS <suite>: <name>" or "FAIL <suite>: <name> — <why>".
# The runner counts those lines; a script that exits non-zero gets a FAIL line from the runner as well.
#
#   sql "SELECT ..."                      psql -X -A -t -q -v ON_ERROR_STOP=1, prints the result
#   check_eq NAME EXPECTED ACTUAL
#   check_true NAME "SQL returning a boolean"
#   check_sqlstate NAME SQLSTATE "SQL that must fail with that SQLSTATE"

: "${UUID7_RESULTS:?set by test/run_all.sh}"
UUID7_SUITE=${UUID7_SUITE:-$(basename "${BASH_SOURCE[1]:-$0}" .sh)}

sql() { psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }

pass() { echo "PASS $UUID7_SUITE: $1" >>"$UUID7_RESULTS"; echo "  ok   $1"; }
fail() { echo "FAIL $UUID7_SUITE: $1 — $2" >>"$UUID7_RESULTS"; echo "  FAIL $1 — $2"; }

check_eq() {
	local name=$1 expected=$2 actual=$3
	if [ "$expected" = "$actual" ]; then pass "$name"; else fail "$name" "expected [$expected], got [$actual]"; fi
}

check_true() {
	local name=$1 out
	out=$(sql "$2" 2>&1)
	check_eq "$name" t "$out"
}

check_sqlstate() {
	local name=$1 state=$2 out
	out=$(psql -X -A -t -q -v VERBOSITY=sqlstate -c "\\set VERBOSITY sqlstate" -c "$3" 2>&1)
	if grep -q "ERROR:  $state" <<<"$out"; then pass "$name"; else fail "$name" "expected SQLSTATE $state, got: $out"; fi
}
