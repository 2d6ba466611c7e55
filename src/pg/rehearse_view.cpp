/*
 * rehearse_view.cpp — a view's query, printed as if the relations it reads were others:
 *
 *   uuid7_rehearsal_view_query(view oid, relations oid[], stand_ins oid[]) RETURNS text
 *
 * The migration plan rehearses the recreation of every view it must drop: against empty stand-ins of the altered
 * tables (the same columns, the converted ones already uuid) and of the views recreated before, it creates each view
 * again from the text this function prints, and whatever error that raises (42846, 42883, ...) is the one the real
 * migration would raise after rewriting every table. The view's stored query tree is copied, every range table
 * entry that reads relations[i] is pointed at stand_ins[i], and the tree is printed as pg_get_viewdef() prints it:
 * the same text the migration will run, but for the relation names. A stand-in given as 0 (one that could not be
 * made: its own view failed) gives NULL. The view's own entries (OLD and NEW up to 15) are left alone.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include "pg/pg_compat.hpp"

extern "C"
{
#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "rewrite/prs2lock.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

namespace
{

struct RelationSwap
{
	Oid view;
	int count;
	Oid *from;
	Oid *to;
	bool reads_missing; /* a relation whose stand-in is 0 */
};

bool SwapRelations(Node *node, void *context)
{
	if (node == nullptr)
		return false;
	auto *swap = static_cast<RelationSwap *>(context);
	if (IsA(node, RangeTblEntry))
	{
		auto *rte = reinterpret_cast<RangeTblEntry *>(node);
		if (rte->rtekind == RTE_RELATION && rte->relid != swap->view)
			for (int i = 0; i < swap->count; i++)
				if (rte->relid == swap->from[i])
				{
					if (swap->to[i] == InvalidOid)
						swap->reads_missing = true;
					else
					{
						rte->relid = swap->to[i];
						rte->relkind = get_rel_relkind(swap->to[i]);
					}
					break;
				}
		return false;
	}
	if (IsA(node, Query))
		return uuid7::pg::WalkQuery(reinterpret_cast<Query *>(node), SwapRelations, context, QTW_EXAMINE_RTES_BEFORE);
	return uuid7::pg::WalkExpression(node, SwapRelations, context);
}

/* The elements of an oid[] argument; NULL elements are refused. */
Oid *OidsOf(ArrayType *array, int *count)
{
	Datum *values = nullptr;
	bool *nulls = nullptr;
	deconstruct_array(array, OIDOID, sizeof(Oid), true, TYPALIGN_INT, &values, &nulls, count);
	Oid *oids = static_cast<Oid *>(palloc(sizeof(Oid) * (*count + 1)));
	for (int i = 0; i < *count; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("relation OIDs must not be NULL")));
		oids[i] = DatumGetObjectId(values[i]);
	}
	return oids;
}

/* The number of columns of a relation, dropped ones included; -1 when there is no such relation. */
int AttributeCountOf(Oid rel)
{
	HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	if (!HeapTupleIsValid(tuple))
		return -1;
	const int count = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relnatts;
	ReleaseSysCache(tuple);
	return count;
}

/* A copy of the view's (or materialized view's) stored query: the action of its ON SELECT rule. */
Query *StoredQueryOf(Oid view)
{
	Relation rel = try_relation_open(view, AccessShareLock);
	if (rel == nullptr)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation with OID %u does not exist", view)));
	if (rel->rd_rel->relkind != RELKIND_VIEW && rel->rd_rel->relkind != RELKIND_MATVIEW)
	{
		const char *name = pstrdup(RelationGetRelationName(rel));
		relation_close(rel, AccessShareLock);
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE), errmsg("\"%s\" is not a view", name)));
	}
	Query *query = nullptr;
	for (int i = 0; rel->rd_rules != nullptr && i < rel->rd_rules->numLocks; i++)
	{
		const RewriteRule *rule = rel->rd_rules->rules[i];
		if (rule->event == CMD_SELECT && list_length(rule->actions) == 1)
			query = static_cast<Query *>(copyObjectImpl(linitial(rule->actions)));
	}
	relation_close(rel, AccessShareLock);
	if (query == nullptr)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("view with OID %u has no ON SELECT rule", view)));
	return query;
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_rehearsal_view_query);

	/* uuid7_rehearsal_view_query(view oid, relations oid[], stand_ins oid[]) RETURNS text */
	Datum uuid7_rehearsal_view_query(PG_FUNCTION_ARGS)
	{
		RelationSwap swap = {PG_GETARG_OID(0), 0, nullptr, nullptr, false};
		int stand_in_count = 0;
		swap.from = OidsOf(PG_GETARG_ARRAYTYPE_P(1), &swap.count);
		swap.to = OidsOf(PG_GETARG_ARRAYTYPE_P(2), &stand_in_count);
		if (stand_in_count != swap.count)
			ereport(ERROR,
			        (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("relations and stand_ins differ in length")));

		/* The printer reads a stand-in's columns by number: only this session's own temporary tables and views with
		 * as many columns as the relation they stand for (dropped ones included) are taken. */
		for (int i = 0; i < swap.count; i++)
		{
			const Oid stand_in = swap.to[i];
			if (stand_in == InvalidOid)
				continue;
			const char kind = get_rel_relkind(stand_in);
			if ((kind != RELKIND_RELATION && kind != RELKIND_VIEW) || !isTempNamespace(get_rel_namespace(stand_in)) ||
			    AttributeCountOf(stand_in) != AttributeCountOf(swap.from[i]))
				ereport(
				    ERROR,
				    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				     errmsg("relation with OID %u cannot stand in for relation with OID %u", stand_in, swap.from[i]),
				     errdetail("A stand-in is a temporary table or view of this session with as many columns "
				               "as the relation it stands for.")));
		}

		Query *query = StoredQueryOf(swap.view);
		SwapRelations(reinterpret_cast<Node *>(query), &swap);
		if (swap.reads_missing)
			PG_RETURN_NULL();
		/* pretty = false: the indentation-only flags pg_get_viewdef(oid) uses */
		PG_RETURN_TEXT_P(cstring_to_text(pg_get_querydef(query, false)));
	}
}
