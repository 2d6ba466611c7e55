/*
 * online_sync.cpp — the sync trigger of online migrations.
 *
 *   uuid7_online_sync() RETURNS trigger
 *       BEFORE INSERT OR UPDATE, FOR EACH ROW. Arguments, as uuid7_online_sync_args(migration, table) lists them:
 *       the migration id, then for each converted column: its name, its uuid twin's name, the mapping table, the
 *       uuid version of new keys.
 *
 * While an online migration runs, each converted integer column has a uuid twin that must follow it on every
 * write: the twin is set from the mapping table, and a key with no mapping yet (a new row, or a child written
 * before its parent in a deferred transaction) gets a fresh uuid added to the mapping, which whichever side comes
 * second then finds. The trigger fires on every write of the application, so it is C with plans cached per
 * backend: the PL/pgSQL function of 1.2–1.3 (SECURITY DEFINER with a pinned search_path) took 20% of the
 * throughput of a write-heavy workload, this one 12% (bench/sync_trigger.sh). It fires on every UPDATE, not only of the integer columns: an update of
 * another column may move a row the backfill has not reached to a page it has passed, so a twin still NULL is
 * filled here. An UPDATE that keeps the keys and finds the twins set runs no query at all.
 *
 * The mapping belongs to the role that started the migration, and writers of the table must be able to extend
 * it: the queries run as that role, as they did in a SECURITY DEFINER function it owned. Because of that switch,
 * a trigger's arguments are checked against the migration registry before its first use in each backend, so a
 * trigger attached by hand cannot read or write anybody's mapping.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include <cstring>

#include "pg/generator_state.hpp"
#include "pg/postgres_headers.hpp"

extern "C"
{
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

namespace
{

constexpr int kArgsPerColumn = 4; /* column, twin, mapping table, uuid version */
constexpr int kCachedTriggers = 16;

/* The two statements of one converted column, prepared for the column's integer type. */
struct ColumnPlans
{
	Oid key_type;
	SPIPlanPtr lookup; /* SELECT new_id FROM mapping WHERE old_id = $1 */
	SPIPlanPtr extend; /* INSERT INTO mapping VALUES ($1, $2) ON CONFLICT DO NOTHING */
};

/* A trigger checked against the registry in this backend. */
struct CheckedTrigger
{
	Oid trigger_oid; /* InvalidOid: a free slot */
	Oid run_as;      /* the role that started the migration */
	int columns;
	ColumnPlans *plans; /* in TopMemoryContext, one per column */
};

/* Plain data, zero-initialised: no constructor runs at load time. */
CheckedTrigger checked[kCachedTriggers];
int next_slot = 0;

void ForgetSlot(CheckedTrigger &slot)
{
	for (int i = 0; i < slot.columns; i++)
	{
		if (slot.plans[i].lookup != nullptr)
			SPI_freeplan(slot.plans[i].lookup);
		if (slot.plans[i].extend != nullptr)
			SPI_freeplan(slot.plans[i].extend);
	}
	if (slot.plans != nullptr)
		pfree(slot.plans);
	slot = CheckedTrigger{};
}

/*
 * True when the trigger's arguments are exactly what the registry lists for its table, and then the role that
 * started the migration in *run_as. Runs as the writer: the registry is readable by everyone, and the writer needs
 * USAGE on the extension's schema anyway for the uuid_generate_v7() default the key gets at the swap.
 */
bool MatchesRegistry(const TriggerData *trigger_data, Oid *run_as)
{
	const Trigger *trigger = trigger_data->tg_trigger;
	const char *schema = quote_identifier(get_namespace_name(get_func_namespace(trigger->tgfoid)));
	Datum *texts = static_cast<Datum *>(palloc(sizeof(Datum) * trigger->tgnargs));
	for (int i = 0; i < trigger->tgnargs; i++)
		texts[i] = CStringGetTextDatum(trigger->tgargs[i]);

	/* qualified operator: the writer's search_path chooses nothing here either */
	const char *query =
	    psprintf("SELECT coalesce(%s.uuid7_online_sync_args(m.id, $2) OPERATOR(pg_catalog.=) $3, false), m.started_by"
	             " FROM %s.uuid7_online_migration m WHERE m.id = $1",
	             schema, schema);
	Oid types[3] = {INT8OID, REGCLASSOID, TEXTARRAYOID};
	Datum values[3] = {DirectFunctionCall1(int8in, CStringGetDatum(trigger->tgargs[0])),
	                   ObjectIdGetDatum(RelationGetRelid(trigger_data->tg_relation)),
	                   PointerGetDatum(construct_array(texts, trigger->tgnargs, TEXTOID, -1, false, TYPALIGN_INT))};

	SPI_connect();
	const int rc = SPI_execute_with_args(query, 3, types, values, nullptr, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	bool matches = false;
	if (SPI_processed == 1)
	{
		bool is_null = false;
		matches = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null)) && !is_null;
		if (matches)
		{
			const Name role = DatumGetName(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &is_null));
			*run_as = get_role_oid(NameStr(*role), false);
		}
	}
	SPI_finish();
	return matches;
}

