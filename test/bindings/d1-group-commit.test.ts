// D1 group commit through a real `atoll dev`: concurrent requests' writes share commits, yet each
// request gets exactly the outcome it would get alone, every acknowledged write is on disk (it
// survives a SIGKILL of the server right after the response, and a restart), and `atoll d1
// execute` still writes to the same file while the server is busy writing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { getJson, repoRoot, startWorker, type RunningDev } from "../support/worker.ts";

const TOML = `name = "d1-group"
main = "index.js"
compatibility_date = "2025-01-01"

[[d1_databases]]
binding = "DB"
database_name = "group-db"
database_id = "group-db-id"
`;

const WORKER = String.raw`
async function cap(f) {
  try {
    return { ok: await f() };
  } catch (e) {
    return { error: e.message, cause: e.cause?.message ?? null };
  }
}
const routes = {
  async setup(env) {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);\nCREATE TABLE IF NOT EXISTS uniq (v TEXT UNIQUE NOT NULL)");
    return true;
  },
  async insert(env, q) {
    return (await env.DB.prepare("INSERT INTO hits (n) VALUES (?)").bind(Number(q.get("n"))).run()).meta.last_row_id;
  },
  async unique(env, q) {
    return cap(async () => (await env.DB.prepare("INSERT INTO uniq (v) VALUES (?)").bind(q.get("v")).run()).meta.changes);
  },
  async batch(env, q) {
    const n = Number(q.get("n"));
    const insert = env.DB.prepare("INSERT INTO hits (n) VALUES (?)");
    // n < 0: the third of four statements fails (NOT NULL), after two inserts and a CREATE TABLE.
    return cap(async () => (await env.DB.batch([insert.bind(n), env.DB.prepare("CREATE TABLE t" + Math.abs(n) + " (a)"), insert.bind(n < 0 ? null : n), insert.bind(n)])).length);
  },
  async count(env) {
    return env.DB.prepare("SELECT count(*) AS rows, coalesce(sum(n), 0) AS total FROM hits").first();
  },
};
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = routes[url.pathname.slice(1)];
    if (!route) return new Response("no route", { status: 404 });
    return Response.json(await route(env, url.searchParams));
  },
};
`;

function project(): string {
  return mkdtempSync(join(tmpdir(), "atoll-d1-group-"));
}

const dbFile = (dir: string) => join(dir, ".atoll", "d1", "group-db-id.sqlite");

function outside<T>(dir: string, sql: string): T {
  const db = new DatabaseSync(dbFile(dir), { readOnly: true });
  try {
    return { ...db.prepare(sql).get() } as T;
  } finally {
    db.close();
  }
}

async function withDev(dir: string, fn: (dev: RunningDev) => Promise<void>): Promise<void> {
  const dev = await startWorker({ dir, toml: TOML, files: { "index.js": WORKER } });
  try {
    await fn(dev);
  } finally {
    await dev.stop();
  }
}

