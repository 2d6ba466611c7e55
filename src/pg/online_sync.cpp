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
 * throughput of a write-heavy workload, this one 12% (bench/sync_trigger.sh). It fires on every UPDATE, not only of
 * the integer columns: an update of another column may move a row the backfill has not reached to a page it has
 * passed, so a twin still NULL is filled here. An UPDATE that keeps the keys and finds the twins set runs no query.
 *
 * The mapping belongs to the role that started the migration, and writers of the table must be able to extend
 * it: the two mapping statements run as that role, as they did in a SECURITY DEFINER function it owned, and
 * nothing else does. Because of that switch:
 * - a trigger's definition (its OID, table, function and every argument) is checked against the migration registry
 *   before its first use in a backend and again whenever any of it differs from what was checked: CREATE OR REPLACE
 *   TRIGGER keeps the OID and changes the arguments, and a role with TRIGGER on the table may run it (1.4-1.6 cached
 *   the verdict by OID alone, and then took the mapping table from the new arguments). A relcache invalidation of
 *   the table or of a mapping table (rename, owner, drop) also forgets the verdict;
 * - the mapping table is never taken from the arguments: it comes from the registry (uuid7_online_sync_mappings),
 *   by OID, and must be an ordinary permanent table whose owner's rights the starter has, so that its policies,
 *   rules and defaults are the starter's own;
 * - the switch is a security-restricted operation (SetUserIdAndSecContext, as CREATE INDEX and VACUUM run an index
 *   expression as the table's owner): whatever runs inside cannot SET ROLE, create temporary objects or leave
 *   anything behind that the writer would then run.
 * The registry is read as the owner of the state tables (a writer may not see the rows), in a restricted operation.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include <cstring>

#include "pg/generator_state.hpp"
#include "pg/online_locks.hpp"
#include "pg/restricted_exec.hpp"
#include "pg/postgres_headers.hpp"
#include "pg/state_owner.hpp"

extern "C"
{
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace
{

constexpr int kArgsPerColumn = 4; /* column, twin, mapping table, uuid version */
constexpr int kCachedTriggers = 16;

/* One converted column: its mapping table (from the registry) and the two statements on it for the key's type. */
struct ColumnSync
{
	Oid mapping;
	Oid key_type;
	SPIPlanPtr lookup; /* SELECT new_id FROM mapping WHERE old_id = $1 */
	SPIPlanPtr extend; /* INSERT INTO mapping VALUES ($1, $2) ON CONFLICT DO NOTHING */
};

/* A trigger definition checked against the registry in this backend. */
struct CheckedTrigger
{
	Oid trigger_oid; /* InvalidOid: a free slot */
	Oid relid;
	Oid func_oid;
	int nargs;
	char **args; /* the checked arguments, in TopMemoryContext */
	bool stale;  /* a relcache invalidation of the table or a mapping table: check again */
	int busy;    /* calls in progress (a mapping table's own trigger may write the table again): never freed then */
	Oid run_as;  /* the role that started the migration */
	int columns;
	ColumnSync *cols; /* in TopMemoryContext, one per column */
};

/* Plain data, zero-initialised: no constructor runs at load time. */
CheckedTrigger checked[kCachedTriggers];
int next_slot = 0;
bool callback_registered = false;

void ForgetSlot(CheckedTrigger &slot)
{
	for (int i = 0; i < slot.columns; i++)
	{
		if (slot.cols[i].lookup != nullptr)
			SPI_freeplan(slot.cols[i].lookup);
		if (slot.cols[i].extend != nullptr)
			SPI_freeplan(slot.cols[i].extend);
	}
	if (slot.cols != nullptr)
		pfree(slot.cols);
	for (int i = 0; i < slot.nargs; i++)
		pfree(slot.args[i]);
	if (slot.args != nullptr)
		pfree(slot.args);
	slot = CheckedTrigger{};
}

/* Relcache callback: only marks (it may run in the middle of anything); the next use checks and frees. */
void MarkStale(Datum, Oid relid)
{
	for (CheckedTrigger &slot : checked)
	{
		if (slot.trigger_oid == InvalidOid)
			continue;
		bool hit = relid == InvalidOid || relid == slot.relid;
		for (int i = 0; i < slot.columns && !hit; i++)
			hit = slot.cols[i].mapping == relid;
		if (hit)
			slot.stale = true;
	}
}

bool SameDefinition(const CheckedTrigger &slot, const TriggerData *trigger_data)
{
	const Trigger *trigger = trigger_data->tg_trigger;
	if (slot.stale || slot.trigger_oid != trigger->tgoid || slot.relid != RelationGetRelid(trigger_data->tg_relation) ||
	    slot.func_oid != trigger->tgfoid || slot.nargs != trigger->tgnargs)
		return false;
	for (int i = 0; i < slot.nargs; i++)
		if (std::strcmp(slot.args[i], trigger->tgargs[i]) != 0)
			return false;
	return true;
}

[[noreturn]] void RefuseTrigger(const TriggerData *trigger_data)
{
	ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
	                errmsg("trigger \"%s\" on table \"%s\" is not the sync trigger of a uuid7 online migration",
	                       trigger_data->tg_trigger->tgname, RelationGetRelationName(trigger_data->tg_relation)),
	                errdetail("Its arguments differ from what uuid7_online_sync_args() lists for the table."),
	                errhint("uuid7_online_sync() is attached by the online migration itself; do not attach it by "
	                        "hand.")));
}

/*
 * A mapping table the trigger may write as run_as: an ordinary permanent table whose owner's rights run_as has, so
 * that every policy, rule, default and constraint on it is one the starter could have written itself.
 */
void CheckMapping(Oid mapping, Oid run_as, const TriggerData *trigger_data)
{
	HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(mapping));
	if (!HeapTupleIsValid(tuple))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
		                errmsg("the mapping table of the uuid7 online migration of table \"%s\" does not exist",
		                       RelationGetRelationName(trigger_data->tg_relation)),
		                errhint("Abort the migration.")));
	const Form_pg_class form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
	const bool ordinary = form->relkind == RELKIND_RELATION && form->relpersistence != RELPERSISTENCE_TEMP;
	const bool starters = has_privs_of_role(run_as, form->relowner);
	ReleaseSysCache(tuple);
	if (!ordinary || !starters)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("mapping table \"%s\" of the uuid7 online migration of table \"%s\" is not the "
		                       "migration's own",
		                       get_rel_name(mapping), RelationGetRelationName(trigger_data->tg_relation)),
		                errdetail("The sync trigger writes the mapping as role \"%s\", so the mapping must be an "
		                          "ordinary permanent table owned by that role.",
		                          GetUserNameFromId(run_as, false)),
		                errhint("Abort the migration.")));
}

