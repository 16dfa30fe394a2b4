// KvService (the host side of the KV binding and of `atoll kv`) on a real SQLite file, with a
// fixed clock: every limit and error text, decoding, bulk and list shapes. The same behaviour is
// checked from user code over HTTP in kv.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KvService } from "../../src/bindings/kv/kv-service.ts";
import { SqliteKvStore } from "../../src/storage/kv/sqlite-kv-store.ts";

const NOW_S = 1_700_000_000;
const MiB = 1024 * 1024;

async function withService(body: (kv: KvService, clock: { ms: number }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "atoll-kv-service-"));
  const store = new SqliteKvStore(join(dir, "ns.sqlite"), { purgeIntervalMs: 0 });
  const clock = { ms: NOW_S * 1000 };
  try {
    await body(new KvService(store, () => clock.ms), clock);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rejects(promise: Promise<unknown>, type: ErrorConstructor, message: string): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.equal((e as Error).constructor, type);
    assert.equal((e as Error).message, message);
    return true;
  });
}

test("key names: empty, '.', '..' are TypeErrors; past 512 UTF-8 bytes is a 414 naming the method", async () => {
  await withService(async (kv) => {
    for (const [call, method] of [
      [(k: string) => kv.get(k), "GET"],
      [(k: string) => kv.put(k, "v"), "PUT"],
      [(k: string) => kv.delete(k), "DELETE"],
    ] as const) {
      await rejects(call(""), TypeError, "Key name cannot be empty.");
      await rejects(call("."), TypeError, '"." is not allowed as a key name.');
      await rejects(call(".."), TypeError, '".." is not allowed as a key name.');
      await rejects(call("x".repeat(513)), Error, `KV ${method} failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.`);
      // Bytes, not characters: 257 × "é" is 514 bytes.
      await rejects(call("é".repeat(257)), Error, `KV ${method} failed: 414 UTF-8 encoded length of 514 exceeds key length limit of 512.`);
    }
    await kv.put("x".repeat(512), "max");
    assert.equal((await kv.get("x".repeat(512)))?.value, "max");
  });
});

test("get decodes per type; unknown types fail only when the key exists (as in workerd)", async () => {
  await withService(async (kv) => {
    await kv.put("k", "h\u00e9llo");
    assert.deepEqual(await kv.get("k"), { value: "h\u00e9llo", metadata: null });
    assert.equal((await kv.get("k", { type: "json" }))?.value, "h\u00e9llo"); // parsed in the isolate
    const ab = (await kv.get("k", { type: "arrayBuffer" }))?.value as ArrayBuffer;
    assert.ok(ab instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(ab)], [...Buffer.from("h\u00e9llo")]);
    assert.ok((await kv.get("k", { type: "stream" }))?.value instanceof ArrayBuffer);
    await rejects(kv.get("k", { type: "blob" }), TypeError, 'Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".');
    assert.equal(await kv.get("missing", { type: "blob" }), null);
  });
});

test("cacheTtl below 30 (NaN counts as 0) is a 400 on get and bulk get", async () => {
  await withService(async (kv) => {
    await rejects(kv.get("k", { cacheTtl: 10 }), Error, "KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 30.");
    await rejects(kv.get("k", { cacheTtl: NaN }), Error, "KV GET failed: 400 Invalid cache_ttl of 0. Cache TTL must be at least 30.");
    await rejects(kv.getBulk(["k"], { cacheTtl: 29 }), Error, "KV GET_BULK failed: 400 Invalid cache_ttl of 29. Cache TTL must be at least 30.");
    assert.equal(await kv.get("k", { cacheTtl: 30 }), null);
  });
});

test("put expiration rules: ttl ≥ 60 and > 0, absolute ≥ now + 60; ttl wins over expiration", async () => {
  await withService(async (kv) => {
    await rejects(kv.put("k", "v", { expirationTtl: 10 }), Error, "KV PUT failed: 400 Invalid expiration_ttl of 10. Expiration TTL must be at least 60.");
    await rejects(kv.put("k", "v", { expirationTtl: 0 }), Error, "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0.");
    await rejects(kv.put("k", "v", { expirationTtl: NaN }), Error, "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0.");
    await rejects(
      kv.put("k", "v", { expiration: NOW_S }),
      Error,
      `KV PUT failed: 400 Invalid expiration of ${NOW_S}. Please specify integer greater than the current number of seconds since the UNIX epoch.`,
    );
    await rejects(
      kv.put("k", "v", { expiration: NOW_S + 30 }),
      Error,
      `KV PUT failed: 400 Invalid expiration of ${NOW_S + 30}. Expiration times must be at least 60 seconds in the future.`,
    );
    await kv.put("ttl", "v", { expirationTtl: 60.9, expiration: 5 });
    await kv.put("abs", "v", { expiration: NOW_S + 60 });
    const list = await kv.list();
    assert.deepEqual(list.keys, [
      { name: "abs", expiration: NOW_S + 60 },
      { name: "ttl", expiration: NOW_S + 60 },
    ]);
  });
});

