#!/usr/bin/env bash
# test/packaging/pgxn.sh — the PGXN release: META.json follows the PGXN Meta Spec 1.0.0 (https://pgxn.org/meta/spec.txt)
# and its versions equal uuid7.control's default_version; `make dist` makes uuid7-X.Y.Z.zip with every file under
# uuid7-X.Y.Z/, carrying META.json, uuid7.control, the Makefile and the files META.json names.
#
# Needs python3, git, and a pg_config for the Makefile's PGXS include. No server, no root.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/packaging/lib.sh
. test/assert.sh

version=$(semver "$(control_version)")

# meta_checks DIR: DIR/META.json against the spec and DIR/uuid7.control, one "PASS name" or "FAIL name<TAB>why" line
# per rule that uuid7 relies on; the files META.json names must exist in DIR.
meta_checks() {
	python3 - "$1" "$(cd "$1" && semver "$(control_version)")" <<'EOF'
import json, os, re, sys

root, control_semver = sys.argv[1:3]
meta_path = os.path.join(root, "META.json")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
RANGE_PART = re.compile(r"^(?:(==|!=|<=|>=|<|>)\s*)?(\S+)$")
LICENSES = {"agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd", "gfdl_1_2",
            "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1",
            "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay", "sun", "zlib", "open_source", "restricted",
            "unrestricted", "unknown"}
KEYS = {"name", "abstract", "version", "maintainer", "license", "provides", "meta-spec", "description",
        "generated_by", "tags", "no_index", "prereqs", "release_status", "resources"}
REQUIRED = ["name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"]

def check(name, ok, why=""):
    print(f"PASS {name}" if ok else f"FAIL {name}\t{why}")

try:
    meta = json.load(open(meta_path))
except (OSError, ValueError) as e:
    check("META.json is JSON", False, str(e))
    sys.exit(0)
check("META.json is a JSON object", isinstance(meta, dict), type(meta).__name__)
if not isinstance(meta, dict):
    sys.exit(0)

missing = [k for k in REQUIRED if k not in meta]
check("META.json has the required keys (name abstract version maintainer license provides meta-spec)",
      not missing, f"missing: {missing}")
unknown = sorted(k for k in meta if k not in KEYS and not re.match(r"^[xX]_.", k))
check("META.json has no keys outside the spec (custom ones start with x_)", not unknown, f"unknown: {unknown}")
check("name is uuid7", meta.get("name") == "uuid7", repr(meta.get("name")))
check("abstract is a non-empty string", isinstance(meta.get("abstract"), str) and meta["abstract"].strip() != "",
      repr(meta.get("abstract")))
check("version is SemVer", isinstance(meta.get("version"), str) and bool(SEMVER.match(meta["version"])),
      repr(meta.get("version")))
check("version equals uuid7.control's default_version", meta.get("version") == control_semver,
      f"META.json {meta.get('version')!r}, uuid7.control {control_semver!r}")
m = meta.get("maintainer")
check("maintainer is a string or a non-empty list of strings",
      (isinstance(m, str) and m != "") or (isinstance(m, list) and m != [] and all(isinstance(x, str) and x for x in m)),
      repr(m))
lic = meta.get("license")
check("license is a name from the spec's list",
      (isinstance(lic, str) and lic in LICENSES) or (isinstance(lic, list) and lic != [] and all(x in LICENSES for x in lic))
      or (isinstance(lic, dict) and lic != {} and all(isinstance(v, str) for v in lic.values())), repr(lic))
spec = meta.get("meta-spec")
check("meta-spec version is 1.0.x", isinstance(spec, dict) and bool(re.match(r"^1\.0\.\d+$", str(spec.get("version")))),
      repr(spec))
check("release_status is stable, testing or unstable", meta.get("release_status") in ("stable", "testing", "unstable"),
      repr(meta.get("release_status")))

provides = meta.get("provides")
check("provides names uuid7", isinstance(provides, dict) and "uuid7" in provides, repr(provides))
for ext, entry in (provides or {}).items() if isinstance(provides, dict) else []:
    entry = entry if isinstance(entry, dict) else {}
    check(f"provides.{ext} has a file that exists", isinstance(entry.get("file"), str)
          and os.path.isfile(os.path.join(root, entry["file"])), repr(entry.get("file")))
    if "docfile" in entry:
        check(f"provides.{ext} docfile exists", isinstance(entry["docfile"], str)
              and os.path.isfile(os.path.join(root, entry["docfile"])), repr(entry["docfile"]))
    check(f"provides.{ext} version equals uuid7.control's default_version", entry.get("version") == control_semver,
          f"{entry.get('version')!r}, uuid7.control {control_semver!r}")

# PostgreSQL >= 15: a bare version means "at least"; every part of a range must be an operator and a SemVer.
pg = ((meta.get("prereqs") or {}).get("runtime") or {}).get("requires", {}).get("PostgreSQL")
parts = [RANGE_PART.match(p.strip()) for p in pg.split(",")] if isinstance(pg, str) else [None]
ok = all(p and SEMVER.match(p.group(2)) for p in parts)
minimum = [p.group(2) for p in parts if p and p.group(1) in (None, ">=")] if ok else []
check("prereqs.runtime.requires.PostgreSQL is at least 15.0.0", ok and minimum == ["15.0.0"], repr(pg))

res = meta.get("resources")
check("resources has a homepage, bugtracker or repository",
      isinstance(res, dict) and any(k in res for k in ("homepage", "bugtracker", "repository")), repr(res))
tags = meta.get("tags", [])
check("tags are strings of 2 to 255 characters without slashes",
      isinstance(tags, list) and all(isinstance(t, str) and 2 <= len(t) <= 255 and "/" not in t and "\\" not in t
                                     for t in tags), repr(tags))
EOF
}

# record LINES: turns meta_checks' lines into checks ($1 prefixes every name).
record() {
	local prefix=$1 verdict name why
	while IFS= read -r line; do
		verdict=${line%% *}
		name=${line#* }
		why=
		case $name in *$'\t'*) why=${name#*$'\t'}; name=${name%%$'\t'*} ;; esac
		if [ "$verdict" = PASS ]; then pass "$prefix$name"; else fail "$prefix$name" "$why"; fi
	done
}

echo "== META.json of the work tree"
record "" < <(meta_checks .)

echo "== make dist"
dist=$(mktemp -d /tmp/uuid7-dist-XXXXXX)
trap 'rm -rf "$dist"' EXIT
zip=$dist/uuid7-$version.zip
if make -s dist DISTDIR="$dist" >"$dist/make.log" 2>&1 && [ -f "$zip" ]; then
	pass "make dist makes uuid7-$version.zip"
	# Every entry's path, from python3's zipfile (unzip need not be installed).
	python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$zip" >"$dist/list"
	check_eq "every file of the zip is under uuid7-$version/" "" "$(grep -v "^uuid7-$version/" "$dist/list")"
	for f in META.json uuid7.control Makefile; do
		check_eq "the zip carries $f" "uuid7-$version/$f" "$(grep -x "uuid7-$version/$f" "$dist/list")"
	done
	# The zip is made from HEAD: its own META.json must hold for its own uuid7.control and files.
	mkdir "$dist/x"
	python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$dist/x"
	record "zip: " < <(meta_checks "$dist/x/uuid7-$version")
else
	fail "make dist makes uuid7-$version.zip" "$(tail -n 5 "$dist/make.log"; ls "$dist")"
fi

packaging_finish
