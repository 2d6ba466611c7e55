/*
 * rehearse_view.cpp — a view's query, printed as if the relations it reads were others:
 *
 *   uuid7_rehearsal_view_query(view oid, relations oid[], stand_ins oid[]) RETURNS text[]
 *       [1] the query over the stand-ins (what the rehearsal creates), [2] the same query over the relations
 *       themselves (what the migration creates once the tables are altered), [3...] one line per constant retyped
 *
 * The migration plan rehearses the recreation of every view it must drop: against empty stand-ins of the altered
 * tables (the same columns, the converted ones already uuid) and of the views recreated before, it creates each view
 * again from the text this function prints, and whatever error that raises (42846, 42883, ...) is the one the real
 * migration would raise after rewriting every table. The view's stored query tree is copied, every range table
 * entry that reads relations[i] is pointed at stand_ins[i], and the tree is printed as pg_get_viewdef() prints it:
 * the same text the migration will run, but for the relation names. A stand-in given as 0 (one that could not be
 * made: its own view failed) gives NULL. The view's own entries (OLD and NEW up to 15) are left alone.
 *
 * Translation. A NULL (NULL::bigint) or an empty array ('{}'::bigint[]) of an integer type that stands in the place
 * of the key is retyped to uuid (NULL::uuid, '{}'::uuid[]): a column of a UNION / INTERSECT / EXCEPT branch whose
 * other branch gives the key, an argument of COALESCE, CASE (a result), GREATEST / LEAST or ARRAY[...] beside the
 * key. Whether an expression "gives the key" is read from the stand-ins: a column of a stand-in that is uuid where
 * the query still reads an integer (or uuid[] where it reads an integer array) is the key, and the key passes
 * through subqueries, joins, CTEs, COALESCE and the like, scalar sublinks and aggregates returning their argument's
 * type or an array of it (array_agg). Nothing else is retyped: a NULL::bigint beside no key (SELECT NULL::bigint AS
 * spare) keeps its type, and a constant that is neither NULL nor empty (0, '{1}') is never translated, so the
 * rehearsal fails on it and the plan refuses the view. Both texts are printed from the same translated tree.
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
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parsetree.h"
#include "rewrite/prs2lock.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/builtins.h"
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

/* The view's own column names on the query's output columns (and on those of the first branch of a set operation,
 * which names them): a column renamed with ALTER VIEW ... RENAME COLUMN keeps its name when the text is run again,
 * as pg_get_viewdef() prints it. */
void NameOutputColumns(Query *query, TupleDesc desc)
{
	while (query != nullptr)
	{
		ListCell *lc;
		foreach (lc, query->targetList)
		{
			auto *tle = static_cast<TargetEntry *>(lfirst(lc));
			if (!tle->resjunk && tle->resno >= 1 && tle->resno <= desc->natts &&
			    !TupleDescAttr(desc, tle->resno - 1)->attisdropped)
				tle->resname = pstrdup(NameStr(TupleDescAttr(desc, tle->resno - 1)->attname));
		}
		Node *setop = query->setOperations;
		while (setop != nullptr && IsA(setop, SetOperationStmt))
			setop = reinterpret_cast<SetOperationStmt *>(setop)->larg;
		if (setop == nullptr || !IsA(setop, RangeTblRef))
			return;
		const RangeTblEntry *rte = rt_fetch(reinterpret_cast<RangeTblRef *>(setop)->rtindex, query->rtable);
		query = rte->rtekind == RTE_SUBQUERY ? rte->subquery : nullptr;
	}
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
	if (query != nullptr)
		NameOutputColumns(query, RelationGetDescr(rel));
	relation_close(rel, AccessShareLock);
	if (query == nullptr)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("view with OID %u has no ON SELECT rule", view)));
	return query;
}

/* ---- translation of the constants beside the key -------------------------------------------------------- */

enum KeyKind
{
	kNoKey = 0,
	kKey = 1,      /* the key: an integer that becomes uuid */
	kKeyArray = 2, /* an array of keys: an integer array that becomes uuid[] */
};

constexpr int kMaxDepth = 64; /* recursive CTEs and deep view stacks: give up (no translation) past this */

struct Translation
{
	List *levels; /* the queries from the outermost to the current one (varlevelsup counts back from the end) */
	List *notes;  /* char *: one line per distinct retyping */
	int depth;
};

bool IsIntegerType(Oid type)
{
	return type == INT2OID || type == INT4OID || type == INT8OID;
}

bool IsIntegerArrayType(Oid type)
{
	return type == INT2ARRAYOID || type == INT4ARRAYOID || type == INT8ARRAYOID;
}