/*
 * Fills slot from the registry when the trigger's arguments are exactly what it lists for the table: the role that
 * started the migration and the mapping table of each column. The registry's rows are visible only to the roles that
 * may act on or read a migration, and a writer of a referencing table may be neither: the fixed query below (the
 * extension's own tables and functions, every name and operator qualified) runs as the owner of the state tables,
 * in a security-restricted operation, so that no writer is refused for what it may not see. It only reads; the
 * writer's own rights are checked by the write that fired the trigger.
 */
bool MatchesRegistry(const TriggerData *trigger_data, CheckedTrigger &slot)
{
	const Trigger *trigger = trigger_data->tg_trigger;
	const int columns = (trigger->tgnargs - 1) / kArgsPerColumn;
	const Oid namespace_oid = get_func_namespace(trigger->tgfoid);
	const char *schema = quote_identifier(get_namespace_name(namespace_oid));
	Datum *texts = static_cast<Datum *>(palloc(sizeof(Datum) * trigger->tgnargs));
	for (int i = 0; i < trigger->tgnargs; i++)
		texts[i] = CStringGetTextDatum(trigger->tgargs[i]);

	/* qualified operators: the writer's search_path chooses nothing here either */
	const char *query =
	    psprintf("SELECT coalesce(%s.uuid7_online_sync_args(m.id, $2) OPERATOR(pg_catalog.=) $3, false),"
	             " %s, %s.uuid7_online_sync_mappings(m.id, $2)"
	             " FROM %s.uuid7_online_migration m WHERE m.id::pg_catalog.text OPERATOR(pg_catalog.=) $1",
	             schema, uuid7::pg::StarterSql(uuid7::pg::MigrationClassOid(namespace_oid)), schema,
	             uuid7::pg::StateSchemaName(namespace_oid));
	/* the migration id as text: a trigger attached by hand with any first argument is simply not found (42501) */
	Oid types[3] = {TEXTOID, REGCLASSOID, TEXTARRAYOID};
	Datum values[3] = {CStringGetTextDatum(trigger->tgargs[0]),
	                   ObjectIdGetDatum(RelationGetRelid(trigger_data->tg_relation)),
	                   PointerGetDatum(construct_array(texts, trigger->tgnargs, TEXTOID, -1, false, TYPALIGN_INT))};

	SPI_connect();
	const int rc = uuid7::pg::ExecuteAsStateOwner(namespace_oid, query, 3, types, values, nullptr, true, 1);
	uuid7::pg::RequireSpiResult(rc, SPI_OK_SELECT);
	bool matches = false;
	Oid run_as = InvalidOid;
	Oid *mappings = static_cast<Oid *>(palloc0(sizeof(Oid) * columns));
	if (SPI_processed == 1)
	{
		HeapTuple row = SPI_tuptable->vals[0];
		TupleDesc desc = SPI_tuptable->tupdesc;
		bool is_null = false;
		matches = DatumGetBool(SPI_getbinval(row, desc, 1, &is_null)) && !is_null;
		if (matches)
		{
			/* the starter by OID: a role given its name later is not it */
			run_as = DatumGetObjectId(SPI_getbinval(row, desc, 2, &is_null));
			if (is_null || GetUserNameFromId(run_as, true) == nullptr)
				ereport(ERROR,
				        (errcode(ERRCODE_UNDEFINED_OBJECT),
				         errmsg("the role that started uuid7 online migration %s no longer exists", trigger->tgargs[0]),
				         errhint("Abort the migration.")));
			const Datum array = SPI_getbinval(row, desc, 3, &is_null);
			Datum *oids = nullptr;
			bool *oid_nulls = nullptr;
			int n = 0;
			if (!is_null)
				deconstruct_array(DatumGetArrayTypeP(array), OIDOID, sizeof(Oid), true, TYPALIGN_INT, &oids, &oid_nulls,
				                  &n);
			matches = n == columns;
			for (int i = 0; i < n && matches; i++)
			{
				matches = !oid_nulls[i] && OidIsValid(DatumGetObjectId(oids[i]));
				if (matches)
					mappings[i] = DatumGetObjectId(oids[i]);
			}
		}
	}
	SPI_finish();
	if (!matches)
		return false;

	for (int i = 0; i < columns; i++)
		CheckMapping(mappings[i], run_as, trigger_data);

	slot.args = static_cast<char **>(MemoryContextAllocZero(TopMemoryContext, sizeof(char *) * trigger->tgnargs));
	slot.nargs = trigger->tgnargs;
	for (int i = 0; i < trigger->tgnargs; i++)
		slot.args[i] = MemoryContextStrdup(TopMemoryContext, trigger->tgargs[i]);
	slot.cols = static_cast<ColumnSync *>(MemoryContextAllocZero(TopMemoryContext, sizeof(ColumnSync) * columns));
	slot.columns = columns;
	for (int i = 0; i < columns; i++)
		slot.cols[i].mapping = mappings[i];
	slot.run_as = run_as;
	slot.func_oid = trigger->tgfoid;
	slot.relid = RelationGetRelid(trigger_data->tg_relation);
	slot.trigger_oid = trigger->tgoid; /* last: the slot is in use from here on */
	return true;
}

