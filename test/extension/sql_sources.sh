#!/usr/bin/env bash
# test/extension/sql_sources.sh — the SQL engine has one source of truth (src/sql/, docs/architecture.md):
#   - every function, procedure, view, table and policy of the extension is created in exactly one topic file, once
#     (the state tables are in schema uuid7_state, which src/sql/state_tables.sql names);
#   - the hand-written upgrade parts create nothing (they alter and drop; the topic files define);
#   - every topic file is built into the scripts (named in the Makefile's SQL_TOPICS), and every name there exists;
#   - the released scripts in src/sql/frozen are byte-identical to their recorded checksums.
# Needs no server: it reads the tree.
set -uo pipefail
cd "$(dirname "$0")/../.."
. test/assert.sh

report=$(python3 - <<'PY'
import glob, os, re

def strip(text):
    """the SQL without comments and string/dollar-quoted bodies, so that only top-level statements are matched"""
    text = re.sub(r'--[^\n]*', '', text)
    return re.sub(r'\$(\w*)\$.*?\$\1\$', '$$', text, flags=re.S)

def argtypes(args):
    out = []
    for arg in filter(None, (a.strip() for a in args.split(','))):
        arg = re.split(r'(?i)\s+DEFAULT\s+|\s*=\s*', arg)[0].split()
        out.append(arg[-1] if len(arg) > 1 else arg[0])
    return ','.join(out)

CREATE = re.compile(r'(?is)\bCREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|VIEW|TABLE|POLICY|TYPE)\s+'
                    r'(?:IF\s+NOT\s+EXISTS\s+)?(?:@extschema@\.|uuid7_state\.)?(\w+)\s*(\(([^()]*(?:\([^()]*\)[^()]*)*)\))?'
                    r'(?:\s*\bON\s+(?:uuid7_state\.)?(\w+))?')
seen = {}
for path in sorted(glob.glob('src/sql/*.sql') + glob.glob('src/sql/upgrade/*.sql')):
    text = open(path).read()
    # DO blocks create the core-name functions conditionally: their bodies count as definitions too
    bodies = ' '.join(m.group(2) for m in re.finditer(r'(?is)\bDO\s+\$(\w*)\$(.*?)\$\1\$', text))
    for m in CREATE.finditer(strip(text) + ' ' + bodies):
        kind, name = m.group(1).upper(), m.group(2)
        key = f'{kind} {name}' + (f'({argtypes(m.group(4))})' if kind in ('FUNCTION', 'PROCEDURE') else '') \
            + (f' ON {m.group(5)}' if kind == 'POLICY' else '')
        if '/upgrade/' in path:
            print(f'FAIL hand-written upgrade part creates {key} ({path}): define it in a topic file')
            continue
        seen.setdefault(key, []).append(path)
for key, paths in sorted(seen.items()):
    if len(paths) > 1:
        print(f'FAIL {key} is created {len(paths)} times: {", ".join(paths)}')
print(f'COUNT {len(seen)}')
PY
)
defined=$(sed -n 's/^COUNT //p' <<<"$report")
duplicates=$(grep '^FAIL ' <<<"$report" | sed 's/^FAIL //')
check_eq "every object of src/sql is created once, in one file, and no hand-written upgrade part creates one" "" "$duplicates"
check_eq "the check found the engine's definitions (more than 60)" "t" \
	"$([ "${defined:-0}" -gt 60 ] && echo t || echo "f (${defined:-0})")"

topics=$(make -s --no-print-directory -f Makefile print-sql-topics PG_CONFIG=/bin/false 2>/dev/null)
missing=""
for t in $topics; do [ -f "src/sql/$t.sql" ] || missing+="$t "; done
check_eq "every topic the Makefile builds exists" "" "$missing"
unbuilt=""
for f in src/sql/*.sql; do
	t=$(basename "$f" .sql)
	grep -qw -- "$t" <<<"$topics" || unbuilt+="$t "
done
check_eq "every topic file in src/sql is built into the scripts" "" "$unbuilt"

check_eq "the frozen released scripts are byte-identical to their checksums" "" \
	"$(cd src/sql/frozen && sha256sum --quiet -c SHA256SUMS 2>&1)"
check_eq "every frozen script has a checksum" "$(cd src/sql/frozen && ls uuid7--*.sql | sort)" \
	"$(awk '{print $2}' src/sql/frozen/SHA256SUMS | sort)"
