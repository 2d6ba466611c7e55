#!/usr/bin/env bash
# test/security/planted_operators.sh — issue 22, "planted operators run as the reader": a database owner (not a
# superuser) plants operators and an overload of uuid7_migration_lookup in the schema uuid7 is then installed in.
# On 1.6 the status view's rule and the registry's policy bound to the planted operators (their text was unqualified):
# a superuser reading the status view ran the owner's function and the owner became superuser; another role migrating
# its own table ran them through the policy; the generated ALTER ... USING picked the planted overload. Here every
# planted function records who ran it: nobody may, and the owner stays an ordinary role.
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh
source ../online/lib.sh
source ./lib.sh

mig_role sec_owner "LOGIN"; owner=$MIG_ROLE
mig_role sec_migrator "LOGIN"; migrator=$MIG_ROLE
db="sec_planted_$$"
createdb -O "$owner" "$db" || { fail setup "createdb"; exit 1; }
MIG_DBS+=("$db")
export PGDATABASE=$db
# (the mapping tables go to schema uuid7_mapping, which the migrator's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$migrator\"" >/dev/null

# The owner plants, then installs uuid7 (trusted: no superuser needed) into public.
if ! out=$(psql -X -q -v ON_ERROR_STOP=1 2>&1 <<SQL
SET ROLE "$owner";
CREATE TABLE public.witness (who name, what text);
GRANT INSERT ON public.witness TO PUBLIC;
CREATE FUNCTION public.planted(who text) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
	INSERT INTO public.witness VALUES (current_user, who);
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'ALTER ROLE "$owner" SUPERUSER';
	END IF;
END \$\$;
CREATE FUNCTION public.mul_nb(numeric, bigint) RETURNS numeric LANGUAGE plpgsql AS
	\$\$ BEGIN PERFORM public.planted('*(numeric,bigint)'); RETURN \$1 OPERATOR(pg_catalog.*) \$2::numeric; END \$\$;
CREATE OPERATOR public.* (LEFTARG = numeric, RIGHTARG = bigint, FUNCTION = public.mul_nb);
CREATE FUNCTION public.mul_bi(bigint, interval) RETURNS interval LANGUAGE plpgsql AS
	\$\$ BEGIN PERFORM public.planted('*(bigint,interval)'); RETURN \$1::float8 OPERATOR(pg_catalog.*) \$2; END \$\$;
CREATE OPERATOR public.* (LEFTARG = bigint, RIGHTARG = interval, FUNCTION = public.mul_bi);
CREATE FUNCTION public.eq_or(oid, regclass) RETURNS boolean LANGUAGE plpgsql AS
	\$\$ BEGIN PERFORM public.planted('=(oid,regclass)'); RETURN \$1 OPERATOR(pg_catalog.=) \$2::oid; END \$\$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.eq_or);
CREATE FUNCTION public.eq_nt(name, text) RETURNS boolean LANGUAGE plpgsql AS
	\$\$ BEGIN PERFORM public.planted('=(name,text)'); RETURN \$1::text OPERATOR(pg_catalog.=) \$2; END \$\$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.eq_nt);
CREATE EXTENSION uuid7;
-- an overload of the lookup the generated ALTER TABLE calls, for integer keys
CREATE FUNCTION public.uuid7_migration_lookup(regclass, integer) RETURNS uuid LANGUAGE plpgsql AS
	\$\$ BEGIN PERFORM public.planted('uuid7_migration_lookup(regclass,integer)'); RETURN NULL; END \$\$;
GRANT CREATE ON SCHEMA public TO "$migrator";
SQL
); then
	fail setup "owner plants and installs: $out"
	exit 1
fi

# This script's own queries must not run what is planted either: they see pg_catalog only, and name the rest.
export PGOPTIONS="-c search_path=pg_catalog"

check_eq "the owner installed uuid7 as an ordinary role" "f|t" "$(sql "SELECT r.rolsuper, e.extname IS NOT NULL FROM pg_roles r
	LEFT JOIN pg_extension e ON e.extname = 'uuid7' WHERE r.rolname = '$owner'")"

