#!/usr/bin/env python3
# test/security/fuzz.py — the call generator and driver of test/security/fuzz.sh (run by it; records nothing itself).
#
#   fuzz.py FIXTURES OUTDIR
#
# Reads every function of the uuid7 extension from the catalog (pg_depend deptype 'e' -> pg_proc), builds argument
# vectors from the argument types (a valid baseline, every argument NULL, then each argument in turn replaced by each
# hostile value of its type: every relation kind, extremes, empty/huge/odd strings and arrays, malformed options),
# and runs each call as the role psql connects as (PGUSER), one DO block per call inside BEGIN ... ROLLBACK under
# statement_timeout, the block catching the error and reporting SQLSTATE and elapsed time as a NOTICE. Many calls go
# through one psql session; when the session dies (a crash, or a FATAL) the call after the last one reported is
# recorded as the culprit, the driver waits for the server and goes on with the next call in a new session.
#
# FIXTURES: lines "key<TAB>value" written by fuzz.sh (OIDs of the objects the role owns or may not touch, migration
# ids, the statement timeout in ms). OUTDIR receives:
#   calls.tsv      id, function, arguments (labels), SQLSTATE (00000 success, DEAD the session died), ms, message
#   functions.tsv  every function found, with its number of calls
#   sessions.txt   one line per session death: the call id and psql's last words
import os
import re
import select
import subprocess
import sys
import time

fixtures = {}
with open(sys.argv[1]) as f:
    for line in f:
        k, _, v = line.rstrip("\n").partition("\t")
        fixtures[k] = v
outdir = sys.argv[2]
timeout_ms = int(fixtures["timeout_ms"])


def psql_query(sql, user=None):
    env = dict(os.environ)
    if user:
        env["PGUSER"] = user
    out = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-c", sql],
                         env=env, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


# ---- the functions, from the catalog ---------------------------------------------------------------------------
FUNCTIONS_SQL = r"""
SELECT n.nspname, p.proname, p.oid::regprocedure::text, p.pronargdefaults, p.prorettype::regtype::text,
       coalesce((SELECT string_agg(format_type(t.typ, NULL), '|' ORDER BY t.i)
                   FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS t(typ, i)), ''),
       coalesce((SELECT string_agg(coalesce(p.proargnames[k], ''), '|' ORDER BY k)
                   FROM generate_series(1, coalesce(cardinality(p.proargmodes), p.pronargs)) AS k
                  WHERE p.proargmodes IS NULL OR p.proargmodes[k] IN ('i', 'b', 'v')), '')
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_proc p ON p.oid = d.objid
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.refclassid = 'pg_catalog.pg_extension'::regclass
   AND d.deptype = 'e' AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'uuid7')
 ORDER BY p.proname, p.oid
"""


def qi(name):
    return '"' + name.replace('"', '""') + '"'


def lit(s):
    return "'" + s.replace("'", "''") + "'"


# ---- hostile values per type: (label, SQL expression of exactly that type); the first is the baseline ----------
def rel(oid, cast="regclass"):
    return "%s::pg_catalog.oid::pg_catalog.%s" % (oid, cast)


REL_KINDS = [  # (label, expression); own objects first
    ("own table", rel(fixtures["table"])),
    ("own migrated table", rel(fixtures["migrated"])),
    ("own mapping table", rel(fixtures["mapping"])),
    ("own online table", rel(fixtures["online_table"])),
    ("own unlogged table", rel(fixtures["unlogged"])),
    ("view", rel(fixtures["view"])),
    ("temporary view", "'pg_temp.fz_tv'::pg_catalog.regclass"),
    ("temporary table", "'pg_temp.fz_tt'::pg_catalog.regclass"),
    ("materialized view", rel(fixtures["matview"])),
    ("partitioned table", rel(fixtures["partitioned"])),
    ("partition", rel(fixtures["partition"])),
    ("sequence", rel(fixtures["sequence"])),
    ("index", rel(fixtures["index"])),
    ("composite type", rel(fixtures["composite"])),
    ("TOAST table", rel(fixtures["toast"])),
    ("pg_class", "'pg_catalog.pg_class'::pg_catalog.regclass"),
    ("pg_authid", "'pg_catalog.pg_authid'::pg_catalog.regclass"),
    ("other role's table", rel(fixtures["victim_table"])),
    ("other role's mapping table", rel(fixtures["victim_mapping"])),
    ("other role's migrated table", rel(fixtures["victim_migrated"])),
    ("extension state table", rel(fixtures["state_table"])),
    ("dropped table", rel(fixtures["dropped"])),
    ("OID 0", rel(0)),
    ("OID 4294967295", rel(4294967295)),
]
if fixtures.get("foreign"):
    REL_KINDS.append(("foreign table", rel(fixtures["foreign"])))


