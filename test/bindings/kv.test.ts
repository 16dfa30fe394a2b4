// The KV binding from user code: a real `atoll dev` child process, real HTTP, real SQLite files.
// Each route of the worker below exercises one area and answers JSON; errors are reported as
// user code sees them (constructor name and message).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorker } from "../support/worker.ts";

const TOML = `name = "kv-test"
main = "index.js"
compatibility_date = "2025-01-01"

[[kv_namespaces]]
binding = "KV"
id = "main-ns"

[[kv_namespaces]]
binding = "OTHER"
id = "other-ns"

[[kv_namespaces]]
binding = "PREVIEW"
id = "production-id"
preview_id = "main-ns"
`;

const WORKER = String.raw`
const MiB = 1024 * 1024;
const bytes = (ab) => Array.from(new Uint8Array(ab));
async function cap(f) {
  try {
    return { ok: await f() };
  } catch (e) {
    return { error: e.constructor.name + ": " + e.message, isError: e instanceof Error };
  }
}
function streamOf(...chunks) {
  return new ReadableStream({
    pull(c) {
      if (chunks.length) c.enqueue(chunks.shift());
      else c.close();
    },
  });
}

const routes = {
  async identity(env) {
    return {
      ctor: env.KV.constructor.name,
      ownKeys: Object.keys(env.KV),
      methods: ["get", "getWithMetadata", "put", "delete", "list"].map((m) => typeof env.KV[m]),
    };
  },

  async types(env) {
    await env.KV.put("json", '{"a":[1,"é"]}');
    const stream = await env.KV.get("json", "stream");
    const meta = await env.KV.getWithMetadata("json", { type: "arrayBuffer" });
    return {
      text: await env.KV.get("json"),
      textNamed: await env.KV.get("json", "text"),
      json: await env.KV.get("json", "json"),
      jsonOptions: await env.KV.get("json", { type: "json", cacheTtl: 60 }),
      arrayBuffer: bytes(await env.KV.get("json", "arrayBuffer")),
      isArrayBuffer: (await env.KV.get("json", "arrayBuffer")) instanceof ArrayBuffer,
      isStream: stream instanceof ReadableStream,
      streamText: await new Response(stream).text(),
      metaArrayBuffer: { value: bytes(meta.value), metadata: meta.metadata, cacheStatus: meta.cacheStatus },
      metaJson: await env.KV.getWithMetadata("json", "json"),
      missing: [
        await env.KV.get("nope"),
        await env.KV.get("nope", "json"),
        await env.KV.get("nope", "arrayBuffer"),
        await env.KV.get("nope", { type: "stream" }),
      ],
      missingMeta: await env.KV.getWithMetadata("nope"),
      unknownType: await cap(() => env.KV.get("json", "blob")),
      unknownTypeMissing: await cap(() => env.KV.get("nope", "blob")),
      badJson: await cap(async () => {
        await env.KV.put("notjson", "{nope");
        return env.KV.get("notjson", "json");
      }),
    };
  },

  async values(env) {
    const all = new Uint8Array(256).map((_, i) => i);
    await env.KV.put("ab", all.buffer);
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    await env.KV.put("view", backing.subarray(1, 4));
    await env.KV.put("dataview", new DataView(all.buffer, 250, 6));
    await env.KV.put("stream", streamOf(new Uint8Array([1, 2]), new Uint8Array([3]), new Uint16Array([0x0504])));
    await env.KV.put("empty", "");
    await env.KV.put("emptystream", streamOf());
    await env.KV.put("number", 42);
    await env.KV.put("unicode", "héllo 😀 世界");
    // The bytes are taken when put() is called, not when the host gets to the call.
    const mutable = new Uint8Array([1, 1, 1]);
    const pending = env.KV.put("mutated", mutable);
    mutable.fill(7);
    await pending;
    return {
      ab: bytes(await env.KV.get("ab", "arrayBuffer")),
      view: bytes(await env.KV.get("view", "arrayBuffer")),
      dataview: bytes(await env.KV.get("dataview", "arrayBuffer")),
      stream: bytes(await env.KV.get("stream", "arrayBuffer")),
      empty: await env.KV.get("empty"),
      emptyStream: bytes(await new Response(await env.KV.get("empty", "stream")).arrayBuffer()),
      emptyFromStream: await env.KV.get("emptystream"),
      number: await env.KV.get("number"),
      unicode: await env.KV.get("unicode"),
      unicodeBytes: bytes(await env.KV.get("unicode", "arrayBuffer")).length,
      mutated: bytes(await env.KV.get("mutated", "arrayBuffer")),
      object: await cap(() => env.KV.put("obj", { a: 1 })),
      blob: await cap(() => env.KV.put("obj", new Blob(["x"]))),
      stringChunk: await cap(() => env.KV.put("obj", streamOf("text"))),
      deleted: await (async () => {
        await env.KV.put("gone", "x");
        await env.KV.delete("gone");
        await env.KV.delete("never-existed");
        return env.KV.get("gone");
      })(),
    };
  },

  async limits(env) {
    const big = new Uint8Array(25 * MiB + 1);
    const chunks = Array.from({ length: 26 }, () => new Uint8Array(MiB));
    return {
      exactly: await cap(async () => {
        await env.KV.put("max", new Uint8Array(25 * MiB));
        return (await env.KV.get("max", "arrayBuffer")).byteLength;
      }),
      buffer: await cap(() => env.KV.put("big", big)),
      string: await cap(() => env.KV.put("big", "x".repeat(25 * MiB + 1))),
      stream: await cap(() => env.KV.put("big", streamOf(...chunks))),
      bigExists: await env.KV.get("big"),
      metadata: await cap(() => env.KV.put("m", "v", { metadata: { key: "x".repeat(1024 - 10 + 1) } })),
      metadataMax: await cap(() => env.KV.put("m", "v", { metadata: { key: "x".repeat(1024 - 10) } })),
    };
  },

  async errors(env) {
    const now = Math.floor(Date.now() / 1000);
    const out = {};
    for (const [name, call] of [
      ["get", (k) => env.KV.get(k)],
      ["getWithMetadata", (k) => env.KV.getWithMetadata(k)],
      ["put", (k) => env.KV.put(k, "v")],
      ["delete", (k) => env.KV.delete(k)],
    ]) {
      out[name] = [
        await cap(() => call("")),
        await cap(() => call(".")),
        await cap(() => call("..")),
        await cap(() => call("x".repeat(513))),
        await cap(() => call("é".repeat(257))),
      ];
    }
    out.maxKey = await cap(async () => {
      await env.KV.put("k".repeat(512), "ok");
      return env.KV.get("k".repeat(512));
    });
    out.cacheTtl = await cap(() => env.KV.get("k", { cacheTtl: 10 }));
    out.cacheTtlNaN = await cap(() => env.KV.get("k", { cacheTtl: "soon" }));
    out.ttl10 = await cap(() => env.KV.put("k", "v", { expirationTtl: 10 }));
    out.ttl0 = await cap(() => env.KV.put("k", "v", { expirationTtl: 0 }));
    out.expirationPast = await cap(() => env.KV.put("k", "v", { expiration: 1000 }));
    out.expirationSoon = await cap(() => env.KV.put("k", "v", { expiration: now + 30 }));
    out.listLimit = await cap(() => env.KV.list({ limit: 1001 }));
    out.listPrefix = await cap(() => env.KV.list({ prefix: "p".repeat(513) }));
    out.symbolKey = await cap(() => env.KV.get(Symbol("k")));
    out.rejectsNotThrows = (() => {
      try {
        const p = env.KV.get("");
        p.catch(() => {});
        return p instanceof Promise;
      } catch {
        return "threw synchronously";
      }
    })();
    return out;
  },

  async bulk(env) {
    await env.KV.put("b1", '{"n":1}', { metadata: { m: 1 } });
    await env.KV.put("b2", '"two"');
    const text = await env.KV.get(["b1", "missing", "b2"]);
    const json = await env.KV.get(["b1", "b2", "missing"], "json");
    const withMeta = await env.KV.getWithMetadata(["b1", "b2", "missing"], { type: "json" });
    const keys101 = Array.from({ length: 101 }, (_, i) => "k" + i);
    return {
      isMap: text instanceof Map,
      text: [...text],
      json: [...json],
      withMeta: [...withMeta],
      hundred: (await env.KV.get(keys101.slice(0, 100))).size,
      tooMany: await cap(() => env.KV.get(keys101)),
      none: await cap(() => env.KV.get([])),
      arrayBuffer: await cap(() => env.KV.get(["b1"], "arrayBuffer")),
      stream: await cap(() => env.KV.get(["b1"], { type: "stream" })),
      emptyKey: await cap(() => env.KV.get(["b1", ""])),
      dotKey: await cap(() => env.KV.getWithMetadata(["."])),
      longKey: await cap(() => env.KV.get(["x".repeat(513)])),
      notJson: await cap(async () => {
        await env.KV.put("plain", "plain");
        return env.KV.get(["plain"], "json");
      }),
    };
  },

  async metadata(env) {
    await env.KV.put("with", "v", { metadata: { tags: ["a", "é"], n: 1.5, nested: { ok: true } } });
    await env.KV.put("nullmeta", "v", { metadata: null });
    await env.KV.put("stringmeta", "v", { metadata: "just a string" });
    return {
      with: await env.KV.getWithMetadata("with"),
      nullmeta: await env.KV.getWithMetadata("nullmeta"),
      stringmeta: await env.KV.getWithMetadata("stringmeta"),
      listed: (await env.KV.list({ prefix: "" })).keys.filter((k) => ["with", "nullmeta", "stringmeta"].includes(k.name)),
      cyclic: await cap(() => {
        const o = {};
        o.self = o;
        return env.KV.put("cyclic", "v", { metadata: o });
      }),
    };
  },

  async expiration(env) {
    const abs = Math.floor(Date.now() / 1000) + 3600;
    await env.KV.put("exp/abs", "a", { expiration: abs, metadata: { kept: true } });
    const before = Math.floor(Date.now() / 1000);
    await env.KV.put("exp/ttl", "t", { expirationTtl: 120 });
    const after = Math.floor(Date.now() / 1000);
    await env.KV.put("exp/none", "n");
    const list = await env.KV.list({ prefix: "exp/" });
    const ttl = list.keys.find((k) => k.name === "exp/ttl").expiration;
    return {
      abs,
      keys: list.keys.map((k) => (k.name === "exp/ttl" ? { ...k, expiration: "checked" } : k)),
      ttlInRange: ttl >= before + 120 && ttl <= after + 121,
      withMetadata: await env.KV.getWithMetadata("exp/abs"),
      get: await env.KV.get("exp/ttl"),
    };
  },

  async list(env) {
    const names = Array.from({ length: 25 }, (_, i) => "page/" + String(i).padStart(2, "0"));
    await Promise.all(names.map((n) => env.KV.put(n, "v")));
    for (const k of ["sort/😀", "sort/\uE000", "sort/é", "sort/z", "sort/Z"]) await env.KV.put(k, "v");
    const pages = [];
    let cursor;
    for (;;) {
      const page = await env.KV.list({ prefix: "page/", limit: 10, cursor });
      pages.push({ names: page.keys.map((k) => k.name), complete: page.list_complete, hasCursor: "cursor" in page, cacheStatus: page.cacheStatus });
      if (page.list_complete) break;
      cursor = page.cursor;
    }
    return {
      pages,
      sorted: (await env.KV.list({ prefix: "sort/" })).keys.map((k) => k.name),
      limitZero: (await env.KV.list({ prefix: "page/", limit: 0 })).keys.length,
      nullOptions: (await env.KV.list({ prefix: null, cursor: null })).keys.length > 25,
      noOptions: (await env.KV.list()).keys.length > 25,
    };
  },

  async bindings(env) {
    await env.KV.put("shared", "from KV");
    await env.OTHER.put("shared", "from OTHER");
    return {
      kv: await env.KV.get("shared"),
      other: await env.OTHER.get("shared"),
      preview: await env.PREVIEW.get("shared"),
    };
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, route, key] = url.pathname.split("/");
    if (route === "w") {
      await env.KV.put(decodeURIComponent(key), await request.text());
      return new Response("ok");
    }
    if (route === "r") {
      const value = await env.KV.get(decodeURIComponent(key));
      return value === null ? new Response("not found", { status: 404 }) : new Response(value);
    }
    if (route === "keys") {
      const names = [];
      let cursor;
      do {
        const page = await env.KV.list({ prefix: url.searchParams.get("prefix") ?? "", cursor });
        names.push(...page.keys.map((k) => k.name));
        cursor = page.cursor;
      } while (cursor);
      return Response.json(names);
    }
    return Response.json(await routes[route](env));
  },
};
`;