# Nothing bound into the extension's view rules and policies comes from outside pg_catalog and the extension.
check_empty "the status view and the state policies bind only pg_catalog's and uuid7's operators and functions" "
	SELECT d.classid::regclass, d.objid, d.refobjid::regprocedure::text
	  FROM pg_depend d
	 WHERE d.classid::regclass IN ('pg_rewrite'::regclass, 'pg_policy'::regclass) AND d.refclassid::regclass = 'pg_proc'::regclass
	   AND (d.classid::regclass <> 'pg_rewrite'::regclass OR d.objid IN (SELECT r.oid FROM pg_rewrite r WHERE r.ev_class::regclass = 'public.uuid7_migration_status'::regclass))
	   AND (d.classid::regclass <> 'pg_policy'::regclass OR d.objid IN (SELECT p.oid FROM pg_policy p WHERE p.polrelid::regclass::text LIKE '%uuid7%'))
	   AND (SELECT pronamespace FROM pg_proc WHERE oid = d.refobjid)::regnamespace <> 'pg_catalog'::regnamespace
	   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = d.refobjid AND e.classid::regclass = 'pg_proc'::regclass AND e.deptype = 'e')
	UNION ALL
	SELECT d.classid::regclass, d.objid, d.refobjid::regoperator::text
	  FROM pg_depend d
	 WHERE d.classid::regclass IN ('pg_rewrite'::regclass, 'pg_policy'::regclass) AND d.refclassid::regclass = 'pg_operator'::regclass
	   AND (SELECT oprnamespace FROM pg_operator WHERE oid = d.refobjid)::regnamespace <> 'pg_catalog'::regnamespace"

# The migrator's own tables: one migrated offline (integer key: the planted overload matches it exactly), one online.
if ! out=$(psql -X -q -v ON_ERROR_STOP=1 2>&1 <<SQL
SET ROLE "$migrator";
CREATE TABLE public.p1 (id integer PRIMARY KEY, v text);
INSERT INTO public.p1 SELECT g, 'v' || g FROM generate_series(1, 200) g;
CREATE TABLE public.c1 (id integer PRIMARY KEY, p_id integer REFERENCES public.p1);
INSERT INTO public.c1 SELECT g, g FROM generate_series(1, 200) g;
CREATE TABLE public.p2 (id bigint PRIMARY KEY, v text);
INSERT INTO public.p2 SELECT g, 'v' || g FROM generate_series(1, 2000) g;
SQL
); then
	fail setup "migrator's tables: $out"
	exit 1
fi

out=$(sec_as "$migrator" "SELECT jsonb_typeof(public.uuid7_migrate(ARRAY['public.p1']::regclass[]))" 2>&1)
check_eq "the migrator migrates its table offline" "object" "$out"
check_eq "every reference kept its row (no NULL from the planted lookup)" "200|0" \
	"$(sql "SELECT count(*), count(*) FILTER (WHERE c.p_id IS DISTINCT FROM p.id) FROM public.c1 c JOIN public.p1 p ON p.id = c.p_id")"
check_eq "uuid7_legacy_id maps the new keys back to the old ones" "200" \
	"$(sec_as "$migrator" "SELECT count(*) FROM public.p1 WHERE public.uuid7_legacy_id('public.p1', id) BETWEEN 1 AND 200")"

mid=$(sec_as "$migrator" "SELECT public.uuid7_migration_start(ARRAY['public.p2']::regclass[], '{\"pause_ms\": 600000, \"batch_blocks\": 1}')" 2>&1)
check_true "the migrator's online migration started" "SELECT EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_migration WHERE id = ${mid:-0})"
# the migrator and a superuser with search_path = pg_catalog read the status: the rule's operators run
check_eq "the migrator reads its status" "1" "$(sec_as "$migrator" "SELECT count(*) FROM public.uuid7_migration_status WHERE migration_id = ${mid:-0} AND percent_done >= 0 AND (eta IS NULL OR eta >= interval '0')")"
check_eq "a superuser reads the status with search_path = pg_catalog" "1" \
	"$(psql -X -A -t -q -c "SET search_path = pg_catalog" -c "SELECT count(*) FROM public.uuid7_migration_status WHERE migration_id = ${mid:-0} AND rows_per_second IS NOT DISTINCT FROM rows_per_second")"
sec_as "$owner" "SELECT count(*) FROM uuid7_state.uuid7_migrated_table" >/dev/null 2>&1
sql "SELECT public.uuid7_migration_abort(${mid:-0})" >/dev/null 2>&1

check_eq "no planted function ever ran (count, first: who|what)" "0|" \
	"$(sql "SELECT count(*), min(who || '|' || what) FROM public.witness")"
check_eq "the owner is still an ordinary role" "f|f|f|f" \
	"$(sql "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = '$owner'")"
