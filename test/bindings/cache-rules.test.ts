// Cloudflare's caching rules as pure functions: what cache.put stores and for how long, how a
// stored response answers conditional and range requests, and what subrequest caching does with
// each combination of cf options and origin headers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  cachePutDecision,
  defaultEdgeTtl,
  parseCacheControl,
  parseRange,
  planMatch,
  type HeaderList,
  type MatchConditions,
} from "../../src/bindings/cache/cache-rules.ts";
import {
  bypassesCache,
  hasDefaultCachedExtension,
  subrequestCacheOptions,
  subrequestDecision,
} from "../../src/bindings/cache/subrequest-rules.ts";
import { cacheStoreName } from "../../src/bindings/cache/service.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const NO_AUTH = { authorization: false };

function put(status: number, headers: HeaderList, authorization = false) {
  return cachePutDecision({ status, headers }, { authorization }, NOW);
}

test("Cache-Control parsing: names lower-cased, values unquoted, commas inside quotes kept", () => {
  const cc = parseCacheControl('Public, MAX-AGE=60, private="Set-Cookie, X-Foo", no-cache , s-maxage = 5');
  assert.equal(cc.get("public"), true);
  assert.equal(cc.get("max-age"), "60");
  assert.equal(cc.get("private"), "Set-Cookie, X-Foo");
  assert.equal(cc.get("no-cache"), true);
  assert.equal(cc.get("s-maxage"), "5");
  assert.equal(parseCacheControl(null).size, 0);
});

test("the TTL is s-maxage, else max-age, else Expires (from Date when present), else the edge default by status", () => {
  assert.deepEqual(put(200, [["cache-control", "max-age=60, s-maxage=120"]]), { store: true, ttl: 120, headers: [["cache-control", "max-age=60, s-maxage=120"]] });
  assert.equal((put(200, [["cache-control", "max-age=60"], ["expires", new Date(NOW + 3600_000).toUTCString()]]) as { ttl: number }).ttl, 60);
  assert.equal((put(200, [["expires", new Date(NOW + 90_000).toUTCString()]]) as { ttl: number }).ttl, 90);
  const date = new Date(NOW - 1000_000).toUTCString();
  assert.equal((put(200, [["date", date], ["expires", new Date(NOW - 1000_000 + 30_000).toUTCString()]]) as { ttl: number }).ttl, 30);
  assert.equal((put(200, []) as { ttl: number }).ttl, 7200);
  assert.equal((put(200, [["cache-control", "public"]]) as { ttl: number }).ttl, 7200);
  assert.equal((put(301, []) as { ttl: number }).ttl, 7200);
  assert.equal((put(302, []) as { ttl: number }).ttl, 1200);
  assert.equal((put(404, []) as { ttl: number }).ttl, 180);
  assert.equal((put(410, []) as { ttl: number }).ttl, 180);
  assert.equal(defaultEdgeTtl(206), 7200);
  assert.equal(defaultEdgeTtl(500), undefined);
});

test("not stored: no-store, private, no-cache, max-age=0, past or invalid Expires, other statuses without headers", () => {
  assert.deepEqual(put(200, [["cache-control", "no-store"]]), { store: false, reason: "no-store" });
  assert.deepEqual(put(200, [["cache-control", "private, max-age=60"]]), { store: false, reason: "private" });
  assert.deepEqual(put(200, [["cache-control", "no-cache"]]), { store: false, reason: "no-cache" });
  assert.deepEqual(put(200, [["cache-control", "max-age=0"]]), { store: false, reason: "expired" });
  assert.deepEqual(put(200, [["cache-control", "s-maxage=0, max-age=60"]]), { store: false, reason: "expired" });
  assert.deepEqual(put(200, [["cache-control", "max-age=soon"]]), { store: false, reason: "expired" });
  assert.deepEqual(put(200, [["expires", new Date(NOW - 1000).toUTCString()]]), { store: false, reason: "expired" });
  assert.deepEqual(put(200, [["expires", "0"]]), { store: false, reason: "expired" });
  assert.deepEqual(put(201, []), { store: false, reason: "status" });
  assert.deepEqual(put(500, [["cache-control", "max-age=60"]]), { store: false, reason: "status" });
  // 204 and 501 may be stored when the headers say for how long.
  assert.equal(put(204, [["cache-control", "max-age=60"]]).store, true);
  assert.equal(put(204, []).store, false);
});

