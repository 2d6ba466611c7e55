#!/usr/bin/env bash
# test/majors/prepare.sh MAJOR — make ready, ahead of its turn, what test/majors/run.sh MAJOR needs: the chroot of its
# suite with its packages installed (17, 18, 19), or the source build (16). test/run_all.sh starts these in the
# background while the host's major runs, at the lowest CPU and I/O priority; run.sh waits for them through the
# suite's lock (chroot_run) or finds the finished build (pg16.sh). Nothing here is a test: a failure shows up in run.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/majors/lib.sh

major=$1
case $major in
"$UUID7_HOST_MAJOR") ;;
16) bash test/majors/pg16.sh >/dev/null ;;
*)
	suite=$(suite_of_major "$major")
	[ -n "$suite" ] && chroot_ensure "$suite" || exit 1
	packages=$(UUID7_PG_MAJOR=$major bash -c '. scripts/lib.sh; echo "$UUID7_PACKAGES"')
	chroot_run "$suite" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages" >/dev/null
	;;
esac
