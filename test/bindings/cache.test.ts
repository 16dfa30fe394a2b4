// The Cache API from user code: a real `atoll dev` child process, real HTTP, real SQLite files.
// Each `/run/<name>` route of the worker below exercises one rule and answers JSON (errors as user
// code sees them: constructor name and message); `/match/<key>` returns the cached response itself,
// so conditional and range answers are checked as the HTTP client receives them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, startWorker, type RunningDev } from "../support/worker.ts";

const WORKER = String.raw`
const base = "https://cache.test/";
const key = (name) => base + name;
async function cap(f) {
  try {
    return { ok: await f() };
  } catch (e) {
    return { error: e.constructor.name + ": " + e.message };
  }
}
function capSync(f) {
  try {
    f();
    return "no error";
  } catch (e) {
    return e.constructor.name + ": " + e.message;
  }
}
async function dump(r) {
  if (r === undefined) return "undefined";
  return { status: r.status, statusText: r.statusText, headers: [...r.headers], body: await r.text() };
}
const maxAge = (s = 600) => ({ "cache-control": "max-age=" + s });
function patterned(size) {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + 3) % 256;
  return b;
}
function chunked(bytes, size) {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.byteLength) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}
async function hex(buffer) {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", buffer))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
async function stored(name, response, request) {
  await caches.default.put(request ?? key(name), response);
  return dump(await caches.default.match(key(name)));
}

const routes = {
  async globals() {
    const c = caches.default;
    return {
      tag: Object.prototype.toString.call(caches),
      storage: caches instanceof CacheStorage,
      isCache: c instanceof Cache,
      same: caches.default === c,
      names: [Cache.name, CacheStorage.name],
      newCache: capSync(() => new Cache()),
      newStorage: capSync(() => new CacheStorage()),
      opened: (await caches.open("x")) instanceof Cache,
      openedTwice: (await caches.open("x")) !== (await caches.open("x")),
      add: capSync(() => c.add(key("a"))),
      addAll: capSync(() => c.addAll([key("a")])),
      matchAll: capSync(() => c.matchAll()),
      keys: capSync(() => c.keys()),
      storageMatch: capSync(() => caches.match(key("a"))),
      storageHas: capSync(() => caches.has("x")),
      storageDelete: capSync(() => caches.delete("x")),
      storageKeys: capSync(() => caches.keys()),
      longName: await cap(() => caches.open("x".repeat(1024))),
      longUtf8Name: await cap(() => caches.open("é".repeat(512))),
      okName: (await caches.open("x".repeat(1023))) instanceof Cache,
      noName: await cap(() => caches.open()),
    };
  },

  async roundTrip() {
    const res = new Response("hello cache", {
      status: 200,
      statusText: "Fine",
      headers: { ...maxAge(), "x-multi": "a", "content-type": "text/x-test" },
    });
    res.headers.append("x-multi", "b");
    await caches.default.put(key("round"), res);
    const m = await caches.default.match(key("round"));
    return {
      hit: await dump(m),
      immutable: capSync(() => m.headers.set("x", "1")),
      url: m.url,
      redirected: m.redirected,
      viaRequest: await dump(await caches.default.match(new Request(key("round")))),
      viaURL: await dump(await caches.default.match(new URL(key("round")))),
      miss: await dump(await caches.default.match(key("nothing-here"))),
    };
  },

  async deleting() {
    await caches.default.put(key("del"), new Response("x", { headers: maxAge() }));
    const first = await caches.default.delete(key("del"));
    const after = await caches.default.match(key("del"));
    const again = await caches.default.delete(key("del"));
    return { first, after: after === undefined, again };
  },

  async methods() {
    await caches.default.put(key("methods"), new Response("body", { headers: maxAge() }));
    const post = new Request(key("methods"), { method: "POST" });
    const head = new Request(key("methods"), { method: "HEAD" });
    return {
      putPost: await cap(() => caches.default.put(post, new Response("x"))),
      putHead: await cap(() => caches.default.put(head, new Response("x"))),
      matchPost: await dump(await caches.default.match(post)),
      matchHead: await dump(await caches.default.match(head)),
      matchPostIgnoring: await dump(await caches.default.match(post, { ignoreMethod: true })),
      deletePost: await caches.default.delete(post),
      stillThere: (await caches.default.match(key("methods"))) !== undefined,
      deletePostIgnoring: await caches.default.delete(post, { ignoreMethod: true }),
      gone: (await caches.default.match(key("methods"))) === undefined,
    };
  },

  async putErrors() {
    const used = new Response("used", { headers: maxAge() });
    await used.text();
    const locked = new Response(new ReadableStream({ pull(c) { c.enqueue(new Uint8Array([1])); c.close(); } }), { headers: maxAge() });
    locked.body.getReader();
    return {
      partial: await cap(() => caches.default.put(key("e1"), new Response("x", { status: 206, headers: maxAge() }))),
      varyStar: await cap(() => caches.default.put(key("e2"), new Response("x", { headers: { ...maxAge(), vary: "*" } }))),
      varyListStar: await cap(() => caches.default.put(key("e3"), new Response("x", { headers: { ...maxAge(), vary: "Accept, *" } }))),
      errorResponse: await cap(() => caches.default.put(key("e4"), Response.error())),
      notAResponse: await cap(() => caches.default.put(key("e5"), "text")),
      bodyUsed: await cap(() => caches.default.put(key("e6"), used)),
      locked: await cap(() => caches.default.put(key("e7"), locked)),
      badKey: await cap(() => caches.default.put("not a url", new Response("x"))),
      dataKey: await cap(() => caches.default.match("data:text/plain,x")),
      ignoreSearch: await cap(() => caches.default.match(key("e1"), { ignoreSearch: true })),
      ignoreVary: await cap(() => caches.default.delete(key("e1"), { ignoreVary: false })),
      nothingStored: await Promise.all(["e1", "e2", "e3", "e4", "e5", "e6", "e7"].map(async (n) => (await caches.default.match(key(n))) === undefined)),
    };
  },

  async notModifiedPut() {
    const res = new Response(null, { status: 304, headers: maxAge() });
    const result = await cap(() => caches.default.put(key("nm"), res));
    return { result, stored: (await caches.default.match(key("nm"))) !== undefined };
  },

  async bodyUsedAtOnce() {
    const res = new Response("soon used", { headers: maxAge() });
    const p = caches.default.put(key("used-at-once"), res);
    const usedBeforeAwait = res.bodyUsed;
    await p;
    return { usedBeforeAwait, second: await cap(() => caches.default.put(key("used-at-once"), res)) };
  },

  async notStored() {
    const cases = {
      noStore: { "cache-control": "no-store" },
      private: { "cache-control": "private, max-age=600" },
      noCache: { "cache-control": "no-cache, max-age=600" },
      maxAgeZero: { "cache-control": "max-age=0" },
      sMaxAgeZero: { "cache-control": "s-maxage=0, max-age=600" },
      expiredExpires: { expires: new Date(Date.now() - 60000).toUTCString() },
      setCookie: { ...maxAge(), "set-cookie": "session=1" },
    };
    const out = {};
    for (const [name, headers] of Object.entries(cases)) {
      const resolved = await cap(() => caches.default.put(key("ns-" + name), new Response("x", { headers })));
      out[name] = { resolved: "ok" in resolved, stored: (await caches.default.match(key("ns-" + name))) !== undefined };
    }
    for (const status of [201, 500]) {
      await caches.default.put(key("ns-" + status), new Response("x", { status, headers: status === 500 ? maxAge() : {} }));
      out[status] = { stored: (await caches.default.match(key("ns-" + status))) !== undefined };
    }
    return out;
  },

  async storedByDefault() {
    return {
      plain200: await stored("d-200", new Response("no headers")),
      plain404: await stored("d-404", new Response("gone", { status: 404 })),
      futureExpires: await stored("d-exp", new Response("e", { headers: { expires: new Date(Date.now() + 600000).toUTCString() } })),
      sMaxAge: await stored("d-smax", new Response("s", { headers: { "cache-control": "s-maxage=600, max-age=0" } })),
      noContent: await stored("d-204", new Response(null, { status: 204, headers: maxAge() })),
    };
  },

  async setCookie() {
    const res = new Response("cookie", { headers: { "cache-control": 'private="Set-Cookie", max-age=600', "x-kept": "yes" } });
    res.headers.append("set-cookie", "a=1");
    res.headers.append("set-cookie", "b=2");
    await caches.default.put(key("cookie"), res);
    const m = await caches.default.match(key("cookie"));
    return { stored: m !== undefined, cookies: m && m.headers.getSetCookie(), kept: m && m.headers.get("x-kept"), body: m && (await m.text()) };
  },

  async authorization() {
    const auth = (name) => new Request(key(name), { headers: { authorization: "Bearer x" } });
    await caches.default.put(auth("auth-plain"), new Response("p", { headers: maxAge() }));
    await caches.default.put(auth("auth-public"), new Response("p", { headers: { "cache-control": "public, max-age=600" } }));
    return {
      plain: (await caches.default.match(key("auth-plain"))) !== undefined,
      public: (await caches.default.match(key("auth-public"))) !== undefined,
    };
  },

  async vary() {
    await caches.default.put(
      new Request(key("vary"), { headers: { "accept-language": "en" } }),
      new Response("english", { headers: { ...maxAge(), vary: "Accept-Language" } }),
    );
    const m = await caches.default.match(new Request(key("vary"), { headers: { "accept-language": "fr" } }));
    return { body: m && (await m.text()), vary: m && m.headers.get("vary") };
  },

  async cacheKey() {
    const withKey = (url) => new Request(url, { cf: { cacheKey: "https://custom.test/shared" } });
    await caches.default.put(withKey(key("ck-one")), new Response("by key", { headers: maxAge() }));
    return {
      otherUrlSameKey: await dump(await caches.default.match(withKey(key("ck-two")))),
      urlItself: await dump(await caches.default.match(key("ck-one"))),
      byKeyUrl: (await caches.default.match("https://custom.test/shared")) !== undefined,
      deleted: await caches.default.delete(withKey(key("ck-three"))),
      afterDelete: (await caches.default.match(withKey(key("ck-one")))) === undefined,
    };
  },

  async named() {
    const a = await caches.open("a");
    await a.put(key("named"), new Response("in a", { headers: maxAge() }));
    const defaultNamed = await caches.open("default");
    await defaultNamed.put(key("named-default"), new Response("in open('default')", { headers: maxAge() }));
    return {
      inA: await dump(await (await caches.open("a")).match(key("named"))),
      inDefault: (await caches.default.match(key("named"))) === undefined,
      inB: (await (await caches.open("b")).match(key("named"))) === undefined,
      openDefaultIsNotDefault: (await caches.default.match(key("named-default"))) === undefined,
      openDefaultAgain: (await (await caches.open("default")).match(key("named-default"))) !== undefined,
    };
  },

  async large() {
    const bytes = patterned(5 * 1024 * 1024 + 123);
    await caches.default.put(key("large"), new Response(chunked(bytes, 65536), { headers: { ...maxAge(), "content-type": "application/octet-stream" } }));
    const m = await caches.default.match(key("large"));
    const body = await m.arrayBuffer();
    const r = await caches.default.match(new Request(key("large"), { headers: { range: "bytes=1000000-1000009" } }));
    return {
      length: body.byteLength,
      same: (await hex(body)) === (await hex(bytes)),
      contentLength: m.headers.get("content-length"),
      rangeStatus: r.status,
      rangeHeader: r.headers.get("content-range"),
      rangeBytes: [...new Uint8Array(await r.arrayBuffer())],
      expectedRange: [...bytes.subarray(1000000, 1000010)],
    };
  },

  async largeBytes() {
    // A large in-memory body crosses in one call; it is still stored as a file and streamed back.
    const bytes = patterned(3 * 1024 * 1024);
    await caches.default.put(key("large-bytes"), new Response(bytes, { headers: maxAge() }));
    const m = await caches.default.match(key("large-bytes"));
    return { same: (await hex(await m.arrayBuffer())) === (await hex(bytes)) };
  },

  async erroringStream() {
    let n = 0;
    const body = new ReadableStream({
      pull(c) {
        if (n++ < 3) c.enqueue(new Uint8Array(100000));
        else c.error(new Error("source broke"));
      },
    });
    const result = await cap(() => caches.default.put(key("broken"), new Response(body, { headers: maxAge() })));
    return { rejected: "error" in result, stored: (await caches.default.match(key("broken"))) !== undefined };
  },

  async manualEncoding(request) {
    const gz = new Uint8Array(await request.arrayBuffer());
    await caches.default.put(key("manual"), new Response(gz, { encodeBody: "manual", headers: { ...maxAge(), "content-encoding": "gzip" } }));
    const m = await caches.default.match(key("manual"));
    return { text: await m.text(), encoding: m.headers.get("content-encoding") };
  },

  async subrequestLimit() {
    let count = 0;
    const result = await cap(async () => {
      for (;;) {
        await caches.default.match(key("limit"));
        count++;
      }
    });
    return { count, result };
  },

  async persistPut() {
    await caches.default.put(key("persist"), new Response("survives", { headers: maxAge() }));
    await caches.default.put(key("persist-large"), new Response(patterned(400 * 1024), { headers: maxAge() }));
    return "ok";
  },

  async persistMatch() {
    const small = await caches.default.match(key("persist"));
    const large = await caches.default.match(key("persist-large"));
    return {
      small: small && (await small.text()),
      large: large && (await hex(await large.arrayBuffer())) === (await hex(patterned(400 * 1024))),
    };
  },
};

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const [, kind, name] = url.pathname.split("/");
    if (kind === "run") return Response.json(await routes[name](request, ctx));
    if (kind === "put") {
      const headers = JSON.parse(url.searchParams.get("headers") ?? "{}");
      await caches.default.put(key(name), new Response(url.searchParams.get("body") ?? "", { headers }));
      return new Response("stored");
    }
    if (kind === "match") {
      const m = await caches.default.match(new Request(key(name), { headers: request.headers }));
      return m ?? new Response("miss", { status: 404, headers: { "x-miss": "1" } });
    }
    return new Response("no route", { status: 404 });
  },
};
`;

