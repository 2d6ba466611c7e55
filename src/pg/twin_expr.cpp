/*
 * twin_expr.cpp — the expressions of a CHECK constraint or an index, written over the twin columns:
 *
 *   uuid7_twin_expressions(source oid, kind text, columns name[], twins name[]) RETURNS text[]
 *       kind 'check': source is a CHECK constraint; one element, its expression
 *       kind 'index': source is an index; its predicate (NULL when it has none), then each key expression in order
 *
 * The online migration builds a twin of every index and CHECK constraint that uses a converted column, so that the
 * swap, which drops the old column (and with it everything built on it), leaves the same objects behind. Their
 * expressions are read from the catalog as trees and each reference to columns[i] becomes one to twins[i] before
 * they are printed, exactly as pg_get_expr() prints them: no text is searched and replaced, so a column name that
 * also appears in a string literal or another identifier is never touched. The result is parsed again by CREATE
 * INDEX or ADD CONSTRAINT against the uuid twins, which checks that the expression still makes sense.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include "pg/pg_compat.hpp"

extern "C"
{
#include "access/htup_details.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

namespace
{

struct ColumnMap
{
	int count;
	AttrNumber *from;
	AttrNumber *to;
};

/* Every Var of the table (the only range table entry of a stored CHECK or index expression) that names a converted
 * column is pointed at its twin. The tree is our own copy, fresh from stringToNode: changed in place. */
bool RemapVars(Node *node, void *context)
{
	if (node == nullptr)
		return false;
	if (IsA(node, Var))
	{
		Var *var = reinterpret_cast<Var *>(node);
		const ColumnMap *map = static_cast<const ColumnMap *>(context);
		if (var->varlevelsup == 0)
			for (int i = 0; i < map->count; i++)
				if (var->varattno == map->from[i])
				{
					var->varattno = map->to[i];
					var->varattnosyn = map->to[i]; /* ruleutils prints the column this one names */
					break;
				}
		return false;
	}
	return uuid7::pg::WalkExpression(node, RemapVars, context);
}

/* The attribute numbers of names[] in rel; a missing column is an error (the table changed under the migration). */
AttrNumber *AttnumsOf(Oid rel, ArrayType *names, int *count)
{
	Datum *values = nullptr;
	bool *nulls = nullptr;
	deconstruct_array(names, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &values, &nulls, count);
	AttrNumber *attnums = static_cast<AttrNumber *>(palloc(sizeof(AttrNumber) * (*count + 1)));
	for (int i = 0; i < *count; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("column names must not be NULL")));
		const char *name = NameStr(*DatumGetName(values[i]));
		attnums[i] = get_attnum(rel, name);
		if (attnums[i] == InvalidAttrNumber)
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
			                errmsg("column \"%s\" of relation \"%s\" does not exist", name, get_rel_name(rel))));
	}
	return attnums;
}

/* The stored expression (a nodeToString text) remapped and printed as pg_get_expr() would print it. */
text *Deparse(Datum stored, Oid rel, ColumnMap *map)
{
	Node *expr = static_cast<Node *>(stringToNode(TextDatumGetCString(stored)));
	RemapVars(expr, map);
	List *context = deparse_context_for(get_rel_name(rel), rel);
	return cstring_to_text(deparse_expression(expr, context, false, false));
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_twin_expressions);

	/* uuid7_twin_expressions(source oid, kind text, columns name[], twins name[]) RETURNS text[] */
	Datum uuid7_twin_expressions(PG_FUNCTION_ARGS)
	{
		const Oid source = PG_GETARG_OID(0);
		const char *kind = text_to_cstring(PG_GETARG_TEXT_PP(1));
		ArrayType *columns = PG_GETARG_ARRAYTYPE_P(2);
		ArrayType *twins = PG_GETARG_ARRAYTYPE_P(3);
		const bool is_check = strcmp(kind, "check") == 0;
		if (!is_check && strcmp(kind, "index") != 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("kind must be \"check\" or \"index\"")));

		const auto cache = is_check ? CONSTROID : INDEXRELID; /* SysCacheIdentifier: an int parameter before 19 */
		HeapTuple tuple = SearchSysCache1(cache, ObjectIdGetDatum(source));
		if (!HeapTupleIsValid(tuple))
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
			                errmsg("%s with OID %u does not exist", is_check ? "constraint" : "index", source)));
		Oid rel = InvalidOid;
		if (is_check)
		{
			const Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple));
			if (con->contype != CONSTRAINT_CHECK)
			{
				ReleaseSysCache(tuple);
				ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
				                errmsg("constraint with OID %u is not a CHECK constraint", source)));
			}
			rel = con->conrelid;
		}
		else
			rel = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple))->indrelid;

		ColumnMap map = {0, nullptr, nullptr};
		int twin_count = 0;
		map.from = AttnumsOf(rel, columns, &map.count);
		map.to = AttnumsOf(rel, twins, &twin_count);
		if (twin_count != map.count)
			ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("columns and twins differ in length")));

		ArrayBuildState *result = initArrayResult(TEXTOID, CurrentMemoryContext, false);
		bool is_null = false;
		if (is_check)
		{
			const Datum conbin = SysCacheGetAttr(CONSTROID, tuple, Anum_pg_constraint_conbin, &is_null);
			accumArrayResult(result, is_null ? static_cast<Datum>(0) : PointerGetDatum(Deparse(conbin, rel, &map)),
			                 is_null, TEXTOID, CurrentMemoryContext);
		}
		else
		{
			const Datum predicate = SysCacheGetAttr(INDEXRELID, tuple, Anum_pg_index_indpred, &is_null);
			accumArrayResult(result, is_null ? static_cast<Datum>(0) : PointerGetDatum(Deparse(predicate, rel, &map)),
			                 is_null, TEXTOID, CurrentMemoryContext);
			const Datum expressions = SysCacheGetAttr(INDEXRELID, tuple, Anum_pg_index_indexprs, &is_null);
			if (!is_null)
			{
				List *list = static_cast<List *>(stringToNode(TextDatumGetCString(expressions)));
				List *context = deparse_context_for(get_rel_name(rel), rel);
				ListCell *cell = nullptr;
				foreach (cell, list)
				{
					Node *expr = static_cast<Node *>(lfirst(cell));
					RemapVars(expr, &map);
					accumArrayResult(result, CStringGetTextDatum(deparse_expression(expr, context, false, false)),
					                 false, TEXTOID, CurrentMemoryContext);
				}
			}
		}
		ReleaseSysCache(tuple);
		PG_RETURN_DATUM(makeArrayResult(result, CurrentMemoryContext));
	}
}