test("Set-Cookie: never stored, unless private=Set-Cookie, which stores the response without it", () => {
  assert.deepEqual(put(200, [["cache-control", "max-age=60"], ["set-cookie", "a=1"]]), { store: false, reason: "set-cookie" });
  const d = put(200, [["cache-control", 'private="Set-Cookie", max-age=60'], ["Set-Cookie", "a=1"], ["set-cookie", "b=2"], ["x-a", "1"]]);
  assert.deepEqual(d, { store: true, ttl: 60, headers: [["cache-control", 'private="Set-Cookie", max-age=60'], ["x-a", "1"]] });
  // private=<other fields>: those are not stored either.
  const e = put(200, [["cache-control", "private=x-user, max-age=60"], ["x-user", "alice"], ["x-b", "2"]]);
  assert.deepEqual(e, { store: true, ttl: 60, headers: [["cache-control", "private=x-user, max-age=60"], ["x-b", "2"]] });
});

test("no-cache=<fields> only refuses when one of those headers is present", () => {
  assert.equal(put(200, [["cache-control", "no-cache=x-a, max-age=60"]]).store, true);
  assert.equal(put(200, [["cache-control", "no-cache=x-a, max-age=60"], ["x-a", "1"]]).store, false);
});

test("a request with Authorization is stored only with public, must-revalidate or s-maxage", () => {
  assert.deepEqual(put(200, [["cache-control", "max-age=60"]], true), { store: false, reason: "authorization" });
  assert.equal(put(200, [["cache-control", "public, max-age=60"]], true).store, true);
  assert.equal(put(200, [["cache-control", "must-revalidate, max-age=60"]], true).store, true);
  assert.equal(put(200, [["cache-control", "s-maxage=60"]], true).store, true);
});

test("Vary (other than *, which put rejects) does not change what is stored", () => {
  const d = put(200, [["cache-control", "max-age=60"], ["vary", "Accept-Language, Accept-Encoding"]]);
  assert.deepEqual(d, { store: true, ttl: 60, headers: [["cache-control", "max-age=60"], ["vary", "Accept-Language, Accept-Encoding"]] });
});

test("Range parsing: single, suffix, open-ended, several, clamped, unsatisfiable, malformed", () => {
  assert.deepEqual(parseRange("bytes=0-4", 10), [{ start: 0, end: 5 }]);
  assert.deepEqual(parseRange("bytes=-3", 10), [{ start: 7, end: 10 }]);
  assert.deepEqual(parseRange("bytes=-30", 10), [{ start: 0, end: 10 }]);
  assert.deepEqual(parseRange("bytes=6-", 10), [{ start: 6, end: 10 }]);
  assert.deepEqual(parseRange("bytes=8-100", 10), [{ start: 8, end: 10 }]);
  assert.deepEqual(parseRange("Bytes = 0-0, 2-3", 10), [{ start: 0, end: 1 }, { start: 2, end: 4 }]);
  assert.deepEqual(parseRange("bytes=10-20", 10), []);
  assert.deepEqual(parseRange("bytes=-0", 10), []);
  assert.deepEqual(parseRange("bytes=0-1", 0), []);
  assert.equal(parseRange("bytes=5-1", 10), undefined);
  assert.equal(parseRange("bytes=a-b", 10), undefined);
  assert.equal(parseRange("items=0-1", 10), undefined);
  assert.equal(parseRange("bytes=-", 10), undefined);
});

const NONE: MatchConditions = { range: null, ifNoneMatch: null, ifModifiedSince: null };

test("conditional matches: If-None-Match (weak comparison, *) wins over If-Modified-Since; only for 2xx", () => {
  const entry = { status: 200, size: 10, headers: [["etag", 'W/"v1"'], ["last-modified", "Wed, 01 Jan 2025 00:00:00 GMT"]] as HeaderList };
  assert.deepEqual(planMatch(entry, NONE), { kind: "full" });
  assert.deepEqual(planMatch(entry, { ...NONE, ifNoneMatch: '"v0", "v1"' }), { kind: "not-modified" });
  assert.deepEqual(planMatch(entry, { ...NONE, ifNoneMatch: "*" }), { kind: "not-modified" });
  assert.deepEqual(planMatch(entry, { ...NONE, ifNoneMatch: '"v2"' }), { kind: "full" });
  // If-None-Match present: If-Modified-Since is not looked at.
  assert.deepEqual(planMatch(entry, { ...NONE, ifNoneMatch: '"v2"', ifModifiedSince: "Thu, 01 Jan 2026 00:00:00 GMT" }), { kind: "full" });
  assert.deepEqual(planMatch(entry, { ...NONE, ifModifiedSince: "Thu, 01 Jan 2026 00:00:00 GMT" }), { kind: "not-modified" });
  assert.deepEqual(planMatch(entry, { ...NONE, ifModifiedSince: "Wed, 01 Jan 2025 00:00:00 GMT" }), { kind: "not-modified" });
  assert.deepEqual(planMatch(entry, { ...NONE, ifModifiedSince: "Tue, 31 Dec 2024 23:59:59 GMT" }), { kind: "full" });
  assert.deepEqual(planMatch(entry, { ...NONE, ifModifiedSince: "garbage" }), { kind: "full" });
  assert.deepEqual(planMatch({ ...entry, status: 404 }, { ...NONE, ifNoneMatch: "*" }), { kind: "full" });
});

