-- src/sql/generators.sql — the v7 and v6 generators.

-- Generators: VOLATILE (clock and CSPRNG), PARALLEL SAFE (each process keeps its own state, or shares it when
-- preloaded). C symbol = SQL name, except where SQL overloads a name.
CREATE OR REPLACE FUNCTION uuid_generate_v7() RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_generate_v7'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_generate_v7() IS
	'RFC 9562 version 7 uuid: Unix milliseconds, a 12-bit sub-millisecond fraction continued by a counter, and 54 random bits; never more than 1 ms ahead of the clock; strictly increasing per session, or cluster-wide when uuid7 is in shared_preload_libraries';

CREATE OR REPLACE FUNCTION uuid_generate_v7(shift interval) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_generate_v7_shift'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_generate_v7(interval) IS
	'version 7 uuid for the current time moved by shift (PostgreSQL 18 uuidv7(interval) semantics); 22008 outside 1970 to about year 10889';

CREATE OR REPLACE FUNCTION uuid_generate_v6() RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_generate_v6'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_generate_v6() IS
	'RFC 9562 version 6 uuid: 60-bit Gregorian time in 100-ns ticks, random 14-bit clock sequence, random 48-bit node with the multicast bit set; strictly increasing like uuid_generate_v7()';

CREATE OR REPLACE FUNCTION uuid_v7_from_timestamp(ts timestamptz) RETURNS uuid
	AS 'MODULE_PATHNAME', 'uuid_v7_from_timestamp'
	LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7_from_timestamp(timestamptz) IS
	'version 7 uuid carrying the given instant (millisecond and sub-millisecond fraction) and a random tail, for backfills';

CREATE OR REPLACE FUNCTION uuid7_ordering_scope() RETURNS text
	AS 'MODULE_PATHNAME', 'uuid7_ordering_scope'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid7_ordering_scope() IS
	'cluster when uuid7 is preloaded and generated uuids are strictly increasing across all sessions; session otherwise';
