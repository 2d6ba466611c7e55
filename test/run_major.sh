#!/usr/bin/env bash
# test/run_major.sh — every suite against one PostgreSQL major: the one of UUID7_PG_MAJOR (default 15) from Debian's
# packages, or the build that PG_CONFIG names (UUID7_PG_FROM_SOURCE=1). test/run_all.sh runs it once per major, on the
# host or inside a chroot of the major's Debian suite (test/majors/run.sh); run as root on a Debian machine.
#
# Installs the packages, builds with -Werror, runs the C++ unit tests, then — once against a plain cluster and
# once against a cluster with shared_preload_libraries = 'uuid7' — pg_regress (sql/, test/boundary) and the
# scripted suites (test/concurrency/*.sh, test/migration/*.sh, test/extension/*.sh, test/security/*.sh, in the
# plain cluster test/frameworks/*.sh, then test/online/*.sh; lib.sh files are helpers). Clusters are throwaway and always stopped.
# On major 17, after the plain run, test/citus/run.sh (a Citus coordinator and two workers; docs/citus.md).
# While developing: UUID7_MODES="plain" runs one cluster only; UUID7_SUITES="regress test/online/x.sh ..." runs only
# those (pg_regress only when "regress" is listed; the unit tests always).
# Appends "PASS name" / "FAIL name" lines (and "SKIP name: why" for a framework whose runtime is missing) to $UUID7_RESULTS (made here when unset) and ends with "N passed, N failed"
# for this major; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ -z "${UUID7_RESULTS:-}" ]; then
	UUID7_RESULTS=$(mktemp /tmp/uuid7-results-XXXXXX)
	own_results=1
fi
export UUID7_RESULTS
record() { echo "$1 $2" >>"$UUID7_RESULTS"; }