test("200 concurrent inserts all land, with distinct ids, and are there after a restart", async () => {
  const dir = project();
  try {
    await withDev(dir, async (dev) => {
      await getJson(dev, "/setup");
      const ids = await Promise.all(Array.from({ length: 200 }, (_, n) => getJson(dev, `/insert?n=${n}`)));
      assert.equal(new Set(ids).size, 200);
      assert.deepEqual(await getJson(dev, "/count"), { rows: 200, total: (199 * 200) / 2 });
    });
    await withDev(dir, async (dev) => {
      assert.deepEqual(await getJson(dev, "/count"), { rows: 200, total: (199 * 200) / 2 });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("among concurrent requests, a failing statement fails alone with D1's message, and a batch failing midway leaves nothing", async () => {
  const dir = project();
  try {
    await withDev(dir, async (dev) => {
      await getJson(dev, "/setup");
      await getJson(dev, "/unique?v=taken");
      const values = Array.from({ length: 40 }, (_, i) => (i % 10 === 3 ? "taken" : `v${i}`));
      const batches = Array.from({ length: 20 }, (_, i) => (i % 5 === 2 ? -(i + 1) : i + 1));
      const [uniques, batched] = await Promise.all([
        Promise.all(values.map((v) => getJson(dev, `/unique?v=${v}`))),
        Promise.all(batches.map((n) => getJson(dev, `/batch?n=${n}`))),
      ]);
      const unique = "UNIQUE constraint failed: uniq.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)";
      uniques.forEach((r, i) => assert.deepEqual(r, values[i] === "taken" ? { error: `D1_ERROR: ${unique}`, cause: unique } : { ok: 1 }, values[i]));
      const notNull = "NOT NULL constraint failed: hits.n: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)";
      batched.forEach((r, i) => assert.deepEqual(r, batches[i] < 0 ? { error: `D1_ERROR: ${notNull}`, cause: notNull } : { ok: 4 }, String(batches[i])));
      const good = batches.filter((n) => n > 0);
      assert.deepEqual(outside(dir, "SELECT count(*) AS n FROM uniq"), { n: 1 + values.filter((v) => v !== "taken").length });
      assert.deepEqual(outside(dir, "SELECT count(*) AS rows, sum(n) AS total, count(DISTINCT n) AS batches FROM hits"), {
        rows: 3 * good.length,
        total: 3 * good.reduce((a, b) => a + b, 0),
        batches: good.length,
      });
      // The failed batches' CREATE TABLE went with them.
      const tables = outside<{ names: string }>(dir, "SELECT group_concat(name) AS names FROM (SELECT name FROM sqlite_master WHERE name GLOB 't[0-9]*' ORDER BY CAST(substr(name, 2) AS INTEGER))");
      assert.equal(tables.names, good.map((n) => `t${n}`).join(","));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a write acknowledged to the worker survives a SIGKILL of atoll dev right after the response", async () => {
  const dir = project();
  try {
    const dev = await startWorker({ dir, toml: TOML, files: { "index.js": WORKER } });
    const acknowledged: number[] = [];
    try {
      await getJson(dev, "/setup");
      let killed = false;
      const requests = Array.from({ length: 150 }, async (_, n) => {
        try {
          const res = await fetch(`${dev.url}/insert?n=${n}`);
          const id = await res.json();
          if (killed) return;
          acknowledged.push(id);
          // Kill -9 as soon as some have answered, while the others are still in flight.
          if (acknowledged.length === 40) {
            killed = true;
            process.kill(dev.child.pid!, "SIGKILL");
          }
        } catch {}
      });
      await Promise.all(requests);
      assert.ok(killed, "the server was killed mid-load");
    } finally {
      await dev.stop();
    }
    const db = new DatabaseSync(dbFile(dir));
    try {
      const ids = new Set(db.prepare("SELECT id FROM hits").all().map((row) => row.id as number));
      const lost = acknowledged.filter((id) => !ids.has(id));
      assert.deepEqual(lost, [], `acknowledged ${acknowledged.length}, in the file ${ids.size}`);
      assert.deepEqual({ ...db.prepare("PRAGMA integrity_check").get() }, { integrity_check: "ok" });
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("atoll d1 execute writes to the same file while atoll dev commits concurrent writes", async () => {
  const dir = project();
  const execute = (sql: string) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, ["--no-node-snapshot", join(repoRoot, "bin", "atoll.js"), "d1", "execute", "DB", "--command", sql], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` }),
      );
    });
  try {
    await withDev(dir, async (dev) => {
      await getJson(dev, "/setup");
      const cli = Array.from({ length: 3 }, (_, i) => execute(`INSERT INTO hits (n) VALUES (${1000 + i}); INSERT INTO hits (n) VALUES (${2000 + i})`));
      // Keep the server writing until every CLI run is done, so that their writes overlap.
      let done = false;
      const allCli = Promise.all(cli).finally(() => (done = true));
      let served = 0;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (!done) {
            await getJson(dev, "/insert?n=1");
            served++;
          }
        }),
      );
      for (const run of await allCli) assert.equal(run.code, 0, run.output);
      assert.deepEqual(await getJson(dev, "/count"), { rows: served + 6, total: served + 1000 * 3 + 3 + 2000 * 3 + 3 });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
