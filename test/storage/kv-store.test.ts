// SqliteKvStore on real files in a temp dir: order, paging, expiry, durability, reopening.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { StorageError } from "../../src/storage/index.ts";
import type { KvEntry, KvStore } from "../../src/storage/kv/kv-store.ts";
import { prefixEnd, SqliteKvStore } from "../../src/storage/kv/sqlite-kv-store.ts";

const NOW = 1_700_000_000;
const text = (s: string) => new TextEncoder().encode(s);
const entry = (value: string, extra: Partial<KvEntry> = {}): KvEntry => ({ value: text(value), expiration: null, metadata: null, ...extra });

async function withStore(body: (store: SqliteKvStore, file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "atoll-kv-store-"));
  const file = join(dir, "kv", "ns.sqlite");
  const store = new SqliteKvStore(file, { purgeIntervalMs: 0 });
  try {
    await body(store, file);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function names(store: KvStore, options: { prefix?: string; limit?: number; cursor?: string } = {}, now = NOW): Promise<string[]> {
  const page = await store.list({ prefix: options.prefix ?? "", limit: options.limit ?? 1000, cursor: options.cursor }, now);
  return page.keys.map((k) => k.name);
}

test("put then get returns the bytes, expiration and metadata; missing keys are null", async () => {
  await withStore(async (store) => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    await store.put("bin", { value: bytes, expiration: NOW + 100, metadata: '{"a":1}' });
    await store.put("empty", entry(""));
    const got = await store.get("bin", NOW);
    assert.deepEqual(got && [...got.value], [...bytes]);
    assert.equal(got?.expiration, NOW + 100);
    assert.equal(got?.metadata, '{"a":1}');
    assert.equal((await store.get("empty", NOW))?.value.byteLength, 0);
    assert.equal(await store.get("missing", NOW), null);
  });
});

test("get and list see a put or delete issued before them, even not yet awaited (they commit it first)", async () => {
  await withStore(async (store) => {
    await store.put("gone", entry("x"));
    const writes = [store.put("k", entry("v1")), store.put("k", entry("v2")), store.delete("gone")];
    assert.equal(new TextDecoder().decode((await store.get("k", NOW))?.value), "v2");
    assert.equal(await store.get("gone", NOW), null);
    const more = store.put("later", entry("y"));
    assert.deepEqual(await names(store), ["k", "later"]);
    await Promise.all([...writes, more]);
  });
});

test("put overwrites value, expiration and metadata; delete removes; deleting a missing key is fine", async () => {
  await withStore(async (store) => {
    await store.put("k", entry("one", { expiration: NOW + 100, metadata: '"m"' }));
    await store.put("k", entry("two"));
    const got = await store.get("k", NOW);
    assert.equal(new TextDecoder().decode(got!.value), "two");
    assert.equal(got!.expiration, null);
    assert.equal(got!.metadata, null);
    await store.delete("k");
    await store.delete("never-there");
    assert.equal(await store.get("k", NOW), null);
  });
});

test("an entry is live strictly before its expiration: get and list hide it from then on (lazy expiry)", async () => {
  await withStore(async (store) => {
    await store.put("soon", entry("x", { expiration: NOW + 60 }));
    await store.put("later", entry("y", { expiration: NOW + 3600 }));
    await store.put("never", entry("z"));
    assert.notEqual(await store.get("soon", NOW + 59), null);
    assert.equal(await store.get("soon", NOW + 60), null);
    assert.deepEqual(await names(store, {}, NOW + 59.5), ["later", "never", "soon"]);
    assert.deepEqual(await names(store, {}, NOW + 60), ["later", "never"]);
    assert.deepEqual(await names(store, {}, NOW + 10_000), ["never"]);
  });
});

