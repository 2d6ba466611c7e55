/*
 * compat_pg18.cpp — PostgreSQL 17/18 readers for servers that lack them: uuid_extract_timestamp(uuid) and
 * uuid_extract_version(uuid), with PostgreSQL 18's exact results (uuidv7() needs no code: the install script
 * points it at uuid_generate_v7).
 *
 * The C symbols carry a uuid7_ prefix: the server itself exports uuid_extract_timestamp from PostgreSQL 17 on,
 * and a module symbol of the same name would be shadowed by it.
 */
#include "core/uuid_layout.hpp"

#include "pg/time_convert.hpp"

#include "pg/postgres_headers.hpp"

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_uuid_extract_timestamp);
	PG_FUNCTION_INFO_V1(uuid7_uuid_extract_version);

	/*
	 * uuid_extract_timestamp(uuid) RETURNS timestamptz
	 *
	 * As in PostgreSQL 18: v1 (µs) and v7 (ms) only; NULL for every other version, v6 included, and for a non-RFC
	 * variant. uuid_v6_timestamp() reads v6.
	 */
	Datum uuid7_uuid_extract_timestamp(PG_FUNCTION_ARGS)
	{
		const pg_uuid_t *id = PG_GETARG_UUID_P(0);
		const std::optional<int> version = uuid7::RfcVersion(id->data);
		if (version == 7)
			PG_RETURN_TIMESTAMPTZ(
			    uuid7::pg::TimestampFromUnixUs(static_cast<int64>(uuid7::RawV7Millis(id->data) * uuid7::kUsPerMs)));
		if (version == 1)
			PG_RETURN_TIMESTAMPTZ(uuid7::pg::TimestampFromGregorianTicks(uuid7::RawV1Ticks(id->data)));
		PG_RETURN_NULL();
	}

	/* uuid_extract_version(uuid) RETURNS smallint: NULL for a non-RFC 9562 variant */
	Datum uuid7_uuid_extract_version(PG_FUNCTION_ARGS)
	{
		const std::optional<int> version = uuid7::RfcVersion(PG_GETARG_UUID_P(0)->data);
		if (!version)
			PG_RETURN_NULL();
		PG_RETURN_INT16(static_cast<int16>(*version));
	}

} // extern "C"