test("range matches apply to 200 responses only; a conditional 304 comes first", () => {
  const entry = { status: 200, size: 10, headers: [["etag", '"v1"']] as HeaderList };
  assert.deepEqual(planMatch(entry, { ...NONE, range: "bytes=2-3" }), { kind: "partial", ranges: [{ start: 2, end: 4 }] });
  assert.deepEqual(planMatch(entry, { ...NONE, range: "bytes=20-" }), { kind: "unsatisfiable" });
  assert.deepEqual(planMatch(entry, { ...NONE, range: "bytes=x" }), { kind: "full" });
  assert.deepEqual(planMatch(entry, { ...NONE, range: "bytes=2-3", ifNoneMatch: '"v1"' }), { kind: "not-modified" });
  assert.deepEqual(planMatch({ ...entry, status: 404 }, { ...NONE, range: "bytes=2-3" }), { kind: "full" });
});

test("subrequest cf options: only the cache ones count; wrong types are ignored", () => {
  assert.equal(subrequestCacheOptions(undefined), undefined);
  assert.equal(subrequestCacheOptions({ polish: "lossy" }), undefined);
  assert.deepEqual(subrequestCacheOptions({ cacheTtl: 5.7 }), { cacheEverything: false, cacheTtl: 5 });
  assert.deepEqual(subrequestCacheOptions({ cacheTtl: "5", cacheEverything: "yes", cacheKey: 3 }), { cacheEverything: false });
  assert.deepEqual(subrequestCacheOptions({ cacheEverything: true, cacheKey: "k" }), { cacheEverything: true, cacheKey: "k" });
  assert.deepEqual(subrequestCacheOptions({ cacheTtlByStatus: { "200-299": 60, 404: -1, bad: 1, "300-200": 1, "500": "x" } }), {
    cacheEverything: false,
    cacheTtlByStatus: [
      { from: 404, to: 404, ttl: -1 },
      { from: 200, to: 299, ttl: 60 },
    ],
  });
  assert.equal(bypassesCache({ cacheEverything: false, cacheTtl: 0 }), true);
  assert.equal(bypassesCache({ cacheEverything: false, cacheTtl: -1 }), true);
  assert.equal(bypassesCache({ cacheEverything: false, cacheTtl: -1, cacheTtlByStatus: [{ from: 200, to: 200, ttl: 5 }] }), false);
  assert.equal(bypassesCache({ cacheEverything: true }), false);
});

test("Cloudflare's default cached extensions (and /robots.txt); HTML and JSON are not", () => {
  for (const u of ["https://a/x.css", "https://a/dir/x.JS", "https://a/f.woff2", "https://a/robots.txt", "https://a/x.tar?v=1"]) {
    assert.equal(hasDefaultCachedExtension(u), true, u);
  }
  for (const u of ["https://a/", "https://a/x.html", "https://a/api.json", "https://a/css", "https://a/.png", "https://a/x.txt"]) {
    assert.equal(hasDefaultCachedExtension(u), false, u);
  }
});

function decide(cf: Record<string, unknown>, url: string, status: number, headers: HeaderList, extra: { redirected?: boolean; authorization?: boolean } = {}) {
  return subrequestDecision(subrequestCacheOptions(cf)!, { url, authorization: extra.authorization ?? false }, { status, headers, redirected: extra.redirected ?? false }, NOW);
}

