#!/usr/bin/env bash
# test/migration/property.sh — the plan's word holds (issue 21), as a property over a corpus of schemas.
#
# The corpus: test/migration/property/*.sql, one schema each (schemas under property/pending/ are known mismatches,
# not run: see the README there). Each file starts with three header lines:
#   -- property: what the schema is
#   -- tables: the regclass[] expression of the tables to migrate
#   -- options: the options jsonb (one line)
# and optionally "-- role: NAME" (the plan and the migration run under SET ROLE NAME; the corpus may use the roles
# uuid7_prop_owner (LOGIN), uuid7_prop_nologin and uuid7_prop_reader, made here)
# then builds the schema and a few rows (edge values included) in a fresh database made from a template that has the
# extension.
#
# For each schema and each mode — offline (uuid7_migrate(tables, options)) and online (uuid7_migration_start(tables,
# options || {"pause_ms": 0, "batch_blocks": 1000}), wait for "ready", uuid7_migration_finish; in its own copy of the
# database; the plain cluster only, as lib.sh's equivalence check) — one PASS/FAIL line:
#   1. the plan (uuid7_migration_plan(tables, options)) refuses  <=>  the migration fails. "Refuses": a 'refusal' row,
#      or the plan call itself raising (a bad option: 22023). "Fails": uuid7_migrate raises; online: the start or the
#      finish raises, or the run ends anywhere but "ready".
#   2. refused: the migration raises one of the SQLSTATEs of the plan's refusals and changes nothing at all: the
#      whole description (property/describe.sql, file nodes and row hashes included) is the same after.
#   3. accepted: every item of the description that changed, appeared or disappeared is LISTED by a plan row, and
#      the rows of every table are the same once each new uuid is read as the old key its mapping table gives.
#
# The matching rule ("listed"). The description is a set of items (kind, subject, part) -> attributes: subject is
# the qualified, quoted name of the relation, schema, domain, publication or statistics object (as the plan writes
# regclass text), part a name inside it (column, index, constraint, trigger, rule, policy, publication). Columns
# are one item per attribute (column.type, column.default, column.notnull, column.comment, ...), so that a change
# must be listed for what it is. A plan row R "names S" when R.object = S or R.object ends in " on S" ('lock' rows,
# which only lock, name nothing). An item is listed when one of these holds:
#   a. S is a mapping table of the registry (the migration's declared purpose) and some plan row names S — but its
#      publication membership only by rule e (a row naming S that names the publication), and its default for new
#      ids only when that very expression is in the statement of a row naming S (it follows the version asked for);
#   b. a 'create view' row names S (the view or materialized view is recreated whole: all its items, its rows too);
#   c. the item has no part (the object itself appeared, disappeared or changed): some row names S, or S occurs as
#      a qualified name in some row's statement (objects created through a statement); a sequence that disappears
#      with the identity it served: a 'drop identity' row naming its table and column;
#   d. column items: a row naming S has a statement with "ALTER COLUMN <part> " followed by what changes that
#      attribute (column.type: TYPE; column.default: SET DEFAULT, DROP DEFAULT, DROP IDENTITY; column.identity:
#      DROP IDENTITY); any other column attribute (not null, comment, grants, statistics target, storage,
#      generation) is listed only by a statement with that column and the command that changes it;
#   e. other items with a part: a row names the part itself, qualified with S's schema (the plan's index lines), or
#      a row naming S mentions the part (as an identifier: a whole word, or quoted) in its
#      statement, detail or object.
#   f. an item of a partition (column items): the same item of its root partitioned table is listed (the root's
#      ALTER TABLE applies to every partition).
# Data is never listed (but by b): any difference of the rows (read through the mappings) fails. Left out of the
# comparison: column order (the online swap puts converted columns last, documented in docs/online-migration.md),
# file nodes (the rewrite is the migration's purpose; a refused one must keep them), temporary schemas.
# In the online mode the plan is read for an online run (option "online": what only the online run refuses, as
# uuid7_migration_start reads it); a refused migration must raise one of the SQLSTATEs of the plan's refusals.
#
# Runs in the plain cluster only (test/run_major.sh runs every suite in both). Environment:
# UUID7_PROPERTY_ONLY=substring (run the schemas whose name has it, in any cluster), UUID7_PROPERTY_PENDING=1 (run the
# known mismatches of property/pending/ too), UUID7_PROPERTY_JOBS (schemas run at once, default 2),
# UUID7_PROPERTY_DEBUG=1 (every changed item, listed or not, and timings).
#
# The rule can fail: UUID7_PROPERTY_SELFTEST=1 makes an unlisted change after each migration (a new table, and a
# comment on the key column of a migrated table) and then passes each schema only when the check reports both
# changes (and, for a refused schema, that something changed).
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