/* The queries up to and including level (0: the outermost), as a new list. */
List *LevelsUpTo(List *levels, int level)
{
	List *copy = NIL;
	for (int i = 0; i <= level && i < list_length(levels); i++)
		copy = lappend(copy, list_nth(levels, i));
	return copy;
}

KeyKind KindOf(Node *node, List *levels, int depth);

/* The kind of column resno of query (a set operation: of any of its branches), evaluated one level below levels. */
KeyKind ColumnKindOf(Query *query, AttrNumber resno, List *levels, int depth);

KeyKind SetOpColumnKind(Query *owner, Node *setop, AttrNumber resno, List *levels, int depth)
{
	if (setop == nullptr)
		return kNoKey;
	if (IsA(setop, RangeTblRef))
	{
		const RangeTblEntry *rte = rt_fetch(reinterpret_cast<RangeTblRef *>(setop)->rtindex, owner->rtable);
		if (rte->rtekind != RTE_SUBQUERY || rte->subquery == nullptr)
			return kNoKey;
		return ColumnKindOf(rte->subquery, resno, lappend(list_copy(levels), owner), depth + 1);
	}
	if (IsA(setop, SetOperationStmt))
	{
		auto *op = reinterpret_cast<SetOperationStmt *>(setop);
		const KeyKind left = SetOpColumnKind(owner, op->larg, resno, levels, depth + 1);
		return left != kNoKey ? left : SetOpColumnKind(owner, op->rarg, resno, levels, depth + 1);
	}
	return kNoKey;
}

KeyKind ColumnKindOf(Query *query, AttrNumber resno, List *levels, int depth)
{
	if (depth > kMaxDepth || query == nullptr)
		return kNoKey;
	if (query->setOperations != nullptr)
		return SetOpColumnKind(query, query->setOperations, resno, levels, depth + 1);
	const TargetEntry *tle = get_tle_by_resno(query->targetList, resno);
	if (tle == nullptr)
		return kNoKey;
	return KindOf(reinterpret_cast<Node *>(tle->expr), lappend(list_copy(levels), query), depth + 1);
}

KeyKind KindOfVar(const Var *var, List *levels, int depth)
{
	const int level = list_length(levels) - 1 - static_cast<int>(var->varlevelsup);
	if (level < 0 || var->varattno <= 0)
		return kNoKey;
	Query *query = static_cast<Query *>(list_nth(levels, level));
	if (var->varno < 1 || static_cast<int>(var->varno) > list_length(query->rtable))
		return kNoKey;
	const RangeTblEntry *rte = rt_fetch(var->varno, query->rtable);
	switch (rte->rtekind)
	{
	case RTE_RELATION:
	{
		/* a stand-in's column is of the type the migration gives it */
		const Oid now = get_atttype(rte->relid, var->varattno);
		if (now == UUIDOID && IsIntegerType(var->vartype))
			return kKey;
		if (now == UUIDARRAYOID && IsIntegerArrayType(var->vartype))
			return kKeyArray;
		return kNoKey;
	}
	case RTE_SUBQUERY:
		return ColumnKindOf(rte->subquery, var->varattno, LevelsUpTo(levels, level), depth + 1);
	case RTE_JOIN:
		if (var->varattno > list_length(rte->joinaliasvars))
			return kNoKey;
		return KindOf(static_cast<Node *>(list_nth(rte->joinaliasvars, var->varattno - 1)), LevelsUpTo(levels, level),
		              depth + 1);
	case RTE_CTE:
	{
		const int owner_level = level - static_cast<int>(rte->ctelevelsup);
		if (owner_level < 0)
			return kNoKey;
		Query *owner = static_cast<Query *>(list_nth(levels, owner_level));
		ListCell *lc;
		foreach (lc, owner->cteList)
		{
			auto *cte = static_cast<CommonTableExpr *>(lfirst(lc));
			if (strcmp(cte->ctename, rte->ctename) == 0 && cte->ctequery != nullptr && IsA(cte->ctequery, Query))
				return ColumnKindOf(reinterpret_cast<Query *>(cte->ctequery), var->varattno,
				                    LevelsUpTo(levels, owner_level), depth + 1);
		}
		return kNoKey;
	}
	default:
	{
		/* 18 on: a Var above GROUP BY stands for a grouped expression of the same level */
		Node *grouped = uuid7::pg::GroupedExpression(rte, var->varattno);
		return grouped == nullptr ? kNoKey : KindOf(grouped, LevelsUpTo(levels, level), depth + 1);
	}
	}
}

