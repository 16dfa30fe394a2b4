// Subrequest caching: fetch(url, { cf: { cacheTtl, cacheEverything, cacheKey, cacheTtlByStatus } })
// from a real `atoll dev` worker against a real local origin server that counts its hits. A cached
// subrequest never reaches the origin and comes back with `cf-cache-status: HIT`; the cache is
// caches.default, shared with the Cache API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "node:http";
import zlib from "node:zlib";
import { startWorker, type RunningDev } from "../support/worker.ts";

const WORKER = String.raw`
async function hex(buffer) {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", buffer))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const target = url.searchParams.get("target");
    const o = JSON.parse(url.searchParams.get("o") ?? "{}");
    if (url.pathname === "/fetch") {
      const init = { method: o.method ?? "GET", headers: o.headers ?? {}, cf: o.cf };
      if (o.cache) init.cache = o.cache;
      if (o.body) init.body = o.body;
      const res = await fetch(target, init);
      let body = null;
      if (o.read === "digest") body = await hex(await res.arrayBuffer());
      else if (o.read === "cancel") await res.body?.cancel();
      else body = await res.text();
      return Response.json({ status: res.status, cacheStatus: res.headers.get("cf-cache-status"), headers: [...res.headers], body });
    }
    if (url.pathname === "/match") {
      const m = await caches.default.match(target);
      return Response.json(m ? { body: await m.text(), cacheStatus: m.headers.get("cf-cache-status") } : null);
    }
    if (url.pathname === "/fetch-and-put") {
      // The common pattern: fetch, store a clone (in waitUntil or awaited), return the original.
      const res = await fetch(target);
      const cached = new Response(res.clone().body, res);
      cached.headers.set("cache-control", "max-age=600");
      const put = caches.default.put(target, cached);
      if (o.waitUntil) ctx.waitUntil(put);
      else await put;
      return res;
    }
    if (url.pathname === "/put") {
      await caches.default.put(target, new Response("put by the Cache API", { headers: { "cache-control": "max-age=600" } }));
      return Response.json("ok");
    }
    return new Response("no route", { status: 404 });
  },
};
`;

let dev: RunningDev;
let origin: http.Server;
let originUrl = "";
const hits = new Map<string, number>();
const BIG = Buffer.alloc(2 * 1024 * 1024 + 7);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 13 + 5) % 256;

before(async () => {
  origin = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://origin");
    const path = url.pathname;
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    // Response headers come from the query: ?h={"cache-control":"no-store"}; the status from ?s=.
    const headers: Record<string, string | string[]> = { "content-type": "text/plain", "x-origin": "yes", ...JSON.parse(url.searchParams.get("h") ?? "{}") };
    const status = Number(url.searchParams.get("s") ?? 200);
    if (path.startsWith("/redirect")) {
      res.writeHead(302, { location: "/landing.css" });
      res.end();
      return;
    }
    if (path.endsWith(".gz.css")) {
      res.writeHead(status, { ...headers, "content-encoding": "gzip" });
      res.end(zlib.gzipSync(`gzipped ${path} #${n}`));
      return;
    }
    if (path.endsWith("/big.bin")) {
      res.writeHead(status, { ...headers, "content-type": "application/octet-stream" });
      res.end(BIG);
      return;
    }
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : `${path} #${n}`);
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  originUrl = `http://127.0.0.1:${(origin.address() as { port: number }).port}`;
  dev = await startWorker({ files: { "index.js": WORKER } });
});

after(async () => {
  await dev?.stop();
  await new Promise<void>((r) => origin.close(() => r()));
});

interface Fetched {
  status: number;
  cacheStatus: string | null;
  headers: [string, string][];
  body: string | null;
}

/** Has the worker fetch `path` on the origin (with origin response headers `h`) and reports what it got. */
async function sub(path: string, options: Record<string, unknown> = {}, h?: Record<string, unknown>): Promise<Fetched> {
  const target = `${originUrl}${path}${h ? `${path.includes("?") ? "&" : "?"}h=${encodeURIComponent(JSON.stringify(h))}` : ""}`;
  const res = await fetch(`${dev.url}/fetch?target=${encodeURIComponent(target)}&o=${encodeURIComponent(JSON.stringify(options))}`);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as Fetched;
}