/* A slot that may be reused: free, or not in use by a call in progress (the round-robin one first). */
CheckedTrigger &FreeableSlot(Oid trigger_oid)
{
	for (CheckedTrigger &slot : checked)
		if (slot.trigger_oid == trigger_oid && slot.busy == 0)
			return slot;
	for (int tried = 0; tried < kCachedTriggers; tried++)
	{
		CheckedTrigger &slot = checked[next_slot];
		next_slot = (next_slot + 1) % kCachedTriggers;
		if (slot.busy == 0)
			return slot;
	}
	ereport(ERROR,
	        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("too many uuid7 sync triggers nested in one another"),
	         errdetail("At most %d sync triggers can be running at once in one session.", kCachedTriggers)));
}

CheckedTrigger &CheckedSlot(const TriggerData *trigger_data)
{
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(MarkStale, (Datum)0);
		callback_registered = true;
	}
	const Trigger *trigger = trigger_data->tg_trigger;
	for (CheckedTrigger &slot : checked)
		if (slot.trigger_oid == trigger->tgoid && SameDefinition(slot, trigger_data))
			return slot;

	/* new, redefined, or invalidated: (re)checked from scratch, and an old verdict for it is dropped */
	CheckedTrigger &slot = FreeableSlot(trigger->tgoid);
	ForgetSlot(slot);
	if (trigger->tgnargs < 1 + kArgsPerColumn || (trigger->tgnargs - 1) % kArgsPerColumn != 0 ||
	    !MatchesRegistry(trigger_data, slot))
		RefuseTrigger(trigger_data);
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