# Once per major, in the plain cluster (both modes there): the plan reads and the migration writes the same way
# whether the library is preloaded or not (only the generators' ordering scope differs), and the CI's time is better
# spent on the majors.
if [ "${UUID7_MODE:-plain}" != plain ] && [ -z "${UUID7_PROPERTY_ONLY:-}" ]; then
	echo "  (property: run in the plain cluster only)"
	exit 0
fi

PROP_DIR=$MIG_LIB_DIR/property
SELFTEST=${UUID7_PROPERTY_SELFTEST:-0}
WORK=$(mktemp -d /tmp/uuid7-property-XXXXXX)
trap 'mig_cleanup; rm -rf "$WORK"' EXIT

# roles the corpus grants to and gives objects to (cluster-wide: dropped on exit, after the databases)
# (uuid7_prop_owner may log in: the online migration's worker logs in as the role that starts it)
for role in "uuid7_prop_reader" "uuid7_prop_owner LOGIN" "uuid7_prop_nologin"; do
	psql -X -q -d postgres -c "CREATE ROLE $role" >/dev/null 2>&1 && MIG_ROLES+=("${role%% *}")
done

TEMPLATE="prop_tmpl_$$"
if ! mig_createdb "$TEMPLATE"; then
	fail "setup" "template database $TEMPLATE with the extension could not be created"
	exit 1
fi

# psql on database $1 with the rest as arguments, unaligned, no headers
pq() { local db=$1; shift; psql -X -A -t -q -d "$db" "$@"; }

# describe DB FILE: the description into FILE; on an error, one FAIL line and status 1
describe() {
	if ! pq "$1" -F $'\t' -v ON_ERROR_STOP=1 -f "$PROP_DIR/describe.sql" >"$2" 2>"$WORK/describe.err" || [ -s "$WORK/describe.err" ]; then
		fail "$3" "describe.sql failed: $(head -c 500 "$WORK/describe.err")"
		return 1
	fi
}

# read_plan DB TABLES OPTS MODE: the plan as records (phase, object, detail, statement, sqlstate separated by \x1f,
# records ended by \x1e); for the online mode, read for an online run (option "online", as uuid7_migration_start reads it).
read_plan() {
	local opts="'$3'::jsonb"
	[ "$4" = online ] && opts="$opts || '{\"online\": true}'"
	pq "$1" -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -F $'\x1f' -R $'\x1e' -c "$AS_ROLE" \
		-c "SELECT phase, object, detail, coalesce(statement, ''), coalesce(sqlstate, '') FROM uuid7_migration_plan($2, $opts) ORDER BY step"
}

# the SQLSTATE of an error printed with VERBOSITY verbose or sqlstate
sqlstate_of() { grep -oE 'ERROR:  [0-9A-Z]{5}' <<<"$1" | head -n 1 | cut -c9-; }

# check.py MODE PLAN BEFORE AFTER: prints one line per unlisted change (nothing when every change is listed)
MATCHER='
import os, re, sys
mode, plan_f, before_f, after_f = sys.argv[1:5]
rows = []
for rec in open(plan_f, encoding="utf-8").read().split("\x1e"):
    rec = rec.strip("\n")
    if not rec:
        continue
    f = rec.split("\x1f")
    if len(f) >= 5 and f[0] != "refusal":
        rows.append(dict(phase=f[0], object=f[1], detail=f[2], statement=f[3]))

def load(path):
    items, maps = {}, set()
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 4:
            continue
        if f[0] == "mapping":
            maps.add(f[1])
        elif f[0] != "physical":
            items[(f[0], f[1], f[2])] = f[3]
    return items, maps

before, _ = load(before_f)
after, maps = load(after_f)

def word(w, text):
    if not text:
        return False
    if ("\"" + w.replace("\"", "\"\"") + "\"") in text:
        return True
    return re.fullmatch(r"[a-z_][a-z0-9_$]*", w) is not None and \
        re.search(r"(?<![\w$\".])" + re.escape(w) + r"(?![\w$\"])", text) is not None

def qualified(s, text):
    return bool(text) and re.search(r"(?<![\w$\".])" + re.escape(s) + r"(?![\w$\"])", text) is not None

def naming(s):
    return [r for r in rows if r["phase"] != "lock" and (r["object"] == s or r["object"].endswith(" on " + s))]

