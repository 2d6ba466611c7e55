#!/usr/bin/env bash
# test/packaging/deb.sh — the Debian package, built and installed the way a user gets it.
#
#  1. Copies the tree (git ls-files: tracked files and new ones that are not ignored, so build products in the work
#     tree stay out) to a temp dir, installs the build dependencies (apt-get build-dep) and runs
#     dpkg-buildpackage -us -uc -b for one major. The build itself runs pg_regress against the packaged files
#     (dh_pgxs_test) unless DEB_BUILD_OPTIONS has nocheck.
#  2. Installs the .deb with `apt-get install ./postgresql-NN-uuid7_*.deb` into a throwaway copy of a pristine
#     debootstrap --variant=minbase chroot of the host's suite, so apt resolves its Depends (postgresql-NN,
#     libstdc++6, ...) from the archive the way a user's apt does. Only the pristine chroot is cached, in
#     $UUID7_CHROOT_CACHE/<suite>-pkg/<suite> (made by test/majors/lib.sh's chroot_ensure); the copy is removed.
#     (test/majors/lib.sh also gives copy_tree, chroot_run and chroot_unmount.)
#  3. Starts a throwaway cluster there as postgres on a Unix socket in a temp dir, and checks CREATE EXTENSION uuid7,
#     uuid_version(uuid_generate_v7()) = 7 and extversion = uuid7.control's default_version.
# The cluster is stopped and proc/sys/dev are unmounted on every exit path.
#
# Root (apt-get, debootstrap, chroot). UUID7_PG_MAJOR: the major to package (default 15, the host's); the chroot
# must carry it too. Run alone it prints "N passed, N failed"; under test/run_all.sh it records into $UUID7_RESULTS.
# Here: 7.5 minutes with no cached chroot (3.5 of them debootstrap), under 2 with one; a bare machine spends
# 5 more on the build dependencies.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/packaging/lib.sh
. test/assert.sh
. scripts/lib.sh
. test/majors/lib.sh

major=${UUID7_PG_MAJOR:-15}
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
export DEBIAN_FRONTEND=noninteractive
step() { printf '== %s (%ds)\n' "$1" "$SECONDS"; }

if [ "$(id -u)" -ne 0 ]; then
	fail "setup" "needs root (apt-get, debootstrap, chroot)"
	packaging_finish
fi

work=$(mktemp -d /tmp/uuid7-deb-XXXXXX)
# The build's pg_regress server runs as another user and reads debian/postgresql-NN-uuid7/ under here.
chmod 755 "$work"
root=$work/chroot # the throwaway copy of the pristine chroot

cleanup() {
	local pidfile
	# A server still running in the chroot (the script in there was killed) is ours: stop it before its files go.
	for pidfile in "$root"/tmp/uuid7-cluster-*/data/postmaster.pid; do
		[ -f "$pidfile" ] && kill -INT "$(head -n 1 "$pidfile")" 2>/dev/null
	done
	chroot_unmount "$root"
	if grep -q " $work/" /proc/self/mounts; then
		echo "== left $work in place: something is still mounted under it" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. build -------------------------------------------------------------------------------------------------
step "copying the tree to $work/uuid7"
copy_tree "$work/uuid7"

step "build dependencies"
uuid7_apt_get update -qq >/dev/null
(cd "$work/uuid7" && uuid7_apt_get build-dep -y -qq ./ >"$work/build-dep.log" 2>&1) &&
	uuid7_apt_get install -y -qq --no-install-recommends "postgresql-server-dev-$major" >>"$work/build-dep.log" 2>&1
rc=$?
check_eq "build dependencies install (apt-get build-dep)" 0 "$rc"
[ "$rc" -eq 0 ] || tail -n 20 "$work/build-dep.log"

cd "$work/uuid7" || exit 1
# debian/control is generated from control.in for the distribution's supported majors, and a buildd's build fails
# when it is stale. Then it is generated again here for the one major asked for.
control_log=$(pg_buildext checkcontrol 2>&1)
rc=$?
check_eq "debian/control is up to date with control.in (pg_buildext checkcontrol)" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$control_log"
export PG_SUPPORTED_VERSIONS=$major
pg_buildext updatecontrol

step "dpkg-buildpackage -us -uc -b for PostgreSQL $major"
dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1
rc=$?
cd - >/dev/null || exit 1
deb=$(ls "$work"/postgresql-"$major"-uuid7_*_"$(dpkg --print-architecture)".deb 2>/dev/null)
check_eq "dpkg-buildpackage -us -uc -b builds postgresql-$major-uuid7" "0 1" "$rc $(printf '%s' "$deb" | grep -c .)"
if [ "$rc" -ne 0 ] || [ ! -f "$deb" ]; then
	tail -n 60 "$work/build.log"
	packaging_finish
fi
case " ${DEB_BUILD_OPTIONS:-} " in
*" nocheck "*) echo "  (DEB_BUILD_OPTIONS has nocheck: the build ran no pg_regress)" ;;
*) check_eq "the build's pg_regress (dh_pgxs_test) passed against the packaged files" 1 \
	"$(grep -Ec 'All [0-9]+ tests passed' "$work/build.log")" ;;
