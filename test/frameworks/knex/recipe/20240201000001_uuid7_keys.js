// The keys of events, provider_configs and event_queue become uuid7 keys: one uuid7_migrate call converts them and
// both foreign keys of event_queue, in the transaction Knex runs the migration in.
exports.up = async (knex) => {
  await knex.raw("CREATE EXTENSION IF NOT EXISTS uuid7"); // (a database built from the migrations alone)
  await knex.raw("SELECT uuid7_migrate(ARRAY['events', 'provider_configs', 'event_queue']::regclass[])");
};

exports.down = () => {
  throw new Error("irreversible: the old keys stay readable through uuid7_legacy_id");
};
