/*
 * boundary_probe.cpp — SQL-callable probes that push errors across the C/C++ boundary in both directions.
 *
 *   uuid7_probe_pg_error()        a PostgreSQL error (int4in on bad text, 22P02) raised inside the C++ regime,
 *                                 below a live RAII object: the SQLSTATE must survive and the destructor must run
 *   uuid7_probe_destructor_runs() how many probe RAII objects have been destroyed in this backend
 *   uuid7_probe_throw(kind text)  a C++ exception of the given kind thrown in the C++ regime
 */
#include "core/error.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "pg/error_boundary.hpp"
#include "pg/pg_compat.hpp"

namespace
{

int destructor_runs = 0;

/* Stands for any resource a C++ frame holds (memory, a lock guard): its destructor must run on every error. */
class ProbeGuard
{
public:
	ProbeGuard() : payload_(1024, 'x') {}
	~ProbeGuard() { destructor_runs++; }

private:
	std::vector<char> payload_;
};

} // namespace

extern "C"
{

	UUID7_MODULE_MAGIC("uuid7_boundary_probe", "test");

	PG_FUNCTION_INFO_V1(uuid7_probe_pg_error);
	PG_FUNCTION_INFO_V1(uuid7_probe_destructor_runs);
	PG_FUNCTION_INFO_V1(uuid7_probe_throw);

	/* uuid7_probe_pg_error() RETURNS void */
	Datum uuid7_probe_pg_error(PG_FUNCTION_ARGS)
	{
		uuid7::pg::CallCpp(
		    []
		    {
			    ProbeGuard guard;
			    std::string label = "int4 parse";
			    uuid7::pg::CallPg([]() noexcept { DirectFunctionCall1(int4in, CStringGetDatum("not a number")); });
			    label += " unreachable";
		    });
		PG_RETURN_VOID();
	}

	/* uuid7_probe_destructor_runs() RETURNS integer */
	Datum uuid7_probe_destructor_runs(PG_FUNCTION_ARGS)
	{
		PG_RETURN_INT32(destructor_runs);
	}

	/* uuid7_probe_throw(kind text) RETURNS void */
	Datum uuid7_probe_throw(PG_FUNCTION_ARGS)
	{
		const char *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
		uuid7::pg::CallCpp(
		    [kind]
		    {
			    ProbeGuard guard;
			    const std::string k(kind);
			    if (k == "runtime")
				    throw std::runtime_error("probe: runtime failure");
			    if (k == "bad_alloc")
				    throw std::bad_alloc();
			    if (k == "invalid")
				    throw uuid7::Error(uuid7::ErrorKind::kInvalidParameter, "probe: invalid parameter", "probe detail",
				                       "probe hint");
			    if (k == "range")
				    throw uuid7::Error(uuid7::ErrorKind::kOutOfRange, "probe: out of range");
			    if (k == "int")
				    throw 42;
		    });
		PG_RETURN_VOID();
	}

} // extern "C"