/* The kind of the first argument of an aggregate or function, passed on when the result is of its type (min, max,
 * coalesce-like functions) or an array of it (array_agg). */
KeyKind KindThroughCall(List *args, Oid result, List *levels, int depth)
{
	if (args == NIL)
		return kNoKey;
	Node *first = static_cast<Node *>(linitial(args));
	if (first != nullptr && IsA(first, TargetEntry))
		first = reinterpret_cast<Node *>(reinterpret_cast<TargetEntry *>(first)->expr);
	const KeyKind kind = KindOf(first, levels, depth + 1);
	if (kind == kNoKey)
		return kNoKey;
	const Oid arg_type = exprType(first);
	if (result == arg_type)
		return kind;
	if (kind == kKey && get_element_type(result) == arg_type)
		return kKeyArray;
	return kNoKey;
}

KeyKind AnyKindOf(List *nodes, List *levels, int depth)
{
	ListCell *lc;
	foreach (lc, nodes)
	{
		const KeyKind kind = KindOf(static_cast<Node *>(lfirst(lc)), levels, depth + 1);
		if (kind != kNoKey)
			return kind;
	}
	return kNoKey;
}

KeyKind KindOf(Node *node, List *levels, int depth)
{
	if (node == nullptr || depth > kMaxDepth)
		return kNoKey;
	switch (nodeTag(node))
	{
	case T_Var:
		return KindOfVar(reinterpret_cast<Var *>(node), levels, depth);
	case T_RelabelType:
		return KindOf(reinterpret_cast<Node *>(reinterpret_cast<RelabelType *>(node)->arg), levels, depth + 1);
	case T_CoalesceExpr:
		return AnyKindOf(reinterpret_cast<CoalesceExpr *>(node)->args, levels, depth);
	case T_MinMaxExpr:
		return AnyKindOf(reinterpret_cast<MinMaxExpr *>(node)->args, levels, depth);
	case T_CaseExpr:
	{
		auto *expr = reinterpret_cast<CaseExpr *>(node);
		ListCell *lc;
		foreach (lc, expr->args)
		{
			const KeyKind kind =
			    KindOf(reinterpret_cast<Node *>(static_cast<CaseWhen *>(lfirst(lc))->result), levels, depth + 1);
			if (kind != kNoKey)
				return kind;
		}
		return KindOf(reinterpret_cast<Node *>(expr->defresult), levels, depth + 1);
	}
	case T_ArrayExpr:
		return AnyKindOf(reinterpret_cast<ArrayExpr *>(node)->elements, levels, depth) == kKey ? kKeyArray : kNoKey;
	case T_SubLink:
	{
		auto *sublink = reinterpret_cast<SubLink *>(node);
		if ((sublink->subLinkType != EXPR_SUBLINK && sublink->subLinkType != ARRAY_SUBLINK) ||
		    sublink->subselect == nullptr || !IsA(sublink->subselect, Query))
			return kNoKey;
		const KeyKind kind = ColumnKindOf(reinterpret_cast<Query *>(sublink->subselect), 1, levels, depth + 1);
		if (sublink->subLinkType == EXPR_SUBLINK)
			return kind;
		return kind == kKey ? kKeyArray : kNoKey;
	}
	case T_Aggref:
	{
		auto *agg = reinterpret_cast<Aggref *>(node);
		return KindThroughCall(agg->args, agg->aggtype, levels, depth);
	}
	case T_FuncExpr:
	{
		auto *func = reinterpret_cast<FuncExpr *>(node);
		return KindThroughCall(func->args, func->funcresulttype, levels, depth);
	}
	default:
		return kNoKey;
	}
}

/* The constant under casts (implicit or explicit), or nullptr. */
const Const *ConstantUnderCasts(Node *node)
{
	for (;;)
	{
		if (node == nullptr)
			return nullptr;
		if (IsA(node, Const))
			return reinterpret_cast<Const *>(node);
		if (IsA(node, RelabelType))
			node = reinterpret_cast<Node *>(reinterpret_cast<RelabelType *>(node)->arg);
		else if (IsA(node, CoerceViaIO))
			node = reinterpret_cast<Node *>(reinterpret_cast<CoerceViaIO *>(node)->arg);
		else if (IsA(node, ArrayCoerceExpr))
			node = reinterpret_cast<Node *>(reinterpret_cast<ArrayCoerceExpr *>(node)->arg);
		else if (IsA(node, FuncExpr) && (reinterpret_cast<FuncExpr *>(node)->funcformat == COERCE_IMPLICIT_CAST ||
		                                 reinterpret_cast<FuncExpr *>(node)->funcformat == COERCE_EXPLICIT_CAST))
			node = static_cast<Node *>(linitial(reinterpret_cast<FuncExpr *>(node)->args));
		else
			return nullptr;
	}
}

