/*
 * migrate_keys.cpp — the two C helpers of the migration engine (src/sql/migrate_*.sql drive the rest):
 *
 *   uuid7_migration_next(map regclass, version int, ts timestamptz, from_column bool) RETURNS uuid
 *       the next new key of the run that fills mapping table `map` (strictly increasing within the run)
 *   uuid7_migration_lookup(map regclass, old_id bigint) RETURNS uuid
 *       old key → new key through mapping table `map`, loaded once per transaction into a sorted array
 *   uuid7_reference_lookup(map regclass, old_id bigint, keep_null bool, ref text) RETURNS uuid
 *       the same for a declared reference (option "references"): a missing key is NULL when keep_null, else an
 *       error naming the reference `ref`
 *   uuid7_reference_text(map regclass, old_id text, keep_null bool, ref text) RETURNS text
 *       the same for a key written as digits in text (-?[0-9]{1,18}; anything else is dangling): the new key's text
 *   uuid7_reference_array(map regclass, old_ids bigint[], keep_null bool, ref text) RETURNS uuid[]
 *       the same element by element (one dimension; order, NULL elements and the lower bound kept)
 *
 * The lookup reads the table itself, not through the executor, so it makes the executor's checks itself, as the
 * role calling it: SELECT on the table or on both columns it reads, and it refuses (42501) a table whose row-level
 * security applies to that role. Refusing keeps the per-row path a binary search: the check runs once per map,
 * role and transaction, not per row, and the mapping tables of uuid7_migrate() have no policies.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames; the core helpers are noexcept.
 */
#include "core/migrate_keygen.hpp"
#include "core/key_text.hpp"
#include "core/migrate_keymap.hpp"
#include "core/time_units.hpp"
#include "core/uuid_layout.hpp"

#include "pg/generator_state.hpp"
#include "pg/time_convert.hpp"
#include "pg/uuid_datum.hpp"

#include <cstring>

#include "pg/pg_compat.hpp"
#include "pg/postgres_headers.hpp"

extern "C"
{
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
}

namespace
{

/* ---- key generation: one run per mapping table -------------------------------------------------------- */

/* Plain data, constant-initialised: no constructor runs at load time. */
struct KeygenRun
{
	Oid map;
	LocalTransactionId lxid;
	bool have_last;
	uint8 last[uuid7::kUuidSize];
};
KeygenRun keygen_run = {InvalidOid, InvalidLocalTransactionId, false, {0}};

/* ---- lookup cache: the mapping tables loaded in this transaction ------------------------------------- */

struct LoadedMap
{
	Oid map;
	LocalTransactionId lxid;
	Oid checked_for; /* the role whose access was checked last: another (SET ROLE, SECURITY DEFINER) is checked anew */
	uuid7::KeyMapEntry *entries;
	size_t n;
	int32 *dense; /* direct index, or nullptr */
	size_t nslots;
};
/* As many as the transaction looks up (a whole schema's tables in one call): grown in map_context, by doubling. */
LoadedMap *loaded_maps = nullptr;
int n_loaded_maps = 0;
int loaded_maps_capacity = 0;
MemoryContext map_context = nullptr;
bool xact_callback_registered = false;

void ForgetMaps(XactEvent event, void *)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
	    event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
	{
		n_loaded_maps = 0;
		loaded_maps = nullptr;
		loaded_maps_capacity = 0;
		if (map_context != nullptr)
		{
			MemoryContextDelete(map_context);
			map_context = nullptr;
		}
	}
}

/*
 * The mapping table must be an ordinary table (old_id bigint, new_id uuid, ...). The kind is checked first: a view,
 * a partitioned or a foreign table has no heap to scan, and a scan of one would crash the backend.
 */
void CheckMapShape(Relation rel)
{
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		                errmsg("\"%s\" is not a uuid7 mapping table", RelationGetRelationName(rel)),
		                errdetail("A mapping table is an ordinary table, not a view, partitioned, foreign or "
		                          "other relation.")));
	TupleDesc desc = RelationGetDescr(rel);
	if (desc->natts < 2 || TupleDescAttr(desc, 0)->atttypid != INT8OID || TupleDescAttr(desc, 1)->atttypid != UUIDOID ||
	    TupleDescAttr(desc, 0)->attisdropped || TupleDescAttr(desc, 1)->attisdropped)
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		                errmsg("\"%s\" is not a uuid7 mapping table", RelationGetRelationName(rel)),
		                errdetail("A mapping table starts with columns (old_id bigint, new_id uuid).")));
}