/* The two statements on a column's mapping table, by its qualified name now (the OID came from the registry). */
void PreparePlans(ColumnSync &col, Oid key_type)
{
	if (col.lookup != nullptr && col.key_type == key_type)
		return;
	if (col.lookup != nullptr)
		SPI_freeplan(col.lookup);
	if (col.extend != nullptr)
		SPI_freeplan(col.extend);
	col.lookup = nullptr;
	col.extend = nullptr;
	const char *relname = get_rel_name(col.mapping);
	const Oid namespace_oid = get_rel_namespace(col.mapping);
	if (relname == nullptr || !OidIsValid(namespace_oid))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
		                errmsg("the mapping table of a uuid7 online migration (OID %u) does not exist", col.mapping),
		                errhint("Abort the migration.")));
	const char *mapping = quote_qualified_identifier(get_namespace_name(namespace_oid), relname);
	/* OPERATOR(pg_catalog.=): the writer's search_path must not choose the operator run as the migrating role */
	col.lookup =
	    KeptPlan(psprintf("SELECT m.new_id FROM %s m WHERE m.old_id OPERATOR(pg_catalog.=) $1", mapping), key_type);
	col.extend = KeptPlan(
	    psprintf("INSERT INTO %s AS m (old_id, new_id) VALUES ($1, $2) ON CONFLICT (old_id) DO NOTHING", mapping),
	    key_type);
	col.key_type = key_type;
}

/* The mapped uuid of key into *out (memory of the caller's context); false when the key has no mapping. */
bool LookUp(const ColumnSync &col, Datum key, pg_uuid_t *out)
{
	const int rc = SPI_execute_plan(col.lookup, &key, nullptr, false, 1);
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

/* The twin of key: its mapping, made now when there is none. Called between SPI_connect and SPI_finish, as run_as. */
Datum MappedUuidAs(ColumnSync &col, const char *version, Datum key, Oid key_type)
{
	PreparePlans(col, key_type);
	/* SPI_palloc: the value must outlive SPI_finish, in the trigger's own memory context */
	pg_uuid_t *uuid = static_cast<pg_uuid_t *>(SPI_palloc(UUID_LEN));
	if (LookUp(col, key, uuid))
		return UUIDPGetDatum(uuid);

	if (std::strcmp(version, "6") == 0)
		uuid7::pg::WriteNextV6(uuid->data);
	else
		uuid7::pg::WriteNextV7(uuid->data);
	Datum values[2] = {key, UUIDPGetDatum(uuid)};
	const int rc = SPI_execute_plan(col.extend, values, nullptr, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
		return UUIDPGetDatum(uuid);
	/* another writer mapped the key first: its uuid wins */
	if (LookUp(col, key, uuid))
		return UUIDPGetDatum(uuid);
	ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
	                errmsg("could not read the mapping of a key another transaction has just mapped in \"%s\"",
	                       get_rel_name(col.mapping))));
}

/*
 * MappedUuidAs as the role that started the migration, in a security-restricted operation; the writer's user and
 * context come back after it (or through the (sub)transaction abort when it raises an error).
 */
