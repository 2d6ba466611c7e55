# uuid7: PGXS build of a C++17 extension.
#
#   make && make install            build and install against the pg_config on PATH (or PG_CONFIG=...)
#   make installcheck               pg_regress against a running server (see test/run_all.sh)
#   make unittest                   GoogleTest unit tests of src/core, no server needed
#   make WERROR=1 ...               warnings are errors (the test command uses this)
#   make format                     clang-format the C++ tree

EXTENSION = uuid7
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

CORE_SRCS = $(sort $(wildcard src/core/*.cpp))
PG_SRCS = $(sort $(wildcard src/pg/*.cpp))

MODULE_big = uuid7
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# ---- SQL: the engine's source is src/sql/<topic>.sql, each object defined once; PostgreSQL runs scripts built from it.
# Install order matters where one object needs another at creation: tables before the SQL functions and the view
# that read them. state_tables.sql (CREATE TABLE) is in the install only; an upgrade alters the tables in its
# hand-written part, src/sql/upgrade/PREVIOUS--CURRENT.sql, and then replays every other topic file.
SQL_TOPICS = common generators inspect compat state_tables state_policies state_writes migrate_lookup migrate_derive migrate_rehearsal migrate_partitioned migrate_references migrate_discovery migrate_keep migrate_plan migrate_offline \
	online_settings online_refusals online_worker online_ddl online_sync online_step online_phases online_start online_swap online_guard online_status audit
SQL_INSTALL_ONLY = state_tables
# The last released version: the built upgrade script starts there. Older releases reach it through the frozen scripts.
PREVIOUS_VERSION = 1.6
SQL_TOPIC_FILES = $(patsubst %,src/sql/%.sql,$(SQL_TOPICS))
SQL_UPGRADE_FILES = $(patsubst %,src/sql/%.sql,$(filter-out $(SQL_INSTALL_ONLY),$(SQL_TOPICS)))
SQL_HANDWRITTEN = src/sql/upgrade/$(PREVIOUS_VERSION)--$(EXTVERSION).sql
BUILT_INSTALL_SQL = $(EXTENSION)--$(EXTVERSION).sql
BUILT_UPGRADE_SQL = $(EXTENSION)--$(PREVIOUS_VERSION)--$(EXTVERSION).sql

# Released scripts that users may still pass through: byte-identical forever, never edited.
DATA = $(sort $(wildcard src/sql/frozen/$(EXTENSION)--*.sql))
DATA_built = $(BUILT_INSTALL_SQL) $(BUILT_UPGRADE_SQL)
# Every file in sql/ is a pg_regress input (one topic per file).
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=.

include src/cxx.mk
PG_CPPFLAGS = -Isrc -DUUID7_VERSION=\"$(EXTVERSION)\"

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(BUILT_INSTALL_SQL): src/sql/build.sh $(SQL_TOPIC_FILES) $(EXTENSION).control
	sh src/sql/build.sh install $(EXTVERSION) $@ $(SQL_TOPIC_FILES)
$(BUILT_UPGRADE_SQL): src/sql/build.sh $(SQL_HANDWRITTEN) $(SQL_UPGRADE_FILES) $(EXTENSION).control
	sh src/sql/build.sh upgrade $(PREVIOUS_VERSION) $(EXTVERSION) $@ $(SQL_HANDWRITTEN) $(SQL_UPGRADE_FILES)

# src/core never sees the server headers: it is built without their include path, so including one fails the build.
CORE_CXXFLAGS = -std=c++17 -O2 -g -fPIC $(WARNINGS) -Isrc
src/core/%.o: src/core/%.cpp
	$(CXX) $(CORE_CXXFLAGS) -c -o $@ $<

# Every object depends on every header: the tree is small, and stale objects are worse than a full rebuild.
HEADERS_ALL = $(wildcard src/core/*.hpp src/pg/*.hpp)
$(OBJS): $(HEADERS_ALL)

UNIT_BIN = test/unit/unit_tests
UNIT_SRCS = $(sort $(wildcard test/unit/*.cpp))
$(UNIT_BIN): $(UNIT_SRCS) $(CORE_SRCS) $(wildcard src/core/*.hpp)
	$(CXX) -std=c++17 -O1 -g $(WARNINGS) -Isrc -o $@ $(UNIT_SRCS) $(CORE_SRCS) -lgtest -lgtest_main -pthread

.PHONY: unittest format
unittest: $(UNIT_BIN)
	./$(UNIT_BIN)

format:
	clang-format -i src/core/*.cpp src/core/*.hpp src/pg/*.cpp src/pg/*.hpp test/unit/*.cpp test/boundary/*.cpp

EXTRA_CLEAN = $(UNIT_BIN)

# ---- PGXN release archive ------------------------------------------------------------------------------------
#   make dist [DISTDIR=dir]         uuid7-X.Y.Z.zip of the committed HEAD, every file under uuid7-X.Y.Z/ (what PGXN takes)
# X.Y.Z is default_version made three-part: PGXN versions are SemVer, and META.json's "version" must equal it
# (test/packaging/pgxn.sh checks both).
DISTVERSION = $(if $(word 3,$(subst ., ,$(EXTVERSION))),$(EXTVERSION),$(EXTVERSION).0)
DISTDIR ?= .
.PHONY: dist
dist:
	git archive --format zip --prefix=$(EXTENSION)-$(DISTVERSION)/ --output $(DISTDIR)/$(EXTENSION)-$(DISTVERSION).zip HEAD

# for test/extension/sql_sources.sh: the topic files the scripts are built from
.PHONY: print-sql-topics
print-sql-topics:
	@echo $(SQL_TOPICS)
