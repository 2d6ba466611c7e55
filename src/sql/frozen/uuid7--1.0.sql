/* uuid7 1.0: RFC 9562 v7 and v6 generators, inspection, and compatibility names. */

\echo Use "CREATE EXTENSION uuid7" to load this file. \quit

-- Generators: VOLATILE (clock and CSPRNG), PARALLEL SAFE (each process keeps its own state, or shares it when
-- preloaded). C symbol = SQL name, except where SQL overloads a name.

CREATE FUNCTION uuid_generate_v7() RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_generate_v7'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_generate_v7() IS
	'RFC 9562 version 7 uuid: Unix milliseconds, a 12-bit sub-millisecond fraction and 62 random bits; strictly increasing per session, or cluster-wide when uuid7 is in shared_preload_libraries';

CREATE FUNCTION uuid_generate_v7(shift interval) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_generate_v7_shift'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_generate_v7(interval) IS
	'version 7 uuid for the current time moved by shift (PostgreSQL 18 uuidv7(interval) semantics); 22008 outside 1970 to about year 10889';

CREATE FUNCTION uuid_generate_v6() RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_generate_v6'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_generate_v6() IS
	'RFC 9562 version 6 uuid: 60-bit Gregorian time in 100-ns ticks, random 14-bit clock sequence, random 48-bit node with the multicast bit set; strictly increasing like uuid_generate_v7()';

CREATE FUNCTION uuid_v7_from_timestamp(ts timestamptz) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v7_from_timestamp'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7_from_timestamp(timestamptz) IS
	'version 7 uuid carrying the given instant (millisecond and sub-millisecond fraction) and a random tail, for backfills';

CREATE FUNCTION uuid7_ordering_scope() RETURNS text
	AS 'MODULE_PATHNAME', 'uuid7_ordering_scope'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid7_ordering_scope() IS
	'cluster when uuid7 is preloaded and generated uuids are strictly increasing across all sessions; session otherwise';

-- Inspection: IMMUTABLE functions of their input. Those that raise on a wrong version are not LEAKPROOF.

CREATE FUNCTION uuid_v7_timestamp(id uuid) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'uuid_v7_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7_timestamp(uuid) IS
	'time (millisecond precision) of an RFC 9562 version 7 uuid; 22023 for any other version or variant';

CREATE FUNCTION uuid_v6_timestamp(id uuid) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'uuid_v6_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v6_timestamp(uuid) IS
	'time (microsecond precision) of an RFC 9562 version 6 or version 1 uuid; 22023 for any other version or variant';

CREATE FUNCTION uuid_version(id uuid) RETURNS integer
	AS 'MODULE_PATHNAME', 'uuid_version'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION uuid_version(uuid) IS
	'version field of an RFC 9562 uuid; NULL for other variants (nil and max uuids included)';

CREATE FUNCTION uuid_v7_lower_bound(ts timestamptz) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v7_lower_bound'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7_lower_bound(timestamptz) IS
	'smallest version 7 uuid of the millisecond containing ts: id >= uuid_v7_lower_bound(t1) AND id < uuid_v7_lower_bound(t2) is an index range scan';

CREATE FUNCTION uuid_v7_upper_bound(ts timestamptz) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v7_upper_bound'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7_upper_bound(timestamptz) IS
	'largest version 7 uuid of the millisecond containing ts (inclusive upper bound)';

CREATE FUNCTION uuid_v1_to_v6(id uuid) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v1_to_v6'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v1_to_v6(uuid) IS
	'RFC 9562 reordering of a version 1 uuid into version 6 (same time, clock sequence and node); 22023 unless version 1';

CREATE FUNCTION uuid_v6_to_v1(id uuid) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v6_to_v1'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v6_to_v1(uuid) IS
	'RFC 9562 reordering of a version 6 uuid back into version 1; 22023 unless version 6';

-- pg_uuidv7 names, with honest labels (pg_uuidv7 marks its random writers STABLE).

CREATE FUNCTION uuid_v7_to_timestamptz(uuid) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'uuid_v7_to_timestamptz'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION uuid_v7_to_timestamptz(uuid) IS
	'pg_uuidv7 compatibility: the first 48 bits as Unix milliseconds, version not checked';

CREATE FUNCTION uuid_v7_to_timestamp(uuid) RETURNS timestamp
	AS 'MODULE_PATHNAME', 'uuid_v7_to_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION uuid_v7_to_timestamp(uuid) IS
	'pg_uuidv7 compatibility: the first 48 bits as a UTC timestamp without time zone, version not checked';

CREATE FUNCTION uuid_timestamptz_to_v7(timestamptz, zero boolean DEFAULT false) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_timestamptz_to_v7'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_timestamptz_to_v7(timestamptz, boolean) IS
	'pg_uuidv7 compatibility: version 7 uuid of the given millisecond with random bits, or all-zero bits when zero is true';

CREATE FUNCTION uuid_timestamp_to_v7(timestamp, zero boolean DEFAULT false) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_timestamp_to_v7'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_timestamp_to_v7(timestamp, boolean) IS
	'pg_uuidv7 compatibility: as uuid_timestamptz_to_v7, reading the timestamp as UTC';

-- PostgreSQL 17/18 names, created only where the server lacks them so that the core functions are never
-- shadowed: uuid_extract_* arrived in 17, uuidv7 in 18. MODULE_PATHNAME and @extschema@ are substituted inside
-- the quoted bodies too.
DO $compat$
BEGIN
	IF current_setting('server_version_num')::int < 170000 THEN
		CREATE FUNCTION @extschema@.uuid_extract_timestamp(uuid) RETURNS timestamptz
			AS 'MODULE_PATHNAME', 'uuid7_uuid_extract_timestamp'
			LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
		COMMENT ON FUNCTION @extschema@.uuid_extract_timestamp(uuid) IS
			'PostgreSQL 18 compatibility: time of a version 1 or 7 uuid; NULL for other versions (v6 included) and non-RFC variants';

		CREATE FUNCTION @extschema@.uuid_extract_version(uuid) RETURNS smallint
			AS 'MODULE_PATHNAME', 'uuid7_uuid_extract_version'
			LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
		COMMENT ON FUNCTION @extschema@.uuid_extract_version(uuid) IS
			'PostgreSQL 18 compatibility: version of an RFC 9562 uuid; NULL for other variants';
	END IF;

	IF current_setting('server_version_num')::int < 180000 THEN
		-- Same function as uuid_generate_v7: the alias shares its C symbol rather than duplicating it.
		CREATE FUNCTION @extschema@.uuidv7() RETURNS uuid
			AS 'MODULE_PATHNAME', 'uuid_generate_v7'
			LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
		COMMENT ON FUNCTION @extschema@.uuidv7() IS
			'PostgreSQL 18 compatibility: same as uuid_generate_v7()';

		CREATE FUNCTION @extschema@.uuidv7(shift interval) RETURNS uuid
			AS 'MODULE_PATHNAME', 'uuid_generate_v7_shift'
			LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
		COMMENT ON FUNCTION @extschema@.uuidv7(interval) IS
			'PostgreSQL 18 compatibility: same as uuid_generate_v7(interval)';
	END IF;
END
$compat$;