function header(r: Fetched, name: string): string | undefined {
  return r.headers.find(([n]) => n === name)?.[1];
}

test("cacheTtl: the second fetch is served from the cache (the origin is not hit) with cf-cache-status: HIT", async () => {
  const first = await sub("/ttl/page", { cf: { cacheTtl: 300 } });
  assert.equal(first.cacheStatus, "MISS");
  assert.equal(first.body, "/ttl/page #1");
  const second = await sub("/ttl/page", { cf: { cacheTtl: 300 } });
  assert.equal(second.cacheStatus, "HIT");
  assert.equal(second.status, 200);
  assert.equal(second.body, "/ttl/page #1");
  assert.equal(header(second, "x-origin"), "yes");
  assert.equal(header(second, "content-type"), "text/plain");
  assert.equal(hits.get("/ttl/page"), 1);
});

test("cacheTtl caches whatever the origin's Cache-Control says", async () => {
  for (const cc of ["no-store", "private", "no-cache", "max-age=0"]) {
    const path = `/ttl-forced/${cc.replace(/\W/g, "")}`;
    await sub(path, { cf: { cacheTtl: 300 } }, { "cache-control": cc });
    const second = await sub(path, { cf: { cacheTtl: 300 } }, { "cache-control": cc });
    assert.equal(second.cacheStatus, "HIT", cc);
    assert.equal(hits.get(path), 1, cc);
  }
});

test("cacheTtl 0 or negative: the cache is bypassed", async () => {
  for (const ttl of [0, -1]) {
    const path = `/ttl-bypass/${ttl}.css`;
    const a = await sub(path, { cf: { cacheTtl: ttl } });
    const b = await sub(path, { cf: { cacheTtl: ttl } });
    assert.deepEqual([a.cacheStatus, b.cacheStatus], ["BYPASS", "BYPASS"]);
    assert.equal(hits.get(path), 2);
  }
});

test("cacheEverything: any file type, TTL from the origin's headers (default edge TTL without them), no-store respected", async () => {
  await sub("/everything/page", { cf: { cacheEverything: true } }, { "cache-control": "max-age=60" });
  assert.equal((await sub("/everything/page", { cf: { cacheEverything: true } }, { "cache-control": "max-age=60" })).cacheStatus, "HIT");
  assert.equal(hits.get("/everything/page"), 1);

  await sub("/everything/plain", { cf: { cacheEverything: true } });
  assert.equal((await sub("/everything/plain", { cf: { cacheEverything: true } })).cacheStatus, "HIT");
  assert.equal(hits.get("/everything/plain"), 1);

  const a = await sub("/everything/nostore", { cf: { cacheEverything: true } }, { "cache-control": "no-store" });
  const b = await sub("/everything/nostore", { cf: { cacheEverything: true } }, { "cache-control": "no-store" });
  assert.deepEqual([a.cacheStatus, b.cacheStatus], ["BYPASS", "BYPASS"]);
  assert.equal(hits.get("/everything/nostore"), 2);
});

test("without cacheEverything or cacheTtl only Cloudflare's default static extensions are cached", async () => {
  const opts = { cf: { cacheKey: "https://keys.test/html" } };
  const a = await sub("/default/page.html", opts, { "cache-control": "max-age=60" });
  const b = await sub("/default/page.html", opts, { "cache-control": "max-age=60" });
  assert.deepEqual([a.cacheStatus, b.cacheStatus], ["DYNAMIC", "DYNAMIC"]);
  assert.equal(hits.get("/default/page.html"), 2);

  const css = { cf: { cacheTtlByStatus: { "500-599": 0 } } };
  await sub("/default/style.css", css, { "cache-control": "max-age=60" });
  assert.equal((await sub("/default/style.css", css, { "cache-control": "max-age=60" })).cacheStatus, "HIT");
  assert.equal(hits.get("/default/style.css"), 1);
});

test("cacheKey: different URLs with one cache key share the cached response", async () => {
  const cf = { cacheKey: "https://keys.test/shared-asset", cacheEverything: true };
  const a = await sub("/key/one", { cf }, { "cache-control": "max-age=60" });
  const b = await sub("/key/two", { cf }, { "cache-control": "max-age=60" });
  assert.equal(a.cacheStatus, "MISS");
  assert.equal(b.cacheStatus, "HIT");
  assert.equal(b.body, "/key/one #1");
  assert.equal(hits.get("/key/two"), undefined);
});

