# test/majors/lib.sh — chroots of Debian suites that carry other PostgreSQL majors (source it after scripts/lib.sh,
# whose uuid7_apt_get it uses; do not run it).
#
# Which suite carries which major (Debian's own packages; no other archive is reachable):
#   15 bookworm (the host)   17 trixie   18 sid   19 experimental on top of sid (same chroot as 18)
#   16 no suite: built from ../shared/postgres-src (test/majors/pg16.sh)
#
# suite_of_major MAJOR          the chroot suite for a packaged major (empty for the host's and for 16)
# chroot_ensure SUITE           debootstrap the suite once into $UUID7_CHROOT_CACHE/SUITE (cached across runs)
# chroot_run SUITE CMD...       run CMD inside it with proc/sys/dev mounted; unmounted again on every exit path
#                               Both hold the suite's lock file while they work: one user of a chroot at a time, so
#                               one user's unmount never pulls /proc from under another (18 and 19 share sid's).
# archive_uri                   the Debian archive URI of this machine's own apt sources
# copy_tree DEST                the work tree's files (tracked and untracked, not ignored: no build products) into DEST

UUID7_CHROOT_CACHE=${UUID7_CHROOT_CACHE:-/var/cache/uuid7-majors}
UUID7_HOST_MAJOR=${UUID7_HOST_MAJOR:-15}

suite_of_major() {
	case $1 in
	17) echo trixie ;;
	18 | 19) echo sid ;;
	*) echo "" ;;
	esac
}

archive_uri() {
	local uri
	uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -- '-security' | head -n 1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /^\[/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
	[ -n "$uri" ] || { echo "no Debian archive URI in this machine's apt sources" >&2; return 1; }
	echo "$uri"
}

# The chroot is complete once this marker exists: a half-made one (an interrupted debootstrap) is made again.
chroot_ready_marker() { echo "$UUID7_CHROOT_CACHE/$1/.uuid7-ready"; }

chroot_lock() {
	mkdir -p "$UUID7_CHROOT_CACHE"
	exec {UUID7_CHROOT_LOCK_FD}>"$UUID7_CHROOT_CACHE/$1.lock" && flock "$UUID7_CHROOT_LOCK_FD"
}
chroot_unlock() {
	exec {UUID7_CHROOT_LOCK_FD}>&-
}

chroot_ensure() {
	local rc
	chroot_lock "$1" || return 1
	chroot_make "$1"
	rc=$?
	chroot_unlock
	return $rc
}

chroot_make() {
	local suite=$1 dir uri
	dir=$UUID7_CHROOT_CACHE/$suite
	[ -f "$(chroot_ready_marker "$suite")" ] && return 0
	command -v debootstrap >/dev/null ||
		DEBIAN_FRONTEND=noninteractive uuid7_apt_get install -y -qq debootstrap >/dev/null || return 1
	uri=$(archive_uri) || return 1
	chroot_unmount "$dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	printf '== debootstrap %s into %s\n' "$suite" "$dir" >&2
	debootstrap --variant=minbase "$suite" "$dir" "$uri" >"$dir.debootstrap.log" 2>&1 ||
		{ tail -n 30 "$dir.debootstrap.log" >&2; return 1; }
	{
		echo "deb $uri $suite main"
		[ "$suite" = sid ] && echo "deb $uri experimental main"
	} >"$dir/etc/apt/sources.list"
	# sid's Release file in this archive is older than its Valid-Until.
	echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99uuid7-valid-until"
	# The server refuses root: the tests run it as postgres, as on the host.
	chroot "$dir" sh -c 'id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres'
	touch "$(chroot_ready_marker "$suite")"
}

chroot_unmount() {
	local dir=$1 m
	for m in dev/pts dev sys proc; do
		mountpoint -q "$dir/$m" 2>/dev/null && umount -l "$dir/$m"
	done
	return 0
}

# chroot_run SUITE CMD...: /tmp is the chroot's own; nothing of the host's file tree is visible inside.
chroot_run() {
	local suite=$1 dir rc
	shift
	dir=$UUID7_CHROOT_CACHE/$suite
	chroot_lock "$suite" || return 1
	mount -t proc proc "$dir/proc" &&
		mount --rbind /sys "$dir/sys" && mount --make-rslave "$dir/sys" &&
		mount --bind /dev "$dir/dev" && mount --bind /dev/pts "$dir/dev/pts" ||
		{ chroot_unmount "$dir"; chroot_unlock; return 1; }
	# shellcheck disable=SC2064  # the directory is fixed now
	trap "chroot_unmount '$dir'" EXIT INT TERM
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		CI="${CI:-}" "$@"
	rc=$?
	chroot_unmount "$dir"
	trap - EXIT INT TERM
	chroot_unlock
	return $rc
}

copy_tree() {
	local dest=$1
	rm -rf "$dest" && mkdir -p "$dest" || return 1
	git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf - | tar -xf - -C "$dest"
}
