/*
 * postgres_headers.hpp — the PostgreSQL headers every shim needs, with C linkage.
 *
 * Include this after every C++ standard header: the server's port.h and c.h define macros (snprintf, Max, _, ...)
 * that would otherwise rewrite names inside the C++ library headers.
 */
#pragma once

extern "C"
{
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}
