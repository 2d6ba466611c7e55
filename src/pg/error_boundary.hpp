/*
 * error_boundary.hpp — the wall between PostgreSQL errors (ereport longjmps) and C++ exceptions.
 *
 * Two regimes, never mixed in one stack frame:
 *   PG regime:  the SQL-callable shim. Fetches arguments, may ereport, holds no object with a destructor.
 *   C++ regime: a lambda run by CallCpp. May throw anything; CallCpp catches everything, and only after the
 *               catch handler has finished raises the equivalent ereport(ERROR), SQLSTATE mapped by kind.
 * PostgreSQL calls made from the C++ regime go through CallPg, which catches a PostgreSQL error with its own
 * sigsetjmp, copies it and throws it as PgError; CallCpp re-raises it with ReThrowError so its SQLSTATE, detail
 * and hint survive. Put CallPg below every RAII object it protects: their destructors run during the unwind.
 */
#pragma once

#include <exception>
#include <type_traits>

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{

/* A PostgreSQL error caught by CallPg, travelling up the C++ regime as an exception. */
class PgError final : public std::exception
{
public:
	explicit PgError(ErrorData *data) noexcept : data_(data) {}
	ErrorData *data() const noexcept { return data_; }
	const char *what() const noexcept override;

private:
	ErrorData *data_; /* palloc'd in the caller's memory context by CopyErrorData */
};

/* What CallCpp raises once the C++ regime has unwound. Plain data: nothing to destroy when ereport longjmps. */
struct PendingError
{
	ErrorData *pg_error; /* set when the failure was a PostgreSQL error: re-raised unchanged */
	int sqlerrcode;      /* otherwise: the mapped SQLSTATE ... */
	char message[512];   /* ... and the texts, copied out of the exception object */
	char detail[512];
	char hint[256];
};

/* Called inside a catch (...) handler: classifies the in-flight exception into `out`. Never raises. */
void CaptureCurrentException(PendingError &out) noexcept;
/* Raises the captured error as a PostgreSQL ERROR. Call only once no C++ object is live in the calling frames. */
[[noreturn]] void RaisePending(const PendingError &error);
/* Runs call(arg) under a PostgreSQL error handler; returns the copied error, or nullptr when none was raised. */
ErrorData *RunCatchingPgError(void (*call)(void *), void *arg) noexcept;

/* Runs fn in the C++ regime. fn reports results through what it captures. */
template <typename Fn> inline void CallCpp(Fn &&fn)
{
	PendingError pending;
	bool failed = false;
	try
	{
		fn();
	}
	catch (...)
	{
		CaptureCurrentException(pending);
		failed = true;
	}
	/* The exception object is gone here; the longjmp below crosses no destructor. */
	if (failed)
		RaisePending(pending);
}

/* Runs PostgreSQL code from the C++ regime; a PostgreSQL error comes out as a thrown PgError. */
template <typename Fn> inline void CallPg(Fn &&fn)
{
	static_assert(std::is_nothrow_invocable_v<Fn &>,
	              "CallPg runs PostgreSQL code only: declare the lambda noexcept (a C++ throw cannot cross PG_TRY)");
	ErrorData *error = RunCatchingPgError([](void *arg) { (*static_cast<std::remove_reference_t<Fn> *>(arg))(); },
	                                      const_cast<void *>(static_cast<const void *>(&fn)));
	if (error != nullptr)
		throw PgError(error);
}

} // namespace uuid7::pg