test("purgeExpired deletes only expired rows and says how many", async () => {
  await withStore(async (store, file) => {
    await store.put("a", entry("x", { expiration: NOW + 60 }));
    await store.put("b", entry("x", { expiration: NOW + 120 }));
    await store.put("c", entry("x"));
    assert.equal(await store.purgeExpired(NOW + 60), 1);
    assert.equal(await store.purgeExpired(NOW + 60), 0);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      assert.deepEqual(
        db.prepare("SELECT key FROM kv ORDER BY key").all().map((r) => r.key),
        ["b", "c"],
      );
    } finally {
      db.close();
    }
  });
});

test("list orders keys by their UTF-8 bytes, not by UTF-16 code units", async () => {
  await withStore(async (store) => {
    // In UTF-16 order "😀" (D83D DE00) sorts before U+E000 and U+FFFD; in UTF-8 (F0 …) after them.
    const keys = ["b", "a", "aa", "Z", "é", "\u{E000}", "\u{FFFD}", "😀", "a b", "a/b", "~"];
    for (const k of keys) await store.put(k, entry(k));
    assert.deepEqual(await names(store), ["Z", "a", "a b", "a/b", "aa", "b", "~", "é", "\u{E000}", "\u{FFFD}", "😀"]);
  });
});

test("list with a prefix returns exactly the keys that start with it, non-ASCII and edge code points included", async () => {
  await withStore(async (store) => {
    const keys = ["user:1", "user:2", "user;", "users", "use", "é1", "é2", "ê", "\u{10FFFF}a", "\u{10FFFF}\u{10FFFF}", "x\u{D7FF}1", "x\u{E000}"];
    for (const k of keys) await store.put(k, entry(k));
    assert.deepEqual(await names(store, { prefix: "user:" }), ["user:1", "user:2"]);
    assert.deepEqual(await names(store, { prefix: "user" }), ["user:1", "user:2", "user;", "users"]);
    assert.deepEqual(await names(store, { prefix: "é" }), ["é1", "é2"]);
    assert.deepEqual(await names(store, { prefix: "\u{10FFFF}" }), ["\u{10FFFF}a", "\u{10FFFF}\u{10FFFF}"]);
    assert.deepEqual(await names(store, { prefix: "x\u{D7FF}" }), ["x\u{D7FF}1"]);
    assert.deepEqual(await names(store, { prefix: "nothing" }), []);
  });
});

test("prefixEnd is the first string after every string with the prefix", () => {
  assert.equal(prefixEnd(""), null);
  assert.equal(prefixEnd("a"), "b");
  assert.equal(prefixEnd("ab"), "ac");
  assert.equal(prefixEnd("a\u{10FFFF}"), "b");
  assert.equal(prefixEnd("\u{D7FF}"), "\u{E000}");
  assert.equal(prefixEnd("😀"), "😁");
  assert.equal(prefixEnd("\u{10FFFF}\u{10FFFF}"), null);
});