/* The uuid constant that replaces node beside a key of this kind: NULL::uuid for a NULL of an integer type,
 * NULL::uuid[] or '{}'::uuid[] for a NULL or an empty array of an integer array type; nullptr for anything else. */
Node *TranslatedConstant(Node *node, KeyKind kind, Translation *translation, const char *where)
{
	const Const *constant = ConstantUnderCasts(node);
	if (constant == nullptr)
		return nullptr;
	const Oid type = exprType(node);
	Node *replacement = nullptr;
	const char *was = nullptr;
	const char *becomes = nullptr;
	if (kind == kKey && IsIntegerType(type) && constant->constisnull)
	{
		replacement = reinterpret_cast<Node *>(makeNullConst(UUIDOID, -1, InvalidOid));
		was = "NULL";
		becomes = "NULL::uuid";
	}
	else if (kind == kKeyArray && IsIntegerArrayType(type) && constant->constisnull)
	{
		replacement = reinterpret_cast<Node *>(makeNullConst(UUIDARRAYOID, -1, InvalidOid));
		was = "NULL";
		becomes = "NULL::uuid[]";
	}
	else if (kind == kKeyArray && IsIntegerArrayType(type) && IsIntegerArrayType(constant->consttype))
	{
		ArrayType *array = DatumGetArrayTypeP(constant->constvalue);
		if (ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array)) != 0)
			return nullptr; /* '{1}': a number, never translated */
		replacement = reinterpret_cast<Node *>(
		    makeConst(UUIDARRAYOID, -1, InvalidOid, -1, PointerGetDatum(construct_empty_array(UUIDOID)), false, false));
		was = "'{}'";
		becomes = "'{}'::uuid[]";
	}
	if (replacement == nullptr)
		return nullptr;
	char *note = psprintf("%s::%s %s becomes %s", was, format_type_be(type), where, becomes);
	ListCell *lc;
	foreach (lc, translation->notes)
		if (strcmp(static_cast<char *>(lfirst(lc)), note) == 0)
			return replacement;
	translation->notes = lappend(translation->notes, note);
	return replacement;
}

/* Retype the constants of a list of arguments beside the key (in place). */
void TranslateList(List *nodes, List *levels, Translation *translation, const char *where)
{
	const KeyKind kind = AnyKindOf(nodes, levels, 0);
	if (kind == kNoKey)
		return;
	ListCell *lc;
	foreach (lc, nodes)
	{
		Node *replacement = TranslatedConstant(static_cast<Node *>(lfirst(lc)), kind, translation, where);
		if (replacement != nullptr)
			lfirst(lc) = replacement;
	}
}

/* The branches of a set operation: each leaf query with the levels it is evaluated under. */
void CollectBranches(Query *owner, Node *setop, List *levels, List **queries, List **query_levels)
{
	if (setop == nullptr)
		return;
	if (IsA(setop, RangeTblRef))
	{
		RangeTblEntry *rte = rt_fetch(reinterpret_cast<RangeTblRef *>(setop)->rtindex, owner->rtable);
		if (rte->rtekind != RTE_SUBQUERY || rte->subquery == nullptr)
			return;
		List *below = lappend(list_copy(levels), owner);
		if (rte->subquery->setOperations != nullptr)
			CollectBranches(rte->subquery, rte->subquery->setOperations, below, queries, query_levels);
		else
		{
			*queries = lappend(*queries, rte->subquery);
			*query_levels = lappend(*query_levels, below);
		}
	}
	else if (IsA(setop, SetOperationStmt))
	{
		auto *op = reinterpret_cast<SetOperationStmt *>(setop);
		CollectBranches(owner, op->larg, levels, queries, query_levels);
		CollectBranches(owner, op->rarg, levels, queries, query_levels);
	}
}