/*
 * What the executor would check before `SELECT old_id, new_id FROM map` as the current role: SELECT on the table, or
 * on both columns read (a column grant is enough, as it is for the query); and no row-level security for this role
 * (with row_security off, check_enable_rls itself raises 42501, as the query would). Where policies apply the scan
 * below would read rows they hide, so the lookup is refused whatever key is asked: the policies are expressions of
 * the executor, which this scan does not run.
 */
void CheckAccess(Oid map)
{
	const Oid role = GetUserId();
	const AclResult acl = pg_class_aclcheck(map, role, ACL_SELECT);
	if (acl != ACLCHECK_OK && (pg_attribute_aclcheck(map, 1, role, ACL_SELECT) != ACLCHECK_OK ||
	                           pg_attribute_aclcheck(map, 2, role, ACL_SELECT) != ACLCHECK_OK))
		aclcheck_error(acl, OBJECT_TABLE, get_rel_name(map));
	if (check_enable_rls(map, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("uuid7_migration_lookup cannot read \"%s\": row-level security applies to it",
		                       get_rel_name(map)),
		                errdetail("The lookup reads the whole table without its policies, so it refuses any table "
		                          "whose policies apply to role \"%s\".",
		                          GetUserNameFromId(role, false)),
		                errhint("Look the key up with a query, which the policies filter.")));
}

LoadedMap *LoadMap(Oid map)
{
	if (!xact_callback_registered)
	{
		RegisterXactCallback(ForgetMaps, nullptr);
		xact_callback_registered = true;
	}
	if (!ActiveSnapshotSet())
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("uuid7_migration_lookup needs an active snapshot")));
	if (map_context == nullptr)
		map_context = AllocSetContextCreate(TopMemoryContext, "uuid7 migration maps", ALLOCSET_DEFAULT_SIZES);

	CheckAccess(map);
	Relation rel = table_open(map, AccessShareLock);
	CheckMapShape(rel);

	size_t capacity = 1024;
	size_t n = 0;
	auto *entries =
	    static_cast<uuid7::KeyMapEntry *>(MemoryContextAllocHuge(map_context, capacity * sizeof(uuid7::KeyMapEntry)));
	TableScanDesc scan = uuid7::pg::BeginSeqScan(rel, GetActiveSnapshot());
	TupleTableSlot *slot = table_slot_create(rel, nullptr);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool old_null, new_null;
		Datum old_key = slot_getattr(slot, 1, &old_null);
		Datum new_key = slot_getattr(slot, 2, &new_null);
		if (old_null || new_null)
			continue; /* the lookup of a NULL is NULL anyway; a NULL new key maps nothing */
		if (n == capacity)
		{
			capacity *= 2;
			entries = static_cast<uuid7::KeyMapEntry *>(repalloc_huge(entries, capacity * sizeof(uuid7::KeyMapEntry)));
		}
		entries[n].old_key = DatumGetInt64(old_key);
		std::memcpy(entries[n].new_key, DatumGetUUIDP(new_key)->data, uuid7::kUuidSize);
		n++;
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);

	if (!uuid7::KeyMapIsStrictlySorted(entries, n))
	{
		uuid7::KeyMapSort(entries, n);
		size_t dup = uuid7::KeyMapFirstDuplicate(entries, n);
		if (dup < n)
			ereport(ERROR, (errcode(ERRCODE_UNIQUE_VIOLATION),
			                errmsg("mapping table \"%s\" maps old key " INT64_FORMAT " more than once",
			                       RelationGetRelationName(rel), entries[dup].old_key)));
	}
	table_close(rel, NoLock); /* keep the lock: the map must not change while it is cached */

	if (n_loaded_maps == loaded_maps_capacity)
	{
		loaded_maps_capacity = loaded_maps_capacity == 0 ? 32 : loaded_maps_capacity * 2;
		const Size size = sizeof(LoadedMap) * static_cast<Size>(loaded_maps_capacity);
		loaded_maps = static_cast<LoadedMap *>(loaded_maps == nullptr ? MemoryContextAlloc(map_context, size)
		                                                              : repalloc(loaded_maps, size));
	}
	LoadedMap *loaded = &loaded_maps[n_loaded_maps++];
	loaded->map = map;
	loaded->lxid = uuid7::pg::CurrentLocalXid();
	loaded->checked_for = GetUserId();
	loaded->entries = entries;
	loaded->n = n;
	loaded->dense = nullptr;
	loaded->nslots = uuid7::KeyMapDenseSlots(entries, n);
	if (loaded->nslots > 0)
	{
		loaded->dense = static_cast<int32 *>(MemoryContextAllocHuge(map_context, loaded->nslots * sizeof(int32)));
		uuid7::KeyMapFillDense(entries, n, loaded->dense, loaded->nslots);
	}
	return loaded;
}

