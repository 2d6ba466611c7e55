# test/frameworks/lib.sh — helpers of the framework recipe tests (docs/frameworks.md). Source it after ../assert.sh:
# shellcheck shell=bash
#
#   source "$(dirname "$0")/../assert.sh"
#   source "$(dirname "$0")/lib.sh"
#
# It sources test/migration/lib.sh for mig_db (a database with the extension, dropped on exit).
#
#   fw_skip WHY              the runtime of this framework is not available on this suite: one "SKIP" line in the
#                            results (counted neither as passed nor failed) and in the log; the script ends there
#   fw_need CMD...           one FAIL line and the end of the script when a command is missing (the packages that
#                            scripts/lib.sh installs must be there)
#   fw_workdir               a temporary directory (removed on exit) in FW_DIR
#   fw_run NAME CMD...       one check: CMD succeeds; its output goes to the log (indented) and to FW_OUT
#   fw_results CMD...        run a test program that prints "ok NAME" / "not ok NAME — WHY" lines: one PASS/FAIL per
#                            line, other lines to the log; a program that ends non-zero, or prints no "ok", is a FAIL
#   fw_npm_modules DIR       node_modules for DIR's package.json + package-lock.json, installed once with `npm ci`
#                            into /var/cache/uuid7-npm/<hash of the lock> and reused; prints that node_modules path
#   FW_PYTHON                Debian's python3 (the one python3-django is installed for, not a pyenv shim)

[ "${BASH_SOURCE[0]}" = "$0" ] && exit 0

FW_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../migration/lib.sh
source "$FW_LIB_DIR/../migration/lib.sh"
FW_PYTHON=/usr/bin/python3

fw_skip() {
	echo "SKIP $UUID7_SUITE: $1" >>"$UUID7_RESULTS"
	echo "  SKIP $1"
	exit 0
}

fw_need() {
	local cmd
	for cmd in "$@"; do
		if ! command -v "$cmd" >/dev/null 2>&1; then
			fail "setup" "$cmd is missing (scripts/lib.sh install_framework_deps installs the framework packages)"
			exit 1
		fi
	done
}

FW_DIRS=()
fw_cleanup() {
	local d
	for d in "${FW_DIRS[@]}"; do rm -rf "$d"; done
	mig_cleanup
}
trap fw_cleanup EXIT

fw_workdir() {
	FW_DIR=$(mktemp -d /tmp/uuid7-fw-XXXXXX)
	FW_DIRS+=("$FW_DIR")
}

fw_run() {
	local name=$1 rc
	shift
	FW_OUT=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$FW_OUT" | sed 's/^/    | /'
	if [ "$rc" -eq 0 ]; then pass "$name"; else fail "$name" "exit status $rc: $(printf '%s\n' "$FW_OUT" | tail -n 5 | tr '\n' ' ')"; fi
	return "$rc"
}

fw_results() {
	local out rc line oks=0
	out=$("$@" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*) pass "${line#ok }"; oks=$((oks + 1)) ;;
		"not ok "*) line=${line#not ok }; fail "${line%% — *}" "${line#* — }" ;;
		*) printf '    | %s\n' "$line" ;;
		esac
	done <<<"$out"
	if [ "$rc" -ne 0 ]; then
		fail "$(basename "$1") ${2:-}" "exit status $rc: $(printf '%s\n' "$out" | tail -n 5 | tr '\n' ' ')"
	elif [ "$oks" -eq 0 ]; then
		fail "$(basename "$1") ${2:-}" "no check ran"
	fi
}

fw_npm_modules() {
	bash "$FW_LIB_DIR/knex/npm_modules.sh" "$1"
}