void TranslateSetOperation(Query *query, Translation *translation)
{
	List *queries = NIL;
	List *query_levels = NIL;
	List *above = list_truncate(list_copy(translation->levels), list_length(translation->levels) - 1);
	CollectBranches(query, query->setOperations, above, &queries, &query_levels);
	const int columns = list_length(reinterpret_cast<SetOperationStmt *>(query->setOperations)->colTypes);
	for (int resno = 1; resno <= columns; resno++)
	{
		KeyKind kind = kNoKey;
		for (int b = 0; b < list_length(queries) && kind == kNoKey; b++)
			kind = ColumnKindOf(static_cast<Query *>(list_nth(queries, b)), resno,
			                    static_cast<List *>(list_nth(query_levels, b)), 0);
		if (kind == kNoKey)
			continue;
		for (int b = 0; b < list_length(queries); b++)
		{
			TargetEntry *tle = get_tle_by_resno(static_cast<Query *>(list_nth(queries, b))->targetList, resno);
			if (tle == nullptr)
				continue;
			Node *replacement = TranslatedConstant(reinterpret_cast<Node *>(tle->expr), kind, translation,
			                                       "in a UNION / INTERSECT / EXCEPT branch beside the key");
			if (replacement != nullptr)
				tle->expr = reinterpret_cast<Expr *>(replacement);
		}
	}
}

bool TranslateConstants(Node *node, void *context)
{
	if (node == nullptr)
		return false;
	auto *translation = static_cast<Translation *>(context);
	if (IsA(node, Query))
	{
		auto *query = reinterpret_cast<Query *>(node);
		if (translation->depth > kMaxDepth)
			return false;
		List *saved = translation->levels;
		translation->levels = lappend(list_copy(saved), query);
		translation->depth++;
		if (query->setOperations != nullptr)
			TranslateSetOperation(query, translation);
		const bool stop = uuid7::pg::WalkQuery(query, TranslateConstants, context, 0);
		translation->depth--;
		translation->levels = saved;
		return stop;
	}
	if (IsA(node, CoalesceExpr))
		TranslateList(reinterpret_cast<CoalesceExpr *>(node)->args, translation->levels, translation,
		              "in COALESCE beside the key");
	else if (IsA(node, MinMaxExpr))
		TranslateList(reinterpret_cast<MinMaxExpr *>(node)->args, translation->levels, translation,
		              "in GREATEST / LEAST beside the key");
	else if (IsA(node, ArrayExpr))
	{
		auto *array = reinterpret_cast<ArrayExpr *>(node);
		if (!array->multidims)
			TranslateList(array->elements, translation->levels, translation, "in ARRAY[...] beside the key");
	}
	else if (IsA(node, CaseExpr))
	{
		auto *expr = reinterpret_cast<CaseExpr *>(node);
		KeyKind kind = KindOf(reinterpret_cast<Node *>(expr->defresult), translation->levels, 0);
		ListCell *lc;
		foreach (lc, expr->args)
			if (kind == kNoKey)
				kind = KindOf(reinterpret_cast<Node *>(static_cast<CaseWhen *>(lfirst(lc))->result),
				              translation->levels, 0);
		if (kind != kNoKey)
		{
			const char *where = "in CASE beside the key";
			foreach (lc, expr->args)
			{
				auto *when = static_cast<CaseWhen *>(lfirst(lc));
				Node *replacement =
				    TranslatedConstant(reinterpret_cast<Node *>(when->result), kind, translation, where);
				if (replacement != nullptr)
					when->result = reinterpret_cast<Expr *>(replacement);
			}
			Node *replacement = TranslatedConstant(reinterpret_cast<Node *>(expr->defresult), kind, translation, where);
			if (replacement != nullptr)
				expr->defresult = reinterpret_cast<Expr *>(replacement);
		}
	}
	return uuid7::pg::WalkExpression(node, TranslateConstants, context);
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_rehearsal_view_query);

	/* uuid7_rehearsal_view_query(view oid, relations oid[], stand_ins oid[]) RETURNS text[] */
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

		/* retype the constants beside the key, reading the stand-ins' types */
		Translation translation = {NIL, NIL, 0};
		TranslateConstants(reinterpret_cast<Node *>(query), &translation);

		/* pretty = false: the indentation-only flags pg_get_viewdef(oid) uses */
		const int count = 2 + list_length(translation.notes);
		Datum *texts = static_cast<Datum *>(palloc(sizeof(Datum) * count));
		texts[0] = PointerGetDatum(cstring_to_text(pg_get_querydef(query, false)));
		/* the same tree over the relations themselves: what the migration creates */
		RelationSwap back = {swap.view, swap.count, swap.to, swap.from, false};
		SwapRelations(reinterpret_cast<Node *>(query), &back);
		texts[1] = PointerGetDatum(cstring_to_text(pg_get_querydef(query, false)));
		for (int i = 2; i < count; i++)
			texts[i] = PointerGetDatum(cstring_to_text(static_cast<char *>(list_nth(translation.notes, i - 2))));
		PG_RETURN_ARRAYTYPE_P(construct_array(texts, count, TEXTOID, -1, false, TYPALIGN_INT));
	}
}
