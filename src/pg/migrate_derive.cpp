/*
 * migrate_derive.cpp — deterministic migration keys (the "deterministic_keys" option, core/migrate_derive.hpp):
 *
 *   uuid7_migration_derive(secret bytea, schema_name text, table_name text, old_id bigint) RETURNS uuid
 *
 * The keyed hash is PostgreSQL's own HMAC-SHA-256 (common/hmac.h: OpenSSL's when the server is built with it, its
 * own implementation otherwise; both give the same digest). The secret reaches this function only as an argument:
 * the migration passes it as a bind parameter of the statement that fills the mapping table, so it is in no
 * statement text, table or log line, and no error below prints it.
 *
 * PG regime throughout: no C++ object with a destructor lives in this frame; the core helpers are noexcept.
 */
#include "core/migrate_derive.hpp"
#include "core/uuid_layout.hpp"

#include "pg/uuid_datum.hpp"

#include "pg/pg_compat.hpp"
#include "pg/postgres_headers.hpp"

extern "C"
{
#include "common/hmac.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
}

static_assert(PG_SHA256_DIGEST_LENGTH == uuid7::kDerivedDigestSize, "HMAC-SHA-256 gives the digest the layout reads");

namespace
{

/* The name as UTF-8 (len bytes), so that databases of other encodings sign the same bytes. */
const char *NameUtf8(text *name, int *len)
{
	const int n = VARSIZE_ANY_EXHDR(name);
	const char *converted = pg_server_to_any(VARDATA_ANY(name), n, PG_UTF8);
	*len = converted == VARDATA_ANY(name) ? n : static_cast<int>(strlen(converted));
	return converted;
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_migration_derive);

	/*
	 * uuid7_migration_derive(secret bytea, schema_name text, table_name text, old_id bigint) RETURNS uuid   (STRICT)
	 *
	 * The v7 whose time field is old_id and whose other 74 bits come from HMAC-SHA-256(secret, label, schema, table,
	 * old_id). The same arguments give the same uuid on every server, major and encoding.
	 */
	Datum uuid7_migration_derive(PG_FUNCTION_ARGS)
	{
		bytea *secret = PG_GETARG_BYTEA_PP(0);
		text *schema = PG_GETARG_TEXT_PP(1);
		text *table = PG_GETARG_TEXT_PP(2);
		const int64 old_key = PG_GETARG_INT64(3);
		const size_t secret_len = VARSIZE_ANY_EXHDR(secret);

		if (secret_len < uuid7::kDerivedMinSecret)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("the secret of deterministic keys is too short"),
			         errdetail("It has %zu bytes; at least %zu are needed.", secret_len, uuid7::kDerivedMinSecret),
			         errhint("Use a long random string, e.g. 32 bytes from a password manager, and keep it "
			                 "where the migration's callers can read it, not in the database.")));
		if (!uuid7::DerivedKeyFits(old_key))
			ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			                errmsg("key " INT64_FORMAT " of table \"%s\" cannot be a deterministic uuid7 key", old_key,
			                       text_to_cstring(table)),
			                errdetail("Deterministic keys keep the old key as the 48-bit time field: from " INT64_FORMAT
			                          " to " INT64_FORMAT ".",
			                          uuid7::kDerivedMinOldKey, uuid7::kDerivedMaxOldKey),
			                errhint("Migrate this table without \"deterministic_keys\".")));

		int schema_len, table_len;
		const char *schema_utf8 = NameUtf8(schema, &schema_len);
		const char *table_utf8 = NameUtf8(table, &table_len);
		const size_t msg_len = uuid7::DerivedKeyMessageSize(schema_len, table_len);
		auto *msg = static_cast<uint8 *>(palloc(msg_len));
		uuid7::WriteDerivedKeyMessage(msg, schema_utf8, schema_len, table_utf8, table_len, old_key);

		uint8 digest[PG_SHA256_DIGEST_LENGTH];
		pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);
		if (ctx == nullptr)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		if (pg_hmac_init(ctx, reinterpret_cast<const uint8 *>(VARDATA_ANY(secret)), secret_len) < 0 ||
		    pg_hmac_update(ctx, msg, msg_len) < 0 || pg_hmac_final(ctx, digest, sizeof digest) < 0)
		{
			/* the library's reason, never the key */
			const char *reason = pstrdup(pg_hmac_error(ctx));
			pg_hmac_free(ctx);
			ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
			                errmsg("could not compute the HMAC of a deterministic key: %s", reason)));
		}
		pg_hmac_free(ctx);
		pfree(msg);

		pg_uuid_t *out = uuid7::pg::NewUuid();
		uuid7::WriteDerivedV7(out->data, old_key, digest);
		PG_RETURN_UUID_P(out);
	}

} // extern "C"
