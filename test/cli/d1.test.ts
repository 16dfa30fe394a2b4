// `atoll d1 …` as child processes against real state directories, alone and beside a running
// `atoll dev` on the same state (migrate with one, query with the other).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { repoRoot, startWorker, writeProject } from "../support/worker.ts";

const bin = join(repoRoot, "bin", "atoll.js");

interface Run {
  code: number;
  out: string;
  err: string;
}

function atoll(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--no-node-snapshot", bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, out: stdout.toString(), err: stderr.toString() });
    });
  });
}

async function ok(cwd: string, ...args: string[]): Promise<Run> {
  const run = await atoll(cwd, ...args);
  assert.equal(run.code, 0, `atoll ${args.join(" ")} failed:\n${run.out}\n${run.err}`);
  return run;
}

const TOML = `name = "d1-cli"
main = "index.js"
compatibility_date = "2025-01-01"

[[d1_databases]]
binding = "DB"
database_name = "app-db"
database_id = "app-db-id"
`;

const WORKER = `export default {
  async fetch(request, env) {
    try {
      const url = new URL(request.url);
      if (url.pathname === "/add") await env.DB.prepare("INSERT INTO users (name) VALUES (?)").bind(url.searchParams.get("name")).run();
      return Response.json((await env.DB.prepare("SELECT name FROM users ORDER BY id").all()).results.map((r) => r.name));
    } catch (e) {
      return Response.json({ error: e.message }, { status: 500 });
    }
  },
};
`;

function project(toml = TOML): string {
  const dir = mkdtempSync(join(tmpdir(), "atoll-d1-cli-"));
  writeProject(dir, { "wrangler.toml": toml, "index.js": WORKER });
  return dir;
}

function sqlite(dir: string, id = "app-db-id"): DatabaseSync {
  return new DatabaseSync(join(dir, ".atoll", "d1", `${id}.sqlite`), { readOnly: true });
}

