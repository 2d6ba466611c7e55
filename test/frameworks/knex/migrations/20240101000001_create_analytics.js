// The schema before: integer keys (increments / bigIncrements), event_queue with two foreign keys.
exports.up = async (knex) => {
  await knex.schema.createTable("provider_configs", (t) => {
    t.increments("id");
    t.string("provider").notNullable().unique();
    t.jsonb("settings").notNullable().defaultTo("{}");
  });
  await knex.schema.createTable("events", (t) => {
    t.bigIncrements("id");
    t.integer("provider_config_id").notNullable().references("id").inTable("provider_configs");
    t.string("kind").notNullable();
    t.jsonb("payload");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["provider_config_id", "created_at"]);
  });
  await knex.schema.createTable("event_queue", (t) => {
    t.bigIncrements("id");
    t.bigInteger("event_id").notNullable().references("id").inTable("events").onDelete("CASCADE");
    t.integer("provider_config_id").notNullable().references("id").inTable("provider_configs");
    t.string("status").notNullable().defaultTo("pending");
    t.index(["status"]);
  });
};

exports.down = async (knex) => {
  await knex.schema.dropTable("event_queue");
  await knex.schema.dropTable("events");
  await knex.schema.dropTable("provider_configs");
};
