/*
 * error_boundary.cpp — classifying C++ exceptions and raising them as PostgreSQL errors (see error_boundary.hpp).
 */
#include "pg/error_boundary.hpp"

#include "core/error.hpp"

#include <cstdio>
#include <new>
#include <stdexcept>

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{
namespace
{

void CopyText(char *target, std::size_t size, const char *text) noexcept
{
	std::snprintf(target, size, "%s", text != nullptr ? text : "");
}

int SqlStateOf(ErrorKind kind) noexcept
{
	switch (kind)
	{
	case ErrorKind::kInvalidParameter:
		return ERRCODE_INVALID_PARAMETER_VALUE;
	case ErrorKind::kOutOfRange:
		return ERRCODE_DATETIME_VALUE_OUT_OF_RANGE;
	case ErrorKind::kInternal:
		break;
	}
	return ERRCODE_INTERNAL_ERROR;
}

} // namespace

const char *PgError::what() const noexcept
{
	return data_ != nullptr && data_->message != nullptr ? data_->message : "PostgreSQL error";
}

void CaptureCurrentException(PendingError &out) noexcept
{
	out = PendingError{};
	out.sqlerrcode = ERRCODE_INTERNAL_ERROR;
	try
	{
		throw;
	}
	catch (const PgError &e)
	{
		out.pg_error = e.data();
	}
	catch (const Error &e)
	{
		out.sqlerrcode = SqlStateOf(e.kind());
		CopyText(out.message, sizeof out.message, e.what());
		CopyText(out.detail, sizeof out.detail, e.detail().c_str());
		CopyText(out.hint, sizeof out.hint, e.hint().c_str());
	}
	catch (const std::bad_alloc &)
	{
		out.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
		CopyText(out.message, sizeof out.message, "out of memory");
	}
	catch (const std::exception &e)
	{
		CopyText(out.message, sizeof out.message, "unexpected C++ exception");
		CopyText(out.detail, sizeof out.detail, e.what());
	}
	catch (...)
	{
		CopyText(out.message, sizeof out.message, "unexpected C++ exception of unknown type");
	}
}

void RaisePending(const PendingError &error)
{
	if (error.pg_error != nullptr)
		ReThrowError(error.pg_error);
	ereport(ERROR, (errcode(error.sqlerrcode), errmsg_internal("%s", error.message),
	                error.detail[0] ? errdetail_internal("%s", error.detail) : 0,
	                error.hint[0] ? errhint("%s", error.hint) : 0));
	pg_unreachable();
}

ErrorData *RunCatchingPgError(void (*call)(void *), void *arg) noexcept
{
	MemoryContext caller_context = CurrentMemoryContext;
	ErrorData *volatile caught = nullptr;
	PG_TRY();
	{
		call(arg);
	}
	PG_CATCH();
	{
		/* CopyErrorData must not allocate in ErrorContext, which FlushErrorState resets. */
		MemoryContextSwitchTo(caller_context);
		caught = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	return caught;
}

} // namespace uuid7::pg
