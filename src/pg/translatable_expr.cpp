/*
 * translatable_expr.cpp — whether a stored CHECK or index expression means the same once its converted columns
 * hold uuids:
 *
 *   uuid7_expression_translates(expr pg_node_tree, columns int2[], sources int[]) RETURNS boolean
 *       expr: a stored expression of one table (conbin, indexprs, indpred); columns[i]: a column of that table
 *       that becomes uuid; sources[i]: the mapping its new values come from (columns with equal sources take
 *       their values from the same mapping)
 *
 * ALTER COLUMN TYPE parses such expressions again over the uuid columns. That they parse is not enough: `id::text`
 * parses and means something else. An expression translates when every use of a converted column is one of
 *   - a NULL test (IS [NOT] NULL): a value is NULL after exactly when it was before;
 *   - a comparison (=, <>, <, <=, >, >=) of two converted columns of the same mapping: the mapping is one to one
 *     and keeps the old keys' order, so the comparison has the same result on the new keys
 *     (CHECK (from_step_id <> to_step_id)).
 * Anything else (a comparison with a number, arithmetic, a cast, a function call, two different mappings) does
 * not, and the plan refuses it by name.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include "pg/pg_compat.hpp"

extern "C"
{
#include "catalog/pg_type.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

#include <cstring>

namespace
{

struct ConvertedColumns
{
	int count;
	Datum *columns;
	Datum *sources;
	bool translates;
};

/* The mapping source of a converted column, or -1 for any other column. */
int SourceOf(const ConvertedColumns *converted, AttrNumber attno)
{
	for (int i = 0; i < converted->count; i++)
		if (DatumGetInt16(converted->columns[i]) == attno)
			return DatumGetInt32(converted->sources[i]);
	return -1;
}

/* The column a comparison operand is, looking through binary-compatible relabelling (a domain, int4 as oid). */
const Var *ColumnOperand(Node *node)
{
	while (node != nullptr && IsA(node, RelabelType))
		node = reinterpret_cast<Node *>(reinterpret_cast<RelabelType *>(node)->arg);
	if (node != nullptr && IsA(node, Var) && reinterpret_cast<Var *>(node)->varlevelsup == 0)
		return reinterpret_cast<Var *>(node);
	return nullptr;
}

/* A comparison operator of the integer types: one of the six, on smallint, integer or bigint operands. */
bool IsIntegerComparison(const OpExpr *op)
{
	if (list_length(op->args) != 2)
		return false;
	const char *name = get_opname(op->opno);
	if (name == nullptr)
		return false;
	static const char *const kComparisons[] = {"=", "<>", "<", "<=", ">", ">="};
	bool is_comparison = false;
	for (const char *comparison : kComparisons)
		is_comparison = is_comparison || strcmp(name, comparison) == 0;
	Oid left = InvalidOid;
	Oid right = InvalidOid;
	op_input_types(op->opno, &left, &right);
	auto is_integer = [](Oid type) { return type == INT2OID || type == INT4OID || type == INT8OID; };
	return is_comparison && is_integer(left) && is_integer(right);
}

bool CheckUses(Node *node, void *context)
{
	if (node == nullptr)
		return false;
	auto *converted = static_cast<ConvertedColumns *>(context);
	if (IsA(node, NullTest))
	{
		const Var *var = ColumnOperand(reinterpret_cast<Node *>(reinterpret_cast<NullTest *>(node)->arg));
		if (var != nullptr)
			return false; /* a NULL test of a column, converted or not */
	}
	else if (IsA(node, OpExpr) && IsIntegerComparison(reinterpret_cast<OpExpr *>(node)))
	{
		const OpExpr *op = reinterpret_cast<OpExpr *>(node);
		const Var *left = ColumnOperand(static_cast<Node *>(linitial(op->args)));
		const Var *right = ColumnOperand(static_cast<Node *>(lsecond(op->args)));
		if (left != nullptr && right != nullptr)
		{
			const int left_source = SourceOf(converted, left->varattno);
			const int right_source = SourceOf(converted, right->varattno);
			if (left_source >= 0 && left_source == right_source)
				return false; /* two columns of one mapping */
		}
	}
	else if (IsA(node, Var))
	{
		const Var *var = reinterpret_cast<Var *>(node);
		if (var->varlevelsup == 0 && SourceOf(converted, var->varattno) >= 0)
		{
			converted->translates = false;
			return true; /* any other use of a converted column: stop here */
		}
		return false;
	}
	return uuid7::pg::WalkExpression(node, CheckUses, context);
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_expression_translates);

	/* uuid7_expression_translates(expr pg_node_tree, columns int2[], sources int[]) RETURNS boolean */
	Datum uuid7_expression_translates(PG_FUNCTION_ARGS)
	{
		ConvertedColumns converted = {0, nullptr, nullptr, true};
		bool *nulls = nullptr;
		int source_count = 0;
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), INT2OID, sizeof(int16), true, TYPALIGN_SHORT, &converted.columns,
		                  &nulls, &converted.count);
		for (int i = 0; i < converted.count; i++)
			if (nulls[i])
				ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("column numbers must not be NULL")));
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), INT4OID, sizeof(int32), true, TYPALIGN_INT, &converted.sources,
		                  &nulls, &source_count);
		for (int i = 0; i < source_count; i++)
			if (nulls[i])
				ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("mapping sources must not be NULL")));
		if (source_count != converted.count)
			ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("columns and sources differ in length")));

		Node *expr = static_cast<Node *>(stringToNode(text_to_cstring(PG_GETARG_TEXT_PP(0))));
		CheckUses(expr, &converted);
		PG_RETURN_BOOL(converted.translates);
	}
}