def ints(typ, lo, hi, extra=()):
    vals = [("1", "1::%s" % typ)] + list(extra)
    vals += [("0", "0::%s" % typ), ("-1", "(-1)::%s" % typ), ("min", "(%s)::%s" % (lo, typ)), ("max", "%s::%s" % (hi, typ))]
    return vals


LONG = 10240
TEXTS = [
    ("'x'", "'x'"),
    ("''", "''"),
    ("10 kB", "pg_catalog.repeat('x', %d)" % LONG),
    ("quotes", lit("a'b\"c\\d$$e") ),
    ("control chars", "E'\\x01\\t\\n\\r\\x1b[0m\\x7f'"),
    ("64 bytes", "pg_catalog.repeat('n', 64)"),
    ("format specifiers", lit("%s %I %L %1$s %%")),
    ("SQL", lit("x'); SELECT pg_catalog.pg_sleep(10); --")),
    ("non-ASCII", "E'\\u00e9\\u2603\\U0001F600'"),
]

JSON_DEEP = "(pg_catalog.repeat('[', 2000) || pg_catalog.repeat(']', 2000))::pg_catalog.jsonb"
JSONS = [
    ("{}", "'{}'"),
    ("[]", "'[]'"),
    ("json null", "'null'"),
    ("string", "'\"x\"'"),
    ("number", "'1'"),
    ("deeply nested", JSON_DEEP),
    ("nested object", "(pg_catalog.repeat('{\"a\":', 1000) || '1' || pg_catalog.repeat('}', 1000))::pg_catalog.jsonb"),
    ("unknown option", "'{\"bogus\": 1}'"),
    ("version 6", "'{\"version\": 6}'"),
    ("version \"7\"", "'{\"version\": \"7\"}'"),
    ("version 8", "'{\"version\": 8}'"),
    ("version 7.0", "'{\"version\": 7.0}'"),
    ("version null", "'{\"version\": null}'"),
    ("version 1e400", "'{\"version\": 1e400}'"),
    ("analyze \"yes\"", "'{\"analyze\": \"yes\"}'"),
    ("analyze null", "'{\"analyze\": null}'"),
    ("mapping_schema missing", "'{\"mapping_schema\": \"no_such_schema\"}'"),
    ("mapping_schema pg_catalog", "'{\"mapping_schema\": \"pg_catalog\"}'"),
    ("mapping_schema null", "'{\"mapping_schema\": null}'"),
    ("mapping_schema number", "'{\"mapping_schema\": 1}'"),
    ("tables []", "'{\"tables\": []}'"),
    ("tables {'': {}}", "'{\"tables\": {\"\": {}}}'"),
    ("tables bad ident", "'{\"tables\": {\"a.b.c.d\": {}}}'"),
    ("tables quote ident", "'{\"tables\": {\"\\\"x\": {}}}'"),
    ("tables own []", "'{\"tables\": {\"%s\": []}}'" % fixtures["table_name"]),
    ("tables own unknown", "'{\"tables\": {\"%s\": {\"bogus\": 1}}}'" % fixtures["table_name"]),
    ("tables own mapping_table ''", "'{\"tables\": {\"%s\": {\"mapping_table\": \"\"}}}'" % fixtures["table_name"]),
    ("tables own mapping_table 64", "'{\"tables\": {\"%s\": {\"mapping_table\": \"%s\"}}}'" % (fixtures["table_name"], "m" * 64)),
    ("tables own mapping_table quote", "'{\"tables\": {\"%s\": {\"mapping_table\": \"a\\\"b''c\"}}}'" % fixtures["table_name"]),
    ("tables own timestamp_column missing", "'{\"tables\": {\"%s\": {\"timestamp_column\": \"nope\"}}}'" % fixtures["table_name"]),
    ("tables own timestamp_column text", "'{\"tables\": {\"%s\": {\"timestamp_column\": \"v\"}}}'" % fixtures["table_name"]),
    ("tables own timestamp_column ok", "'{\"tables\": {\"%s\": {\"timestamp_column\": \"ts\"}}}'" % fixtures["table_name"]),
    ("timestamp_column null", "'{\"timestamp_column\": null}'"),
    ("batch_blocks 0", "'{\"batch_blocks\": 0}'"),
    ("batch_blocks -1", "'{\"batch_blocks\": -1}'"),
    ("batch_blocks 1e100", "'{\"batch_blocks\": 1e100}'"),
    ("batch_blocks \"1\"", "'{\"batch_blocks\": \"1\"}'"),
    ("map_batch 1.5", "'{\"map_batch\": 1.5}'"),
    ("pause_ms 2^31", "'{\"pause_ms\": 2147483648}'"),
    ("pause_ms max", "'{\"pause_ms\": 2147483647}'"),
    ("work_percent 0", "'{\"work_percent\": 0}'"),
    ("work_percent 101", "'{\"work_percent\": 101}'"),
    ("vacuum_every {}", "'{\"vacuum_every\": {}}'"),
    ("lock_timeout_ms null", "'{\"lock_timeout_ms\": null}'"),
    ("lock_retries true", "'{\"lock_retries\": true}'"),
    ("lock_retries -2^63", "'{\"lock_retries\": -9223372036854775808}'"),
]