CheckedTrigger &CheckedSlot(const TriggerData *trigger_data)
{
	const Trigger *trigger = trigger_data->tg_trigger;
	for (CheckedTrigger &slot : checked)
		if (slot.trigger_oid == trigger->tgoid)
			return slot;

	Oid run_as = InvalidOid;
	if (trigger->tgnargs < 1 + kArgsPerColumn || (trigger->tgnargs - 1) % kArgsPerColumn != 0 ||
	    !MatchesRegistry(trigger_data, &run_as))
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("trigger \"%s\" on table \"%s\" is not the sync trigger of a uuid7 online migration",
		                       trigger->tgname, RelationGetRelationName(trigger_data->tg_relation)),
		                errdetail("Its arguments differ from what uuid7_online_sync_args() lists for the table."),
		                errhint("uuid7_online_sync() is attached by the online migration itself; do not attach it by "
		                        "hand.")));

	/* a small cache: an evicted trigger is simply checked again */
	CheckedTrigger &slot = checked[next_slot];
	next_slot = (next_slot + 1) % kCachedTriggers;
	ForgetSlot(slot);
	const int columns = (trigger->tgnargs - 1) / kArgsPerColumn;
	slot.plans =
	    static_cast<ColumnPlans *>(MemoryContextAllocZero(TopMemoryContext, sizeof(ColumnPlans) * columns));
	slot.columns = columns;
	slot.run_as = run_as;
	slot.trigger_oid = trigger->tgoid;
	return slot;
}

