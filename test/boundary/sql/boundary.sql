-- The C/C++ error boundary: PostgreSQL errors raised inside C++ keep their SQLSTATE and unwind C++ objects;
-- C++ exceptions become clean ERRORs with mapped SQLSTATEs; the backend survives every one of them.
CREATE FUNCTION uuid7_probe_pg_error() RETURNS void AS '$libdir/uuid7_boundary_probe' LANGUAGE C STRICT;
CREATE FUNCTION uuid7_probe_destructor_runs() RETURNS integer AS '$libdir/uuid7_boundary_probe' LANGUAGE C STRICT;
CREATE FUNCTION uuid7_probe_throw(text) RETURNS void AS '$libdir/uuid7_boundary_probe' LANGUAGE C STRICT;

SELECT pg_backend_pid() AS backend_pid \gset

\set VERBOSITY sqlstate
SELECT uuid7_probe_pg_error();
SELECT uuid7_probe_throw('runtime');
SELECT uuid7_probe_throw('bad_alloc');
SELECT uuid7_probe_throw('invalid');
SELECT uuid7_probe_throw('range');
SELECT uuid7_probe_throw('int');
\set VERBOSITY default
-- the original PostgreSQL message survives; C++ messages are carried over
SELECT uuid7_probe_pg_error();
SELECT uuid7_probe_throw('invalid');
SELECT uuid7_probe_throw('runtime');
SELECT uuid7_probe_throw('int');

-- every probe unwound its RAII object (10 errors above), the session and its backend are intact
SELECT uuid7_probe_destructor_runs() AS destructor_runs, pg_backend_pid() = :backend_pid AS same_backend;
-- a subtransaction catches a re-raised PostgreSQL error like any other
DO $$
BEGIN
	PERFORM uuid7_probe_pg_error();
EXCEPTION WHEN invalid_text_representation THEN
	RAISE NOTICE 'caught %', SQLSTATE;
END
$$;
SELECT uuid7_probe_throw('none') AS no_error;

DROP FUNCTION uuid7_probe_pg_error(), uuid7_probe_destructor_runs(), uuid7_probe_throw(text);