TIMESTAMPS = [
    ("now", "pg_catalog.now()"),
    ("-infinity", "'-infinity'"),
    ("infinity", "'infinity'"),
    ("4714-11-24 BC", "'4714-11-24 00:00:00+00 BC'"),
    ("294276-12-31", "'294276-12-31 23:59:59+00'"),
    ("1970-01-01", "'1970-01-01 00:00:00+00'"),
    ("1969-12-31 23:59:59.999999", "'1969-12-31 23:59:59.999999+00'"),
    ("10889-08-02 05:31:50.655", "'10889-08-02 05:31:50.655+00'"),
    ("10889-08-02 05:31:50.656", "'10889-08-02 05:31:50.656+00'"),
    ("5236-03-31", "'5236-03-31 21:21:00.684697+00'"),
    ("1582-10-15", "'1582-10-15 00:00:00+00'"),
]

UUIDS = [
    ("v7", "'018f2a7c-1b2e-7c3d-8e4f-5a6b7c8d9e0f'"),
    ("nil", "'00000000-0000-0000-0000-000000000000'"),
    ("max", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"),
    ("v4", "'9c5b94b1-35ad-49bb-b118-8e8fc24abf80'"),
    ("v1", "'c232ab00-9414-11ec-b3c8-9f6bdeced846'"),
    ("v6", "'1ec9414c-232a-6b00-b3c8-9f6bdeced846'"),
    ("v7 max time", "'ffffffff-ffff-7fff-bfff-ffffffffffff'"),
    ("v7 nil time", "'00000000-0000-7000-8000-000000000000'"),
    ("v6 max time", "'ffffffff-ffff-6fff-bfff-ffffffffffff'"),
    ("v1 max time", "'ffffffff-ffff-1fff-bfff-ffffffffffff'"),
    ("Microsoft variant v7", "'018f2a7c-1b2e-7c3d-cd4f-5a6b7c8d9e0f'"),
    ("NCS variant", "'018f2a7c-1b2e-7c3d-0e4f-5a6b7c8d9e0f'"),
    ("version 15", "'018f2a7c-1b2e-fc3d-8e4f-5a6b7c8d9e0f'"),
]

INTERVALS = [
    ("1 ms", "'1 millisecond'"),
    ("0", "'0'"),
    ("-1 ms", "'-1 millisecond'"),
    ("+178000000 years", "'178000000 years'"),
    ("-178000000 years", "'-178000000 years'"),
    ("+2^31-1 days", "'2147483647 days'"),
    ("-2^31 days", "'-2147483648 days'"),
    ("max time", "'2562047788:00:54.775807'"),
    ("min time", "'-2562047788:00:54.775807'"),
    ("-56 years", "'-56 years'"),
    ("+9000 years", "'9000 years'"),
]

mig_own, mig_victim = fixtures["migration"], fixtures["victim_migration"]
BIGINTS = [(
    "own migration", "%s::bigint" % mig_own)] + [
    ("other role's migration", "%s::bigint" % mig_victim),
    ("own migration + 2^32", "%d::bigint" % (int(mig_own) + 2**32)),
    ("own migration + 2^31", "%d::bigint" % (int(mig_own) + 2**31)),
    ("1", "1::bigint"), ("0", "0::bigint"), ("-1", "(-1)::bigint"),
    ("min", "(-9223372036854775808)::bigint"), ("max", "9223372036854775807::bigint"),
]

OIDS = [
    ("own index", "%s::pg_catalog.oid" % fixtures["index"]),
    ("own foreign key", "%s::pg_catalog.oid" % fixtures["fk"]),
    ("other role's index", "%s::pg_catalog.oid" % fixtures["victim_index"]),
    ("own table", "%s::pg_catalog.oid" % fixtures["table"]),
    ("view", "%s::pg_catalog.oid" % fixtures["view"]),
    ("pg_class", "'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid"),
    ("pg_class index", "'pg_catalog.pg_class_oid_index'::pg_catalog.regclass::pg_catalog.oid"),
    ("0", "0::pg_catalog.oid"),
    ("4294967295", "4294967295::pg_catalog.oid"),
]

SCALARS = {
    "regclass": REL_KINDS,
    "oid": OIDS,
    "bigint": BIGINTS,
    "integer": ints("integer", -2147483648, 2147483647, [("6", "6"), ("7", "7"), ("100", "100")]),
    "smallint": ints("smallint", -32768, 32767),
    "text": TEXTS,
    "name": [(l, e + "::pg_catalog.name") for l, e in TEXTS],
    "boolean": [("false", "false"), ("true", "true")],
    "uuid": UUIDS,
    "timestamp with time zone": TIMESTAMPS,
    "timestamp without time zone": [(l, e.replace("+00", "")) for l, e in TIMESTAMPS],
    "interval": INTERVALS,
    "jsonb": JSONS,
}

# baselines that reach past the argument checks, by argument name (a meaningful call, not a hostile one)
BASELINE_BY_NAME = {
    ("integer", "version"): "7", ("integer", "attempt"): "1", ("integer", "budget_ms"): "100",
    ("text", "name"): lit("batch_blocks"), ("text", "code"): lit("22023"), ("text", "context"): lit("start"),
    ("text", "ended_phase"): lit("map"), ("text", "next_phase"): lit("expand"), ("text", "body"): lit("SELECT 1"),
    ("text", "sqlstate"): lit("22023"), ("regclass", "map"): rel(fixtures["mapping"]),
    ("regclass", "tbl"): rel(fixtures["migrated"]), ("regclass", "relid"): rel(fixtures["online_table"]),
    ("oid", "con"): "%s::pg_catalog.oid" % fixtures["fk"], ("oid", "fk_oid"): "%s::pg_catalog.oid" % fixtures["fk"],
    ("oid", "c_rel"): "%s::pg_catalog.oid" % fixtures["table"], ("oid", "t_oid"): "%s::pg_catalog.oid" % fixtures["table"],
    ("oid", "v_oid"): "%s::pg_catalog.oid" % fixtures["view"],
    ("name", "new_name"): "'fz_twin'::pg_catalog.name",
}
# arguments for which extra (meaningful) values are worth a call each
EXTRA_BY_NAME = {
    ("text", "name"): [(n, lit(n)) for n in ("map_batch", "pause_ms", "work_percent", "vacuum_every",
                                             "lock_timeout_ms", "lock_retries", "bogus")],
    ("text", "code"): [("XX00X", lit("XX00X")), ("5 letters", lit("abcde")), ("00000", lit("00000"))],
    ("text", "context"): [("swap", lit("swap"))],
    ("text", "ended_phase"): [(p, lit(p)) for p in ("expand", "backfill", "index", "constrain", "verify", "ready")],
    ("text", "body"): [("error", lit("SELECT 1/0")), ("two statements", lit("SELECT 1; SELECT 2"))],
}

POLYMORPHIC = {"anyelement", "anyarray", "anynonarray", "anycompatible", "anycompatiblearray", '"any"', "any"}


def values_for(typ, argname):
    if typ in SCALARS:
        vals = [(l, "(%s)::%s" % (e, typ)) for l, e in SCALARS[typ]]
        base = BASELINE_BY_NAME.get((typ, argname))
        if base is not None:
            vals = [("baseline", "(%s)::%s" % (base, typ))] + vals
        vals += [(l, "(%s)::%s" % (e, typ)) for l, e in EXTRA_BY_NAME.get((typ, argname), [])]
        return vals
    if typ.endswith("[]") and typ[:-2] in SCALARS:
        elem = typ[:-2]
        evals = values_for(elem, argname)
        b = evals[0][1]
        vals = [("{%s}" % evals[0][0], "ARRAY[%s]::%s" % (b, typ))]
        vals += [("{}", "'{}'::%s" % typ), ("{NULL}", "ARRAY[NULL]::%s" % typ),
                 ("{b,b}", "ARRAY[%s, %s]::%s" % (b, b, typ)), ("{b,NULL}", "ARRAY[%s, NULL]::%s" % (b, typ)),
                 ("10k elements", "pg_catalog.array_fill(%s, ARRAY[10000])" % b),
                 ("2-D", "ARRAY[[%s], [%s]]::%s" % (b, b, typ)),
                 ("lower bound 0", "pg_catalog.array_fill(%s, ARRAY[1], ARRAY[0])" % b),
                 ("lower bound -2^31", "pg_catalog.array_fill(%s, ARRAY[2], ARRAY[-2147483648])" % b)]
        vals += [("{%s}" % l, "ARRAY[%s]::%s" % (e, typ)) for l, e in evals[1:]]
        return vals
    if typ in POLYMORPHIC:
        return [("int 1", "1"), ("text 'x'", "'x'::text"), ("uuid nil", "'00000000-0000-0000-0000-000000000000'::uuid")]
    return None


def vectors(types, names, ndefaults):
    per_arg = []
    for t, n in zip(types, names):
        vals = values_for(t, n)
        if vals is None:
            return None, t
        per_arg.append([(l, e) for l, e in vals])
    base = [v[0] for v in per_arg]
    out = [list(base)]
    if types:
        out.append([("NULL", "NULL::%s" % t if t not in POLYMORPHIC else "NULL::text") for t in types])
    for i, t in enumerate(types):
        out.append(base[:i] + [("NULL", "NULL::%s" % t if t not in POLYMORPHIC else "NULL::text")] + base[i + 1:])
        for v in per_arg[i][1:]:
            out.append(base[:i] + [v] + base[i + 1:])
    for k in range(1, ndefaults + 1):  # the defaulted arguments left out
        out.append(base[:len(types) - k])
    seen, uniq = set(), []
    for vec in out:
        key = tuple(e for _, e in vec)
        if key not in seen:
            seen.add(key)
            uniq.append(vec)
    return uniq, None


calls = []  # (function signature, argument labels, SQL of the call)
functions = []
skipped_types = set()
for nsp, name, sig, ndef, rettype, types, names in psql_query(FUNCTIONS_SQL):
    types = types.split("|") if types else []
    names = names.split("|") if names else [""] * len(types)
    vecs, bad = vectors(types, names, int(ndef))
    if vecs is None:
        skipped_types.add(bad)
        vecs = [[("NULL", "NULL::%s" % t) for t in types]]
    functions.append((sig, len(vecs)))
    for vec in vecs:
        label = "%s(%s)" % (name, ", ".join(l for l, _ in vec))
        calls.append((sig, label, "%s.%s(%s)" % (qi(nsp), qi(name), ", ".join(e for _, e in vec))))

# statements beyond plain calls: the sync trigger attached by hand in wrong ways, then fired (the C trigger reads
# its arguments and the trigger context), and writes with extreme keys to the table under the own migration
TRIGGER_ARGS = ["", "'1'", "'x', 'a', 'b', 'c', 'd'", "'%s', 'id', 'id', 'pg_catalog.pg_class', '7'" % mig_own,
                "'9223372036854775808', 'id', 'v', 'x', '7'", "'%s', 'nope', 'nope', 'nope', 'nope'" % mig_own,
                "'%s', 'id', 'tw', '%s', '6'" % (mig_own, fixtures["mapping_name"])]
for targs in TRIGGER_ARGS:
    for when, event, level in (("BEFORE", "INSERT", "ROW"), ("AFTER", "INSERT", "ROW"), ("BEFORE", "DELETE", "ROW"),
                               ("BEFORE", "INSERT", "STATEMENT")):
        create = ("CREATE TRIGGER fz %s %s ON pg_temp.fz_trig FOR EACH %s EXECUTE FUNCTION %s.uuid7_online_sync(%s)"
                  % (when, event, level, qi(fixtures["ext_schema"]), targs))
        body = ("EXECUTE 'CREATE TABLE pg_temp.fz_trig (id bigint, tw uuid, v text)'; EXECUTE %s; "
                "INSERT INTO pg_temp.fz_trig VALUES (1, NULL, 'x'); DELETE FROM pg_temp.fz_trig" % lit(create))
        calls.append(("uuid7_online_sync() as a trigger", "trigger %s %s FOR EACH %s (%s)" % (when, event, level, targs),
                      "DO-BODY:" + body))
for key in ("0", "-1", "9223372036854775807", "(-9223372036854775808)::bigint", "NULL"):
    calls.append(("uuid7_online_sync() as a trigger", "INSERT key %s into the own table under migration" % key,
                  "DO-BODY:INSERT INTO %s (id, v) VALUES (%s, 'x')" % (fixtures["online_table_name"], key)))
    calls.append(("uuid7_online_sync() as a trigger", "UPDATE the own table under migration: key := %s" % key,
                  "DO-BODY:UPDATE %s SET id = %s WHERE id = 1" % (fixtures["online_table_name"], key)))

# UUID7_FUZZ_SELFTEST=1: one call ends its own session, to show that a dead session is noted and the rest still run
if os.environ.get("UUID7_FUZZ_SELFTEST"):
    calls.insert(10, ("selftest()", "selftest: the session ends itself",
                      "DO-BODY:PERFORM pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid())"))

with open(os.path.join(outdir, "functions.tsv"), "w") as f:
    for sig, n in functions:
        f.write("%s\t%d\n" % (sig, n))
if skipped_types:
    print("argument types without fuzz values (called with NULLs only): %s" % ", ".join(sorted(skipped_types)))


# ---- running them ----------------------------------------------------------------------------------------------
def block(i, call_sql, timeout):
    body = call_sql[len("DO-BODY:"):] if call_sql.startswith("DO-BODY:") else "PERFORM %s" % call_sql
    return (
        "BEGIN;\nSET LOCAL statement_timeout = %d;\nDO $fuzz$\nDECLARE t0 timestamptz := clock_timestamp(); st text; msg text;\n"
        "BEGIN\n  BEGIN\n    %s;\n    st := '00000';\n"
        "  EXCEPTION WHEN query_canceled THEN st := SQLSTATE; msg := SQLERRM;\n"
        "            WHEN OTHERS THEN st := SQLSTATE; msg := SQLERRM;\n  END;\n"
        "  RAISE NOTICE 'FZ|%%|%%|%%|%%', %d, st, (extract(epoch FROM clock_timestamp() - t0) * 1000)::int,\n"
        "    translate(left(msg, 300), E'\\n\\t|', '   ');\nEND\n$fuzz$;\nROLLBACK;\n" % (timeout, body, i))


PREAMBLE = ("SET client_min_messages = notice;\n"
            "SET lock_timeout = %d;\n"
            "CREATE TEMP VIEW fz_tv AS SELECT 1::bigint AS old_id, NULL::uuid AS new_id;\n"
            "CREATE TEMP TABLE fz_tt (old_id bigint, new_id uuid);\n"
            "\\echo FZREADY\n" % (timeout_ms // 2))
NOTICE = re.compile(r"FZ\|(\d+)\|([0-9A-Z]{5})\|(-?\d+)\|(.*)$")


def wait_for_server(limit=90):
    deadline = time.time() + limit
    while time.time() < deadline:
        if subprocess.run(["psql", "-X", "-q", "-A", "-t", "-c", "SELECT 1"], capture_output=True).returncode == 0:
            return True
        time.sleep(0.5)
    return False


def run(ids, timeout, results, deaths):
    """Runs calls[ids] in order, timeout ms each, into results {id: (state, ms, message)}; notes session deaths."""
    start = 0
    hang_limit = timeout / 1000.0 + 30
    position = {i: k for k, i in enumerate(ids)}
    while start < len(ids):
        script_path = os.path.join(outdir, "script.sql")
        with open(script_path, "w") as f:
            f.write(PREAMBLE + "".join(block(i, calls[i][2], timeout) for i in ids[start:]))
        proc = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0", "-f", script_path],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        last_words = []
        last = start - 1
        last_progress = time.time()
        hung = False
        pending = b""
        eof = False
        while not eof:
            r, _, _ = select.select([proc.stdout], [], [], 1.0)
            if not r:
                if time.time() - last_progress > hang_limit:
                    hung = True
                    proc.kill()
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            eof = chunk == b""
            pending += chunk
            lines = pending.split(b"\n")
            pending = lines.pop() if not eof else b""
            for raw in lines:
                line = raw.decode("utf-8", "replace")
                m = NOTICE.search(line)
                if m:
                    i = int(m.group(1))
                    results[i] = (m.group(2), int(m.group(3)), m.group(4))
                    last = position[i]
                    last_progress = time.time()
                elif line.strip() and "FZREADY" not in line:
                    last_words = (last_words + [line.strip()])[-5:]
        proc.wait()
        if last + 1 >= len(ids):
            return
        culprit = ids[last + 1]
        why = "HUNG" if hung else "DEAD"
        results[culprit] = (why, int((time.time() - last_progress) * 1000), " / ".join(last_words)[:300])
        deaths.append("%d\t%s\t%s" % (culprit, calls[culprit][1], " / ".join(last_words)[:500]))
        if hung:  # its backend may still run: end it (as the superuser fuzz.sh runs as)
            psql_query("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity "
                       "WHERE usename = %s AND pid <> pg_catalog.pg_backend_pid()" % lit(os.environ["FUZZ_ROLE"]),
                       user=os.environ["FUZZ_SUPERUSER"])
        if len(deaths) > 25 or not wait_for_server():
            deaths.append("-1\tgave up\tmore than 25 session deaths, or the server did not come back")
            return
        start = last + 2


results = {}
deaths = []
run(list(range(len(calls))), timeout_ms, results, deaths)
# A call that statement_timeout ended may only be slow on a loaded machine (a 10k-element array is linear work):
# it runs once more, alone, with six times the time (sleepers aside). Ended again, it stays 57014; done, it is noted
# as slow, with the time of its first run.
sleepers = re.compile(os.environ.get("FUZZ_SLEEPERS", "^$"))
slow = [i for i, r in results.items() if r[0] == "57014" and not sleepers.search(calls[i][0])]
retried = {}
if slow and len(deaths) <= 25:
    run(sorted(slow), timeout_ms * 6, retried, deaths)
    for i, (st, ms, msg) in retried.items():
        if st != "57014":
            results[i] = (st, results[i][1], "(slow: ended by statement_timeout once, then took %d ms) %s" % (ms, msg))

with open(os.path.join(outdir, "calls.tsv"), "w") as f:
    for i, (sig, label, _) in enumerate(calls):
        st, ms, msg = results.get(i, ("NONE", -1, "never ran"))
        f.write("%d\t%s\t%s\t%s\t%d\t%s\n" % (i, sig, label.replace("\t", " "), st, ms, msg.replace("\t", " ")))
with open(os.path.join(outdir, "sessions.txt"), "w") as f:
    for d in deaths:
        f.write(d + "\n")
print("%d functions, %d calls, %d session deaths" % (len(functions), len(calls), len(deaths)))
