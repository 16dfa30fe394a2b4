// The embedded Cache API engine on real files: entries become visible only on commit, expire by
// the injected clock, replace each other atomically, keep large bodies in files under
// `<name>/blobs/` (read back by range, even after being replaced), refuse bodies past the size
// limit, survive a restart, and sweep what a crash leaves behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { CacheBodyTooLarge, type CacheStore, type CacheWriter } from "../../src/storage/cache/cache-store.ts";
import { SqliteCacheStore, type SqliteCacheStoreOptions } from "../../src/storage/cache/sqlite-cache-store.ts";
import { createEmbeddedStorage } from "../../src/storage/index.ts";

const HEAD = { status: 200, statusText: "OK", headers: [["content-type", "text/plain"]] as [string, string][] };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "atoll-cache-store-"));
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("latin1");
}

async function putText(store: CacheStore, key: string, body: string, ttl = 60, chunk = body.length || 1): Promise<void> {
  const w = store.put(key, HEAD, ttl);
  for (let i = 0; i < body.length; i += chunk) await w.write(Buffer.from(body.slice(i, i + chunk), "latin1"));
  await w.commit();
}

async function get(store: CacheStore, key: string): Promise<string | undefined> {
  const entry = await store.match(key);
  if (!entry) return undefined;
  try {
    return await text(entry.body.stream());
  } finally {
    entry.body.close();
  }
}