let dev: RunningDev;

before(async () => {
  dev = await startWorker({ files: { "index.js": WORKER } });
});

after(async () => {
  await dev?.stop();
});

async function run<T = any>(name: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${dev.url}/run/${name}`, init);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as T;
}

async function putVia(name: string, body: string, headers: Record<string, string>): Promise<void> {
  const q = new URLSearchParams({ body, headers: JSON.stringify(headers) });
  const res = await fetch(`${dev.url}/put/${name}?${q}`);
  assert.equal(await res.text(), "stored");
}

test("globals: caches (a CacheStorage with default and open), Cache; workerd's errors for what is not implemented", async () => {
  const r = await run("globals");
  assert.equal(r.tag, "[object CacheStorage]");
  assert.equal(r.storage, true);
  assert.equal(r.isCache, true);
  assert.equal(r.same, true);
  assert.deepEqual(r.names, ["Cache", "CacheStorage"]);
  assert.equal(r.newCache, "TypeError: Illegal constructor");
  assert.equal(r.newStorage, "TypeError: Illegal constructor");
  assert.equal(r.opened, true);
  assert.equal(r.openedTwice, true);
  assert.equal(r.add, "Error: Failed to execute 'add' on 'Cache': the method is not implemented.");
  assert.equal(r.addAll, "Error: Failed to execute 'addAll' on 'Cache': the method is not implemented.");
  assert.equal(r.matchAll, "Error: Failed to execute 'matchAll' on 'Cache': the method is not implemented.");
  assert.equal(r.keys, "Error: Failed to execute 'keys' on 'Cache': the method is not implemented.");
  assert.equal(r.storageMatch, "Error: Failed to execute 'match' on 'CacheStorage': the method is not implemented.");
  assert.equal(r.storageHas, "Error: Failed to execute 'has' on 'CacheStorage': the method is not implemented.");
  assert.equal(r.storageDelete, "Error: Failed to execute 'delete' on 'CacheStorage': the method is not implemented.");
  assert.equal(r.storageKeys, "Error: Failed to execute 'keys' on 'CacheStorage': the method is not implemented.");
  assert.deepEqual(r.longName, { error: "TypeError: Cache name is too long." });
  assert.deepEqual(r.longUtf8Name, { error: "TypeError: Cache name is too long." });
  assert.equal(r.okName, true);
  assert.deepEqual(r.noName, { error: "TypeError: Failed to execute 'open' on 'CacheStorage': parameter 1 is not of type 'string'." });
});

test("put then match: status, status text, headers and body come back, with cf-cache-status: HIT and immutable headers", async () => {
  const r = await run("roundTrip");
  assert.deepEqual(r.hit, {
    status: 200,
    statusText: "Fine",
    headers: [
      ["cache-control", "max-age=600"],
      ["cf-cache-status", "HIT"],
      ["content-length", "11"],
      ["content-type", "text/x-test"],
      ["x-multi", "a, b"],
    ],
    body: "hello cache",
  });
  assert.equal(r.immutable, "TypeError: Can't modify immutable headers.");
  assert.equal(r.url, "");
  assert.equal(r.redirected, false);
  assert.deepEqual(r.viaRequest, r.hit);
  assert.deepEqual(r.viaURL, r.hit);
  assert.equal(r.miss, "undefined");
});

test("delete: true when an entry was removed, then false", async () => {
  assert.deepEqual(await run("deleting"), { first: true, after: true, again: false });
});

test("only GET is cached: put of another method throws; match/delete of one finds nothing unless ignoreMethod", async () => {
  const r = await run("methods");
  assert.deepEqual(r.putPost, { error: "TypeError: Cannot cache response to non-GET request." });
  assert.deepEqual(r.putHead, { error: "TypeError: Cannot cache response to non-GET request." });
  assert.equal(r.matchPost, "undefined");
  assert.equal(r.matchHead, "undefined");
  assert.equal(r.matchPostIgnoring.body, "body");
  assert.equal(r.deletePost, false);
  assert.equal(r.stillThere, true);
  assert.equal(r.deletePostIgnoring, true);
  assert.equal(r.gone, true);
});

test("put errors are Cloudflare's: 206, Vary: *, error responses, non-Responses, used or locked bodies, invalid keys, unsupported options", async () => {
  const r = await run("putErrors");
  assert.deepEqual(r.partial, { error: "TypeError: Cannot cache response to a range request (206 Partial Content)." });
  assert.deepEqual(r.varyStar, { error: "TypeError: Cannot cache response with 'Vary: *' header." });
  assert.deepEqual(r.varyListStar, { error: "TypeError: Cannot cache response with 'Vary: *' header." });
  assert.deepEqual(r.errorResponse, { error: "TypeError: Cache is unable to store an error response" });
  assert.deepEqual(r.notAResponse, { error: "TypeError: Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'." });
  assert.deepEqual(r.bodyUsed, { error: "TypeError: Body has already been used. It can only be used once. Use tee() first if you need to read it twice." });
  assert.deepEqual(r.locked, { error: "TypeError: This ReadableStream is currently locked to a reader." });
  assert.match(r.badKey.error, /^TypeError: /);
  assert.deepEqual(r.dataKey, { error: "TypeError: Invalid URL. Cache API keys must be fully-qualified, valid URLs." });
  assert.deepEqual(r.ignoreSearch, { error: "Error: The 'ignoreSearch' field on 'CacheQueryOptions' is not implemented." });
  assert.deepEqual(r.ignoreVary, { error: "Error: The 'ignoreVary' field on 'CacheQueryOptions' is not implemented." });
  assert.deepEqual(r.nothingStored, [true, true, true, true, true, true, true]);
});

test("a 304 given to put is silently discarded", async () => {
  assert.deepEqual(await run("notModifiedPut"), { result: {}, stored: false });
});

test("put marks the response body used at once, before its promise settles", async () => {
  const r = await run("bodyUsedAtOnce");
  assert.equal(r.usedBeforeAwait, true);
  assert.match(r.second.error, /Body has already been used/);
});

test("not stored (put still resolves): no-store, private, no-cache, max-age=0, s-maxage=0, a past Expires, Set-Cookie, statuses without a default TTL", async () => {
  const r = await run("notStored");
  for (const name of ["noStore", "private", "noCache", "maxAgeZero", "sMaxAgeZero", "expiredExpires", "setCookie"]) {
    assert.deepEqual(r[name], { resolved: true, stored: false }, name);
  }
  assert.deepEqual(r["201"], { stored: false });
  assert.deepEqual(r["500"], { stored: false });
});

test("stored: a 200 or 404 without cache headers (Cloudflare's default edge TTLs), a future Expires, s-maxage over max-age, a 204", async () => {
  const r = await run("storedByDefault");
  assert.equal(r.plain200.body, "no headers");
  assert.equal(r.plain404.status, 404);
  assert.equal(r.plain404.body, "gone");
  assert.equal(r.futureExpires.body, "e");
  assert.equal(r.sMaxAge.body, "s");
  assert.equal(r.noContent.status, 204);
  assert.equal(r.noContent.body, "");
  assert.ok(!r.noContent.headers.some(([n]: [string]) => n === "content-length"));
});

test("Cache-Control: private=Set-Cookie stores the response without its Set-Cookie headers", async () => {
  assert.deepEqual(await run("setCookie"), { stored: true, cookies: [], kept: "yes", body: "cookie" });
});

test("a request with Authorization is cached only when the response is public (or s-maxage / must-revalidate)", async () => {
  assert.deepEqual(await run("authorization"), { plain: false, public: true });
});

test("Vary is not part of the key (as on Cloudflare); the header is kept", async () => {
  assert.deepEqual(await run("vary"), { body: "english", vary: "Accept-Language" });
});

test("conditional requests to a match are answered 304: If-None-Match (weak, *) and If-Modified-Since", async () => {
  await putVia("cond", "conditional body", { "cache-control": "max-age=600", etag: 'W/"v7"', "last-modified": "Wed, 01 Jan 2025 00:00:00 GMT" });
  const full = await fetch(`${dev.url}/match/cond`);
  assert.equal(full.status, 200);
  assert.equal(full.headers.get("cf-cache-status"), "HIT");
  assert.equal(await full.text(), "conditional body");
  const notModified: Record<string, string>[] = [
    { "if-none-match": '"v7"' },
    { "if-none-match": '"x", W/"v7"' },
    { "if-none-match": "*" },
    { "if-modified-since": "Thu, 02 Jan 2025 00:00:00 GMT" },
  ];
  for (const headers of notModified) {
    const res = await fetch(`${dev.url}/match/cond`, { headers });
    assert.equal(res.status, 304, JSON.stringify(headers));
    assert.equal(res.headers.get("etag"), 'W/"v7"');
    assert.equal(res.headers.get("cf-cache-status"), "HIT");
    assert.equal(await res.text(), "");
  }
  const modified: Record<string, string>[] = [{ "if-none-match": '"v8"' }, { "if-modified-since": "Tue, 31 Dec 2024 00:00:00 GMT" }];
  for (const headers of modified) {
    const res = await fetch(`${dev.url}/match/cond`, { headers });
    assert.equal(res.status, 200, JSON.stringify(headers));
    assert.equal(await res.text(), "conditional body");
  }
});

test("Range requests to a match: 206 with Content-Range (single, suffix, open-ended), multipart/byteranges for several, 416 when unsatisfiable", async () => {
  await putVia("range", "0123456789abcdef", { "cache-control": "max-age=600", "content-type": "text/plain" });
  const cases: [string, string, string][] = [
    ["bytes=0-4", "bytes 0-4/16", "01234"],
    ["bytes=-3", "bytes 13-15/16", "def"],
    ["bytes=10-", "bytes 10-15/16", "abcdef"],
    ["bytes=14-100", "bytes 14-15/16", "ef"],
  ];
  for (const [range, contentRange, body] of cases) {
    const res = await fetch(`${dev.url}/match/range`, { headers: { range } });
    assert.equal(res.status, 206, range);
    assert.equal(res.headers.get("content-range"), contentRange);
    assert.equal(res.headers.get("content-length"), String(body.length));
    assert.equal(res.headers.get("cf-cache-status"), "HIT");
    assert.equal(await res.text(), body);
  }

  const multi = await fetch(`${dev.url}/match/range`, { headers: { range: "bytes=0-1, 10-11" } });
  assert.equal(multi.status, 206);
  const type = multi.headers.get("content-type")!;
  const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(type)?.[1];
  assert.ok(boundary, type);
  const text = await multi.text();
  assert.equal(multi.headers.get("content-length"), String(Buffer.byteLength(text)));
  assert.equal(
    text,
    `--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/16\r\n\r\n01\r\n` +
      `--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-11/16\r\n\r\nab\r\n--${boundary}--\r\n`,
  );

  const none = await fetch(`${dev.url}/match/range`, { headers: { range: "bytes=16-20" } });
  assert.equal(none.status, 416);
  assert.equal(none.headers.get("content-range"), "bytes */16");
  assert.equal(none.headers.get("cf-cache-status"), "HIT");
  await none.text();

  const ignored = await fetch(`${dev.url}/match/range`, { headers: { range: "lines=1-2" } });
  assert.equal(ignored.status, 200);
  assert.equal(await ignored.text(), "0123456789abcdef");
});

test("a request's cf.cacheKey is the key it is stored, matched and deleted under", async () => {
  const r = await run("cacheKey");
  assert.equal(r.otherUrlSameKey.body, "by key");
  assert.equal(r.urlItself, "undefined");
  assert.equal(r.byKeyUrl, true);
  assert.equal(r.deleted, true);
  assert.equal(r.afterDelete, true);
});

test("caches.open(name) caches are separate from each other and from caches.default, including one named 'default'", async () => {
  const r = await run("named");
  assert.equal(r.inA.body, "in a");
  assert.equal(r.inDefault, true);
  assert.equal(r.inB, true);
  assert.equal(r.openDefaultIsNotDefault, true);
  assert.equal(r.openDefaultAgain, true);
});

test("a large streamed body is stored in a file under the state directory and read back whole and by range", async () => {
  const r = await run("large");
  assert.equal(r.length, 5 * 1024 * 1024 + 123);
  assert.equal(r.same, true);
  assert.equal(r.contentLength, String(5 * 1024 * 1024 + 123));
  assert.equal(r.rangeStatus, 206);
  assert.equal(r.rangeHeader, `bytes 1000000-1000009/${5 * 1024 * 1024 + 123}`);
  assert.deepEqual(r.rangeBytes, r.expectedRange);
  const blobs = readdirSync(join(dev.dir, ".atoll", "cache", "default", "blobs"));
  assert.ok(blobs.length >= 1, "a body file exists");

  // Served straight to an HTTP client, streamed from the file.
  const res = await fetch(`${dev.url}/match/large`);
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  const expected = Buffer.alloc(5 * 1024 * 1024 + 123);
  for (let i = 0; i < expected.length; i++) expected[i] = (i * 7 + 3) % 256;
  assert.equal(createHash("sha256").update(bytes).digest("hex"), createHash("sha256").update(expected).digest("hex"));
});

test("a large in-memory body is stored and read back intact", async () => {
  assert.deepEqual(await run("largeBytes"), { same: true });
});

test("when the response body stream errors, put rejects and nothing is stored", async () => {
  assert.deepEqual(await run("erroringStream"), { rejected: true, stored: false });
});

test("an already-encoded body (encodeBody: 'manual', gzip) is stored decoded, as a reader of it sees it", async () => {
  const r = await run("manualEncoding", { method: "POST", body: gzipSync("compressed text") });
  assert.deepEqual(r, { text: "compressed text", encoding: "gzip" });
});

test("Cache API calls count against the subrequest limit (1000 per request)", async () => {
  const r = await run("subrequestLimit");
  assert.equal(r.count, 1000);
  assert.deepEqual(r.result, { error: "Error: Too many subrequests." });
});

test("cached entries persist in the state directory across a restart", async () => {
  const state = mkdtempSync(join(tmpdir(), "atoll-cache-state-"));
  try {
    let d = await startWorker({ files: { "index.js": WORKER }, args: ["--persist-to", state] });
    try {
      const res = await fetch(`${d.url}/run/persistPut`);
      assert.equal(await res.text(), '"ok"');
    } finally {
      await d.stop();
    }
    d = await startWorker({ files: { "index.js": WORKER }, args: ["--persist-to", state] });
    try {
      const res = await fetch(`${d.url}/run/persistMatch`);
      assert.deepEqual(await res.json(), { small: "survives", large: true });
    } finally {
      await d.stop();
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test("an unmodified Hono app with hono/cache serves the second request from the cache", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-cache-hono-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(repoRoot, "node_modules", "hono"), join(dir, "node_modules", "hono"), "dir");
  const app = String.raw`
import { Hono } from "hono";
import { cache } from "hono/cache";
let renders = 0;
const app = new Hono();
app.get("/cached/*", cache({ cacheName: "hono-test", cacheControl: "max-age=3600", wait: true }));
app.get("/cached/:name", (c) => c.text("render " + ++renders + " of " + c.req.param("name")));
export default app;
`;
  const d = await startWorker({ dir, files: { "index.js": app } });
  try {
    const first = await fetch(`${d.url}/cached/page`);
    assert.equal(await first.text(), "render 1 of page");
    const second = await fetch(`${d.url}/cached/page`);
    assert.equal(await second.text(), "render 1 of page");
    assert.equal(second.headers.get("cf-cache-status"), "HIT");
    const other = await fetch(`${d.url}/cached/other`);
    assert.equal(await other.text(), "render 2 of other");
  } finally {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
