#!/usr/bin/env bash
# test/migration/composite.sh — a composite foreign key (tenant_id, document_id) → documents (tenant_id, id).
# Round 1 migrates documents only: document_id becomes uuid, tenant_id stays integer, the FK keeps both columns
# (the classic converter bug cuts it to its first column). Round 2, in a fresh database, migrates tenants and
# documents together: every column of the composite FK and of UNIQUE (tenant_id, id) becomes uuid.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

schema() {
	mig_setup <<'SQL'
CREATE TABLE tenants (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE documents (
	id bigserial PRIMARY KEY,
	tenant_id integer NOT NULL REFERENCES tenants,
	title text NOT NULL,
	CONSTRAINT documents_tenant_id_id_key UNIQUE (tenant_id, id)
);
CREATE TABLE comments (
	id bigserial PRIMARY KEY,
	tenant_id integer NOT NULL REFERENCES tenants,
	document_id bigint,
	body text NOT NULL,
	CONSTRAINT comments_document_fkey FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX comments_tenant_document_idx ON comments (tenant_id, document_id);
INSERT INTO tenants SELECT g * 11, 'tenant ' || g FROM generate_series(1, 12) g;
INSERT INTO documents (id, tenant_id, title)
SELECT g * 2, 11 * (1 + g % 12), 'doc ' || g FROM generate_series(1, 3000) g ORDER BY md5(g::text);
INSERT INTO comments (tenant_id, document_id, body)
SELECT d.tenant_id, CASE WHEN n = 3 THEN NULL ELSE d.id END, 'comment ' || d.id || '/' || n
FROM documents d CROSS JOIN generate_series(1, 3) n ORDER BY md5(d.id::text || n);
SQL
}

mig_db composite
schema
tables="ARRAY['public.documents']::regclass[]"
check_eq "plan lists no refusal (documents)" "" "$(mig_plan_refusals "$tables")"
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(documents) succeeds" "$tables"
mig_check_all
check_eq "comments: tenant_id stays integer, document_id becomes uuid" "integer|uuid" \
	"$(sql "SELECT string_agg(format_type(atttypid, atttypmod), '|' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'comments'::regclass AND attname IN ('tenant_id', 'document_id')")"
check_eq "composite FK still has both columns" "FOREIGN KEY (tenant_id, document_id) REFERENCES documents(tenant_id, id) ON DELETE CASCADE" \
	"$(sql "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'comments_document_fkey'")"
check_sqlstate "composite FK enforced on the tenant part" 23503 \
	"UPDATE comments SET tenant_id = 33 WHERE document_id = uuid7_mapped_id('documents', 2)"
check_eq "comments with a NULL document_id untouched (MATCH SIMPLE)" 3000 "$(sql "SELECT count(*) FROM comments WHERE document_id IS NULL")"

mig_db composite2
schema
tables="ARRAY['public.tenants', 'public.documents']::regclass[]"
check_eq "plan lists no refusal (tenants, documents)" "" "$(mig_plan_refusals "$tables")"
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(tenants, documents) succeeds" "$tables"
mig_check_all
check_eq "documents and comments: every tenant and document column is uuid" "uuid|uuid|uuid|uuid|uuid" \
	"$(sql "SELECT string_agg(format_type(atttypid, atttypmod), '|' ORDER BY attrelid::regclass::text, attnum) FROM pg_attribute
		WHERE (attrelid, attname) IN (('documents'::regclass, 'id'), ('documents'::regclass, 'tenant_id'), ('comments'::regclass, 'tenant_id'),
			('comments'::regclass, 'document_id'), ('tenants'::regclass, 'id'))")"
