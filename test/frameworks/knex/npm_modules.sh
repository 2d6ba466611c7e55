#!/usr/bin/env bash
# test/frameworks/knex/npm_modules.sh DIR [ROOT] — node_modules for DIR's package.json + package-lock.json, installed once
# with `npm ci` into ROOT/var/cache/uuid7-npm/<hash of the two files> (ROOT: / by default) and reused; prints that
# node_modules path (as seen from ROOT). The modules are plain JavaScript: test/majors/run.sh installs them on the host
# and copies them into a chroot whose npm cannot reach the registry (a TLS proxy its certificates do not trust).
set -uo pipefail
dir=$1 root=${2:-}
hash=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -c1-16)
cache=/var/cache/uuid7-npm/$hash
if [ ! -d "$root$cache/node_modules" ]; then
	mkdir -p "$root/var/cache/uuid7-npm" || exit 1
	(
		flock 9
		[ -d "$root$cache/node_modules" ] && exit 0
		if [ -n "$root" ] && [ -d "$cache/node_modules" ]; then
			cp -a "$cache" "$root$cache"	# the host's copy
			exit $?
		fi
		command -v npm >/dev/null || exit 1
		tmp=$(mktemp -d "$root/var/cache/uuid7-npm/tmp-XXXXXX")
		cp "$dir/package.json" "$dir/package-lock.json" "$tmp/" &&
			(cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 >&2) &&
			mv "$tmp" "$root$cache" || { rm -rf "$tmp"; exit 1; }
	) 9>"$root/var/cache/uuid7-npm/.lock" || exit 1
fi
echo "$cache/node_modules"
