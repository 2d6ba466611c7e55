# scripts/lib.sh — shared by the demo, the test runner and the benchmarks (source it; do not run it).
#
# install_deps            apt-get the build and server packages (idempotent; needs root)
# install_framework_deps  apt-get the runtimes of test/frameworks (Django, ActiveRecord, Node); never fails
# build_and_install [-Werror]
# cluster_start NAME [preload]   initdb + start a throwaway server on a Unix socket in a temp dir, as user postgres;
#                                exports PGHOST, PGPORT, PGUSER, PGDATABASE, UUID7_CLUSTER_DIR, UUID7_SERVER_LOG
# cluster_stop            stop it and remove its directory (registered on EXIT by cluster_start)

UUID7_PG_MAJOR=${UUID7_PG_MAJOR:-15}
UUID7_BUILD_PACKAGES="libboost-dev libgtest-dev g++ make python3"
# The server packages of the major, from this machine's Debian suite. PostgreSQL 19 is only in experimental: its server
# and libpq come from there, everything else from sid. UUID7_PG_FROM_SOURCE=1 (PostgreSQL 16, built by
# test/majors/pg16.sh) installs the build tools only; PG_CONFIG then points at that build.
uuid7_server_packages() {
	[ "${UUID7_PG_FROM_SOURCE:-0}" = 1 ] && return 0
	if [ "$UUID7_PG_MAJOR" -ge 19 ]; then
		echo "postgresql-$UUID7_PG_MAJOR/experimental postgresql-client-$UUID7_PG_MAJOR/experimental" \
			"postgresql-server-dev-$UUID7_PG_MAJOR/experimental libpq-dev/experimental libpq5/experimental"
	else
		echo "postgresql-$UUID7_PG_MAJOR postgresql-server-dev-$UUID7_PG_MAJOR"
	fi
}
UUID7_PACKAGES="$(uuid7_server_packages) $UUID7_BUILD_PACKAGES"
# The frameworks of test/frameworks (docs/frameworks.md), in bookworm, trixie and sid alike. npm (for Knex) only when
# no npm is there: a NodeSource nodejs carries its own, and Debian's npm package conflicts with it.
UUID7_FRAMEWORK_PACKAGES="python3-django python3-psycopg2 ruby-activerecord ruby-pg nodejs"

log() { printf '== %s\n' "$*" >&2; }

# apt-get on this machine, one at a time: test/run_all.sh prepares other majors in the background while the host's
# packages install, and apt refuses to run while another apt holds its locks.
uuid7_apt_get() {
	flock /var/lock/uuid7-apt.lock apt-get -o DPkg::Lock::Timeout=600 "$@"
}

install_deps() {
	if [ "$(id -u)" -ne 0 ]; then
		log "not root: skipping package installation (expects: $UUID7_PACKAGES)"
		use_major_programs
		return
	fi
	log "installing packages: $UUID7_PACKAGES"
	export DEBIAN_FRONTEND=noninteractive
	uuid7_apt_get update -qq >/dev/null &&
		uuid7_apt_get install -y -qq --no-install-recommends $UUID7_PACKAGES >/dev/null &&
		use_major_programs
}

# The framework runtimes (test/run_major.sh, when test/frameworks runs; after install_deps). A suite where one cannot
# be installed still runs the rest: each test/frameworks script checks its runtime (a missing npm is a SKIP there, a
# missing Django or ActiveRecord a FAIL).
install_framework_deps() {
	local pkgs=$UUID7_FRAMEWORK_PACKAGES
	[ "$(id -u)" -eq 0 ] || { log "not root: skipping the framework packages ($pkgs)"; return 0; }
	command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
	log "installing the framework packages: $pkgs"
	uuid7_apt_get install -y -qq --no-install-recommends $pkgs >/dev/null ||
		log "framework packages ($pkgs) could not all be installed: test/frameworks reports what is missing"
	return 0
}

pg_bindir() { "${PG_CONFIG:-pg_config}" --bindir; }

# After install_deps: PG_CONFIG of the major (set here when the packages have just put it in place), its bindir first
# on PATH so that psql, pg_dump and pgbench match the server.
use_major_programs() {
	if [ -z "${PG_CONFIG:-}" ] && [ -x "/usr/lib/postgresql/$UUID7_PG_MAJOR/bin/pg_config" ]; then
		export PG_CONFIG=/usr/lib/postgresql/$UUID7_PG_MAJOR/bin/pg_config
	fi
	local bindir
	bindir=$(pg_bindir) || return 1
	case ":$PATH:" in *":$bindir:"*) ;; *) export PATH="$bindir:$PATH" ;; esac
}

build_and_install() {
	local werror=
	[ "${1:-}" = "-Werror" ] && werror="WERROR=1"
	log "building uuid7 ${werror:+with -Werror}"
	make -s clean >/dev/null 2>&1 || true
	make -s $werror -j2 && make -s install >/dev/null
}

# The server refuses to run as root: everything server-side runs as this user.
UUID7_OS_USER=${UUID7_OS_USER:-postgres}

as_server_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$UUID7_OS_USER" -- "$@"
	else
		"$@"
	fi
}

cluster_start() {
	local name=$1 mode=${2:-plain}
	local bindir dir
	bindir=$(pg_bindir)
	dir=$(mktemp -d "/tmp/uuid7-$name-XXXXXX")
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown "$UUID7_OS_USER" "$dir"
	export UUID7_CLUSTER_DIR=$dir
	export UUID7_SERVER_LOG=$dir/server.log
	as_server_user "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir'"
		echo "port = 5432"
		echo "fsync = off"
		echo "max_connections = 40"
		echo "max_worker_processes = 16"
		echo "log_line_prefix = '%m [%p] '"
		[ "$mode" = preload ] && echo "shared_preload_libraries = 'uuid7'"
	} >>"$dir/data/postgresql.conf"
	as_server_user "$bindir/pg_ctl" -D "$dir/data" -l "$UUID7_SERVER_LOG" -w -t 60 start >/dev/null ||
		{ cat "$UUID7_SERVER_LOG" >&2; return 1; }
	export PGHOST=$dir PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	UUID7_CLUSTERS="${UUID7_CLUSTERS:-} $dir"
	trap cluster_stop_all EXIT
	log "cluster '$name' ($mode) running in $dir"
}

cluster_stop_one() {
	local dir=$1
	[ -d "$dir/data" ] || return 0
	as_server_user "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}

cluster_stop() {
	cluster_stop_one "$UUID7_CLUSTER_DIR"
}

cluster_stop_all() {
	local dir
	for dir in ${UUID7_CLUSTERS:-}; do cluster_stop_one "$dir"; done
	UUID7_CLUSTERS=
}

# True when the server log shows a backend that died by a signal (a crash, or an abort from the C++ side).
server_log_has_crash() {
	grep -Eq 'terminated by signal|was terminated by exception|server process .* exited with exit code [^01]' "$1"
}

# ---- Benchmarks (bench/*.sh) -----------------------------------------------------------------------------------------
# bench_timer_install     create bench_ms(query text) in the database psql connects to: it runs the query and returns
#                         its time in ms, measured inside the server (the client, the socket and the outer SELECT
#                         stay out)
# bench_time SQL          run SQL once through bench_ms in the database PGHOST/PGDATABASE name; prints the ms
bench_timer_install() {
	psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE FUNCTION bench_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
	t0 := clock_timestamp();
	EXECUTE q;
	RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
SQL
}

bench_time() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SELECT bench_ms(\$q\$$1\$q\$)"
}