Datum MappedUuid(const CheckedTrigger &slot, ColumnSync &col, const char *version, Datum key, Oid key_type)
{
	Oid saved_user = InvalidOid;
	int saved_context = 0;
	GetUserIdAndSecContext(&saved_user, &saved_context);
	SetUserIdAndSecContext(slot.run_as, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	const Datum result = MappedUuidAs(col, version, key, key_type);
	SetUserIdAndSecContext(saved_user, saved_context);
	return result;
}

int AttnumOf(TupleDesc desc, const char *name, Relation relation)
{
	const int attnum = SPI_fnumber(desc, name);
	if (attnum <= 0)
		ereport(ERROR,
		        (errcode(ERRCODE_UNDEFINED_COLUMN),
		         errmsg("column \"%s\" of relation \"%s\" does not exist", name, RelationGetRelationName(relation)),
		         errhint("The online migration of this table expects it; abort the migration.")));
	return attnum;
}

/* One row to bring in line: what the trigger was given, and the twins to set (changed of them). */
struct RowSync
{
	Relation relation;
	TupleDesc desc;
	HeapTuple row;
	HeapTuple old_row;
	bool is_insert;
	int *twins;
	Datum *values;
	bool *nulls;
	int changed;
};

void SyncRow(CheckedTrigger &slot, RowSync &sync)
{
	/* the checked arguments, which equal the trigger's; the mapping tables are the registry's (slot.cols) */
	const char *const *args = slot.args;
	bool connected = false;
	for (int i = 0; i < slot.columns; i++)
	{
		const char *const *column_args = args + 1 + i * kArgsPerColumn;
		const int column = AttnumOf(sync.desc, column_args[0], sync.relation);
		const int twin = AttnumOf(sync.desc, column_args[1], sync.relation);
		bool key_null = false;
		bool twin_null = false;
		const Datum key = heap_getattr(sync.row, column, sync.desc, &key_null);
		heap_getattr(sync.row, twin, sync.desc, &twin_null);
		if (key_null)
		{
			if (!twin_null)
			{
				sync.twins[sync.changed] = twin;
				sync.values[sync.changed] = (Datum)0;
				sync.nulls[sync.changed++] = true;
			}
			continue;
		}
		/* An UPDATE that kept the key keeps a twin already set; an INSERT always takes the mapping. */
		if (!sync.is_insert && !twin_null)
		{
			bool old_null = false;
			const Datum old_key = heap_getattr(sync.old_row, column, sync.desc, &old_null);
			const Form_pg_attribute attribute = TupleDescAttr(sync.desc, column - 1);
			if (!old_null && datumIsEqual(key, old_key, attribute->attbyval, attribute->attlen))
				continue;
		}
		if (!connected)
		{
			SPI_connect();
			connected = true;
		}
		sync.twins[sync.changed] = twin;
		sync.values[sync.changed] =
		    MappedUuid(slot, slot.cols[i], column_args[3], key, TupleDescAttr(sync.desc, column - 1)->atttypid);
		sync.nulls[sync.changed++] = false;
	}
	if (connected)
		SPI_finish();
}

/* SyncRow with the slot marked busy, so that a nested call (a mapping table's trigger writing the table) keeps it. */
pg_noinline void SyncRowBusy(CheckedTrigger *slot, RowSync *sync)
{
	slot->busy++;
	PG_TRY();
	{
		SyncRow(*slot, *sync);
	}
	PG_FINALLY();
	{
		slot->busy--;
	}
	PG_END_TRY();
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
		CheckedTrigger &slot = CheckedSlot(trigger_data);

		RowSync sync = {};
		sync.relation = relation;
		sync.desc = desc;
		sync.row = row;
		sync.old_row = old_row;
		sync.is_insert = is_insert;
		sync.twins = static_cast<int *>(palloc(sizeof(int) * slot.columns));
		sync.values = static_cast<Datum *>(palloc(sizeof(Datum) * slot.columns));
		sync.nulls = static_cast<bool *>(palloc(sizeof(bool) * slot.columns));
		SyncRowBusy(&slot, &sync);
		if (sync.changed == 0)
			return PointerGetDatum(row);
		return PointerGetDatum(heap_modify_tuple_by_cols(row, desc, sync.changed, sync.twins, sync.values, sync.nulls));
	}

} // extern "C"
