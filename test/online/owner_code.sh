#!/usr/bin/env bash
# test/online/owner_code.sh — issue 20, "Privilege escalation" and "The backfill is visible to the application".
# A role that is not a superuser owns child (it references parent) and has put on it, each calling a function of its
# own: a BEFORE UPDATE trigger (it also moves updated_at), an AFTER UPDATE trigger that writes an outbox event per
# row, an ON UPDATE rule that writes an audit row, a CHECK constraint, an expression index and a generated column.
# Each function records who ran it and grants the owner an attribute when that is a superuser. A superuser migrates
# parent online. On 1.6 the backfill ran all of it as the superuser (the owner ended with SUPERUSER, CREATEROLE,
# CREATEDB and BYPASSRLS) and the application saw a change to every row (updated_at moved, one outbox event and one
# audit row per row). Now the backfill's write runs as the table's owner in a security-restricted operation with the
# triggers and rules quiet: nothing fires that the application did not cause, the CHECK, index and generated column
# run as the owner, and the owner gains nothing.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

online_db owner_code
mig_role oc_owner LOGIN; owner=$MIG_ROLE
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner";
CREATE TABLE public.witness (what text, who name, is_super boolean);
GRANT INSERT ON public.witness TO PUBLIC;
CREATE TABLE public.parent (id bigserial PRIMARY KEY, name text NOT NULL);
INSERT INTO public.parent (name) SELECT 'p' || g FROM generate_series(1, 200) g;
SET ROLE "$owner";
-- records who runs it, and tries its luck when that is a superuser
CREATE FUNCTION public.grab(what text, attr text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS \$\$
BEGIN
	INSERT INTO public.witness SELECT what, current_user, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user;
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		EXECUTE format('ALTER ROLE %I %s', '$owner', attr);
	END IF;
	RETURN true;
END \$\$;
CREATE FUNCTION public.grab_imm(what text, attr text, v bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS \$\$
BEGIN
	PERFORM public.grab(what, attr);
	RETURN v;
END \$\$;
CREATE TABLE public.child (
	id bigserial PRIMARY KEY,
	parent_id bigint NOT NULL,
	note text,
	updated_at timestamptz NOT NULL DEFAULT '2000-01-01',
	twice bigint GENERATED ALWAYS AS (public.grab_imm('generated', 'CREATEDB', id) * 2) STORED,
	CONSTRAINT noted CHECK (public.grab('check', 'SUPERUSER'))
);
CREATE TABLE public.outbox (event text, payload text);
CREATE TABLE public.audit (row_id bigint);
INSERT INTO public.child (parent_id, note) SELECT 1 + g % 200, 'n' || g FROM generate_series(1, 2000) g;
CREATE INDEX child_expr ON public.child (public.grab_imm('index', 'BYPASSRLS', id));
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	PERFORM public.grab('before trigger', 'CREATEROLE');
	NEW.updated_at := '2099-01-01';
	RETURN NEW;
END \$\$;
CREATE TRIGGER touch BEFORE UPDATE ON public.child FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE FUNCTION public.emit() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	PERFORM public.grab('after trigger', 'REPLICATION');
	INSERT INTO public.outbox VALUES ('child updated', row_to_json(NEW)::text);
	RETURN NULL;
END \$\$;
CREATE TRIGGER emit AFTER UPDATE ON public.child FOR EACH ROW EXECUTE FUNCTION public.emit();
CREATE RULE audited AS ON UPDATE TO public.child DO ALSO INSERT INTO public.audit VALUES (NEW.id);
RESET ROLE;
ALTER TABLE public.child ADD FOREIGN KEY (parent_id) REFERENCES public.parent;
TRUNCATE public.witness;
SQL

attrs() { sql "SELECT rolsuper || ',' || rolcreaterole || ',' || rolcreatedb || ',' || rolbypassrls || ',' || rolreplication FROM pg_roles WHERE rolname = '$owner'"; }

mid=$(online_start "ARRAY['public.parent']::regclass[]" "'{\"batch_blocks\": 2}'")
mid=${mid:-0}
check_eq "the superuser's migration reaches ready" "ready" "$(online_wait "$mid" 180)"
check_eq "the backfill wrote every row of child (rows_done)" "2000" \
	"$(sql "SELECT rows_done FROM uuid7_migration_status WHERE migration_id = $mid AND table_name = 'public.child'::regclass")"
check_eq "no trigger or rule of the owner fired for the backfill (updated_at moved / outbox / audit)" "0|0|0" \
	"$(sql "SELECT (SELECT count(*) FROM public.child WHERE updated_at <> '2000-01-01') || '|' ||
	               (SELECT count(*) FROM public.outbox) || '|' || (SELECT count(*) FROM public.audit)")"
# (a stored generated column is recomputed by an UPDATE on some majors only: it may or may not have run)
check_eq "the CHECK and the index expression ran for the backfill, as the owner; nothing ran as anyone else" \
	"check,index|0" \
	"$(sql "SELECT (SELECT string_agg(DISTINCT what, ',' ORDER BY what) FROM public.witness WHERE what IN ('check', 'index'))
	               || '|' || (SELECT count(*) FROM public.witness WHERE who <> '$owner' OR is_super)")"
check_eq "the owner gained no attribute (super, createrole, createdb, bypassrls, replication)" "false,false,false,false,false" "$(attrs)"

check_eq "the superuser finishes" "$mid" "$(sql "SELECT uuid7_migration_finish($mid)->>'migration_id'")"
check_eq "every reference is its parent's new key" "0" \
	"$(sql "SELECT count(*) FROM public.child c LEFT JOIN public.parent p ON p.id = c.parent_id WHERE p.id IS NULL")"
check_eq "still nothing the application did not cause (updated_at moved / outbox / audit)" "0|0|0" \
	"$(sql "SELECT (SELECT count(*) FROM public.child WHERE updated_at <> '2000-01-01') || '|' ||
	               (SELECT count(*) FROM public.outbox) || '|' || (SELECT count(*) FROM public.audit)")"
check_eq "and the owner is still an ordinary role" "false,false,false,false,false" "$(attrs)"
# the application's own update still fires all of it, as the application
PGOPTIONS="-c role=$owner" sql "UPDATE public.child SET note = 'app' WHERE id = 1" >/dev/null
check_eq "an application update fires the trigger, the rule and the outbox as before" "1|1|1" \
	"$(sql "SELECT (SELECT count(*) FROM public.child WHERE updated_at = '2099-01-01') || '|' ||
	               (SELECT count(*) FROM public.outbox) || '|' || (SELECT count(*) FROM public.audit)")"
online_check_no_crash