test("migrations create numbers files as wrangler does", async () => {
  const dir = project();
  try {
    const first = await ok(dir, "d1", "migrations", "create", "DB", "create users");
    assert.match(first.out, /Created migration migrations\/0001_create_users\.sql/);
    const text = readFileSync(join(dir, "migrations", "0001_create_users.sql"), "utf8");
    assert.match(text, /^-- Migration number: 0001 \t \d{4}-\d\d-\d\dT/);
    // By database_name too; numbering follows the highest number present (numerically).
    writeFileSync(join(dir, "migrations", "9_manual.sql"), "");
    await ok(dir, "d1", "migrations", "create", "app-db", "next");
    assert.deepEqual(readdirSync(join(dir, "migrations")).sort(), ["0001_create_users.sql", "0010_next.sql", "9_manual.sql"]);
    const bad = await atoll(dir, "d1", "migrations", "create", "DB", "a/b");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /contains a path separator/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("migrations list and apply: in order, recorded in d1_migrations, stopping at the first failure", async () => {
  const dir = project();
  try {
    const none = await atoll(dir, "d1", "migrations", "list", "DB");
    assert.equal(none.code, 1);
    assert.match(none.err, /No migrations present at .*migrations\./);

    writeProject(dir, {
      "migrations/0001_users.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
      "migrations/0002_seed.sql": "INSERT INTO users (name) VALUES ('ann');\n-- a comment\nINSERT INTO users (name) VALUES ('bob');",
      "migrations/0003_broken.sql": "CREATE TABLE posts (id INTEGER PRIMARY KEY);\nINSERT INTO nope VALUES (1);\n",
      "migrations/0004_later.sql": "CREATE TABLE later (a);\n",
    });
    const listed = await ok(dir, "d1", "migrations", "list", "DB");
    for (const name of ["0001_users.sql", "0002_seed.sql", "0003_broken.sql", "0004_later.sql"]) assert.ok(listed.out.includes(name), listed.out);

    const failed = await atoll(dir, "d1", "migrations", "apply", "DB", "--local");
    assert.equal(failed.code, 1);
    assert.match(failed.out, /0001_users\.sql\s*│ applied/);
    assert.match(failed.out, /0002_seed\.sql\s*│ applied/);
    assert.match(failed.out, /0003_broken\.sql\s*│ failed/);
    assert.match(failed.out, /0004_later\.sql\s*│ pending/);
    assert.match(failed.err, /Migration 0003_broken\.sql failed with the following errors:\nno such table: nope: SQLITE_ERROR/);

    let db = sqlite(dir);
    try {
      assert.deepEqual(
        db.prepare("SELECT id, name FROM d1_migrations ORDER BY id").all().map((r) => ({ ...r })),
        [
          { id: 1, name: "0001_users.sql" },
          { id: 2, name: "0002_seed.sql" },
        ],
      );
      assert.match(String((db.prepare("SELECT applied_at FROM d1_migrations").get() as { applied_at: string }).applied_at), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      // The failed migration left nothing: its first statement was rolled back with it.
      assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'posts'").get()!.n, 0);
      assert.equal(db.prepare("SELECT count(*) AS n FROM users").get()!.n, 2);
    } finally {
      db.close();
    }

    const pending = await ok(dir, "d1", "migrations", "list", "DB");
    assert.ok(!pending.out.includes("0002_seed.sql") && pending.out.includes("0003_broken.sql"), pending.out);

    writeFileSync(join(dir, "migrations", "0003_broken.sql"), "CREATE TABLE posts (id INTEGER PRIMARY KEY);\n");
    const applied = await ok(dir, "d1", "migrations", "apply", "DB");
    assert.match(applied.out, /Applied 2 migrations\./);
    assert.match((await ok(dir, "d1", "migrations", "list", "DB")).out, /No migrations to apply\./);
    assert.match((await ok(dir, "d1", "migrations", "apply", "DB")).out, /No migrations to apply\./);
    db = sqlite(dir);
    try {
      assert.equal(db.prepare("SELECT count(*) AS n FROM d1_migrations").get()!.n, 4);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("migrations_dir, migrations_table, --env and --persist-to are honoured", async () => {
  const toml = `name = "d1-cli"
main = "index.js"

[env.staging]
[[env.staging.d1_databases]]
binding = "DB"
database_name = "staging-db"
database_id = "staging-id"
migrations_dir = "db/changes"
migrations_table = "schema_history"
`;
  const dir = project(toml);
  const state = mkdtempSync(join(tmpdir(), "atoll-d1-cli-state-"));
  try {
    writeProject(dir, { "db/changes/0001_init.sql": "CREATE TABLE t (a);" });
    await ok(dir, "d1", "migrations", "apply", "DB", "--env", "staging", "--persist-to", state);
    const db = new DatabaseSync(join(state, "d1", "staging-id.sqlite"), { readOnly: true });
    try {
      assert.deepEqual({ ...db.prepare("SELECT name FROM schema_history").get() }, { name: "0001_init.sql" });
    } finally {
      db.close();
    }
    assert.ok(!existsSync(join(dir, ".atoll")));
    const missing = await atoll(dir, "d1", "migrations", "list", "DB");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Couldn't find a D1 DB with the name or binding 'DB' in .*wrangler\.toml\. It has no d1_databases\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
});

test("execute --command / --file print tables, --json prints wrangler's shape, errors are D1's", async () => {
  const dir = project();
  try {
    const created = await ok(dir, "d1", "execute", "DB", "--command", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB); INSERT INTO t (name, data) VALUES ('a', x'0102'), ('b', NULL); SELECT * FROM t");
    assert.match(created.out, /Executing on local database DB \(app-db-id\) from \.atoll\/d1:/);
    assert.ok(created.out.includes("│ id │ name │ data   │"), created.out);
    assert.ok(created.out.includes("│ 1  │ a    │ [1, 2] │"), created.out);
    assert.ok(created.out.includes("│ 2  │ b    │ null   │"), created.out);
    assert.match(created.out, /3 commands executed successfully\./);

    const json = await ok(dir, "d1", "execute", "app-db", "--command", "SELECT id, name, data FROM t ORDER BY id; SELECT count(*) AS n FROM t", "--json");
    const parsed = JSON.parse(json.out);
    assert.equal(parsed.length, 2);
    assert.deepEqual(parsed[0].results, [
      { id: 1, name: "a", data: "[1, 2]" },
      { id: 2, name: "b", data: null },
    ]);
    assert.equal(parsed[0].success, true);
    assert.deepEqual(Object.keys(parsed[0].meta), ["duration"]);
    assert.deepEqual(parsed[1].results, [{ n: 2 }]);

    // A file as sqlite3's .dump writes it: the wrapping transaction is removed (D1 adds its own).
    writeFileSync(join(dir, "dump.sql"), "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE imported (a);\nINSERT INTO imported VALUES (1);\nINSERT INTO imported VALUES (2);\nCOMMIT;\n");
    const file = await ok(dir, "d1", "execute", "DB", "--file", "dump.sql");
    assert.match(file.out, /4 commands executed successfully\./);
    assert.deepEqual(JSON.parse((await ok(dir, "d1", "execute", "DB", "--command", "SELECT sum(a) AS s FROM imported", "--json")).out)[0].results, [{ s: 3 }]);

    const failed = await atoll(dir, "d1", "execute", "DB", "--command", "SELECT * FROM nope", "--json");
    assert.equal(failed.code, 1);
    assert.deepEqual(JSON.parse(failed.out), { error: { text: "no such table: nope: SQLITE_ERROR" } });
    const denied = await atoll(dir, "d1", "execute", "DB", "--command", "PRAGMA journal_mode = DELETE");
    assert.equal(denied.code, 1);
    assert.match(denied.err, /not authorized: SQLITE_AUTH/);
    const atomic = await atoll(dir, "d1", "execute", "DB", "--command", "INSERT INTO t (name) VALUES ('c'); INSERT INTO nope VALUES (1)");
    assert.equal(atomic.code, 1);
    assert.deepEqual(JSON.parse((await ok(dir, "d1", "execute", "DB", "--command", "SELECT count(*) AS n FROM t", "--json")).out)[0].results, [{ n: 2 }]);
    const both = await atoll(dir, "d1", "execute", "DB", "--command", "SELECT 1", "--file", "dump.sql");
    assert.match(both.err, /can't provide both --command and --file/);
    const neither = await atoll(dir, "d1", "execute", "DB");
    assert.match(neither.err, /Missing required option --command or --file/);
    const remote = await atoll(dir, "d1", "execute", "DB", "--command", "SELECT 1", "--remote");
    assert.match(remote.err, /--remote and --preview are not supported/);
    const unknown = await atoll(dir, "d1", "execute", "NOPE", "--command", "SELECT 1");
    assert.match(unknown.err, /Couldn't find a D1 DB with the name or binding 'NOPE' in .*Its D1 databases: DB \(app-db\)\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("atoll dev sees migrations applied while it runs, and both sides see each other's writes", async () => {
  const dir = project();
  mkdirSync(join(dir, "migrations"));
  const dev = await startWorker({ dir, files: {}, toml: TOML });
  try {
    const before = await fetch(dev.url);
    assert.equal(before.status, 500);
    assert.deepEqual(await before.json(), { error: "D1_ERROR: no such table: users: SQLITE_ERROR" });

    writeProject(dir, { "migrations/0001_users.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" });
    await ok(dir, "d1", "migrations", "apply", "DB");
    assert.deepEqual(await (await fetch(dev.url)).json(), []);

    await ok(dir, "d1", "execute", "DB", "--command", "INSERT INTO users (name) VALUES ('from-cli')");
    assert.deepEqual(await (await fetch(`${dev.url}/add?name=from-dev`)).json(), ["from-cli", "from-dev"]);
    const read = JSON.parse((await ok(dir, "d1", "execute", "DB", "--command", "SELECT name FROM users ORDER BY id", "--json")).out);
    assert.deepEqual(read[0].results, [{ name: "from-cli" }, { name: "from-dev" }]);

    writeProject(dir, { "migrations/0002_email.sql": "ALTER TABLE users ADD COLUMN email TEXT;\nUPDATE users SET email = name || '@example.com';" });
    await ok(dir, "d1", "migrations", "apply", "DB");
    assert.deepEqual(await (await fetch(`${dev.url}/add?name=third`)).json(), ["from-cli", "from-dev", "third"]);
    const emails = JSON.parse((await ok(dir, "d1", "execute", "DB", "--command", "SELECT email FROM users WHERE email IS NOT NULL ORDER BY id", "--json")).out);
    assert.deepEqual(emails[0].results, [{ email: "from-cli@example.com" }, { email: "from-dev@example.com" }]);
  } finally {
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
