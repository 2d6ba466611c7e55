#!/usr/bin/env bash
# test/majors/prepare.sh MAJOR|packaging — make ready, ahead of its turn, what test/majors/run.sh MAJOR needs: the
# chroot of its suite with its packages installed (17, 18, 19), or the source build (16); for test/packaging/deb.sh,
# the pristine chroot of the host's suite and the package's build dependencies. test/run_all.sh starts these in the
# background while the host's major runs, at the lowest CPU and I/O priority; run.sh waits for them through the
# suite's lock (chroot_run) or finds the finished build (pg16.sh). Nothing here is a test: a failure shows up in run.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. test/majors/lib.sh

major=$1
case $major in
"$UUID7_HOST_MAJOR") ;;
16) bash test/majors/pg16.sh >/dev/null ;;
packaging)
	suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
	UUID7_CHROOT_CACHE=$UUID7_CHROOT_CACHE/$suite-pkg chroot_ensure "$suite"
	DEBIAN_FRONTEND=noninteractive uuid7_apt_get build-dep -y -qq ./ >/dev/null
	;;
*)
	suite=$(suite_of_major "$major")
	[ -n "$suite" ] && chroot_ensure "$suite" || exit 1
	packages=$(UUID7_PG_MAJOR=$major bash -c '. scripts/lib.sh; echo "$UUID7_PACKAGES"')
	# inside the chroot: its own apt, so no lock shared with the host's
	chroot_run "$suite" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages" >/dev/null
	;;
esac