test("cacheTtlByStatus: the TTL by status range; a negative one means do not cache; statuses not listed follow the headers", async () => {
  const cf = { cacheEverything: true, cacheTtlByStatus: { "200-299": 300, "404": -1 } };
  await sub("/bystatus/ok?s=201", { cf });
  assert.equal((await sub("/bystatus/ok?s=201", { cf })).cacheStatus, "HIT");
  assert.equal(hits.get("/bystatus/ok"), 1);

  const a = await sub("/bystatus/missing?s=404", { cf }, { "cache-control": "max-age=60" });
  const b = await sub("/bystatus/missing?s=404", { cf }, { "cache-control": "max-age=60" });
  assert.deepEqual([a.status, a.cacheStatus, b.cacheStatus], [404, "BYPASS", "BYPASS"]);
  assert.equal(hits.get("/bystatus/missing"), 2);

  const c = await sub("/bystatus/error?s=503", { cf });
  const d = await sub("/bystatus/error?s=503", { cf });
  assert.deepEqual([c.cacheStatus, d.cacheStatus], ["DYNAMIC", "DYNAMIC"]);
  assert.equal(hits.get("/bystatus/error"), 2);
});

test("only GET (and HEAD) use the cache: a POST with cf cache options goes to the origin every time", async () => {
  const a = await sub("/post/x.css", { method: "POST", body: "b", cf: { cacheTtl: 300 } });
  const b = await sub("/post/x.css", { method: "POST", body: "b", cf: { cacheTtl: 300 } });
  assert.equal(a.cacheStatus, null);
  assert.equal(b.body, "/post/x.css #2");
  assert.equal(hits.get("/post/x.css"), 2);
});

test("a response that sets a cookie is not cached, even with cacheTtl", async () => {
  const a = await sub("/cookie/x.css", { cf: { cacheTtl: 300 } }, { "set-cookie": "s=1" });
  const b = await sub("/cookie/x.css", { cf: { cacheTtl: 300 } }, { "set-cookie": "s=1" });
  assert.deepEqual([a.cacheStatus, b.cacheStatus], ["BYPASS", "BYPASS"]);
  assert.equal(hits.get("/cookie/x.css"), 2);
});

test("a request with cache: 'no-store' does not use the cache", async () => {
  await sub("/nostore-request/x.css", { cf: { cacheTtl: 300 } });
  const b = await sub("/nostore-request/x.css", { cf: { cacheTtl: 300 }, cache: "no-store" });
  assert.equal(b.cacheStatus, null);
  assert.equal(hits.get("/nostore-request/x.css"), 2);
});

test("subrequest caching and the Cache API share caches.default", async () => {
  await sub("/shared/from-fetch", { cf: { cacheTtl: 300 } });
  const target = `${originUrl}/shared/from-fetch`;
  const matched = await (await fetch(`${dev.url}/match?target=${encodeURIComponent(target)}`)).json();
  assert.deepEqual(matched, { body: "/shared/from-fetch #1", cacheStatus: "HIT" });

  const put = `${originUrl}/shared/from-put`;
  assert.equal(await (await fetch(`${dev.url}/put?target=${encodeURIComponent(put)}`)).json(), "ok");
  const fetched = await sub("/shared/from-put", { cf: { cacheEverything: true } });
  assert.equal(fetched.cacheStatus, "HIT");
  assert.equal(fetched.body, "put by the Cache API");
  assert.equal(hits.get("/shared/from-put"), undefined);
});

test("a Range request is answered from the cached response (206) without reaching the origin", async () => {
  await sub("/range/data.bin", { cf: { cacheTtl: 300 } });
  const r = await sub("/range/data.bin", { cf: { cacheTtl: 300 }, headers: { range: "bytes=1-5" } });
  assert.equal(r.status, 206);
  assert.equal(r.cacheStatus, "HIT");
  assert.equal(header(r, "content-range"), "bytes 1-5/18");
  assert.equal(r.body, "range");
  assert.equal(hits.get("/range/data.bin"), 1);
});

