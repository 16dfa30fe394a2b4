// The D1 binding from user code: a real `atoll dev` child process, real HTTP, real SQLite files.
// Each route of the worker below exercises one area and answers JSON; errors are reported as user
// code sees them (constructor, message, cause).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startWorker, type RunningDev } from "../support/worker.ts";

const TOML = `name = "d1-test"
main = "index.js"
compatibility_date = "2025-01-01"

[[d1_databases]]
binding = "DB"
database_name = "main-db"
database_id = "main-db-id"

[[d1_databases]]
binding = "OTHER"
database_name = "other-db"
database_id = "other-db-id"
`;

const WORKER = String.raw`
async function cap(f) {
  try {
    return { ok: await f() };
  } catch (e) {
    return { error: e.message, type: e.constructor.name, cause: e.cause?.message ?? null };
  }
}
const keysOf = (o) => Object.keys(o);

const routes = {
  async shapes(env) {
    await env.DB.exec("DROP TABLE IF EXISTS users;\nCREATE TABLE users (user_id INTEGER PRIMARY KEY, name TEXT, land_based BOOLEAN)");
    const insert = await env.DB.prepare("INSERT INTO users (name, land_based) VALUES ('Albert Ross', false), ('Al Dente', true) RETURNING *").run();
    const select = env.DB.prepare("SELECT * FROM users WHERE user_id = ?");
    return {
      insert,
      insertKeys: keysOf(insert),
      metaKeys: keysOf(insert.meta),
      all: await env.DB.prepare("SELECT * FROM users").all(),
      run: await env.DB.prepare("SELECT name FROM users").run(),
      first: await select.bind(2).first(),
      firstName: await select.bind(1).first("name"),
      firstNone: await select.bind(99).first(),
      firstNoneColumn: await select.bind(99).first("nope"),
      raw: await env.DB.prepare("SELECT user_id, name FROM users").raw(),
      rawColumns: await env.DB.prepare("SELECT user_id, name FROM users").raw({ columnNames: true }),
      rawEmptyColumns: await env.DB.prepare("SELECT user_id FROM users WHERE 0").raw({ columnNames: true }),
      rawDuplicate: await env.DB.prepare("SELECT 1 AS a, 2 AS a").raw(),
      allDuplicate: (await env.DB.prepare("SELECT 1 AS a, 2 AS a").all()).results,
      batch: await env.DB.batch([select.bind(2), select.bind(1), env.DB.prepare("UPDATE users SET name = 'x' WHERE user_id = 99")]),
      bindIsImmutable: [select.params, select.bind(5).params, select.statement],
      classes: [env.DB.constructor.name, select.constructor.name, env.DB.withSession().constructor.name],
    };
  },
  async errors(env) {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS uniq (v TEXT UNIQUE)");
    const s = (sql) => env.DB.prepare(sql);
    return {
      noTable: await cap(() => s("SELECT * FROM nope").all()),
      syntax: await cap(() => s("SELEC 1").run()),
      unique: await cap(() => env.DB.batch([s("INSERT INTO uniq VALUES ('a')"), s("INSERT INTO uniq VALUES ('a')")])),
      tooFew: await cap(() => s("SELECT ?, ?").bind(1).all()),
      tooMany: await cap(() => s("SELECT ?").bind(1, 2).first()),
      multiParams: await cap(() => s("SELECT ?; SELECT ?").bind(1, 2).all()),
      empty: await cap(() => s("").all()),
      undefinedValue: await cap(() => s("SELECT ?").bind(undefined)),
      objectValue: await cap(() => s("SELECT ?").bind({ a: 1 })),
      bigintValue: await cap(() => s("SELECT ?").bind(10n)),
      functionValue: await cap(() => s("SELECT ?").bind(() => 1)),
      column: await cap(() => s("SELECT 1 AS a").first("b")),
      exec: await cap(() => env.DB.exec("SELECT 1;\nSELECT * FROM nope;\nSELECT 3")),
      execEmpty: await cap(() => env.DB.exec("   ")),
      attach: await cap(() => s("ATTACH DATABASE 'x.sqlite' AS x").run()),
      pragma: await cap(() => s("PRAGMA journal_mode = DELETE").run()),
      begin: await cap(() => s("BEGIN TRANSACTION").run()),
      reserved: await cap(() => s("CREATE TABLE _cf_x (a)").run()),
      query: await cap(() => env.DB.query({ queries: [] })),
      notABatch: await cap(() => env.DB.batch([{ statement: "SELECT 1", params: [] }])),
      isError: await (async () => { try { await s("SELECT * FROM nope").all(); } catch (e) { return e instanceof Error; } })(),
    };
  },
  async types(env) {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS vals (k TEXT, v)");
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const cases = {
      null: null, int: 42, negative: -7, real: 1.5, big: 2 ** 60, huge: 1e300, string: "héllo ✓", true: true, false: false,
      buffer: bytes.buffer, view: bytes, dataView: new DataView(bytes.buffer, 1, 2), array: [9, 8, 7], nan: NaN,
    };
    const out = {};
    for (const [k, v] of Object.entries(cases)) {
      const row = await env.DB.prepare("SELECT ? AS v, typeof(?) AS t").bind(v, v).first();
      out[k] = [row.v, row.t];
    }
    await env.DB.prepare("INSERT INTO vals VALUES ('blob', ?)").bind(bytes).run();
    out.stored = await env.DB.prepare("SELECT v, typeof(v) AS t, length(v) AS n FROM vals WHERE k = 'blob'").first();
    out.maxInteger = await env.DB.prepare("SELECT 9223372036854775807 AS v").first("v");
    out.literalBlob = await env.DB.prepare("SELECT x'cafe' AS v").first("v");
    return out;
  },
  async atomic(env) {
    await env.DB.exec("DROP TABLE IF EXISTS ledger;\nCREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)");
    const insert = env.DB.prepare("INSERT INTO ledger (amount) VALUES (?)");
    const failed = await cap(() => env.DB.batch([insert.bind(1), insert.bind(2), insert.bind(null), insert.bind(4)]));
    const afterFailure = await env.DB.prepare("SELECT count(*) AS n FROM ledger").first("n");
    const good = await env.DB.batch([insert.bind(10), insert.bind(20), env.DB.prepare("SELECT sum(amount) AS s FROM ledger")]);
    return { failed, afterFailure, goodSum: good[2].results[0].s, goodIds: good.map((r) => r.meta.last_row_id) };
  },
  async exec(env) {
    const r = await env.DB.exec("DROP TABLE IF EXISTS e1;\nCREATE TABLE e1 (a); INSERT INTO e1 VALUES (1);\n\n-- a comment\nINSERT INTO e1 VALUES (2); INSERT INTO e1 VALUES (3)");
    const multiLine = await cap(() => env.DB.exec("CREATE TABLE e2 (\n a INTEGER\n)"));
    return { count: r.count, durationIsNumber: typeof r.duration === "number", keys: keysOf(r), sum: await env.DB.prepare("SELECT sum(a) AS s FROM e1").first("s"), multiLine };
  },
  async features(env) {
    await env.DB.exec("DROP TABLE IF EXISTS notes;\nDROP TABLE IF EXISTS child;\nDROP TABLE IF EXISTS parent;\nCREATE VIRTUAL TABLE IF NOT EXISTS notes USING fts5(title, body)");
    await env.DB.batch([
      env.DB.prepare("INSERT INTO notes VALUES (?, ?)").bind("d1", "SQLite at the edge"),
      env.DB.prepare("INSERT INTO notes VALUES (?, ?)").bind("kv", "eventually consistent key value"),
    ]);
    await env.DB.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY);\nCREATE TABLE child (pid INTEGER REFERENCES parent(id))");
    return {
      fts: (await env.DB.prepare("SELECT title, snippet(notes, 1, '<', '>', '…', 4) AS s FROM notes WHERE notes MATCH ?").bind("edge").all()).results,
      json: await env.DB.prepare("SELECT json_extract(?, '$.a[1]') AS a, json_object('k', ?) AS o, ? ->> '$.x' AS x").bind('{"a":[1,2]}', "v", '{"x":true}').first(),
      fkPragma: await env.DB.prepare("PRAGMA foreign_keys").first("foreign_keys"),
      fk: await cap(() => env.DB.prepare("INSERT INTO child VALUES (1)").run()),
      deferred: await cap(() => env.DB.batch([
        env.DB.prepare("PRAGMA defer_foreign_keys = on"),
        env.DB.prepare("INSERT INTO child VALUES (5)"),
        env.DB.prepare("INSERT INTO parent VALUES (5)"),
      ]).then((r) => r.length)),
      tableList: (await env.DB.prepare("PRAGMA table_info(child)").all()).results.map((c) => c.name),
    };
  },
  async sessions(env, url) {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS s (v INTEGER)");
    const fresh = env.DB.withSession();
    const primary = env.DB.withSession("first-primary");
    const before = fresh.getBookmark();
    const read = await fresh.prepare("SELECT count(*) AS n FROM s").first("n");
    const b1 = fresh.getBookmark();
    await primary.prepare("INSERT INTO s VALUES (1)").run();
    const b2 = primary.getBookmark();
    const batch = await primary.batch([primary.prepare("INSERT INTO s VALUES (2)"), primary.prepare("SELECT count(*) AS n FROM s")]);
    const b3 = primary.getBookmark();
    const resumed = env.DB.withSession(b2);
    const resumedBefore = resumed.getBookmark();
    const sawWrite = await resumed.prepare("SELECT count(*) AS n FROM s").first("n");
    const resumedAfter = resumed.getBookmark();
    const meta = (await resumed.prepare("SELECT 1").all()).meta;
    return {
      before, read, b1, b2, b3, resumedBefore, sawWrite, resumedAfter, batchCount: batch[1].results[0].n,
      served_by_primary: meta.served_by_primary,
      plainHasNoBookmark: typeof env.DB.getBookmark,
      future: await cap(() => env.DB.withSession(url.searchParams.get("future")).prepare("SELECT 1").all()),
      garbage: await cap(() => env.DB.withSession("not-a-bookmark").prepare("SELECT 1").all()),
    };
  },
  async write(env, url) {
    const r = await env.DB.prepare("INSERT INTO hits (n) VALUES (?)").bind(Number(url.searchParams.get("n"))).run();
    return r.meta.last_row_id;
  },
  async hits(env) {
    return env.DB.prepare("SELECT count(*) AS rows, count(DISTINCT n) AS distinct_n, sum(n) AS total FROM hits").first();
  },
  async setupHits(env) {
    await env.DB.exec("DROP TABLE IF EXISTS hits;\nCREATE TABLE hits (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
    return true;
  },
  async other(env) {
    await env.OTHER.exec("CREATE TABLE IF NOT EXISTS only_here (a)");
    return { other: await cap(() => env.OTHER.prepare("SELECT count(*) AS n FROM only_here").first("n")), main: await cap(() => env.DB.prepare("SELECT * FROM only_here").all()) };
  },
  async dump(env) {
    const buf = await env.DB.dump();
    return { isArrayBuffer: buf instanceof ArrayBuffer, header: new TextDecoder().decode(buf.slice(0, 15)), size: buf.byteLength };
  },
  async persist(env, url) {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS kept (v TEXT)");
    if (url.searchParams.has("v")) await env.DB.prepare("INSERT INTO kept VALUES (?)").bind(url.searchParams.get("v")).run();
    return (await env.DB.prepare("SELECT v FROM kept").raw()).flat();
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = routes[url.pathname.slice(1)];
    if (!route) return new Response("no route", { status: 404 });
    return Response.json(await route(env, url));
  },
};
`;