test("cursor paging visits every key once, in order; list_complete only on the last page", async () => {
  await withStore(async (store) => {
    const all = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, "0")}`);
    for (const k of [...all].reverse()) await store.put(k, entry(k));
    await store.put("other", entry("x"));
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.list({ prefix: "k", limit: 10, cursor }, NOW);
      seen.push(...page.keys.map((k) => k.name));
      sizes.push(page.keys.length);
      if (page.listComplete) {
        assert.equal(page.cursor, undefined);
        break;
      }
      assert.equal(typeof page.cursor, "string");
      cursor = page.cursor;
    }
    assert.deepEqual(seen, all);
    assert.deepEqual(sizes, [10, 10, 5]);
    // Exactly `limit` keys left: complete without an empty extra page.
    const exact = await store.list({ prefix: "k2", limit: 5, cursor: undefined }, NOW);
    assert.deepEqual([exact.keys.length, exact.listComplete], [5, true]);
  });
});

test("keys written while paging: behind the cursor are not seen, ahead of it are", async () => {
  await withStore(async (store) => {
    for (const k of ["key1", "key3", "key5"]) await store.put(k, entry(k));
    const first = await store.list({ prefix: "", limit: 2 }, NOW);
    assert.deepEqual(first.keys.map((k) => k.name), ["key1", "key3"]);
    await store.put("key2", entry("x"));
    await store.put("key4", entry("x"));
    const second = await store.list({ prefix: "", limit: 2, cursor: first.cursor }, NOW);
    assert.deepEqual(second.keys.map((k) => k.name), ["key4", "key5"]);
    assert.equal(second.listComplete, true);
  });
});

test("list returns expiration and metadata only for keys that have them", async () => {
  await withStore(async (store) => {
    await store.put("a", entry("x", { expiration: NOW + 100 }));
    await store.put("b", entry("x", { metadata: '{"m":true}' }));
    await store.put("c", entry("x"));
    const page = await store.list({ prefix: "", limit: 1000 }, NOW);
    assert.deepEqual(page.keys, [{ name: "a", expiration: NOW + 100 }, { name: "b", metadata: '{"m":true}' }, { name: "c" }]);
  });
});

test("many concurrent puts all land, and each resolves only once another connection can read it", async () => {
  await withStore(async (store, file) => {
    const reader = new DatabaseSync(file, { readOnly: true });
    try {
      const read = reader.prepare("SELECT value FROM kv WHERE key = ?");
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          await store.put(`c${i}`, entry(`v${i}`));
          const row = read.get(`c${i}`) as { value: Uint8Array } | undefined;
          assert.equal(row && new TextDecoder().decode(row.value), `v${i}`);
        }),
      );
      assert.equal((await store.list({ prefix: "c", limit: 1000 }, NOW)).keys.length, 200);
    } finally {
      reader.close();
    }
  });
});

test("data survives closing and reopening the file (restart)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-kv-store-"));
  const file = join(dir, "ns.sqlite");
  try {
    const first = new SqliteKvStore(file, { purgeIntervalMs: 0 });
    await first.put("kept", entry("value", { expiration: NOW + 500, metadata: "[1]" }));
    const pending = first.delete("nothing");
    first.close(); // flushes queued writes before closing
    await pending;
    const second = new SqliteKvStore(file, { purgeIntervalMs: 0 });
    try {
      const got = await second.get("kept", NOW);
      assert.equal(new TextDecoder().decode(got!.value), "value");
      assert.deepEqual([got!.expiration, got!.metadata], [NOW + 500, "[1]"]);
    } finally {
      second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("two stores on one file (atoll dev and atoll kv) see each other's writes", async () => {
  await withStore(async (store, file) => {
    const other = new SqliteKvStore(file, { purgeIntervalMs: 0 });
    try {
      await store.put("from-a", entry("1"));
      await other.put("from-b", entry("2"));
      assert.notEqual(await other.get("from-a", NOW), null);
      assert.notEqual(await store.get("from-b", NOW), null);
    } finally {
      other.close();
    }
  });
});

test("a file from a newer schema is refused with a clear error, and left alone", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-kv-store-"));
  const file = join(dir, "ns.sqlite");
  try {
    const db = new DatabaseSync(file);
    db.exec("PRAGMA user_version = 99");
    db.close();
    assert.throws(() => new SqliteKvStore(file), (e: unknown) => e instanceof StorageError && /newer Atoll \(KV schema 99/.test((e as Error).message));
    const check = new DatabaseSync(file, { readOnly: true });
    assert.equal((check.prepare("PRAGMA user_version").get() as { user_version: number }).user_version, 99);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the background purge runs on its timer without keeping the process alive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-kv-store-"));
  const store = new SqliteKvStore(join(dir, "ns.sqlite"), { purgeIntervalMs: 20 });
  try {
    // Expired a long time ago: the first purge removes it.
    await store.put("old", entry("x", { expiration: 1000 }));
    const db = new DatabaseSync(join(dir, "ns.sqlite"), { readOnly: true });
    try {
      const count = () => (db.prepare("SELECT count(*) AS n FROM kv").get() as { n: number }).n;
      assert.equal(count(), 1);
      for (let i = 0; count() !== 0; i++) {
        assert.ok(i < 1000, "the purge never ran");
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      db.close();
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
