#!/usr/bin/env bash
# test/majors/pg16.sh — PostgreSQL 16 built from ../shared/postgres-src (no reachable Debian suite carries 16).
#
# Builds once into $UUID7_CHROOT_CACHE/pg16 (server, client programs, PGXS and contrib) and prints the path of its
# pg_config. A later run finds the finished build and only prints the path. Needs root for the build packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. test/majors/lib.sh

prefix=$UUID7_CHROOT_CACHE/pg16
tarball=${UUID7_PG16_SOURCE:-../shared/postgres-src/postgresql-16beta2.tar.xz}

# One build at a time: test/majors/prepare.sh may be building it in the background when run.sh asks for it.
chroot_lock pg16
if [ ! -f "$prefix/.uuid7-ready" ]; then
	[ -f "$tarball" ] || { echo "PostgreSQL 16 source not found: $tarball" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive uuid7_apt_get install -y -qq --no-install-recommends \
		bison flex perl libreadline-dev zlib1g-dev libssl-dev pkg-config make gcc >/dev/null
	build=$(mktemp -d /tmp/uuid7-pg16-build-XXXXXX)
	trap 'rm -rf "$build"' EXIT
	tar -xJf "$tarball" -C "$build"
	src=$(find "$build" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	rm -rf "$prefix"
	echo "== building PostgreSQL 16 into $prefix (a few minutes)" >&2
	(
		cd "$src"
		# The snapshot has no doc/: psql's \h text is built from doc/src/sgml/ref, so it gets an empty one (\h then
		# lists nothing; the tests do not use it).
		mkdir -p doc/src/sgml/ref
		./configure --prefix="$prefix" --without-icu --with-openssl >"$build/configure.log" 2>&1 ||
			{ tail -n 30 "$build/configure.log" >&2; exit 1; }
		make -s -j"$(nproc)" >"$build/make.log" 2>&1 || { tail -n 50 "$build/make.log" >&2; exit 1; }
		make -s install >/dev/null && make -s -C contrib -j"$(nproc)" install >/dev/null
	)
	touch "$prefix/.uuid7-ready"
fi
echo "$prefix/bin/pg_config"
