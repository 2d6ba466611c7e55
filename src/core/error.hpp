/*
 * error.hpp — the one exception type src/core throws.
 *
 * Core code knows nothing of SQLSTATEs; it says what kind of failure happened and the PostgreSQL boundary
 * (src/pg/error_boundary) maps the kind onto a SQLSTATE.
 */
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace uuid7
{

enum class ErrorKind
{
	kInvalidParameter, /* the caller passed a value the function cannot take (SQLSTATE 22023) */
	kOutOfRange,       /* a time outside what the layout can hold (SQLSTATE 22008) */
	kInternal          /* a broken invariant (SQLSTATE XX000) */
};

class Error : public std::runtime_error
{
public:
	Error(ErrorKind kind, const std::string &message, std::string detail = std::string(),
	      std::string hint = std::string())
	    : std::runtime_error(message), kind_(kind), detail_(std::move(detail)), hint_(std::move(hint))
	{
	}

	ErrorKind kind() const noexcept { return kind_; }
	const std::string &detail() const noexcept { return detail_; }
	const std::string &hint() const noexcept { return hint_; }

private:
	ErrorKind kind_;
	std::string detail_;
	std::string hint_;
};

} // namespace uuid7