finish() {
	local passed failed
	passed=$(grep -c '^PASS ' "$UUID7_RESULTS")
	failed=$(grep -c '^FAIL ' "$UUID7_RESULTS")
	if grep -q '^SKIP ' "$UUID7_RESULTS"; then
		echo
		echo "Skipped (a runtime this suite cannot install; neither passed nor failed):"
		grep '^SKIP ' "$UUID7_RESULTS" | sed 's/^/  /'
	fi
	if [ "$failed" -gt 0 ]; then
		echo
		echo "Failures:"
		grep '^FAIL ' "$UUID7_RESULTS" | sed 's/^/  /'
	fi
	[ -n "${own_results:-}" ] && rm -f "$UUID7_RESULTS"
	echo
	echo "PostgreSQL $UUID7_PG_MAJOR — $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

# pg_regress prints "test name ... ok" (PG <= 15) or "ok 1 - name" (PG 16+); turn each into a PASS/FAIL line.
record_regress() {
	local suite=$1 log=$2
	sed -nE 's/^(test )? *([A-Za-z0-9_]+) +\.\.\. ok.*/PASS \2/p; s/^(test )? *([A-Za-z0-9_]+) +\.\.\. (FAILED|failed).*/FAIL \2/p;
		s/^ok +[0-9]+ +[-+] +([A-Za-z0-9_]+).*/PASS \1/p; s/^not ok +[0-9]+ +[-+] +([A-Za-z0-9_]+).*/FAIL \1/p' "$log" |
		while read -r verdict name; do record "$verdict" "$suite: $name"; done
	if ! grep -qE '\.\.\. ok|^ok ' "$log" && ! grep -qE 'FAILED|failed|^not ok' "$log"; then
		record FAIL "$suite: pg_regress did not run (see output above)"
	fi
	# a test without its expected file prints "diff command failed" and no verdict of its own
	if grep -q 'diff command failed' "$log"; then
		record FAIL "$suite: a test could not be compared (an expected file missing? see output above)"
	fi
}

run_regress() {
	local suite=$1 dir=$2 log
	log=$(mktemp)
	make -s -C "$dir" installcheck >"$log" 2>&1
	cat "$log"
	record_regress "$suite" "$log"
	[ -f "$dir/regression.diffs" ] && head -n 200 "$dir/regression.diffs"
	rm -f "$log"
}

# run_suite SCRIPT MODE: one scripted suite against the running cluster; its time goes to the log
run_suite() {
	local script=$1 mode=$2 started=$SECONDS
	log "$script ($mode)"
	UUID7_MODE=$mode UUID7_SUITE="$(basename "$(dirname "$script")")/$(basename "$script" .sh)-$mode" \
		timeout 1200 bash "$script" || record FAIL "$script ($mode) exited with status $?"
	log "$script ($mode): $((SECONDS - started)) s"
}

install_deps || { record FAIL "setup: package installation"; finish; }
if ! build_and_install -Werror; then
	record FAIL "build: make WERROR=1"
	finish
fi
if ! make -s -C test/boundary WERROR=1 >/dev/null || ! make -s -C test/boundary install >/dev/null; then
	record FAIL "build: boundary probe module"
fi

log "unit tests (src/core, GoogleTest)"
unit_log=$(mktemp)
make -s WERROR=1 unittest >"$unit_log" 2>&1
grep -E '^\[  (PASSED|FAILED) ' "$unit_log" | tail -n 20
sed -nE 's/^\[       OK \] ([^ ]+) .*/PASS unit: \1/p; s/^\[  FAILED  \] ([^ ,]+) \(.*/FAIL unit: \1/p' "$unit_log" >>"$UUID7_RESULTS"
grep -q '^\[  PASSED  \]\|^\[  FAILED  \]' "$unit_log" || { cat "$unit_log"; record FAIL "unit: the unit test binary did not complete"; }
rm -f "$unit_log"

# selected SCRIPT...: the scripts of the arguments that UUID7_SUITES lets through (all when it is unset)
selected() {
	local script
	for script in "$@"; do
		[ -f "$script" ] || continue
		[ "$(basename "$script")" = lib.sh ] && continue # shared helpers, sourced by the suites
		if [ -n "${UUID7_SUITES:-}" ] && [[ " $UUID7_SUITES " != *" $script "* ]]; then continue; fi
		echo "$script"
	done
}
[ -n "$(selected test/frameworks/*.sh)" ] && [[ " ${UUID7_MODES:-plain preload} " == *" plain "* ]] && install_framework_deps
wants_regress() { [ -z "${UUID7_SUITES:-}" ] || [[ " $UUID7_SUITES " == *" regress "* ]]; }

for mode in ${UUID7_MODES:-plain preload}; do
	if ! cluster_start "$mode" "$mode"; then
		record FAIL "$mode: cluster start"
		continue
	fi
	if wants_regress; then
		log "pg_regress ($mode)"
		run_regress "regress-$mode" .
		run_regress "boundary-$mode" test/boundary
	fi
	# The framework recipes (test/frameworks, docs/frameworks.md) test Django, ActiveRecord and Knex against the
	# migrated schema, not the server's configuration: in the plain cluster only.
	framework_suites=
	[ "$mode" = plain ] && framework_suites=$(echo test/frameworks/*.sh)
	for script in $(selected test/concurrency/*.sh test/migration/*.sh test/extension/*.sh test/security/*.sh $framework_suites); do
		run_suite "$script" "$mode"
	done
	if server_log_has_crash "$UUID7_SERVER_LOG"; then
		record FAIL "$mode: a backend died by a signal (server log below)"
		grep -E 'terminated by signal|exited with exit code' "$UUID7_SERVER_LOG" | head
	else
		record PASS "$mode: no backend terminated by a signal"
	fi
	# The online migration suites run after that check: test/online/failures.sh kills migration workers with kill -9
	# on purpose (crash recovery of the whole cluster). Each online suite checks the server log itself, leaving out
	# only the workers it killed.
	for script in $(selected test/online/*.sh); do
		run_suite "$script" "$mode"
	done
	cluster_stop
done

# Citus (test/citus/run.sh): its own three clusters, on major 17 only and with the plain run only; the tarball is put
# in place by test/majors/run.sh (UUID7_CITUS_TARBALL). UUID7_CITUS=0 leaves it out.
if [ "$UUID7_PG_MAJOR" = 17 ] && [ "${UUID7_CITUS:-1}" != 0 ] && [[ " ${UUID7_MODES:-plain preload} " == *" plain "* ]]; then
	for script in $(selected test/citus/run.sh); do
		run_suite "$script" plain
	done
fi

finish