function withStore(options: SqliteCacheStoreOptions, fn: (store: SqliteCacheStore, clock: { now: number }, dir: string) => Promise<void>) {
  return async () => {
    const dir = tempDir();
    const clock = { now: 1_700_000_000_000 };
    const store = new SqliteCacheStore(join(dir, "cache", "default.sqlite"), { now: () => clock.now, ...options });
    try {
      await fn(store, clock, dir);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function bodyFiles(store: SqliteCacheStore): string[] {
  return readdirSync(store.blobDir);
}

test(
  "an entry round-trips its status, status text, headers and body, and is invisible until committed",
  withStore({}, async (store, clock) => {
    const w = store.put("https://example.com/a", { status: 404, statusText: "Nope", headers: [["x-a", "1"], ["x-a", "2"]] }, 30);
    await w.write(Buffer.from("hello "));
    await w.write(Buffer.from("world"));
    assert.equal(await store.match("https://example.com/a"), undefined);
    await w.commit();
    const entry = await store.match("https://example.com/a");
    assert.ok(entry);
    assert.equal(entry.status, 404);
    assert.equal(entry.statusText, "Nope");
    assert.deepEqual(entry.headers, [["x-a", "1"], ["x-a", "2"]]);
    assert.equal(entry.size, 11);
    assert.equal(entry.storedAt, clock.now);
    assert.equal(entry.expiresAt, clock.now + 30_000);
    assert.equal(await text(entry.body.stream()), "hello world");
    assert.equal(await text(entry.body.stream(6)), "world");
    assert.equal(await text(entry.body.stream(0, 5)), "hello");
    entry.body.close();
  }),
);

test(
  "an aborted entry is never visible and leaves the previous one in place",
  withStore({}, async (store) => {
    await putText(store, "k", "old");
    const w = store.put("k", HEAD, 60);
    await w.write(Buffer.from("new"));
    await w.abort();
    assert.equal(await get(store, "k"), "old");
    await assert.rejects(w.commit());
  }),
);

test(
  "entries expire by the store's clock: served before the TTL is over, gone at it",
  withStore({}, async (store, clock) => {
    await putText(store, "k", "v", 10);
    clock.now += 9_999;
    assert.equal(await get(store, "k"), "v");
    clock.now += 1;
    assert.equal(await get(store, "k"), undefined);
    // The expired entry is gone, so deleting it finds nothing live.
    assert.equal(await store.delete("k"), false);
  }),
);

test(
  "expired entries are swept on later commits and at open, with their body files",
  withStore({ inlineBytes: 4 }, async (store, clock, dir) => {
    await putText(store, "a", "a body in a file");
    await putText(store, "b", "another file body", 5);
    assert.equal(bodyFiles(store).length, 2);
    clock.now += 5_000;
    await putText(store, "c", "x");
    assert.equal(bodyFiles(store).length, 1, "b's file went with b");
    clock.now += 60_000;
    const reopened = new SqliteCacheStore(join(dir, "cache", "default.sqlite"), { now: () => clock.now });
    try {
      assert.deepEqual(readdirSync(reopened.blobDir), []);
      assert.equal(await reopened.match("a"), undefined);
    } finally {
      reopened.close();
    }
  }),
);

test(
  "a TTL must be positive",
  withStore({}, async (store) => {
    assert.throws(() => store.put("k", HEAD, 0), RangeError);
    assert.throws(() => store.put("k", HEAD, -1), RangeError);
  }),
);

test(
  "delete reports whether a live entry was there",
  withStore({}, async (store) => {
    assert.equal(await store.delete("k"), false);
    await putText(store, "k", "v");
    assert.equal(await store.delete("k"), true);
    assert.equal(await get(store, "k"), undefined);
    assert.equal(await store.delete("k"), false);
  }),
);

test(
  "a large body is written to a file under <name>/blobs/ and read back whole and by range",
  withStore({ inlineBytes: 1024 }, async (store, _clock, dir) => {
    assert.equal(store.blobDir, join(dir, "cache", "default", "blobs"));
    const body = Buffer.alloc(300 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    const w = store.put("big", HEAD, 60);
    for (let i = 0; i < body.length; i += 10_000) await w.write(body.subarray(i, i + 10_000));
    // Nothing but a temp file until commit.
    assert.ok(bodyFiles(store).every((f) => f.startsWith(".tmp-")));
    await w.commit();
    const files = bodyFiles(store);
    assert.equal(files.length, 1);
    assert.ok(!files[0].startsWith(".tmp-"));
    const entry = (await store.match("big"))!;
    assert.equal(entry.size, body.length);
    const whole: Buffer[] = [];
    for await (const c of entry.body.stream()) whole.push(c as Buffer);
    assert.ok(Buffer.concat(whole).equals(body));
    const part: Buffer[] = [];
    for await (const c of entry.body.stream(100_000, 200_001)) part.push(c as Buffer);
    assert.ok(Buffer.concat(part).equals(body.subarray(100_000, 200_001)));
    entry.body.close();
  }),
);

test(
  "a small body stays in the SQLite row (no file)",
  withStore({ inlineBytes: 1024 }, async (store) => {
    await putText(store, "small", "x".repeat(1024), 60, 100);
    assert.deepEqual(bodyFiles(store), []);
    assert.equal(await get(store, "small"), "x".repeat(1024));
  }),
);

test(
  "replacing or deleting an entry removes its body file, while a reader that has it open keeps reading",
  withStore({ inlineBytes: 8 }, async (store) => {
    await putText(store, "k", "first version, long enough for a file");
    const open = (await store.match("k"))!;
    await putText(store, "k", "second version, also in a file");
    assert.equal(bodyFiles(store).length, 1, "the first version's file is gone");
    assert.equal(await text(open.body.stream()), "first version, long enough for a file");
    open.body.close();
    assert.equal(await get(store, "k"), "second version, also in a file");
    const again = (await store.match("k"))!;
    assert.equal(await store.delete("k"), true);
    assert.deepEqual(bodyFiles(store), []);
    assert.equal(await text(again.body.stream(7)), "version, also in a file");
    again.body.close();
  }),
);

test(
  "of two writers of one key, the last to commit wins",
  withStore({ inlineBytes: 8 }, async (store) => {
    const a = store.put("k", HEAD, 60);
    const b = store.put("k", HEAD, 60);
    await a.write(Buffer.from("writer a's body"));
    await b.write(Buffer.from("writer b's body"));
    await b.commit();
    await a.commit();
    assert.equal(await get(store, "k"), "writer a's body");
    assert.equal(bodyFiles(store).length, 1);
  }),
);

test(
  "a body past the size limit is refused with CacheBodyTooLarge and leaves nothing behind",
  withStore({ maxObjectBytes: 100, inlineBytes: 10 }, async (store) => {
    await putText(store, "k", "kept");
    const w: CacheWriter = store.put("k", HEAD, 60);
    await w.write(Buffer.alloc(60));
    await assert.rejects(w.write(Buffer.alloc(41)), CacheBodyTooLarge);
    await assert.rejects(w.commit());
    assert.deepEqual(bodyFiles(store), []);
    assert.equal(await get(store, "k"), "kept");
    // Exactly at the limit is fine.
    const ok = store.put("k2", HEAD, 60);
    await ok.write(Buffer.alloc(100, 97));
    await ok.commit();
    assert.equal(await get(store, "k2"), "a".repeat(100));
  }),
);

test("entries and body files survive a restart (reopening the same file)", async () => {
  const dir = tempDir();
  const path = join(dir, "cache", "default.sqlite");
  try {
    const first = new SqliteCacheStore(path, { inlineBytes: 16 });
    await putText(first, "inline", "short");
    await putText(first, "file", "a body longer than sixteen bytes");
    first.close();
    const second = new SqliteCacheStore(path, { inlineBytes: 16 });
    try {
      assert.equal(await get(second, "inline"), "short");
      assert.equal(await get(second, "file"), "a body longer than sixteen bytes");
    } finally {
      second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("opening sweeps body files no entry names (crash leftovers) once they are older than the grace period", async () => {
  const dir = tempDir();
  const path = join(dir, "cache", "default.sqlite");
  try {
    const first = new SqliteCacheStore(path, { inlineBytes: 4 });
    await putText(first, "k", "named by an entry");
    const blobDir = first.blobDir;
    first.close();
    const named = readdirSync(blobDir)[0];
    writeFileSync(join(blobDir, ".tmp-interrupted"), "partial");
    writeFileSync(join(blobDir, "renamed-but-not-committed"), "orphan");
    writeFileSync(join(blobDir, "fresh-orphan"), "another process may be committing it");
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(join(blobDir, ".tmp-interrupted"), old, old);
    utimesSync(join(blobDir, "renamed-but-not-committed"), old, old);
    const second = new SqliteCacheStore(path);
    try {
      assert.deepEqual(readdirSync(blobDir).sort(), ["fresh-orphan", named].sort());
      assert.equal(await get(second, "k"), "named by an entry");
    } finally {
      second.close();
    }
    const third = new SqliteCacheStore(path, { orphanGraceMs: 0 });
    third.close();
    assert.deepEqual(readdirSync(blobDir), [named]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("createEmbeddedStorage keeps each cache in <stateDir>/cache/<name>.sqlite, one store per name", async () => {
  const dir = tempDir();
  const storage = createEmbeddedStorage(dir);
  try {
    const store = storage.cache("default");
    assert.equal(storage.cache("default"), store);
    assert.notEqual(storage.cache("named:x"), store);
    await putText(store, "k", "v");
    assert.ok(existsSync(join(dir, "cache", "default.sqlite")));
    assert.ok(existsSync(join(dir, "cache", "default", "blobs")));
    assert.ok(existsSync(join(dir, "cache", `${encodeURIComponent("named:x")}.sqlite`)));
  } finally {
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "a stored body is read with positional reads: several ranges of one body at once",
  withStore({ inlineBytes: 4 }, async (store) => {
    await putText(store, "k", "0123456789abcdefghij");
    const entry = (await store.match("k"))!;
    const [a, b, c] = await Promise.all([text(entry.body.stream(0, 5)), text(entry.body.stream(10, 15)), text(entry.body.stream(18))]);
    assert.deepEqual([a, b, c], ["01234", "abcde", "ij"]);
    entry.body.close();
    assert.throws(() => entry.body.stream(), /closed/);
  }),
);
