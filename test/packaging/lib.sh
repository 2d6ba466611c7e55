# test/packaging/lib.sh — shared by the packaging checks (deb.sh, pgxn.sh). Source it before ../assert.sh; running it
# does nothing.
#
# Under test/run_all.sh the checks record into its $UUID7_RESULTS. Run alone (bash test/packaging/pgxn.sh), they
# record into a temp file, and packaging_finish prints "N passed, N failed" and exits non-zero on any failure.
#
#   packaging_finish              call last
#   control_version               default_version of uuid7.control, e.g. 1.6
#   semver VERSION                VERSION made three-part (1.6 -> 1.6.0), as PGXN and `make dist` name it
# shellcheck shell=bash

[ "${BASH_SOURCE[0]}" = "$0" ] && exit 0

if [ -z "${UUID7_RESULTS:-}" ]; then
	UUID7_RESULTS=$(mktemp /tmp/uuid7-results-XXXXXX)
	UUID7_PACKAGING_ALONE=1
	export UUID7_RESULTS
fi
UUID7_SUITE=${UUID7_SUITE:-packaging/$(basename "$0" .sh)}

packaging_finish() {
	[ -n "${UUID7_PACKAGING_ALONE:-}" ] || exit 0
	local passed failed
	passed=$(grep -c '^PASS ' "$UUID7_RESULTS")
	failed=$(grep -c '^FAIL ' "$UUID7_RESULTS")
	rm -f "$UUID7_RESULTS"
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

control_version() { sed -n "s/^default_version *= *'\(.*\)'/\1/p" uuid7.control; }

semver() {
	case $1 in
	*.*.*) echo "$1" ;;
	*.*) echo "$1.0" ;;
	*) echo "$1.0.0" ;;
	esac
}