async function get(url: string): Promise<any> {
  const res = await fetch(url);
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

test("KV binding end to end through atoll dev", async (t) => {
  const dev = await startWorker({ toml: TOML, files: { "index.js": WORKER } });
  try {
    await t.test("env.KV is a KVNamespace with the Workers methods and no own properties", async () => {
      assert.deepEqual(await get(`${dev.url}/identity`), { ctor: "KVNamespace", ownKeys: [], methods: Array(5).fill("function") });
    });

    await t.test("get and getWithMetadata return every type; missing keys are null", async () => {
      const r = await get(`${dev.url}/types`);
      const jsonText = '{"a":[1,"é"]}';
      assert.equal(r.text, jsonText);
      assert.equal(r.textNamed, jsonText);
      assert.deepEqual(r.json, { a: [1, "é"] });
      assert.deepEqual(r.jsonOptions, { a: [1, "é"] });
      assert.deepEqual(r.arrayBuffer, [...Buffer.from(jsonText)]);
      assert.equal(r.isArrayBuffer, true);
      assert.equal(r.isStream, true);
      assert.equal(r.streamText, jsonText);
      assert.deepEqual(r.metaArrayBuffer, { value: [...Buffer.from(jsonText)], metadata: null, cacheStatus: null });
      assert.deepEqual(r.metaJson, { value: { a: [1, "é"] }, metadata: null, cacheStatus: null });
      assert.deepEqual(r.missing, [null, null, null, null]);
      assert.deepEqual(r.missingMeta, { value: null, metadata: null, cacheStatus: null });
      assert.deepEqual(r.unknownType, {
        error: 'TypeError: Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".',
        isError: true,
      });
      assert.deepEqual(r.unknownTypeMissing, { ok: null });
      assert.match(r.badJson.error, /^SyntaxError: /);
    });

    await t.test("put takes strings, ArrayBuffers, views and streams; bytes round-trip exactly", async () => {
      const r = await get(`${dev.url}/values`);
      assert.deepEqual(r.ab, Array.from({ length: 256 }, (_, i) => i));
      assert.deepEqual(r.view, [1, 2, 3]);
      assert.deepEqual(r.dataview, [250, 251, 252, 253, 254, 255]);
      assert.deepEqual(r.stream, [1, 2, 3, 4, 5]);
      assert.equal(r.empty, "");
      assert.deepEqual(r.emptyStream, []);
      assert.equal(r.emptyFromStream, "");
      assert.equal(r.number, "42");
      assert.equal(r.unicode, "héllo 😀 世界");
      assert.equal(r.unicodeBytes, Buffer.byteLength("héllo 😀 世界"));
      assert.deepEqual(r.mutated, [1, 1, 1]);
      const putError = "TypeError: KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.";
      assert.equal(r.object.error, putError);
      assert.equal(r.blob.error, putError);
      assert.equal(r.stringChunk.error, "TypeError: This ReadableStream did not return bytes.");
      assert.equal(r.deleted, null);
    });

    await t.test("values up to 25 MiB are stored; past it, buffers, strings and streams fail with the exact length", async () => {
      const r = await get(`${dev.url}/limits`);
      assert.deepEqual(r.exactly, { ok: 25 * 1024 * 1024 });
      assert.equal(r.buffer.error, "Error: KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.");
      assert.equal(r.string.error, "Error: KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.");
      assert.equal(r.stream.error, "Error: KV PUT failed: 413 Value length of 27262976 exceeds limit of 26214400.");
      assert.equal(r.bigExists, null);
      assert.equal(r.metadata.error, "Error: KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024.");
      assert.deepEqual(r.metadataMax, {});
    });

    await t.test("key, option and list errors have workerd's types and messages, as rejections", async () => {
      const r = await get(`${dev.url}/errors`);
      for (const [name, method] of [
        ["get", "GET"],
        ["getWithMetadata", "GET"],
        ["put", "PUT"],
        ["delete", "DELETE"],
      ]) {
        assert.deepEqual(
          r[name].map((c: { error: string }) => c.error),
          [
            "TypeError: Key name cannot be empty.",
            'TypeError: "." is not allowed as a key name.',
            'TypeError: ".." is not allowed as a key name.',
            `Error: KV ${method} failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.`,
            `Error: KV ${method} failed: 414 UTF-8 encoded length of 514 exceeds key length limit of 512.`,
          ],
          name,
        );
        assert.ok(r[name].every((c: { isError: boolean }) => c.isError));
      }
      assert.deepEqual(r.maxKey, { ok: "ok" });
      assert.equal(r.cacheTtl.error, "Error: KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 30.");
      assert.equal(r.cacheTtlNaN.error, "Error: KV GET failed: 400 Invalid cache_ttl of 0. Cache TTL must be at least 30.");
      assert.equal(r.ttl10.error, "Error: KV PUT failed: 400 Invalid expiration_ttl of 10. Expiration TTL must be at least 60.");
      assert.equal(r.ttl0.error, "Error: KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0.");
      assert.equal(
        r.expirationPast.error,
        "Error: KV PUT failed: 400 Invalid expiration of 1000. Please specify integer greater than the current number of seconds since the UNIX epoch.",
      );
      assert.match(r.expirationSoon.error, /^Error: KV PUT failed: 400 Invalid expiration of \d+\. Expiration times must be at least 60 seconds in the future\.$/);
      assert.equal(r.listLimit.error, "Error: KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000.");
      assert.equal(r.listPrefix.error, "Error: KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.");
      assert.match(r.symbolKey.error, /^TypeError: /);
      assert.equal(r.rejectsNotThrows, true);
    });

    await t.test("bulk get returns a Map (text, json, with metadata) and the bulk API's errors", async () => {
      const r = await get(`${dev.url}/bulk`);
      assert.equal(r.isMap, true);
      assert.deepEqual(r.text, [["b1", '{"n":1}'], ["missing", null], ["b2", '"two"']]);
      assert.deepEqual(r.json, [["b1", { n: 1 }], ["b2", "two"], ["missing", null]]);
      assert.deepEqual(r.withMeta, [
        ["b1", { value: { n: 1 }, metadata: { m: 1 }, cacheStatus: null }],
        ["b2", { value: "two", metadata: null, cacheStatus: null }],
        ["missing", null],
      ]);
      assert.equal(r.hundred, 100);
      assert.equal(r.tooMany.error, "Error: KV GET_BULK failed: 400 You can request a maximum of 100 keys");
      assert.equal(r.none.error, "Error: KV GET_BULK failed: 400 You must request a minimum of 1 key");
      assert.equal(r.arrayBuffer.error, 'Error: KV GET_BULK failed: 400 "arrayBuffer" is not a valid type. Use "json" or "text"');
      assert.equal(r.stream.error, 'Error: KV GET_BULK failed: 400 "stream" is not a valid type. Use "json" or "text"');
      assert.equal(r.emptyKey.error, "Error: KV GET_BULK failed: 400 Key names must not be empty");
      assert.equal(r.dotKey.error, 'Error: KV GET_BULK failed: 400 Illegal key name ".". Please use a different name.');
      assert.equal(r.longKey.error, "Error: KV GET_BULK failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.");
      assert.equal(r.notJson.error, "Error: KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value");
    });

    await t.test("metadata round-trips through getWithMetadata and list; null metadata is none", async () => {
      const r = await get(`${dev.url}/metadata`);
      const meta = { tags: ["a", "é"], n: 1.5, nested: { ok: true } };
      assert.deepEqual(r.with, { value: "v", metadata: meta, cacheStatus: null });
      assert.deepEqual(r.nullmeta, { value: "v", metadata: null, cacheStatus: null });
      assert.deepEqual(r.stringmeta, { value: "v", metadata: "just a string", cacheStatus: null });
      assert.deepEqual(r.listed, [{ name: "nullmeta" }, { name: "stringmeta", metadata: "just a string" }, { name: "with", metadata: meta }]);
      assert.match(r.cyclic.error, /^TypeError: .*circular/i);
    });

    await t.test("expiration and expirationTtl show in list; getWithMetadata still returns the entry", async () => {
      const r = await get(`${dev.url}/expiration`);
      assert.deepEqual(r.keys, [
        { name: "exp/abs", expiration: r.abs, metadata: { kept: true } },
        { name: "exp/none" },
        { name: "exp/ttl", expiration: "checked" },
      ]);
      assert.equal(r.ttlInRange, true);
      assert.deepEqual(r.withMetadata, { value: "a", metadata: { kept: true }, cacheStatus: null });
      assert.equal(r.get, "t");
    });

    await t.test("list pages with a cursor in UTF-8 byte order; the last page is complete without a cursor", async () => {
      const r = await get(`${dev.url}/list`);
      const names = Array.from({ length: 25 }, (_, i) => "page/" + String(i).padStart(2, "0"));
      assert.deepEqual(r.pages, [
        { names: names.slice(0, 10), complete: false, hasCursor: true, cacheStatus: null },
        { names: names.slice(10, 20), complete: false, hasCursor: true, cacheStatus: null },
        { names: names.slice(20), complete: true, hasCursor: false, cacheStatus: null },
      ]);
      assert.deepEqual(r.sorted, ["sort/Z", "sort/z", "sort/é", "sort/\uE000", "sort/😀"]);
      assert.equal(r.limitZero, 25);
      assert.equal(r.nullOptions, true);
      assert.equal(r.noOptions, true);
    });

    await t.test("each binding has its own namespace; preview_id is the local namespace", async () => {
      assert.deepEqual(await get(`${dev.url}/bindings`), { kv: "from KV", other: "from OTHER", preview: "from KV" });
      assert.ok(existsSync(join(dev.dir, ".atoll", "kv", "main-ns.sqlite")));
      assert.ok(existsSync(join(dev.dir, ".atoll", "kv", "other-ns.sqlite")));
      assert.ok(!existsSync(join(dev.dir, ".atoll", "kv", "production-id.sqlite")));
    });

    await t.test("100 concurrent writers over HTTP lose nothing", async () => {
      const n = 100;
      const responses = await Promise.all(
        Array.from({ length: n }, (_, i) => fetch(`${dev.url}/w/conc-${i}`, { method: "POST", body: `value-${i}` }).then((r) => r.text())),
      );
      assert.deepEqual(responses, Array(n).fill("ok"));
      const keys: string[] = await get(`${dev.url}/keys?prefix=conc-`);
      assert.equal(keys.length, n);
      assert.deepEqual(new Set(keys), new Set(Array.from({ length: n }, (_, i) => `conc-${i}`)));
      for (const i of [0, 37, 99]) assert.equal(await (await fetch(`${dev.url}/r/conc-${i}`)).text(), `value-${i}`);
    });
  } finally {
    await dev.stop();
  }
});

test("KV data survives stopping atoll dev and starting it again on the same --persist-to", async () => {
  const state = mkdtempSync(join(tmpdir(), "atoll-kv-state-"));
  const toml = `name = "kv-restart"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\n[[kv_namespaces]]\nbinding = "KV"\nid = "restart"\n`;
  try {
    const first = await startWorker({ toml, files: { "index.js": WORKER }, args: ["--persist-to", state] });
    try {
      assert.equal(await (await fetch(`${first.url}/w/${encodeURIComponent("kept é")}`, { method: "POST", body: "survives" })).text(), "ok");
    } finally {
      await first.stop();
    }
    assert.ok(existsSync(join(state, "kv", "restart.sqlite")));
    const second = await startWorker({ toml, files: { "index.js": WORKER }, args: ["--persist-to", state] });
    try {
      const res = await fetch(`${second.url}/r/${encodeURIComponent("kept é")}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "survives");
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
