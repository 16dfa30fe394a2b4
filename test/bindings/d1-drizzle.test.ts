// examples/d1-drizzle end to end: an unmodified drizzle-orm app on D1, its schema applied with
// `atoll d1 migrations apply`, served by `atoll dev` over real HTTP (state in a temp directory).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, startDev, type RunningDev } from "../support/worker.ts";

const example = join(repoRoot, "examples", "d1-drizzle");

describe("examples/d1-drizzle", () => {
  let dev: RunningDev;
  let state: string;

  before(async () => {
    state = mkdtempSync(join(tmpdir(), "atoll-d1-drizzle-"));
    const out = execFileSync(
      process.execPath,
      ["--no-node-snapshot", join(repoRoot, "bin", "atoll.js"), "d1", "migrations", "apply", "DB", "-c", join(example, "wrangler.toml"), "--persist-to", state],
      { env: { ...process.env, NO_COLOR: "1" } },
    ).toString();
    assert.match(out, /Applied 2 migrations\./);
    dev = await startDev(example, ["--no-watch", "--persist-to", state]);
  });

  after(async () => {
    await dev?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; data: any }> {
    const res = await fetch(`${dev.url}${path}`, { method, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: res.status, data: await res.json() };
  }

  test("inserts with returning, and D1's constraint errors reach the app", async () => {
    const ann = await call("POST", "/authors", { name: "Ann", email: "ann@example.com" });
    assert.equal(ann.status, 201);
    assert.equal(ann.data.id, 1);
    assert.equal(ann.data.name, "Ann");
    assert.ok(!Number.isNaN(Date.parse(ann.data.createdAt)), "integer timestamp mode maps to a Date");

    const duplicate = await call("POST", "/authors", { name: "Ann again", email: "ann@example.com" });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.data.error, "D1_ERROR: UNIQUE constraint failed: authors.email: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)");

    const post = await call("POST", "/posts", { authorId: 1, title: "Hello D1", body: "SQLite at the edge", tags: ["d1", "sql"], published: true });
    assert.equal(post.status, 201);
    assert.deepEqual(post.data, { id: 1, authorId: 1, title: "Hello D1", body: "SQLite at the edge", tags: ["d1", "sql"], published: true, views: 0 });

    const orphan = await call("POST", "/posts", { authorId: 99, title: "x", body: "y" });
    assert.equal(orphan.status, 409);
    assert.match(orphan.data.error, /^D1_ERROR: FOREIGN KEY constraint failed/);
  });

  test("selects with joins, json_each filters, updates and relational queries", async () => {
    await call("POST", "/posts", { authorId: 1, title: "Second", body: "more", tags: ["misc"] });
    assert.deepEqual((await call("GET", "/posts?tag=sql")).data, [{ id: 1, title: "Hello D1", author: "Ann", tags: ["d1", "sql"], published: true }]);
    assert.deepEqual((await call("GET", "/posts?q=Sec")).data.map((p: { id: number }) => p.id), [2]);
    assert.deepEqual((await call("POST", "/posts/1/view")).data, { id: 1, views: 1 });
    assert.deepEqual((await call("POST", "/posts/1/view")).data, { id: 1, views: 2 });
    const author = (await call("GET", "/authors/1")).data;
    assert.equal(author.name, "Ann");
    assert.deepEqual(
      author.posts.map((p: { id: number; views: number; published: boolean }) => [p.id, p.views, p.published]),
      [
        [2, 0, false],
        [1, 2, true],
      ],
    );
    assert.equal((await call("GET", "/authors/42")).status, 404);
  });

  test("db.batch() is atomic through drizzle", async () => {
    const ok = await call("POST", "/import", { author: { name: "Bob", email: "bob@example.com" }, posts: [{ title: "a", body: "1" }, { title: "b", body: "2" }] });
    assert.equal(ok.status, 201);
    assert.equal(ok.data.author.name, "Bob");
    const failed = await call("POST", "/import", { author: { name: "Cy", email: "cy@example.com" }, posts: [{ title: "a", body: "1" }, { title: null, body: "2" }] });
    assert.equal(failed.status, 409);
    assert.match(failed.data.error, /NOT NULL constraint failed: posts\.title/);
    const stats = (await call("GET", "/stats")).data;
    assert.deepEqual(stats, {
      authors: 2,
      perAuthor: [
        { name: "Ann", posts: 2 },
        { name: "Bob", posts: 2 },
      ],
    });
    assert.deepEqual((await call("DELETE", "/posts/1")).data, { deleted: 1 });
    assert.deepEqual((await call("DELETE", "/posts/1")).data, { deleted: 0 });
  });
});