test("a gzip origin response is cached as the worker reads it (decoded), keeping Content-Encoding", async () => {
  const a = await sub("/gzip/x.gz.css", { cf: { cacheTtl: 300 } });
  const b = await sub("/gzip/x.gz.css", { cf: { cacheTtl: 300 } });
  assert.equal(a.body, "gzipped /gzip/x.gz.css #1");
  assert.equal(b.cacheStatus, "HIT");
  assert.equal(b.body, a.body);
  assert.equal(header(b, "content-encoding"), "gzip");
  assert.equal(hits.get("/gzip/x.gz.css"), 1);
});

test("a large origin body is cached while the worker streams it, then served from the cache intact", async () => {
  const expected = createHash("sha256").update(BIG).digest("hex");
  const a = await sub("/large/big.bin", { cf: { cacheTtl: 300 }, read: "digest" });
  const b = await sub("/large/big.bin", { cf: { cacheTtl: 300 }, read: "digest" });
  assert.equal(a.body, expected);
  assert.equal(b.cacheStatus, "HIT");
  assert.equal(b.body, expected);
  assert.equal(header(b, "content-length"), String(BIG.length));
  assert.equal(hits.get("/large/big.bin"), 1);
});

test("a HEAD request is answered from a cached GET, without a body", async () => {
  await sub("/head/x.css", { cf: { cacheTtl: 300 } });
  const h = await sub("/head/x.css", { method: "HEAD", cf: { cacheTtl: 300 } });
  assert.equal(h.status, 200);
  assert.equal(h.cacheStatus, "HIT");
  assert.equal(h.body, "");
  assert.equal(hits.get("/head/x.css"), 1);
});

test("a response whose body the worker cancels is not stored", async () => {
  const a = await sub("/cancelled/x.css", { cf: { cacheTtl: 300 }, read: "cancel" });
  assert.equal(a.cacheStatus, "MISS");
  const b = await sub("/cancelled/x.css", { cf: { cacheTtl: 300 } });
  assert.equal(b.cacheStatus, "MISS");
  assert.equal(b.body, "/cancelled/x.css #2");
  const c = await sub("/cancelled/x.css", { cf: { cacheTtl: 300 } });
  assert.equal(c.cacheStatus, "HIT");
  assert.equal(hits.get("/cancelled/x.css"), 2);
});

test("a redirected response is not stored (each hop would be its own cache entry on Cloudflare)", async () => {
  const a = await sub("/redirect/start", { cf: { cacheTtl: 300 } });
  const b = await sub("/redirect/start", { cf: { cacheTtl: 300 } });
  assert.equal(a.body, "/landing.css #1");
  assert.deepEqual([a.cacheStatus, b.cacheStatus], ["DYNAMIC", "DYNAMIC"]);
  assert.equal(hits.get("/redirect/start"), 2);
});

test("a fetched response stored with cache.put (a clone, its body streamed) is matched later with the origin's body", async () => {
  const target = `${originUrl}/put-pattern/awaited`;
  const res = await fetch(`${dev.url}/fetch-and-put?target=${encodeURIComponent(target)}`);
  assert.equal(await res.text(), "/put-pattern/awaited #1");
  const matched = await (await fetch(`${dev.url}/match?target=${encodeURIComponent(target)}`)).json();
  assert.deepEqual(matched, { body: "/put-pattern/awaited #1", cacheStatus: "HIT" });
  assert.equal(hits.get("/put-pattern/awaited"), 1);
});

test("cache.put inside ctx.waitUntil finishes after the response has been sent", async () => {
  const target = `${originUrl}/put-pattern/wait-until`;
  const q = `target=${encodeURIComponent(target)}`;
  const res = await fetch(`${dev.url}/fetch-and-put?${q}&o=${encodeURIComponent(JSON.stringify({ waitUntil: true }))}`);
  assert.equal(await res.text(), "/put-pattern/wait-until #1");
  // The put may still be running: wait for it (bounded), then it must be there.
  let matched: unknown = null;
  for (let i = 0; i < 200 && matched === null; i++) {
    matched = await (await fetch(`${dev.url}/match?${q}`)).json();
    if (matched === null) await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual(matched, { body: "/put-pattern/wait-until #1", cacheStatus: "HIT" });
});