def ident(p):
    q = "\"" + p.replace("\"", "\"\"") + "\""
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", p):
        return "(?:" + re.escape(p) + "|" + re.escape(q) + ")"
    return re.escape(q)

COLUMN_CMD = {
    "column.type": r"TYPE\b",
    "column.default": r"(?:SET DEFAULT|DROP DEFAULT|DROP IDENTITY)\b",
    "column.identity": r"DROP IDENTITY\b",
    "column.notnull": r"(?:SET|DROP) NOT NULL\b",
    "column.stattarget": r"SET STATISTICS\b",
    "column.options": r"(?:SET \(|RESET \(|SET STORAGE|SET COMPRESSION)",
    "column.generated": r"(?:DROP EXPRESSION|SET EXPRESSION)\b",
}

def identity_owner(s):
    m = re.search(r" owned by (.+) column (\S+) i$", before.get(("sequence", s, ""), ""))
    if not m:
        return None
    col = m.group(2)
    if col.startswith("\""):
        col = col[1:-1].replace("\"\"", "\"")
    return m.group(1), col

def root_of(s):
    # the root partitioned table of partition s (its relation item has a partition bound), or None
    root, seen = None, set()
    while s not in seen:
        seen.add(s)
        m = re.search(r" partbound (.+) inherits (.+)$", before.get(("relation", s, ""), ""))
        if not m or not m.group(1).strip():
            break
        parent = m.group(2)
        cands = [parent, "public." + parent] if "." not in parent else [parent]
        parent = next((c for c in cands if ("relation", c, "") in before), None)
        if parent is None:
            break
        root = s = parent
    return root

def listed(kind, s, p):
    # f. an item of a partition is listed when the same item of its root partitioned table is: PostgreSQL applies
    #    the ALTER TABLE of the root (type, default) applies to every partition
    root = root_of(s) if kind.startswith("column.") else None
    if root is not None and listed(kind, root, p):
        return True
    named = naming(s)
    if any(r["phase"] == "create view" for r in named):
        return True
    if kind == "data":
        return False
    if s in maps and named and kind not in ("published", "column.default"):
        return True
    if s in maps and kind == "column.default":
        # the mapping table default default for new ids must be the one its statement gives (the requested version)
        default = after.get((kind, s, p), "")
        return default == "" or any(default in r["statement"] for r in named)
    if not p:
        if named or any(qualified(s, r["statement"]) for r in rows):
            return True
        owner = identity_owner(s) if kind in ("relation", "sequence") and (kind, s, p) not in after else None
        return owner is not None and any(r["phase"] == "drop identity" and r["object"] == owner[0]
                                         and (word(owner[1], r["detail"]) or word(owner[1], r["statement"])) for r in rows)
    if kind.startswith("column."):
        for r in named:
            st = r["statement"]
            if kind == "column.comment":
                if re.search(r"COMMENT ON COLUMN " + re.escape(s) + r"\." + ident(p) + r" ", st):
                    return True
            elif kind == "column.acl":
                if re.search(r"\b(?:GRANT|REVOKE)\b.*\(" + r"[^)]*" + ident(p), st):
                    return True
            elif re.search(r"ALTER COLUMN " + ident(p) + r" " + COLUMN_CMD.get(kind, r"\Z\A"), st):
                return True
        return False
    # (or a row names the part itself, qualified with the schema of S: the drop index and create index lines)
    schema = s.rsplit(".", 1)[0] if "." in s else None
    own = schema + "." + (p if re.fullmatch(r"[a-z_][a-z0-9_$]*", p) else "\"" + p.replace("\"", "\"\"") + "\"") if schema else None
    return any(word(p, r["statement"]) or word(p, r["detail"]) or word(p, r["object"]) for r in named) or \
        any(r["phase"] != "lock" and r["object"] == own for r in rows)

out = []
for key in sorted(set(before) | set(after)):
    b, a = before.get(key), after.get(key)
    if b == a:
        continue
    kind, s, p = key
    ok = listed(kind, s, p)
    if os.environ.get("UUID7_PROPERTY_DEBUG"):
        sys.stderr.write("  %s %s %s %s: [%s] -> [%s]\n" % ("listed  " if ok else "UNLISTED", kind, s, p, b, a))
    if not ok:
        what = "appeared" if b is None else "disappeared" if a is None else "changed"
        out.append("%s %s%s %s: [%s] -> [%s]" % (kind, s, (" " + p) if p else "", what, "" if b is None else b, "" if a is None else a))
for line in out:
    print(line)
'

