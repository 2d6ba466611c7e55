# shellcheck shell=bash
# test/citus/lib.sh — a Citus cluster (coordinator + two workers on one host) for test/citus/run.sh and bench/citus.sh.
# Source it after scripts/lib.sh, as root, with the major's PostgreSQL and uuid7 installed (test/run_major.sh does it).
#
# citus_install TARBALL     build Citus from the source tarball once into $UUID7_CITUS_CACHE/<tarball>-pg<major>
#                           (make install DESTDIR=... there, then ".ready"), and copy that tree over / on every run;
#                           installs the build packages through uuid7_apt_get when the cache is cold (or a library
#                           citus.so needs is missing). No LLVM bitcode (with_llvm=no: JIT inlining of Citus's own
#                           functions is of no use here, and it doubles the build). Cold: minutes; warm: a second.
# citus_start               initdb + start three throwaway clusters as $UUID7_OS_USER on 127.0.0.1 (free ports from
#                           $UUID7_CITUS_PORT, default 9700), shared_preload_libraries = 'citus,uuid7', then
#                           CREATE EXTENSION citus on each and register the coordinator and the first worker only
#                           (citus_add_worker2 adds the second, so a suite can see what a late node receives).
#                           Exports CITUS_DIR, CITUS_PORT_C, CITUS_PORT_W1, CITUS_PORT_W2; stopped on EXIT/INT/TERM.
# citus_add_worker2         SELECT citus_add_node for the second worker
# citus_stop                stop the three clusters and remove their directory (idempotent)
# csql PORT SQL             psql -X -A -t -q -v ON_ERROR_STOP=1 against that node (database postgres)
UUID7_CITUS_CACHE=${UUID7_CITUS_CACHE:-/var/cache/uuid7-citus}
UUID7_CITUS_BUILD_PACKAGES="libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev
	libxslt1-dev libpam0g-dev libreadline-dev zlib1g-dev libicu-dev gcc make xz-utils"

csql() {
	local port=$1
	shift
	psql -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "$1"
}

citus_install() {
	local tarball=$1 major name key cache src started=$SECONDS
	major=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
	name=$(basename "$tarball")
	name=${name%.tar.*}
	key=$name-pg$major
	cache=$UUID7_CITUS_CACHE/$key
	if [ ! -f "$cache/.ready" ]; then
		log "Citus: cold cache, building $name against PostgreSQL $major into $cache"
		# shellcheck disable=SC2086  # a word list
		DEBIAN_FRONTEND=noninteractive uuid7_apt_get install -y -qq --no-install-recommends \
			$UUID7_CITUS_BUILD_PACKAGES >/dev/null || { log "Citus: build packages"; return 1; }
		rm -rf "$cache" && mkdir -p "$cache" || return 1
		src=$(mktemp -d /tmp/uuid7-citus-src-XXXXXX)
		if ! (tar -xJf "$tarball" -C "$src" && cd "$src"/*/ &&
			./configure PG_CONFIG="$PG_CONFIG" >"$cache/configure.log" 2>&1 &&
			make -j2 with_llvm=no >"$cache/make.log" 2>&1 &&
			make install with_llvm=no DESTDIR="$cache/root" >"$cache/install.log" 2>&1); then
			tail -n 30 "$cache"/*.log >&2
			rm -rf "$src"
			return 1
		fi
		rm -rf "$src"
		echo "$((SECONDS - started))" >"$cache/build-seconds"
		touch "$cache/.ready"
		log "Citus: built in $((SECONDS - started)) s"
	fi
	cp -a "$cache/root/." / || return 1
	# A warm cache in a chroot whose packages were installed again: citus.so's libraries must be there.
	if ldd "$("$PG_CONFIG" --pkglibdir)/citus.so" | grep -q 'not found'; then
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive uuid7_apt_get install -y -qq --no-install-recommends \
			$UUID7_CITUS_BUILD_PACKAGES >/dev/null || return 1
	fi
}

# A port nobody listens on, from $1 upwards
citus_free_port() {
	local p=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
	echo "$p"
}

citus_start() {
	local bindir base p node port
	bindir=$(pg_bindir)
	CITUS_DIR=$(mktemp -d /tmp/uuid7-citus-XXXXXX)
	chmod 755 "$CITUS_DIR"
	[ "$(id -u)" -eq 0 ] && chown "$UUID7_OS_USER" "$CITUS_DIR"
	trap citus_stop EXIT INT TERM
	base=${UUID7_CITUS_PORT:-9700}
	CITUS_PORT_C=$(citus_free_port "$base")
	CITUS_PORT_W1=$(citus_free_port $((CITUS_PORT_C + 1)))
	CITUS_PORT_W2=$(citus_free_port $((CITUS_PORT_W1 + 1)))
	export CITUS_DIR CITUS_PORT_C CITUS_PORT_W1 CITUS_PORT_W2
	for node in c:$CITUS_PORT_C w1:$CITUS_PORT_W1 w2:$CITUS_PORT_W2; do
		port=${node#*:}
		node=${node%%:*}
		as_server_user "$bindir/initdb" -D "$CITUS_DIR/$node" -U postgres -A trust --no-sync -E UTF8 --locale=C \
			>"$CITUS_DIR/$node.initdb.log" 2>&1 || { cat "$CITUS_DIR/$node.initdb.log" >&2; return 1; }
		{
			echo "listen_addresses = '127.0.0.1'"
			echo "unix_socket_directories = '$CITUS_DIR'"
			echo "port = $port"
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "max_connections = 60"
			echo "max_worker_processes = 16"
			echo "shared_buffers = 64MB"
			echo "log_line_prefix = '%m [%p] '"
			echo "shared_preload_libraries = 'citus,uuid7'"
		} >>"$CITUS_DIR/$node/postgresql.conf"
		as_server_user "$bindir/pg_ctl" -D "$CITUS_DIR/$node" -l "$CITUS_DIR/$node.log" -w -t 60 start >/dev/null ||
			{ cat "$CITUS_DIR/$node.log" >&2; return 1; }
		csql "$port" "CREATE EXTENSION citus" || return 1
	done
	csql "$CITUS_PORT_C" "SELECT citus_set_coordinator_host('127.0.0.1', $CITUS_PORT_C)" >/dev/null &&
		csql "$CITUS_PORT_C" "SELECT citus_add_node('127.0.0.1', $CITUS_PORT_W1)" >/dev/null || return 1
	log "Citus: coordinator :$CITUS_PORT_C, workers :$CITUS_PORT_W1 :$CITUS_PORT_W2 in $CITUS_DIR"
}

citus_add_worker2() {
	csql "$CITUS_PORT_C" "SELECT citus_add_node('127.0.0.1', $CITUS_PORT_W2)" >/dev/null
}

citus_stop() {
	local node
	[ -n "${CITUS_DIR:-}" ] && [ -d "$CITUS_DIR" ] || return 0
	for node in w2 w1 c; do
		[ -d "$CITUS_DIR/$node" ] &&
			as_server_user "$(pg_bindir)/pg_ctl" -D "$CITUS_DIR/$node" -m immediate -w stop >/dev/null 2>&1
	done
	rm -rf "$CITUS_DIR"
	CITUS_DIR=
}

# True when a node's log shows a backend that died by a signal
citus_logs_have_crash() {
	local node
	for node in c w1 w2; do server_log_has_crash "$CITUS_DIR/$node.log" && return 0; done
	return 1
}