test("subrequests: cacheTtl forces a TTL whatever the headers (and caches any file type); ≤ 0 bypasses", () => {
  assert.deepEqual(decide({ cacheTtl: 30 }, "https://a/page", 200, [["cache-control", "no-store, private"]]), {
    status: "MISS",
    store: true,
    ttl: 30,
    headers: [["cache-control", "no-store, private"]],
  });
  assert.equal(decide({ cacheTtl: 30 }, "https://a/page", 500, []).status, "MISS");
  assert.deepEqual(decide({ cacheTtl: 0 }, "https://a/x.css", 200, []), { status: "BYPASS", store: false });
  assert.deepEqual(decide({ cacheTtl: -1 }, "https://a/x.css", 200, []), { status: "BYPASS", store: false });
});

test("subrequests: cacheTtlByStatus picks the TTL by status and falls back to cacheTtl, then to the headers", () => {
  const cf = { cacheTtlByStatus: { "200-299": 60, "404": 1, "500-599": 0 }, cacheEverything: true };
  assert.equal((decide(cf, "https://a/p", 201, []) as { ttl: number }).ttl, 60);
  assert.equal((decide(cf, "https://a/p", 404, []) as { ttl: number }).ttl, 1);
  assert.equal(decide(cf, "https://a/p", 503, []).status, "BYPASS");
  assert.equal((decide({ ...cf, cacheTtl: 5 }, "https://a/p", 410, []) as { ttl: number }).ttl, 5);
  assert.equal((decide(cf, "https://a/p", 410, [["cache-control", "max-age=9"]]) as { ttl: number }).ttl, 9);
  // Without cacheEverything it does not make a non-static file eligible.
  assert.equal(decide({ cacheTtlByStatus: { "200": 60 } }, "https://a/page.html", 200, []).status, "DYNAMIC");
  assert.equal((decide({ cacheTtlByStatus: { "200": 60 } }, "https://a/app.js", 200, []) as { ttl: number }).ttl, 60);
});

test("subrequests: cacheEverything respects the origin's headers; the default level only caches static extensions", () => {
  assert.equal((decide({ cacheEverything: true }, "https://a/page", 200, []) as { ttl: number }).ttl, 7200);
  assert.equal((decide({ cacheEverything: true }, "https://a/page", 200, [["cache-control", "max-age=5"]]) as { ttl: number }).ttl, 5);
  assert.equal(decide({ cacheEverything: true }, "https://a/page", 200, [["cache-control", "no-store"]]).status, "BYPASS");
  assert.equal(decide({ cacheEverything: true }, "https://a/page", 200, [["cache-control", "private"]]).status, "BYPASS");
  assert.equal(decide({ cacheEverything: true }, "https://a/page", 201, []).status, "DYNAMIC");
  assert.equal(decide({ cacheKey: "k" }, "https://a/page.html", 200, [["cache-control", "max-age=60"]]).status, "DYNAMIC");
  assert.equal(decide({ cacheKey: "k" }, "https://a/style.css", 200, [["cache-control", "max-age=60"]]).status, "MISS");
  assert.equal(decide({ cacheEverything: true }, "https://a/page", 200, [["cache-control", "max-age=60"]], { authorization: true }).status, "BYPASS");
});

test("subrequests: cookies, redirects and partial responses are never stored", () => {
  assert.equal(decide({ cacheTtl: 60 }, "https://a/p", 200, [["set-cookie", "a=1"]]).status, "BYPASS");
  assert.deepEqual(decide({ cacheTtl: 60 }, "https://a/p", 200, [["set-cookie", "a=1"], ["cache-control", "private=set-cookie"], ["x", "1"]]), {
    status: "MISS",
    store: true,
    ttl: 60,
    headers: [["cache-control", "private=set-cookie"], ["x", "1"]],
  });
  assert.equal(decide({ cacheEverything: true }, "https://a/p", 200, [["set-cookie", "a=1"]]).status, "BYPASS");
  assert.equal(decide({ cacheTtl: 60 }, "https://a/p", 301, []).status, "DYNAMIC");
  assert.equal(decide({ cacheTtl: 60 }, "https://a/p", 200, [], { redirected: true }).status, "DYNAMIC");
  assert.equal(decide({ cacheTtl: 60 }, "https://a/p", 206, []).status, "DYNAMIC");
});

test("cache store names: caches.default is 'default'; opened caches are namespaced (so 'default' is another cache); long names are hashed", () => {
  assert.equal(cacheStoreName(null), "default");
  assert.equal(cacheStoreName("default"), "named:default");
  assert.equal(cacheStoreName("custom:cache"), "named:custom:cache");
  const long = cacheStoreName("x".repeat(500));
  assert.match(long, /^named-sha256:[0-9a-f]{64}$/);
  assert.notEqual(cacheStoreName("y".repeat(500)), long);
});
