/*
 * pg_compat.hpp — every difference between the PostgreSQL majors uuid7 supports (15 to 19) that the C++ sees, one
 * helper per topic. Nothing else in src/pg tests PG_VERSION_NUM.
 */
#pragma once

#include "pg/postgres_headers.hpp"

extern "C"
{
#include "access/tableam.h"
#include "nodes/nodeFuncs.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
}

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 200000
#error "uuid7 supports PostgreSQL 15 to 19"
#endif

/* The varlena macros (VARDATA_ANY, VARSIZE_ANY_EXHDR) moved from postgres.h to varatt.h in 16. */
#if PG_VERSION_NUM >= 160000
extern "C"
{
#include "varatt.h"
}
#endif

/*
 * A module's magic block, named and versioned where the server has PG_MODULE_MAGIC_EXT (18 on). There the bare
 * PG_MODULE_MAGIC leaves the name and version fields to default, which -Wextra reports in C++.
 */
#ifdef PG_MODULE_MAGIC_EXT
#define UUID7_MODULE_MAGIC(module_name, module_version)                                                                \
	PG_MODULE_MAGIC_EXT(.name = module_name, .version = module_version)
#else
#define UUID7_MODULE_MAGIC(module_name, module_version) PG_MODULE_MAGIC
#endif

/* fmgr.h declares _PG_init from PostgreSQL 16 on; module.cpp places this inside its extern "C" block. */
#if PG_VERSION_NUM < 160000
#define UUID7_DECLARE_PG_INIT void _PG_init(void);
#else
#define UUID7_DECLARE_PG_INIT
#endif

namespace uuid7::pg
{

/* The local transaction id of this backend's top-level transaction: PGPROC keeps it in vxid from 17 on. */
inline LocalTransactionId CurrentLocalXid()
{
#if PG_VERSION_NUM >= 170000
	return MyProc->vxid.lxid;
#else
	return MyProc->lxid;
#endif
}

/* A plain sequential scan of rel under snapshot; table_beginscan takes scan flags from 19 on. */
inline TableScanDesc BeginSeqScan(Relation rel, Snapshot snapshot)
{
#if PG_VERSION_NUM >= 190000
	return table_beginscan(rel, snapshot, 0, nullptr, SO_NONE);
#else
	return table_beginscan(rel, snapshot, 0, nullptr);
#endif
}

/* Run a portal to completion; 18 dropped PortalRun's run_once argument. */
inline bool RunPortal(Portal portal, DestReceiver *dest, QueryCompletion *qc)
{
#if PG_VERSION_NUM >= 180000
	return PortalRun(portal, FETCH_ALL, true, dest, dest, qc);
#else
	return PortalRun(portal, FETCH_ALL, true, true, dest, dest, qc);
#endif
}

/* The expression a Var of a grouping range table entry stands for (18 on: Vars above GROUP BY point at an RTE_GROUP
 * entry whose groupexprs are the grouped expressions); nullptr for any other entry, and before 18. */
inline Node *GroupedExpression(const RangeTblEntry *rte, AttrNumber attno)
{
#if PG_VERSION_NUM >= 180000
	if (rte->rtekind == RTE_GROUP && attno >= 1 && attno <= list_length(rte->groupexprs))
		return static_cast<Node *>(list_nth(rte->groupexprs, attno - 1));
#endif
	return nullptr;
}

/* The walkers of a node tree: analysed expressions, queries and raw parse trees. Up to 15 the walker's type is the
 * unprototyped bool (*)(); it is cast through void (*)(void), the one function pointer type GCC lets any other be
 * cast to without a warning. */
using TreeWalker = bool (*)(Node *node, void *context);

inline bool WalkExpression(Node *node, TreeWalker walker, void *context)
{
#if PG_VERSION_NUM >= 160000
	return expression_tree_walker(node, walker, context);
#else
	return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(walker)), context);
#endif
}

inline bool WalkQuery(Query *query, TreeWalker walker, void *context, int flags)
{
#if PG_VERSION_NUM >= 160000
	return query_tree_walker(query, walker, context, flags);
#else
	return query_tree_walker(query, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(walker)), context, flags);
#endif
}

inline bool WalkRawTree(Node *node, TreeWalker walker, void *context)
{
#if PG_VERSION_NUM >= 160000
	return raw_expression_tree_walker(node, walker, context);
#else
	return raw_expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(walker)),
	                                  context);
#endif
}

} // namespace uuid7::pg
