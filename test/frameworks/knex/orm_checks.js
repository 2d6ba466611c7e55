// test/frameworks/knex/orm_checks.js: the Knex side of test/frameworks/knex.sh, through Knex only.
//   node orm_checks.js fill STATE    provider configs, events (some deleted: gaps), a queue; the reads to STATE
//   node orm_checks.js after STATE   reads as before, uuid v7 keys made by the database, joins, writes, no pending
//                                    migration
// Prints "ok NAME" / "not ok NAME — WHY" lines (test/frameworks/lib.sh fw_results).
const fs = require("fs");
const knex = require("knex")(require("./knexfile"));

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const check = (name, ok, why = "") => console.log(ok ? `ok ${name}` : `not ok ${name} — ${why}`);

const doneByProvider = () =>
  knex("event_queue as q").join("provider_configs as p", "p.id", "q.provider_config_id")
    .where("q.status", "done").groupBy("p.provider").orderBy("p.provider").select("p.provider").count("* as n")
    .then((rows) => rows.map((r) => `${r.provider}:${r.n}`));

const reads = () =>
  knex("event_queue as q")
    .join("events as e", "e.id", "q.event_id")
    .join("provider_configs as p", "p.id", "q.provider_config_id")
    .select("p.provider", "e.kind", "e.payload", "q.status")
    .orderBy([{ column: "e.kind" }, { column: "p.provider" }, { column: "q.status" }])
    .then((rows) => rows.map((r) => `${r.provider}|${r.kind}|${JSON.stringify(r.payload)}|${r.status}`));

async function fill(path) {
  const providers = await knex("provider_configs")
    .insert(["segment", "amplitude", "mixpanel"].map((provider) => ({ provider, settings: { on: true } })))
    .returning("id");
  const events = [];
  for (let i = 0; i < 30; i++) {
    const [e] = await knex("events")
      .insert({ provider_config_id: providers[i % 3].id, kind: `kind-${String(i).padStart(2, "0")}`, payload: { i } })
      .returning("id");
    events.push(e.id);
  }
  for (const [i, id] of events.entries()) {
    await knex("event_queue").insert({ event_id: id, provider_config_id: providers[(i + 1) % 3].id, status: i % 4 ? "pending" : "done" });
  }
  await knex("events").whereIn("id", [events[3], events[17]]).del(); // gaps; their queue rows go (ON DELETE CASCADE)
  const state = {
    reads: await reads(),
    done: await doneByProvider(),
    oldEventIds: Object.fromEntries((await knex("events").select("kind", "id")).map((r) => [r.kind, Number(r.id)])),
  };
  fs.writeFileSync(path, JSON.stringify(state));
  check("fill: provider configs, events, queue through Knex", state.reads.length === 28, `${state.reads.length} queue rows`);
  check("fill: the keys are integers", Object.values(state.oldEventIds).every(Number.isInteger));
}

async function after(path) {
  const state = JSON.parse(fs.readFileSync(path));
  const now = await reads();
  check("reads: the queue joined to its events and provider configs as before", JSON.stringify(now) === JSON.stringify(state.reads),
    `${now.length} rows`);
  const ids = [
    ...(await knex("events").pluck("id")), ...(await knex("provider_configs").pluck("id")), ...(await knex("event_queue").pluck("id")),
  ];
  check("keys: every key read through Knex is a uuid v7", ids.length === 59 && ids.every((id) => V7.test(id)),
    `${ids.length} keys, ${ids.filter((id) => !V7.test(id)).slice(0, 3)}`);
  const wrong = [];
  for (const [kind, old] of Object.entries(state.oldEventIds)) {
    const { rows } = await knex.raw(
      "SELECT e.id = uuid7_mapped_id('events', ?) AND uuid7_legacy_id('events', e.id) = ? AS ok FROM events e WHERE e.kind = ?",
      [old, old, kind]);
    if (!rows[0].ok) wrong.push(kind);
  }
  check("lookups: uuid7_mapped_id / uuid7_legacy_id map every old event id both ways", wrong.length === 0, wrong.join(","));
  const byNew = await knex("events").orderBy("id").pluck("kind");
  const byOld = Object.keys(state.oldEventIds).sort((a, b) => state.oldEventIds[a] - state.oldEventIds[b]);
  check("keys: ordering by the uuid key is the old key order", JSON.stringify(byNew) === JSON.stringify(byOld));
  const done = await doneByProvider();
  check("joins: done queue rows per provider as before (event_queue JOIN provider_configs, GROUP BY)",
    JSON.stringify(done) === JSON.stringify(state.done) && done.length === 3, `${done} != ${state.done}`);
  const [p] = await knex("provider_configs").insert({ provider: "rudderstack" }).returning("id");
  const [e] = await knex("events").insert({ provider_config_id: p.id, kind: "kind-new", payload: { fresh: true } }).returning("id");
  const [q] = await knex("event_queue").insert({ event_id: e.id, provider_config_id: p.id }).returning("id");
  check("writes: new rows get uuid v7 keys from DEFAULT uuid_generate_v7() (RETURNING)",
    [p.id, e.id, q.id].every((id) => V7.test(id)), `${p.id} ${e.id} ${q.id}`);
  check("writes: the new event is the latest by key", (await knex("events").orderBy("id", "desc").first("kind")).kind === "kind-new");
  const joined = await knex("event_queue as q").join("events as e", "e.id", "q.event_id").where("q.id", q.id).first("e.kind");
  check("writes: the new queue row joins its new event", joined && joined.kind === "kind-new");
  await knex("event_queue").where("id", q.id).update({ status: "running" });
  check("writes: update through Knex", (await knex("event_queue").where("id", q.id).first("status")).status === "running");
  await knex("events").where("id", e.id).del();
  check("writes: delete cascades to the queue (ON DELETE CASCADE, recreated)",
    (await knex("event_queue").where("id", q.id)).length === 0);
  const [completed, pending] = await knex.migrate.list();
  check("framework check: knex.migrate.list() has 2 completed, none pending", completed.length === 2 && pending.length === 0,
    `${completed.length} completed, ${pending.length} pending`);
}

(process.argv[2] === "fill" ? fill : after)(process.argv[3])
  .catch((err) => { console.log(`not ok ${process.argv[2]} — ${err.message}`); process.exitCode = 1; })
  .finally(() => knex.destroy());