let dev: RunningDev;
let stateDir: string;

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "atoll-d1-state-"));
  dev = await startWorker({ toml: TOML, files: { "index.js": WORKER }, args: ["--persist-to", stateDir] });
});

after(async () => {
  await dev?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function get(path: string): Promise<any> {
  const res = await fetch(`${dev.url}/${path}`);
  const text = await res.text();
  assert.equal(res.status, 200, `GET /${path}: ${text}\n${dev.output()}`);
  return JSON.parse(text);
}

test("the database lives at <state>/d1/<database_id>.sqlite", async () => {
  await get("persist");
  assert.ok(existsSync(join(stateDir, "d1", "main-db-id.sqlite")));
});

test("prepare/bind/first/all/raw/run/batch return Cloudflare's shapes", async () => {
  const r = await get("shapes");
  const users = [
    { user_id: 1, name: "Albert Ross", land_based: 0 },
    { user_id: 2, name: "Al Dente", land_based: 1 },
  ];
  assert.deepEqual(r.insertKeys, ["success", "meta", "results"]);
  assert.deepEqual(r.metaKeys, [
    "served_by",
    "served_by_region",
    "served_by_colo",
    "served_by_primary",
    "timings",
    "duration",
    "changes",
    "last_row_id",
    "changed_db",
    "size_after",
    "rows_read",
    "rows_written",
    "total_attempts",
  ]);
  assert.equal(r.insert.success, true);
  assert.deepEqual(r.insert.results, users, "run() returns RETURNING rows");
  assert.equal(r.insert.meta.changes, 2);
  assert.equal(r.insert.meta.last_row_id, 2);
  assert.equal(r.insert.meta.changed_db, true);
  assert.equal(r.insert.meta.rows_written, 2);
  assert.equal(r.insert.meta.served_by_primary, true);
  assert.equal(typeof r.insert.meta.timings.sql_duration_ms, "number");
  assert.deepEqual(r.all.results, users);
  assert.equal(r.all.meta.changed_db, false);
  assert.equal(r.all.meta.rows_read, 2);
  assert.deepEqual(r.run.results, [{ name: "Albert Ross" }, { name: "Al Dente" }]);
  assert.deepEqual(r.first, users[1]);
  assert.equal(r.firstName, "Albert Ross");
  assert.equal(r.firstNone, null);
  assert.equal(r.firstNoneColumn, null, "first(column) of no rows is null, not an error");
  assert.deepEqual(r.raw, [
    [1, "Albert Ross"],
    [2, "Al Dente"],
  ]);
  assert.deepEqual(r.rawColumns, [
    ["user_id", "name"],
    [1, "Albert Ross"],
    [2, "Al Dente"],
  ]);
  assert.deepEqual(r.rawEmptyColumns, [["user_id"]]);
  assert.deepEqual(r.rawDuplicate, [[1, 2]], "raw() keeps duplicate column names");
  assert.deepEqual(r.allDuplicate, [{ a: 2 }], "objects keep the last duplicate, as on Cloudflare");
  assert.equal(r.batch.length, 3);
  assert.deepEqual(r.batch[0].results, [users[1]]);
  assert.deepEqual(r.batch[1].results, [users[0]]);
  assert.deepEqual(r.batch[2].results, []);
  assert.equal(r.batch[2].meta.changes, 0);
  assert.deepEqual(r.bindIsImmutable, [[], [5], "SELECT * FROM users WHERE user_id = ?"]);
  assert.deepEqual(r.classes, ["D1Database", "D1PreparedStatement", "D1DatabaseSession"]);
});

test("errors read as on Cloudflare, with their cause", async () => {
  const r = await get("errors");
  const d1 = (message: string) => ({ error: `D1_ERROR: ${message}`, type: "Error", cause: message });
  assert.deepEqual(r.noTable, d1("no such table: nope: SQLITE_ERROR"));
  assert.deepEqual(r.syntax, d1('near "SELEC": syntax error: SQLITE_ERROR'));
  assert.deepEqual(r.unique, d1("UNIQUE constraint failed: uniq.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"));
  assert.deepEqual(r.tooFew, d1("Wrong number of parameter bindings for SQL query."));
  assert.deepEqual(r.tooMany, d1("Wrong number of parameter bindings for SQL query."));
  assert.deepEqual(r.multiParams, d1("When executing multiple SQL statements in a single call, only the last statement can have parameters."));
  assert.deepEqual(r.empty, d1("No SQL statements detected."));
  const typeError = (type: string, value: string) => ({
    error: `D1_TYPE_ERROR: Type '${type}' not supported for value '${value}'`,
    type: "Error",
    cause: `Type '${type}' not supported for value '${value}'`,
  });
  assert.deepEqual(r.undefinedValue, typeError("undefined", "undefined"));
  assert.deepEqual(r.objectValue, typeError("object", "[object Object]"));
  assert.deepEqual(r.bigintValue, typeError("bigint", "10"));
  assert.deepEqual(r.functionValue, typeError("function", "() => 1"));
  assert.deepEqual(r.column, { error: "D1_COLUMN_NOTFOUND: Column not found (b)", type: "Error", cause: "Column not found" });
  assert.deepEqual(r.exec, {
    error: "D1_EXEC_ERROR: Error in line 2: SELECT * FROM nope;: no such table: nope: SQLITE_ERROR",
    type: "Error",
    cause: "Error in line 2: SELECT * FROM nope;: no such table: nope: SQLITE_ERROR",
  });
  assert.equal(r.execEmpty.error, "D1_EXEC_ERROR: Error in line 1: : No SQL statements detected.");
  assert.deepEqual(r.attach, d1("not authorized: SQLITE_AUTH"));
  assert.deepEqual(r.pragma, d1("not authorized: SQLITE_AUTH"));
  assert.deepEqual(r.reserved, d1("not authorized: SQLITE_AUTH"));
  assert.match(r.begin.error, /^D1_ERROR: To execute a transaction, please use the state\.storage\.transaction\(\) or state\.storage\.transactionSync\(\) APIs/);
  assert.match(r.query.error, /^D1_ERROR: D1Database\.query\(\) requires the d1_binding_jsrpc compatibility flag/);
  assert.equal(r.notABatch.type, "TypeError");
  assert.equal(r.isError, true);
});

test("values: null, numbers (integers as INTEGER), text, booleans as 1/0, bytes as BLOBs read back as byte arrays", async () => {
  const r = await get("types");
  assert.deepEqual(r.null, [null, "null"]);
  assert.deepEqual(r.int, [42, "integer"]);
  assert.deepEqual(r.negative, [-7, "integer"]);
  assert.deepEqual(r.real, [1.5, "real"]);
  assert.deepEqual(r.big, [2 ** 60, "integer"]);
  assert.deepEqual(r.huge, [1e300, "real"]);
  assert.deepEqual(r.string, ["héllo ✓", "text"]);
  assert.deepEqual(r.true, [1, "integer"]);
  assert.deepEqual(r.false, [0, "integer"]);
  assert.deepEqual(r.buffer, [[0, 1, 254, 255], "blob"]);
  assert.deepEqual(r.view, [[0, 1, 254, 255], "blob"]);
  // workerd turns views into arrays with Array.from(), which sees no elements in a DataView.
  assert.deepEqual(r.dataView, [[], "blob"]);
  assert.deepEqual(r.array, [[9, 8, 7], "blob"]);
  assert.deepEqual(r.nan, [null, "null"], "NaN crosses D1's JSON protocol as null");
  assert.deepEqual(r.stored, { v: [0, 1, 254, 255], t: "blob", n: 4 });
  assert.equal(r.maxInteger, 9223372036854775807, "INTEGERs beyond 2^53 read as the nearest number");
  assert.deepEqual(r.literalBlob, [0xca, 0xfe]);
});

test("batch() is atomic: a failure mid-batch leaves nothing", async () => {
  const r = await get("atomic");
  assert.equal(r.failed.error, "D1_ERROR: NOT NULL constraint failed: ledger.amount: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)");
  assert.equal(r.afterFailure, 0);
  assert.equal(r.goodSum, 30);
  assert.deepEqual(r.goodIds.slice(0, 2), [1, 2]);
});

test("exec() runs several statements per line and line by line, and reports count and duration", async () => {
  const r = await get("exec");
  assert.equal(r.count, 3, "one per line; blank and comment lines are not counted");
  assert.equal(r.durationIsNumber, true);
  assert.deepEqual(r.keys, ["count", "duration"]);
  assert.equal(r.sum, 6);
  // As on Cloudflare, exec() takes one query per line: a statement cannot span lines.
  assert.equal(r.multiLine.error, "D1_EXEC_ERROR: Error in line 1: CREATE TABLE e2 (: incomplete input: SQLITE_ERROR");
});

test("FTS5, JSON functions, foreign keys on by default, defer_foreign_keys, PRAGMA table_info", async () => {
  const r = await get("features");
  assert.deepEqual(r.fts, [{ title: "d1", s: "SQLite at the <edge>" }]);
  assert.deepEqual(r.json, { a: 2, o: '{"k":"v"}', x: 1 });
  assert.equal(r.fkPragma, 1);
  assert.equal(r.fk.error, "D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)");
  assert.deepEqual(r.deferred, { ok: 3 });
  assert.deepEqual(r.tableList, ["pid"]);
});

test("sessions: bookmarks are commit positions that only move forward, and resume a session", async () => {
  // A bookmark far ahead of this database: same identity, larger position.
  const current = (await get("sessions")).b3 as string;
  const future = current.replace(/^(\w{8}-)\w{8}/, (_, p) => `${p}7fffffff`);
  const r = await get(`sessions?future=${future}`);
  assert.equal(r.before, null, "a constraint is not a bookmark");
  assert.match(r.b1, /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
  assert.ok(r.b2 > r.b1, "a write moves the bookmark");
  assert.ok(r.b3 > r.b2);
  assert.equal(r.resumedBefore, r.b2, "withSession(bookmark) starts from it");
  assert.ok(r.sawWrite >= 1);
  assert.ok(r.resumedAfter >= r.b3, "and moves to the latest position it has seen");
  assert.equal(r.batchCount, r.sawWrite);
  assert.equal(r.served_by_primary, true);
  assert.equal(r.plainHasNoBookmark, "undefined");
  assert.match(r.future.error, /^D1_ERROR: Bookmark ".*" is ahead of the database's latest commit/);
  assert.equal(r.garbage.error, 'D1_ERROR: Invalid bookmark "not-a-bookmark"');
});

test("each binding reaches only its own database", async () => {
  const r = await get("other");
  assert.deepEqual(r.other, { ok: 0 });
  assert.equal(r.main.error, "D1_ERROR: no such table: only_here: SQLITE_ERROR");
});

test("dump() returns the database file", async () => {
  const r = await get("dump");
  assert.equal(r.isArrayBuffer, true);
  assert.equal(r.header, "SQLite format 3");
  assert.ok(r.size >= 4096);
});

test("100 concurrent writers over HTTP lose nothing", async () => {
  assert.equal(await get("setupHits"), true);
  const ids = await Promise.all(Array.from({ length: 100 }, (_, n) => get(`write?n=${n}`)));
  assert.equal(new Set(ids).size, 100);
  assert.deepEqual(await get("hits"), { rows: 100, distinct_n: 100, total: (99 * 100) / 2 });
  // And the rows are in the file, as another SQLite connection sees it.
  const db = new DatabaseSync(join(stateDir, "d1", "main-db-id.sqlite"), { readOnly: true });
  try {
    assert.deepEqual({ ...db.prepare("SELECT count(*) AS n FROM hits").get() }, { n: 100 });
  } finally {
    db.close();
  }
});

test("data survives a restart of atoll dev", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-d1-restart-"));
  try {
    const first = await startWorker({ toml: TOML, files: { "index.js": WORKER }, dir });
    try {
      assert.deepEqual(await (await fetch(`${first.url}/persist?v=before-restart`)).json(), ["before-restart"]);
    } finally {
      await first.stop();
    }
    const second = await startWorker({ toml: TOML, files: { "index.js": WORKER }, dir });
    try {
      assert.deepEqual(await (await fetch(`${second.url}/persist?v=after`)).json(), ["before-restart", "after"]);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