# run_online DB TABLES OPTS: prints "ok" or the error; 0 when the migration finished
run_online() {
	local db=$1 tables=$2 opts=$3 mid st out deadline
	if ! mid=$(pq "$db" -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$AS_ROLE" \
		-c "SELECT uuid7_migration_start($tables, '$opts'::jsonb || '{\"pause_ms\": 0, \"batch_blocks\": 1000}')" 2>&1); then
		printf 'start: %s' "$mid"
		return 1
	fi
	deadline=$((SECONDS + 120))
	while :; do
		st=$(pq "$db" -c "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $mid" 2>&1)
		case "$st" in ready | failed | blocked | stopped) break ;; esac
		[ "$SECONDS" -ge "$deadline" ] && break
		sleep 0.1
	done
	if [ "$st" != ready ]; then
		printf 'the run ended %s: %s' "$st" "$(pq "$db" -c "SELECT last_error FROM uuid7_state.uuid7_online_migration WHERE id = $mid" 2>&1)"
		pq "$db" -c "SELECT uuid7_migration_abort($mid)" >/dev/null 2>&1
		return 1
	fi
	if ! out=$(pq "$db" -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$AS_ROLE" -c "SELECT uuid7_migration_finish($mid)" 2>&1); then
		printf 'finish: %s' "$out"
		pq "$db" -c "SELECT uuid7_migration_abort($mid)" >/dev/null 2>&1
		return 1
	fi
	printf ok
}

# selftest: an unlisted change (a table, a comment on a migrated key column, one row's text)
inject() {
	local db=$1 tables=$2
	pq "$db" -v ON_ERROR_STOP=1 <<SQL >/dev/null 2>&1
CREATE TABLE public.prop_selftest_unlisted (x int);
DO \$\$
DECLARE r record;
BEGIN
	SELECT c.oid::regclass AS rel, a.attname INTO r FROM unnest($tables) u JOIN pg_class c ON c.oid = u
	  JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] LIMIT 1;
	IF r.rel IS NOT NULL THEN
		EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', r.rel, r.attname, 'unlisted');
	END IF;
END \$\$;
SQL
}

# one_run NAME MODE DB TABLES OPTS: the property for one schema in one mode (one PASS/FAIL line)
dbg() { [ -n "${UUID7_PROPERTY_DEBUG:-}" ] && echo "    [$SECONDS s] $*"; return 0; }

