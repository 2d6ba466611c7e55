#!/usr/bin/env bash
# test/run_all.sh — the README's test command: every suite on every supported PostgreSQL major (15, 16, 17, 18, 19),
# from a fresh Debian machine (run as root). CI (.ci/run) runs exactly this.
#
# Per major (test/majors/run.sh → test/run_major.sh): packages, -Werror build, unit tests, and in a plain and a
# preloaded throwaway cluster pg_regress and the scripted suites; two majors at a time. 15 is the host's; 16 a source build; 17, 18 and 19
# run in chroots of Debian's suites, made once and cached under /var/cache/uuid7-majors (a fresh machine makes them).
# Then the packaging checks. UUID7_MAJORS="15 18" runs a subset (for development; CI runs them all).
# Ends with one line "N passed, N failed" over everything; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

UUID7_RESULTS=$(mktemp /tmp/uuid7-results-XXXXXX)
export UUID7_RESULTS
timings=()
# The order balances the two streams below (measured on the 2-core machine: 15 ~30 min, 18 ~29, 17 ~29, 19 ~23,
# 16 ~21): 15 and 17 in one, 18, 19 and 16 in the other. 18 and 19 share the sid chroot, which one major uses at a
# time, so they must run in the same stream; 16, built from source, comes last, when its build is surely ready.
majors=${UUID7_MAJORS:-15 17 18 19 16}
UUID7_PACKAGING=${UUID7_PACKAGING-1} # UUID7_PACKAGING= (empty) leaves test/packaging out
[ "$UUID7_PACKAGING" = 0 ] && UUID7_PACKAGING=
# While the host's major runs, the others' chroots, packages and source build get ready in the background (the first
# run on a fresh machine makes them; later runs find them cached and this costs seconds).
prepare_logs=$(mktemp -d /tmp/uuid7-prepare-XXXXXX)
for target in $majors ${UUID7_PACKAGING:+packaging}; do
	nice -n 19 ionice -c 3 bash test/majors/prepare.sh "$target" >"$prepare_logs/$target.log" 2>&1 &
done

# Two streams of majors side by side (a major's suites wait on servers and workers much of the time, and two cores
# are enough for two): the first half of the majors (two of five), and the rest, so that a subset such as
# UUID7_MAJORS="15 18" runs its two side by side too. Within a stream the majors run one after another. Each
# major's output goes to its own log, printed whole when that major ends.
run_logs=$(mktemp -d /tmp/uuid7-runs-XXXXXX)
run_stream() {
	local major started
	for major in "$@"; do
		started=$SECONDS
		bash test/majors/run.sh "$major" "$UUID7_RESULTS" >"$run_logs/$major.log" 2>&1
		echo "PostgreSQL $major: $((SECONDS - started)) s" >"$run_logs/$major.time"
		flock "$run_logs" sh -c 'printf "\n======== PostgreSQL %s ========\n" "$1"; cat "$2"' sh "$major" "$run_logs/$major.log"
	done
}
set -- $majors
streams_started=$SECONDS
first_half=$(($# / 2 > 0 ? $# / 2 : 1))
run_stream "${@:1:first_half}" &
run_stream "${@:first_half+1}" &
wait
for major in $majors; do timings+=("$(cat "$run_logs/$major.time")"); done
timings+=("all majors, two streams: $((SECONDS - streams_started)) s")
rm -rf "$run_logs"

for script in test/packaging/*.sh; do
	[ -n "$UUID7_PACKAGING" ] || break
	[ "$(basename "$script")" = lib.sh ] && continue # shared helpers
	started=$SECONDS
	printf '\n======== %s ========\n' "$script"
	UUID7_SUITE="packaging/$(basename "$script" .sh)" timeout 1200 bash "$script" ||
		echo "FAIL packaging/$(basename "$script" .sh): exited with status $?" >>"$UUID7_RESULTS"
	timings+=("$script: $((SECONDS - started)) s")
done

wait
rm -rf "$prepare_logs"
passed=$(grep -c '^PASS ' "$UUID7_RESULTS")
failed=$(grep -c '^FAIL ' "$UUID7_RESULTS")
echo
printf '%s\n' "${timings[@]}"
if [ "$failed" -gt 0 ]; then
	echo
	echo "Failures:"
	grep '^FAIL ' "$UUID7_RESULTS" | sed 's/^/  /'
fi
rm -f "$UUID7_RESULTS"
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
