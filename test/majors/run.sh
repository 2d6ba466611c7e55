#!/usr/bin/env bash
# test/majors/run.sh MAJOR RESULTS — test/run_major.sh against one PostgreSQL major, where that major lives:
#   15  the host's own packages (bookworm), in the work tree itself
#   16  a source build (test/majors/pg16.sh), in a copy of the work tree on the host
#   17  a trixie chroot; 18 and 19 a sid chroot (19 from experimental), in a copy of the work tree inside it
# Each result line is appended to RESULTS with the major in front ("PASS pg17 regress-plain: compat").
set -uo pipefail
cd "$(dirname "$0")/../.."
UUID7_ROOT=$PWD
. scripts/lib.sh
. test/majors/lib.sh

major=$1
results=$2
own=$(mktemp /tmp/uuid7-results-pg"$major"-XXXXXX)
chmod 644 "$own"
status=0

case $major in
"$UUID7_HOST_MAJOR")
	UUID7_PG_MAJOR=$major UUID7_RESULTS=$own bash test/run_major.sh || status=$?
	;;
16)
	if pg_config=$(bash test/majors/pg16.sh); then
		copy=$(mktemp -d /tmp/uuid7-pg16-tree-XXXXXX)
		trap 'rm -rf "$copy"' EXIT
		copy_tree "$copy" &&
			(cd "$copy" && UUID7_PG_MAJOR=16 UUID7_PG_FROM_SOURCE=1 PG_CONFIG=$pg_config UUID7_RESULTS=$own \
				bash test/run_major.sh) || status=$?
	else
		echo "FAIL setup: PostgreSQL 16 source build" >>"$own"
		status=1
	fi
	;;
*)
	suite=$(suite_of_major "$major")
	if [ -z "$suite" ]; then
		echo "FAIL setup: no Debian suite carries PostgreSQL $major" >>"$own"
		status=1
	elif ! chroot_ensure "$suite"; then
		echo "FAIL setup: chroot of $suite" >>"$own"
		status=1
	else
		root=$UUID7_CHROOT_CACHE/$suite
		# Citus (test/citus/run.sh, major 17): its source tarball goes into the chroot's Citus cache once.
		citus_env=
		if [ "$major" = 17 ] && tarball=$(ls "${UUID7_CITUS_SRC:-$UUID7_ROOT/../shared/citus-src}"/citus-*.tar.xz 2>/dev/null | tail -n 1) &&
			[ -n "$tarball" ]; then
			mkdir -p "$root/var/cache/uuid7-citus/src" &&
				{ [ -f "$root/var/cache/uuid7-citus/src/${tarball##*/}" ] || cp "$tarball" "$root/var/cache/uuid7-citus/src/"; } &&
				citus_env="UUID7_CITUS_TARBALL=/var/cache/uuid7-citus/src/${tarball##*/}"
		fi
		# Knex's modules (test/frameworks/knex.sh): installed on the host, copied into the chroot, whose npm may not
		# reach the registry (a TLS proxy its certificates do not trust); without npm on the host the suite says why
		bash test/frameworks/knex/npm_modules.sh test/frameworks/knex >/dev/null && bash test/frameworks/knex/npm_modules.sh test/frameworks/knex "$root" >/dev/null
		copy_tree "$root/build/uuid7-$major" && : >"$root/build/results-$major" &&
			chroot_run "$suite" env $citus_env UUID7_CITUS="${UUID7_CITUS:-1}" UUID7_CITUS_ROWS="${UUID7_CITUS_ROWS:-}" \
				UUID7_PG_MAJOR="$major" UUID7_RESULTS="/build/results-$major" \
				UUID7_MODES="${UUID7_MODES:-}" UUID7_SUITES="${UUID7_SUITES:-}" UUID7_EQUIVALENCE="${UUID7_EQUIVALENCE:-}" \
				bash "/build/uuid7-$major/test/run_major.sh" || status=$?
		cat "$root/build/results-$major" >>"$own" 2>/dev/null
		rm -rf "$root/build/uuid7-$major" "$root/build/results-$major"
	fi
	;;
esac

grep -q '^PASS ' "$own" || { echo "FAIL setup: no test ran" >>"$own"; status=1; }
# Two majors may end at once (test/run_all.sh runs two streams): one writer at a time.
flock "$results" sh -c 'sed -E "s/^(PASS|FAIL) /\1 pg$1 /" "$2" >>"$3"' sh "$major" "$own" "$results"
rm -f "$own"
exit "$status"
