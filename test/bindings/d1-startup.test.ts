// A D1 database file that cannot be used stops `atoll dev` at startup with a message naming the
// file, instead of failing on the first query: a corrupted file, and one locked by another process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDevExpectingFailure, writeProject } from "../support/worker.ts";

const TOML = `name = "d1-startup"
main = "index.js"
compatibility_date = "2025-01-01"

[[d1_databases]]
binding = "DB"
database_name = "app"
database_id = "app-id"
`;

function project(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "atoll-d1-startup-"));
  writeProject(dir, { "wrangler.toml": TOML, "index.js": "export default { fetch: () => new Response('up') }" });
  const file = join(dir, ".atoll", "d1", "app-id.sqlite");
  mkdirSync(join(dir, ".atoll", "d1"), { recursive: true });
  return { dir, file };
}

test("a corrupted database file: atoll dev exits at startup naming the file, and leaves it alone", async () => {
  const { dir, file } = project();
  try {
    const garbage = "definitely not an SQLite database ".repeat(200);
    writeFileSync(file, garbage);
    const { code, output } = await runDevExpectingFailure(dir, ["-c", join(dir, "wrangler.toml")]);
    assert.equal(code, 1);
    assert.match(output, /Could not start worker "d1-startup": Cannot open state file /);
    assert.ok(output.includes(file), output);
    assert.match(output, /not a valid SQLite database \(corrupted\?\)/);
    assert.equal(readFileSync(file, "utf8"), garbage);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a database file locked by another process: atoll dev exits at startup naming the file", async () => {
  const { dir, file } = project();
  // Another process holds an exclusive lock on the file and keeps it.
  const holder = spawn(
    process.execPath,
    [
      "-e",
      `const { DatabaseSync } = require("node:sqlite");
       const db = new DatabaseSync(${JSON.stringify(file)});
       db.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE held (a);");
       process.stdout.write("locked\\n");
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
      holder.once("exit", (c) => reject(new Error(`lock holder exited with ${c}`)));
    });
    const { code, output } = await runDevExpectingFailure(dir, ["-c", join(dir, "wrangler.toml")]);
    assert.equal(code, 1);
    assert.ok(output.includes(file), output);
    assert.match(output, /database is locked \(another process holds a lock on it; stop it or wait\)/);
  } finally {
    holder.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