/* The entry of old_key in a loaded map, or nullptr. */
const uuid7::KeyMapEntry *FindKey(const LoadedMap *loaded, int64 old_key)
{
	return uuid7::KeyMapFind(loaded->entries, loaded->n, loaded->dense, loaded->nslots, old_key);
}

/* A new uuid (palloc'd) holding an entry's new key. */
pg_uuid_t *NewKeyOf(const uuid7::KeyMapEntry *entry)
{
	pg_uuid_t *out = uuid7::pg::NewUuid();
	std::memcpy(out->data, entry->new_key, uuid7::kUuidSize);
	return out;
}

LoadedMap *FindLoadedMap(Oid map)
{
	for (int i = 0; i < n_loaded_maps; i++)
		if (loaded_maps[i].map == map && loaded_maps[i].lxid == uuid7::pg::CurrentLocalXid())
		{
			/* loaded for another role in this transaction: that role's rights are not this one's */
			if (loaded_maps[i].checked_for != GetUserId())
			{
				CheckAccess(map);
				loaded_maps[i].checked_for = GetUserId();
			}
			return &loaded_maps[i];
		}
	return LoadMap(map);
}

/* A declared reference's value with no entry in the map (and no "dangling": "null"): the error naming it. */
[[noreturn]] void ReferenceMiss(Oid map, int64 old_key, text *ref)
{
	ereport(ERROR,
	        (errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
	         errmsg("declared reference %s holds " INT64_FORMAT ", which has no entry in mapping table \"%s\"",
	                text_to_cstring(ref), old_key, get_rel_name(map)),
	         errdetail("No row of the referenced table has that key (a dangling reference)."),
	         errhint("Fix or delete the dangling values, or add \"dangling\": \"null\" to this reference to set them "
	                 "NULL; uuid7_migration_plan() counts them.")));
	pg_unreachable();
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_migration_next);
	PG_FUNCTION_INFO_V1(uuid7_migration_lookup);
	PG_FUNCTION_INFO_V1(uuid7_reference_lookup);
	PG_FUNCTION_INFO_V1(uuid7_reference_array);
	PG_FUNCTION_INFO_V1(uuid7_reference_text);

	/*
	 * uuid7_migration_next(map regclass, version integer, ts timestamptz, from_column boolean) RETURNS uuid
	 *
	 * Called once per row, in the order the new keys must sort (old key, or timestamp column then old key). A new
	 * `map` (or a new transaction) starts a new run. from_column: take the time from ts (NULL is an error), else from
	 * the clock.
	 */
	Datum uuid7_migration_next(PG_FUNCTION_ARGS)
	{
		if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("uuid7_migration_next: map, version and from_column must not be null")));
		const Oid map = PG_GETARG_OID(0);
		const int32 version = PG_GETARG_INT32(1);
		const bool from_column = PG_GETARG_BOOL(3);
		if (version != 6 && version != 7)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("uuid version must be 6 or 7, not %d", version)));
		if (from_column && PG_ARGISNULL(2))
			ereport(ERROR,
			        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			         errmsg("the timestamp column of a row being migrated is null"),
			         errdetail("Mapping table \"%s\" is being filled from a timestamp column.", get_rel_name(map)),
			         errhint("Fill the NULL timestamps first, or migrate without the \"timestamp_column\" option.")));

		if (keygen_run.map != map || keygen_run.lxid != uuid7::pg::CurrentLocalXid())
		{
			keygen_run.map = map;
			keygen_run.lxid = uuid7::pg::CurrentLocalXid();
			keygen_run.have_last = false;
		}
		const uint8 *last = keygen_run.have_last ? keygen_run.last : nullptr;
		pg_uuid_t *out = uuid7::pg::NewUuid();
		if (version == 7)
		{
			/* a row's time reaches 10889, past 2^64 ns since 1970: it goes in as µs, never scaled to ns */
			const uuid7::V7Instant at = from_column ? uuid7::V7InstantFromUs(static_cast<uint64>(
			                                              uuid7::pg::V7UnixUsFromTimestamp(PG_GETARG_TIMESTAMPTZ(2))))
			                                        : uuid7::V7InstantFromNs(uuid7::pg::NextV7InstantNs());
			uuid7::NextMigrationV7(out->data, last, at, uuid7::pg::RandomU64());
		}
		else
		{
			const uint64 ticks =
			    from_column ? uuid7::pg::V6TicksFromTimestamp(PG_GETARG_TIMESTAMPTZ(2)) : uuid7::pg::NextV6Tick();
			uuid7::NextMigrationV6(out->data, last, ticks, uuid7::pg::RandomU64());
		}
		std::memcpy(keygen_run.last, out->data, uuid7::kUuidSize);
		keygen_run.have_last = true;
		PG_RETURN_UUID_P(out);
	}

	/*
	 * uuid7_migration_lookup(map regclass, old_id bigint) RETURNS uuid   (STRICT)
	 *
	 * Used in the USING expression of the migration's ALTER TABLE. An old key missing from the map is an error: a
	 * silently NULL foreign key would lose a relationship.
	 */
	Datum uuid7_migration_lookup(PG_FUNCTION_ARGS)
	{
		const Oid map = PG_GETARG_OID(0);
		const int64 old_key = PG_GETARG_INT64(1);
		const uuid7::KeyMapEntry *entry = FindKey(FindLoadedMap(map), old_key);
		if (entry == nullptr)
			ereport(ERROR,
			        (errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			         errmsg("key " INT64_FORMAT " has no entry in mapping table \"%s\"", old_key, get_rel_name(map)),
			         errdetail("A referencing row holds a key that the referenced table does not have (a NOT VALID "
			                   "foreign key, or a constraint added after the rows)."),
			         errhint("Delete or fix the dangling references, then migrate again.")));
		PG_RETURN_UUID_P(NewKeyOf(entry));
	}

	/*
	 * uuid7_reference_lookup(map regclass, old_id bigint, keep_null boolean, ref text) RETURNS uuid   (not STRICT)
	 *
	 * Used in the USING expressions that convert a declared reference (a column holding keys without a foreign key
	 * constraint). A NULL old_id stays NULL. An old key missing from the map (a dangling reference) is NULL when
	 * keep_null (the reference's "dangling": "null"), else an error naming the reference.
	 */
	Datum uuid7_reference_lookup(PG_FUNCTION_ARGS)
	{
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("uuid7_reference_lookup: map, keep_null and ref must not be null")));
		const Oid map = PG_GETARG_OID(0);
		const int64 old_key = PG_GETARG_INT64(1);
		const uuid7::KeyMapEntry *entry = FindKey(FindLoadedMap(map), old_key);
		if (entry == nullptr)
		{
			if (PG_GETARG_BOOL(2))
				PG_RETURN_NULL();
			ReferenceMiss(map, old_key, PG_GETARG_TEXT_PP(3));
		}
		PG_RETURN_UUID_P(NewKeyOf(entry));
	}

	/*
	 * uuid7_reference_array(map regclass, old_ids bigint[], keep_null boolean, ref text) RETURNS uuid[]   (not STRICT)
	 *
	 * A declared array reference: each element through the map, in order; a NULL element stays NULL, a missing key
	 * is NULL when keep_null, else an error naming the reference. A NULL array stays NULL, an empty one empty; the
	 * lower bound is kept. Only one dimension (22023 otherwise).
	 */
	Datum uuid7_reference_array(PG_FUNCTION_ARGS)
	{
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("uuid7_reference_array: map, keep_null and ref must not be null")));
		const Oid map = PG_GETARG_OID(0);
		ArrayType *in = PG_GETARG_ARRAYTYPE_P(1);
		const bool keep_null = PG_GETARG_BOOL(2);
		if (ARR_NDIM(in) > 1)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("declared reference %s holds a multidimensional array",
			                       text_to_cstring(PG_GETARG_TEXT_PP(3))),
			                errhint("Only one-dimensional arrays of keys are converted.")));
		if (ARR_NDIM(in) == 0)
			PG_RETURN_ARRAYTYPE_P(construct_empty_array(UUIDOID));
		int16 elmlen;
		bool elmbyval;
		char elmalign;
		get_typlenbyvalalign(INT8OID, &elmlen, &elmbyval, &elmalign);
		Datum *elems;
		bool *nulls;
		int n;
		deconstruct_array(in, INT8OID, elmlen, elmbyval, elmalign, &elems, &nulls, &n);
		LoadedMap *loaded = FindLoadedMap(map);
		Datum *out = static_cast<Datum *>(palloc(sizeof(Datum) * static_cast<size_t>(n)));
		bool *out_nulls = static_cast<bool *>(palloc(sizeof(bool) * static_cast<size_t>(n)));
		for (int i = 0; i < n; i++)
		{
			out[i] = static_cast<Datum>(0);
			out_nulls[i] = true;
			if (nulls[i])
				continue;
			const int64 old_key = DatumGetInt64(elems[i]);
			const uuid7::KeyMapEntry *entry = FindKey(loaded, old_key);
			if (entry == nullptr)
			{
				if (keep_null)
					continue;
				ReferenceMiss(map, old_key, PG_GETARG_TEXT_PP(3));
			}
			out[i] = UUIDPGetDatum(NewKeyOf(entry));
			out_nulls[i] = false;
		}
		int dims[1] = {n};
		int lbs[1] = {ARR_LBOUND(in)[0]};
		PG_RETURN_ARRAYTYPE_P(
		    construct_md_array(out, out_nulls, 1, dims, lbs, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
	}

	/*
	 * uuid7_reference_text(map regclass, old_id text, keep_null boolean, ref text) RETURNS text   (not STRICT)
	 *
	 * A declared text reference: a key written as an integer of at most 18 digits (an optional minus sign, nothing
	 * else) -> the new key's text. A NULL stays NULL; anything else, or a key missing from the map, is dangling:
	 * NULL when keep_null, else an error naming the reference.
	 */
	Datum uuid7_reference_text(PG_FUNCTION_ARGS)
	{
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("uuid7_reference_text: map, keep_null and ref must not be null")));
		const Oid map = PG_GETARG_OID(0);
		text *val = PG_GETARG_TEXT_PP(1);
		const bool keep_null = PG_GETARG_BOOL(2);
		std::int64_t old_key = 0;
		if (!uuid7::ParseIntegerKey(VARDATA_ANY(val), VARSIZE_ANY_EXHDR(val), &old_key))
		{
			if (keep_null)
				PG_RETURN_NULL();
			ereport(ERROR,
			        (errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			         errmsg("declared reference %s holds \"%s\", which is not an integer key",
			                text_to_cstring(PG_GETARG_TEXT_PP(3)), text_to_cstring(val)),
			         errdetail("A text reference holds each key as an integer of at most 18 digits."),
			         errhint("Fix or delete the dangling values, or add \"dangling\": \"null\" to this reference "
			                 "to set them NULL; uuid7_migration_plan() counts them.")));
		}
		const uuid7::KeyMapEntry *entry = FindKey(FindLoadedMap(map), old_key);
		if (entry == nullptr)
		{
			if (keep_null)
				PG_RETURN_NULL();
			ReferenceMiss(map, old_key, PG_GETARG_TEXT_PP(3));
		}
		char buf[uuid7::kUuidTextLength];
		uuid7::FormatUuid(entry->new_key, buf);
		PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, static_cast<int>(uuid7::kUuidTextLength)));
	}

} // extern "C"