esac
depends=$(dpkg-deb -f "$deb" Depends)
echo "  Depends: $depends"
# uuid7.so links libstdc++ itself (src/cxx.mk), so dh_shlibdeps must have put it in Depends.
check_eq "Depends has libstdc++6 (shlibs)" 1 "$(grep -c 'libstdc++6' <<<"$depends")"
check_eq "Depends has postgresql-$major" 1 "$(grep -c "postgresql-$major\b" <<<"$depends")"
contents=$(dpkg-deb -c "$deb")
for f in "usr/lib/postgresql/$major/lib/uuid7.so" "usr/share/postgresql/$major/extension/uuid7.control"; do
	check_eq "the package carries /$f" 1 "$(grep -c " \./$f\$" <<<"$contents")"
done

# ---- 2. a clean chroot ------------------------------------------------------------------------------------------
step "pristine $suite chroot ($UUID7_CHROOT_CACHE/$suite-pkg/$suite)"
pristine_cache=$UUID7_CHROOT_CACHE/$suite-pkg
UUID7_CHROOT_CACHE=$pristine_cache chroot_ensure "$suite"
rc=$?
check_eq "a pristine $suite chroot (debootstrap --variant=minbase, cached)" 0 "$rc"
[ "$rc" -eq 0 ] || packaging_finish
step "throwaway copy of it in $root"
cp -a "$pristine_cache/$suite" "$root"
# The host's own sources for this suite (the suite, its updates and security): the package depends on the server's
# minor version it was built against, which may come from a security update.
apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' |
	awk -v s="$suite" '$2 == s || $2 == s "-updates" || $2 == s "-security" { print "deb " $0 }' |
	sort -u >"$root/etc/apt/sources.list"

# ---- 3. install and use it there ---------------------------------------------------------------------------------
into=$root/tmp/uuid7-pkg # /tmp/uuid7-pkg in the chroot: apt's _apt user reads the .deb from there
mkdir -m 755 "$into"
cp "$deb" "$into/"
cat >"$into/check.sh" <<'EOF'
# Runs inside the chroot, beside the .deb: prints "RESULT<TAB>name<TAB>value" lines for deb.sh to check.
set -u
major=$1
bindir=/usr/lib/postgresql/$major/bin
export DEBIAN_FRONTEND=noninteractive
out() { printf 'RESULT\t%s\t%s\n' "$1" "$2"; }

out before "$(ls /usr/share/postgresql/*/extension/uuid7.control /usr/lib/postgresql/*/lib/uuid7.so 2>/dev/null | wc -l)"
# No daemon starts in a chroot, and no main cluster: the check makes its own.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/uuid7-test.conf
cd /tmp/uuid7-pkg || exit 1
apt-get update -qq >/tmp/apt.log 2>&1 &&
	apt-get install -y -qq --no-install-recommends ./postgresql-"$major"-uuid7_*.deb >>/tmp/apt.log 2>&1
rc=$?
out install "$rc"
[ "$rc" -eq 0 ] || { tail -n 30 /tmp/apt.log >&2; exit 0; }
out server "$(dpkg-query -W -f '${db:Status-Status}' "postgresql-$major")"
out ldd "$(ldd "/usr/lib/postgresql/$major/lib/uuid7.so" | grep -c 'libstdc++') $(ldd "/usr/lib/postgresql/$major/lib/uuid7.so" | grep -c 'not found')"

dir=$(mktemp -d /tmp/uuid7-cluster-XXXXXX)
chmod 755 "$dir"
chown postgres "$dir"
stop() { [ ! -f "$dir/data/postmaster.pid" ] || runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; }
trap stop EXIT
trap 'exit 130' INT TERM HUP
runuser -u postgres -- "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 0; }
printf "listen_addresses = ''\nunix_socket_directories = '%s'\n" "$dir" >>"$dir/data/postgresql.conf"
if runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
	out cluster ok
else
	cat "$dir/server.log" >&2
	exit 0
fi
q() { runuser -u postgres -- "$bindir/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h "$dir" -d postgres -c "$1" 2>&1; }
out create "$(q 'CREATE EXTENSION uuid7' && echo ok)"
out uuid_version "$(q 'SELECT uuid_version(uuid_generate_v7())')"
out extversion "$(q "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'")"
stop && out stop ok
EOF

step "apt-get install ./$(basename "$deb") in the chroot, then a cluster"
results=$(UUID7_CHROOT_CACHE=$work chroot_run chroot /bin/bash /tmp/uuid7-pkg/check.sh "$major")
result() { awk -F '\t' -v k="$1" '$1 == "RESULT" && $2 == k { print $3 }' <<<"$results"; }

check_eq "the chroot has no uuid7 before the install" 0 "$(result before)"
check_eq "apt-get install ./$(basename "$deb") in a clean $suite chroot" 0 "$(result install)"
check_eq "apt installed postgresql-$major for its Depends" installed "$(result server)"
check_eq "uuid7.so links libstdc++ and finds every library there (ldd: libstdc++, not found)" "1 0" "$(result ldd)"
check_eq "a throwaway cluster starts as postgres on a Unix socket" ok "$(result cluster)"
check_eq "CREATE EXTENSION uuid7" ok "$(result create)"
check_eq "uuid_version(uuid_generate_v7()) = 7" 7 "$(result uuid_version)"
check_eq "extversion is uuid7.control's default_version" "$(control_version)" "$(result extversion)"
check_eq "the cluster stops" ok "$(result stop)"
step "done"

packaging_finish