test("expired keys disappear from get, getBulk and list as the clock passes their expiration", async () => {
  await withService(async (kv, clock) => {
    await kv.put("k", "v", { expirationTtl: 60 });
    assert.notEqual(await kv.get("k"), null);
    clock.ms += 60_000;
    assert.equal(await kv.get("k"), null);
    assert.equal((await kv.getBulk(["k"])).get("k"), null);
    assert.deepEqual((await kv.list()).keys, []);
  });
});

test("metadata: JSON text up to 1024 bytes; past it a 413; returned parsed by list and bulk", async () => {
  await withService(async (kv) => {
    const big = JSON.stringify({ key: "x".repeat(1024 - '{"key":""}'.length + 1) });
    assert.equal(big.length, 1025);
    await rejects(kv.put("k", "v", { metadata: big }), Error, "KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024.");
    await kv.put("k", "v", { metadata: JSON.stringify({ key: "x".repeat(1014) }) });
    await kv.put("m", "v", { metadata: '{"a":[1,"é"]}' });
    assert.deepEqual((await kv.get("m"))?.metadata, '{"a":[1,"é"]}');
    assert.deepEqual((await kv.list({ prefix: "m" })).keys, [{ name: "m", metadata: { a: [1, "é"] } }]);
    assert.deepEqual((await kv.getBulk(["m"], { withMetadata: true })).get("m"), { value: "v", metadata: { a: [1, "é"] }, cacheStatus: null });
  });
});

test("values: strings are stored as UTF-8, views by their own bytes; past 25 MiB a 413", async () => {
  await withService(async (kv) => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    await kv.put("view", backing.subarray(1, 4));
    assert.deepEqual([...new Uint8Array((await kv.get("view", { type: "arrayBuffer" }))!.value as ArrayBuffer)], [1, 2, 3]);
    await kv.put("emoji", "😀");
    assert.equal(((await kv.get("emoji", { type: "arrayBuffer" }))!.value as ArrayBuffer).byteLength, 4);
    const limit = "KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.";
    await rejects(kv.put("big", new ArrayBuffer(25 * MiB + 1)), Error, limit);
    await rejects(kv.put("big", "x".repeat(25 * MiB + 1)), Error, limit);
    await rejects(kv.put("big", "é".repeat(13_200_000)), Error, "KV PUT failed: 413 Value length of 26400000 exceeds limit of 26214400.");
    await rejects(kv.put("big", { streamedLength: 30 * MiB }), Error, `KV PUT failed: 413 Value length of ${30 * MiB} exceeds limit of 26214400.`);
    await kv.put("max", new Uint8Array(25 * MiB));
    assert.equal(((await kv.get("max", { type: "arrayBuffer" }))!.value as ArrayBuffer).byteLength, 25 * MiB);
  });
});

test("key checks come before option checks, metadata before value size (the KV API's order)", async () => {
  await withService(async (kv) => {
    await rejects(kv.put("", "v", { expirationTtl: 1 }), TypeError, "Key name cannot be empty.");
    await rejects(
      kv.put("k", new ArrayBuffer(26 * MiB), { expirationTtl: 1, metadata: "1" }),
      Error,
      "KV PUT failed: 400 Invalid expiration_ttl of 1. Expiration TTL must be at least 60.",
    );
    await rejects(kv.put("k", new ArrayBuffer(26 * MiB), { metadata: `"${"x".repeat(2000)}"` }), Error, "KV PUT failed: 413 Metadata length of 2002 exceeds limit of 1024.");
  });
});