SPIPlanPtr KeptPlan(const char *query, Oid key_type)
{
	Oid types[2] = {key_type, UUIDOID};
	SPIPlanPtr plan = SPI_prepare(query, strstr(query, "$2") != nullptr ? 2 : 1, types);
	if (plan == nullptr)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", query, SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

/* The mapping table's name comes from the registry as regclass output under a pinned search_path: qualified. */
void PreparePlans(ColumnPlans &plans, const char *mapping, Oid key_type)
{
	if (plans.lookup != nullptr && plans.key_type == key_type)
		return;
	if (plans.lookup != nullptr)
		SPI_freeplan(plans.lookup);
	if (plans.extend != nullptr)
		SPI_freeplan(plans.extend);
	plans = ColumnPlans{};
	/* OPERATOR(pg_catalog.=): the writer's search_path must not choose the operator run as the migrating role */
	plans.lookup = KeptPlan(psprintf("SELECT m.new_id FROM %s m WHERE m.old_id OPERATOR(pg_catalog.=) $1", mapping),
	                        key_type);
	plans.extend = KeptPlan(
	    psprintf("INSERT INTO %s AS m (old_id, new_id) VALUES ($1, $2) ON CONFLICT (old_id) DO NOTHING", mapping),
	    key_type);
	plans.key_type = key_type;
}

/* The mapped uuid of key into *out (memory of the caller's context); false when the key has no mapping. */
bool LookUp(const ColumnPlans &plans, Datum key, pg_uuid_t *out)
{
	const int rc = SPI_execute_plan(plans.lookup, &key, nullptr, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return false;
	bool is_null = false;
	const Datum found = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
	if (is_null)
		return false;
	std::memcpy(out->data, DatumGetUUIDP(found)->data, UUID_LEN);
	return true;
}

/* The twin of key: its mapping, made now when there is none. Called between SPI_connect and SPI_finish. */
Datum MappedUuid(ColumnPlans &plans, const char *mapping, const char *version, Datum key, Oid key_type)
{
	PreparePlans(plans, mapping, key_type);
	/* SPI_palloc: the value must outlive SPI_finish, in the trigger's own memory context */
	pg_uuid_t *uuid = static_cast<pg_uuid_t *>(SPI_palloc(UUID_LEN));
	if (LookUp(plans, key, uuid))
		return UUIDPGetDatum(uuid);

	if (std::strcmp(version, "6") == 0)
		uuid7::pg::WriteNextV6(uuid->data);
	else
		uuid7::pg::WriteNextV7(uuid->data);
	Datum values[2] = {key, UUIDPGetDatum(uuid)};
	const int rc = SPI_execute_plan(plans.extend, values, nullptr, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
		return UUIDPGetDatum(uuid);
	/* another writer mapped the key first: its uuid wins */
	if (LookUp(plans, key, uuid))
		return UUIDPGetDatum(uuid);
	ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
	                errmsg("could not read the mapping of a key another transaction has just mapped in %s", mapping)));
}

int AttnumOf(TupleDesc desc, const char *name, Relation relation)
{
	const int attnum = SPI_fnumber(desc, name);
	if (attnum <= 0)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
		                errmsg("column \"%s\" of relation \"%s\" does not exist", name,
		                       RelationGetRelationName(relation)),
		                errhint("The online migration of this table expects it; abort the migration.")));
	return attnum;
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_online_sync);

	/* uuid7_online_sync() RETURNS trigger */
	Datum uuid7_online_sync(PG_FUNCTION_ARGS)
	{
		if (!CALLED_AS_TRIGGER(fcinfo))
			ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			                errmsg("uuid7_online_sync() can only be called as a trigger")));
		TriggerData *trigger_data = reinterpret_cast<TriggerData *>(fcinfo->context);
		const TriggerEvent event = trigger_data->tg_event;
		if (!TRIGGER_FIRED_BEFORE(event) || !TRIGGER_FIRED_FOR_ROW(event) ||
		    !(TRIGGER_FIRED_BY_INSERT(event) || TRIGGER_FIRED_BY_UPDATE(event)))
			ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			                errmsg("uuid7_online_sync() must be fired BEFORE INSERT OR UPDATE FOR EACH ROW")));

		const bool is_insert = TRIGGER_FIRED_BY_INSERT(event);
		HeapTuple row = is_insert ? trigger_data->tg_trigtuple : trigger_data->tg_newtuple;
		HeapTuple old_row = is_insert ? nullptr : trigger_data->tg_trigtuple;
		Relation relation = trigger_data->tg_relation;
		TupleDesc desc = RelationGetDescr(relation);
		char **args = trigger_data->tg_trigger->tgargs;
		CheckedTrigger &slot = CheckedSlot(trigger_data);

		int *twins = static_cast<int *>(palloc(sizeof(int) * slot.columns));
		Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * slot.columns));
		bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * slot.columns));
		int changed = 0;
		bool connected = false;
		Oid saved_user = InvalidOid;
		int saved_context = 0;
		for (int i = 0; i < slot.columns; i++)
		{
			const char *const *column_args = args + 1 + i * kArgsPerColumn;
			const int column = AttnumOf(desc, column_args[0], relation);
			const int twin = AttnumOf(desc, column_args[1], relation);
			bool key_null = false;
			bool twin_null = false;
			const Datum key = heap_getattr(row, column, desc, &key_null);
			heap_getattr(row, twin, desc, &twin_null);
			if (key_null)
			{
				if (!twin_null)
				{
					twins[changed] = twin;
					values[changed] = (Datum)0;
					nulls[changed++] = true;
				}
				continue;
			}
			/* An UPDATE that kept the key keeps a twin already set; an INSERT always takes the mapping. */
			if (!is_insert && !twin_null)
			{
				bool old_null = false;
				const Datum old_key = heap_getattr(old_row, column, desc, &old_null);
				const Form_pg_attribute attribute = TupleDescAttr(desc, column - 1);
				if (!old_null && datumIsEqual(key, old_key, attribute->attbyval, attribute->attlen))
					continue;
			}
			if (!connected)
			{
				SPI_connect();
				/* restored below, or by the (sub)transaction abort when an error is raised in between */
				GetUserIdAndSecContext(&saved_user, &saved_context);
				SetUserIdAndSecContext(slot.run_as, saved_context | SECURITY_LOCAL_USERID_CHANGE);
				connected = true;
			}
			twins[changed] = twin;
			values[changed] = MappedUuid(slot.plans[i], column_args[2], column_args[3], key,
			                             TupleDescAttr(desc, column - 1)->atttypid);
			nulls[changed++] = false;
		}
		if (connected)
		{
			SetUserIdAndSecContext(saved_user, saved_context);
			SPI_finish();
		}
		if (changed == 0)
			return PointerGetDatum(row);
		return PointerGetDatum(heap_modify_tuple_by_cols(row, desc, changed, twins, values, nulls));
	}

} // extern "C"
