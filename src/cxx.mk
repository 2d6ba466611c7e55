# src/cxx.mk — C++ settings for a PGXS module; included by the Makefiles of uuid7 and of its test modules
# before they include PGXS.

WARNINGS = -Wall -Wextra $(if $(WERROR),-Werror)
# PG_FUNCTION_ARGS declares fcinfo in every shim, used or not; the server's x86 atomics header uses `register`.
PG_CXXFLAGS = -std=c++17 $(WARNINGS) -Wno-unused-parameter -Wno-register
# PGXS links with $(CC): record libstdc++ explicitly so the module does not depend on the server loading it.
SHLIB_LINK += -lstdc++

# No LLVM bitcode: the JIT would gain nothing from inlining these functions, and it would add a clang dependency.
override with_llvm = no