test("bulk get: Map in request order, null for missing; json parsed; the API's own errors", async () => {
  await withService(async (kv) => {
    await kv.put("a", '{"n":1}');
    await kv.put("b", "plain");
    const texts = await kv.getBulk(["b", "missing", "a", "b"]);
    assert.ok(texts instanceof Map);
    assert.deepEqual([...texts], [["b", "plain"], ["missing", null], ["a", '{"n":1}']]);
    assert.deepEqual([...(await kv.getBulk(["a", "x"], { type: "json" }))], [["a", { n: 1 }], ["x", null]]);
    assert.deepEqual([...(await kv.getBulk(["a", "x"], { type: "json", withMetadata: true }))], [["a", { value: { n: 1 }, metadata: null, cacheStatus: null }], ["x", null]]);
    await rejects(kv.getBulk(["a", "b"], { type: "json" }), Error, "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value");
    await rejects(kv.getBulk(["a"], { type: "arrayBuffer" }), Error, 'KV GET_BULK failed: 400 "arrayBuffer" is not a valid type. Use "json" or "text"');
    await rejects(kv.getBulk(["a"], { type: "stream" }), Error, 'KV GET_BULK failed: 400 "stream" is not a valid type. Use "json" or "text"');
    const keys = Array.from({ length: 101 }, (_, i) => `k${i}`);
    await rejects(kv.getBulk(keys), Error, "KV GET_BULK failed: 400 You can request a maximum of 100 keys");
    assert.equal((await kv.getBulk(keys.slice(0, 100))).size, 100);
    await rejects(kv.getBulk([]), Error, "KV GET_BULK failed: 400 You must request a minimum of 1 key");
    await rejects(kv.getBulk(["a", ""]), Error, "KV GET_BULK failed: 400 Key names must not be empty");
    await rejects(kv.getBulk([".."]), Error, 'KV GET_BULK failed: 400 Illegal key name "..". Please use a different name.');
    await rejects(kv.getBulk(["x".repeat(600)]), Error, "KV GET_BULK failed: 414 UTF-8 encoded length of 600 exceeds key length limit of 512.");
  });
});

test("bulk get fails past 25 MiB in total", async () => {
  await withService(async (kv) => {
    await kv.put("a", new Uint8Array(13 * MiB).fill(97));
    await kv.put("b", new Uint8Array(13 * MiB).fill(98));
    assert.equal(((await kv.getBulk(["a"])).get("a") as string).length, 13 * MiB);
    await rejects(kv.getBulk(["a", "b"]), Error, "KV GET_BULK failed: 413 Total size of request exceeds the limit of 25MB");
  });
});

test("list: limit default and bounds, prefix length, paging shape", async () => {
  await withService(async (kv) => {
    for (let i = 0; i < 5; i++) await kv.put(`k${i}`, "v");
    await rejects(kv.list({ limit: 1001 }), Error, "KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000.");
    await rejects(kv.list({ prefix: "p".repeat(513) }), Error, "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.");
    // workerd sends only a positive limit: 0 and negatives mean the default.
    assert.equal((await kv.list({ limit: 0 })).keys.length, 5);
    assert.equal((await kv.list({ limit: -3 })).keys.length, 5);
    const first = await kv.list({ limit: 2.9 });
    assert.deepEqual(first.keys, [{ name: "k0" }, { name: "k1" }]);
    assert.equal(first.list_complete, false);
    assert.equal(first.cacheStatus, null);
    const rest = await kv.list({ limit: 1000, cursor: first.cursor });
    assert.deepEqual(rest, { keys: [{ name: "k2" }, { name: "k3" }, { name: "k4" }], list_complete: true, cacheStatus: null });
    assert.ok(!("cursor" in rest));
    assert.equal((await kv.list({ limit: 1000 })).keys.length, 5);
  });
});

test("putBulk and deleteBulk validate every item before writing anything", async () => {
  await withService(async (kv) => {
    await rejects(
      kv.putBulk([
        { key: "ok", value: "1" },
        { key: "bad", value: "2", options: { expirationTtl: 5 } },
      ]),
      Error,
      "The item at index 1: KV PUT failed: 400 Invalid expiration_ttl of 5. Expiration TTL must be at least 60.",
    );
    assert.equal(await kv.get("ok"), null);
    await kv.putBulk([
      { key: "a", value: "1", options: { metadata: '{"x":1}' } },
      { key: "b", value: new Uint8Array([104, 105]) },
    ]);
    assert.deepEqual((await kv.list()).keys, [{ name: "a", metadata: { x: 1 } }, { name: "b" }]);
    await rejects(kv.deleteBulk(["a", ""]), TypeError, "The item at index 1: Key name cannot be empty.");
    assert.notEqual(await kv.get("a"), null);
    await kv.deleteBulk(["a", "b", "never"]);
    assert.deepEqual((await kv.list()).keys, []);
  });
});