one_run() {
	local name=$1 mode=$2 db=$3 tables=$4 opts=$5 plan plan_rc refusals states out rc state unlisted label
	label="$name ($mode)"
	plan=$(read_plan "$db" "$tables" "$opts" "$mode" 2>&1)
	plan_rc=$?
	printf '%s' "$plan" >"$WORK/plan"
	if [ "$plan_rc" -ne 0 ]; then
		refusals="the plan raises: $(tr -s '\n' ' ' <<<"$plan")"
		states=$(sqlstate_of "$plan")
	else
		refusals=$(printf '%s' "$plan" | tr '\036' '\n' | awk -F $'\x1f' '$1 == "refusal" { print $5 ": " $2 ": " $3 }')
		states=$(printf '%s' "$plan" | tr '\036' '\n' | awk -F $'\x1f' '$1 == "refusal" { print $5 }' | sort -u | tr '\n' ' ')
	fi
	dbg "plan read"
	# (the online copy was taken before the offline run, file nodes included: the same description)
	if [ "$mode" = offline ] || [ ! -s "$WORK/before" ]; then
		describe "$db" "$WORK/before" "$label" || return
	fi
	dbg "described"
	if [ "$mode" = offline ]; then
		out=$(pq "$db" -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$AS_ROLE" -c "SELECT uuid7_migrate($tables, '$opts'::jsonb)" 2>&1)
		rc=$?
	else
		out=$(run_online "$db" "$tables" "$opts")
		rc=$?
	fi
	dbg "migration done ($rc)"
	[ "$SELFTEST" = 1 ] && inject "$db" "$tables"
	describe "$db" "$WORK/after" "$label" || return
	if [ -n "$refusals" ]; then
		if [ "$rc" -eq 0 ]; then
			fail "$label" "the plan refuses ($(head -n 3 <<<"$refusals" | tr '\n' ';')) but the migration succeeds"
			return
		fi
		state=$(sqlstate_of "$out")
		if [ -z "$state" ] || [[ " $states " != *" $state "* ]]; then
			fail "$label" "the plan refuses with [$states] but the migration fails with [$state]: $(head -c 400 <<<"$out")"
			return
		fi
		if cmp -s "$WORK/before" "$WORK/after"; then
			if [ "$SELFTEST" = 1 ]; then
				fail "$label" "selftest: the unlisted change was not seen"
			else
				pass "$label: refused ($(head -n 1 <<<"$refusals" | cut -c1-120)), the migration fails with $state, nothing changed"
			fi
		elif [ "$SELFTEST" = 1 ]; then
			pass "$label: selftest: the change after a refused migration is seen"
		else
			fail "$label" "refused and failed ($state), but the database changed: $(diff "$WORK/before" "$WORK/after" | grep '^[<>]' | head -n 10 | tr '\n' ' ')"
		fi
		return
	fi
	if [ "$rc" -ne 0 ]; then
		fail "$label" "the plan accepts but the migration fails: $(tr -s '\n' ' ' <<<"$out" | head -c 600)"
		return
	fi
	unlisted=$(python3 -c "$MATCHER" "$mode" "$WORK/plan" "$WORK/before" "$WORK/after" 2>"$WORK/match.err") ||
		unlisted="the matcher failed: $(cat "$WORK/match.err")"
	[ -n "${UUID7_PROPERTY_DEBUG:-}" ] && cat "$WORK/match.err"
	dbg "matched"
	if [ "$SELFTEST" = 1 ]; then
		if grep -q 'relation public.prop_selftest_unlisted appeared' <<<"$unlisted" && grep -q '^column.comment ' <<<"$unlisted"; then
			pass "$label: selftest: the unlisted table and column comment are reported"
		else
			fail "$label" "selftest: the unlisted changes were not reported: $unlisted"
		fi
	elif [ -z "$unlisted" ]; then
		pass "$label: accepted, migrated, every change listed by the plan"
	else
		fail "$label" "changes the plan does not list: $(head -n 12 <<<"$unlisted" | sed 's/^/    /')"
	fi
}

header() { sed -n "s/^-- $1: *//p" "$2" | head -n 1; }

# run_schema FILE NUMBER: both modes for one schema, in databases prop_NUMBER_<pid>[_on] (registered for cleanup by
# the caller: this runs in a background job)
run_schema() {
	local file=$1 n=$2 name tables opts db out started=$SECONDS
	name=$(basename "$file" .sql)
	WORK=$WORK_ROOT/$n
	mkdir -p "$WORK"
	tables=$(header tables "$file")
	opts=$(header options "$file")
	[ -n "$opts" ] || opts='{}'
	AS_ROLE="RESET ROLE"
	[ -n "$(header role "$file")" ] && AS_ROLE="SET ROLE $(header role "$file")"
	if [ -z "$tables" ] || [ -z "$(header property "$file")" ]; then
		fail "$name" "header lines missing (-- property:, -- tables:)"
		return
	fi
	db="prop_${n}_$$"
	if ! createdb -T "$TEMPLATE" "$db" 2>"$WORK/err"; then
		fail "$name" "createdb: $(cat "$WORK/err")"
		return
	fi
	if ! out=$(pq "$db" -v ON_ERROR_STOP=1 -f "$file" 2>&1 >/dev/null); then
		fail "$name" "the schema does not load: $out"
		dropdb --force "$db" >/dev/null 2>&1
		return
	fi
	[ "$online" = 1 ] && createdb -T "$db" "${db}_on"
	one_run "$name" offline "$db" "$tables" "$opts"
	dropdb --force "$db" >/dev/null 2>&1
	if [ "$online" = 1 ]; then
		one_run "$name" online "${db}_on" "$tables" "$opts"
		dropdb --force "${db}_on" >/dev/null 2>&1
	fi
	echo "       ($name: $((SECONDS - started)) s)"
}

online=0
mig_equivalence_wanted && online=1
jobs_max=${UUID7_PROPERTY_JOBS:-2}
WORK_ROOT=$WORK
count=0
for file in "$PROP_DIR"/*.sql ${UUID7_PROPERTY_PENDING:+"$PROP_DIR"/pending/*.sql}; do
	name=$(basename "$file" .sql)
	[ "$name" = describe ] && continue
	[ -n "${UUID7_PROPERTY_ONLY:-}" ] && [[ "$name" != *$UUID7_PROPERTY_ONLY* ]] && continue
	count=$((count + 1))
	MIG_DBS+=("prop_${count}_$$" "prop_${count}_$$_on")
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
	run_schema "$file" "$count" &
done
wait
check_eq "the corpus has at least 40 schemas ($count; online mode: $([ "$online" = 1 ] && echo yes || echo "no, ${UUID7_MODE:-plain} cluster"))" \
	yes "$([ "$count" -ge 40 ] && echo yes || echo no)"
