-- src/sql/inspect.sql — reading uuids: time, version, range bounds, v1/v6 reorderings.

-- Inspection: IMMUTABLE functions of their input. Those that raise on a wrong version are not LEAKPROOF.
CREATE OR REPLACE FUNCTION uuid_v7_timestamp(id uuid) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'uuid_v7_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7_timestamp(uuid) IS
	'time (millisecond precision) of an RFC 9562 version 7 uuid; 22023 for any other version or variant';

CREATE OR REPLACE FUNCTION uuid_v6_timestamp(id uuid) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'uuid_v6_timestamp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v6_timestamp(uuid) IS
	'time (microsecond precision) of an RFC 9562 version 6 or version 1 uuid; 22023 for any other version or variant';

CREATE OR REPLACE FUNCTION uuid_version(id uuid) RETURNS integer
	AS 'MODULE_PATHNAME', 'uuid_version'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION uuid_version(uuid) IS
	'version field of an RFC 9562 uuid; NULL for other variants (nil and max uuids included)';

CREATE OR REPLACE FUNCTION uuid_v7_lower_bound(ts timestamptz) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v7_lower_bound'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7_lower_bound(timestamptz) IS
	'smallest version 7 uuid of the millisecond containing ts: id >= uuid_v7_lower_bound(t1) AND id < uuid_v7_lower_bound(t2) is an index range scan';

CREATE OR REPLACE FUNCTION uuid_v7_upper_bound(ts timestamptz) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v7_upper_bound'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7_upper_bound(timestamptz) IS
	'largest version 7 uuid of the millisecond containing ts (inclusive upper bound)';

CREATE OR REPLACE FUNCTION uuid_v1_to_v6(id uuid) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v1_to_v6'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v1_to_v6(uuid) IS
	'RFC 9562 reordering of a version 1 uuid into version 6 (same time, clock sequence and node); 22023 unless version 1';

CREATE OR REPLACE FUNCTION uuid_v6_to_v1(id uuid) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v6_to_v1'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v6_to_v1(uuid) IS
	'RFC 9562 reordering of a version 6 uuid back into version 1; 22023 unless version 6';
