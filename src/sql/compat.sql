-- src/sql/compat.sql — other projects' names: pg_uuidv7's, and PostgreSQL 17/18 core names on majors that lack them.

-- pg_uuidv7 names, with honest labels (pg_uuidv7 marks its random writers STABLE).
CREATE OR REPLACE FUNCTION uuid_v7_to_timestamptz(uuid) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'uuid_v7_to_timestamptz'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION uuid_v7_to_timestamptz(uuid) IS
	'pg_uuidv7 compatibility: the first 48 bits as Unix milliseconds, version not checked';

CREATE OR REPLACE FUNCTION uuid_v7_to_timestamp(uuid) RETURNS timestamp
	AS 'MODULE_PATHNAME', 'uuid_v7_to_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION uuid_v7_to_timestamp(uuid) IS
	'pg_uuidv7 compatibility: the first 48 bits as a UTC timestamp without time zone, version not checked';

CREATE OR REPLACE FUNCTION uuid_timestamptz_to_v7(timestamptz, zero boolean DEFAULT false) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_timestamptz_to_v7'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_timestamptz_to_v7(timestamptz, boolean) IS
	'pg_uuidv7 compatibility: version 7 uuid of the given millisecond with random bits, or all-zero bits when zero is true';

CREATE OR REPLACE FUNCTION uuid_timestamp_to_v7(timestamp, zero boolean DEFAULT false) RETURNS uuid
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
		CREATE OR REPLACE FUNCTION @extschema@.uuid_extract_timestamp(uuid) RETURNS timestamptz
			AS 'MODULE_PATHNAME', 'uuid7_uuid_extract_timestamp'
			LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
		COMMENT ON FUNCTION @extschema@.uuid_extract_timestamp(uuid) IS
			'PostgreSQL 18 compatibility: time of a version 1 or 7 uuid; NULL for other versions (v6 included) and non-RFC variants';

		CREATE OR REPLACE FUNCTION @extschema@.uuid_extract_version(uuid) RETURNS smallint
			AS 'MODULE_PATHNAME', 'uuid7_uuid_extract_version'
			LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
		COMMENT ON FUNCTION @extschema@.uuid_extract_version(uuid) IS
			'PostgreSQL 18 compatibility: version of an RFC 9562 uuid; NULL for other variants';
	END IF;

	IF current_setting('server_version_num')::int < 180000 THEN
		-- Same function as uuid_generate_v7: the alias shares its C symbol rather than duplicating it.
		CREATE OR REPLACE FUNCTION @extschema@.uuidv7() RETURNS uuid
			AS 'MODULE_PATHNAME', 'uuid_generate_v7'
			LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
		COMMENT ON FUNCTION @extschema@.uuidv7() IS
			'PostgreSQL 18 compatibility: same as uuid_generate_v7()';

		CREATE OR REPLACE FUNCTION @extschema@.uuidv7(shift interval) RETURNS uuid
			AS 'MODULE_PATHNAME', 'uuid_generate_v7_shift'
			LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
		COMMENT ON FUNCTION @extschema@.uuidv7(interval) IS
			'PostgreSQL 18 compatibility: same as uuid_generate_v7(interval)';
	END IF;
END
$compat$;

-- ---- uuidv4(): PostgreSQL 18's name for gen_random_uuid(), on servers that lack it ----------------------------------
-- DDL written for 18 (DEFAULT uuidv4()) runs on 15-17 with uuid7. From 18 on it is not created, so the core function
-- is never shadowed (as uuidv7 in 1.0). It is the core function under a second name: the same internal symbol, so it
-- costs exactly what gen_random_uuid() costs, with gen_random_uuid()'s labels.
DO $uuidv4$
BEGIN
	IF current_setting('server_version_num')::int < 180000 THEN
		CREATE OR REPLACE FUNCTION @extschema@.uuidv4() RETURNS uuid
			AS 'gen_random_uuid'
			LANGUAGE internal VOLATILE STRICT PARALLEL SAFE LEAKPROOF;
		COMMENT ON FUNCTION @extschema@.uuidv4() IS
			'PostgreSQL 18 compatibility: version 4 (random) uuid, same as gen_random_uuid()';
	END IF;
END
$uuidv4$;
