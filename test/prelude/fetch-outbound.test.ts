// fetch() from inside an isolate against real local HTTP servers, through the bridge protocol
// and the host functions of src/runtime/outbound-fetch.ts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import { createFetchIsolate, type FetchIsolate } from "./fetch-harness.ts";

let iso: FetchIsolate;
let server: http.Server;
let other: http.Server;
let base = "";
let otherBase = "";
let release: (() => void) | null = null;
const released = () => new Promise<void>((r) => (release = r));

function listen(s: http.Server): Promise<string> {
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as { port: number }).port}`)));
}

before(async () => {
  server = http.createServer(async (req, res) => {
    const url = new URL(req.url!, "http://x");
    const p = url.pathname;
    if (p === "/slow-head") {
      await new Promise((r) => setTimeout(r, 300));
      res.end("late");
      return;
    }
    if (p === "/release") {
      release?.();
      res.end("released");
      return;
    }
    if (p === "/trickle") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first;");
      await released();
      res.end("second");
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (p === "/redirect") {
      const status = Number(url.searchParams.get("status") ?? 302);
      res.writeHead(status, { location: url.searchParams.get("to") ?? "/echo" });
      res.end("redirect body");
      return;
    }
    if (p === "/loop") {
      res.writeHead(302, { location: "/loop" });
      res.end();
      return;
    }
    if (p === "/gzip") {
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" });
      res.end(zlib.gzipSync("gzipped text"));
      return;
    }
    if (p === "/br") {
      res.writeHead(200, { "content-encoding": "br" });
      res.end(zlib.brotliCompressSync("brotli text"));
      return;
    }
    if (p === "/nocontent") {
      res.writeHead(204, { "x-a": "1" });
      res.end();
      return;
    }
    if (p === "/big") {
      res.writeHead(200);
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16 * 1024, 97 + (i % 26)));
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "set-cookie": ["a=1", "b=2"], "x-server": "yes" });
    res.end(
      JSON.stringify({
        method: req.method,
        url: req.url,
        headers: req.headers,
        length: body.length,
        body: body.length < 1000 ? body.toString("latin1") : null,
        sum: body.reduce((a, b) => (a + b) % 65536, 0),
      }),
    );
  });
  other = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ auth: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null }));
  });
  base = await listen(server);
  otherBase = await listen(other);
  iso = await createFetchIsolate();
});

after(() => {
  iso.dispose();
  server.close();
  other.close();
  server.closeAllConnections();
  other.closeAllConnections();
});

const T = `const msg = async (f) => { try { await f(); return "ok"; } catch (e) { return e.name + ": " + e.message; } };`;

test("GET and POST: headers, body, status, immutable response headers", async () => {
  const r = await iso.run(`
    const get = await fetch("${base}/echo?q=1", { headers: { "X-Custom": "v", Host: "ignored.example", "User-Agent": "ua/1" } });
    const g = await get.json();
    const post = await fetch(new Request("${base}/echo", { method: "POST", body: "café" }));
    const p = await post.json();
    let immutable; try { get.headers.set("a", "b"); } catch (e) { immutable = e.message; }
    return {
      get: [get.status, get.statusText, get.ok, get.url, get.redirected, get.headers.get("x-server"), get.headers.getSetCookie()],
      g: [g.method, g.url, g.headers["x-custom"], g.headers["user-agent"], g.headers.host === "${base.slice(7)}"],
      p: [p.method, p.headers["content-type"], p.headers["content-length"], p.body],
      immutable,
    };
  `);
  assert.deepEqual(r, {
    get: [200, "OK", true, `${base}/echo?q=1`, false, "yes", ["a=1", "b=2"]],
    g: ["GET", "/echo?q=1", "v", "ua/1", true],
    p: ["POST", "text/plain;charset=UTF-8", "5", "cafÃ©"],
    immutable: "Can't modify immutable headers.",
  });
});

test("redirects: follow (302 POST becomes GET), 307 resends the body, manual, loops", async () => {
  const r = await iso.run(`${T}
    const f = await fetch("${base}/redirect?status=302", { method: "POST", body: "x" });
    const fj = await f.json();
    const s307 = await fetch("${base}/redirect?status=307", { method: "POST", body: "again" });
    const j307 = await s307.json();
    const manual = await fetch("${base}/redirect?status=301&to=/elsewhere", { redirect: "manual" });
    const stream307 = await msg(() => fetch("${base}/redirect?status=307", { method: "POST", body: new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); c.close(); } }) }));
    const stream303 = await fetch("${base}/redirect?status=303", { method: "PUT", body: new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); c.close(); } }) });
    return {
      follow: [f.status, f.redirected, f.url, fj.method, fj.headers["content-type"] ?? null, fj.length],
      s307: [j307.method, j307.body],
      manual: [manual.status, manual.headers.get("location"), manual.redirected, await manual.text()],
      loop: await msg(() => fetch("${base}/loop")),
      stream307,
      stream303: (await stream303.json()).method,
    };
  `);
  assert.deepEqual(r, {
    follow: [200, true, `${base}/echo`, "GET", null, 0],
    s307: ["POST", "again"],
    manual: [301, "/elsewhere", false, "redirect body"],
    loop: "TypeError: Too many redirects.",
    stream307:
      "TypeError: A request with a one-time-use body (it was initialized from a stream, not a buffer) encountered a redirect requiring the body to be retransmitted. To avoid this error in the future, construct this request from a buffer-like body initializer.",
    stream303: "GET",
  });
});

test("cross-origin redirects drop Authorization", async () => {
  const r = await iso.run(`
    const same = await fetch("${base}/redirect?to=/echo", { headers: { authorization: "Bearer s" } });
    const cross = await fetch("${base}/redirect?to=" + encodeURIComponent("${otherBase}/x"), { headers: { authorization: "Bearer s", cookie: "c=1" } });
    return [(await same.json()).headers.authorization, await cross.json()];
  `);
  assert.deepEqual(r, ["Bearer s", { auth: null, cookie: "c=1" }]);
});

test("gzip and br bodies are decoded (header kept); encodeResponseBody manual keeps the bytes", async () => {
  const r = await iso.run(`
    const g = await fetch("${base}/gzip");
    const b = await fetch("${base}/br");
    const raw = await fetch("${base}/gzip", { encodeResponseBody: "manual" });
    const bytes = new Uint8Array(await raw.arrayBuffer());
    return [await g.text(), g.headers.get("content-encoding"), await b.text(), [bytes[0], bytes[1]]];
  `);
  assert.deepEqual(r, ["gzipped text", "gzip", "brotli text", [0x1f, 0x8b]]);
});

test("response bodies stream: the first chunk arrives before the server finishes", async () => {
  const r = await iso.run(`
    const res = await fetch("${base}/trickle");
    const reader = res.body.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await (await fetch("${base}/release")).text();
    let rest = "";
    for (;;) { const { done, value } = await reader.read(); if (done) break; rest += new TextDecoder().decode(value); }
    return [first, rest];
  `);
  assert.deepEqual(r, ["first;", "second"]);
});

test("large bodies stream both ways", async () => {
  const r = await iso.run(`
    const big = await fetch("${base}/big");
    let n = 0, chunks = 0;
    for await (const c of big.body) { n += c.byteLength; chunks++; }
    const size = 3 * 1024 * 1024 + 7;
    let sent = 0, sum = 0;
    const upload = new ReadableStream({
      pull(c) {
        if (sent >= size) { c.close(); return; }
        const len = Math.min(65536, size - sent);
        const chunk = new Uint8Array(len);
        for (let i = 0; i < len; i++) { chunk[i] = (sent + i) & 0xff; sum = (sum + chunk[i]) % 65536; }
        sent += len;
        c.enqueue(chunk);
      },
    });
    const res = await fetch("${base}/echo", { method: "PUT", body: upload });
    const j = await res.json();
    return { n, manyChunks: chunks > 1, length: j.length, sumOk: j.sum === sum, te: j.headers["transfer-encoding"] };
  `);
  assert.deepEqual(r, { n: 64 * 16 * 1024, manyChunks: true, length: 3 * 1024 * 1024 + 7, sumOk: true, te: "chunked" });
});

test("HEAD and null-body statuses have null bodies", async () => {
  const r = await iso.run(`
    const head = await fetch("${base}/echo", { method: "HEAD" });
    const nc = await fetch("${base}/nocontent");
    return [head.status, head.body, nc.status, nc.body, nc.headers.get("x-a"), await nc.text()];
  `);
  assert.deepEqual(r, [200, null, 204, null, "1", ""]);
});

test("abort: before the response, while reading the body, and already aborted", async () => {
  const r = await iso.run(`${T}
    const c1 = new AbortController();
    const p1 = fetch("${base}/slow-head", { signal: c1.signal });
    await Promise.resolve();
    c1.abort();
    const early = await msg(() => p1);

    const c2 = new AbortController();
    const res = await fetch("${base}/trickle", { signal: c2.signal });
    const reader = res.body.getReader();
    await reader.read();
    c2.abort(new Error("stop it"));
    const mid = await msg(() => reader.read());
    await (await fetch("${base}/release")).text();

    const already = await msg(() => fetch("${base}/echo", { signal: AbortSignal.abort() }));
    return { early, mid, already };
  `);
  assert.deepEqual(r, {
    early: "AbortError: The operation was aborted",
    mid: "Error: stop it",
    already: "AbortError: The operation was aborted",
  });
});

test("errors: network failure, bad scheme, bad URL, data: URLs", async () => {
  const r = await iso.run(`${T}
    const data = await fetch("data:text/plain;base64,aGVsbG8=");
    const data2 = await fetch("data:,a%20b");
    return {
      refused: await msg(() => fetch("http://127.0.0.1:1/")),
      scheme: await msg(() => fetch("ftp://example.com/x")),
      ws: await msg(() => fetch("wss://example.com/x")),
      relative: await msg(() => fetch("/relative")),
      data: [data.status, data.headers.get("content-type"), await data.text()],
      data2: [data2.headers.get("content-type"), await data2.text()],
    };
  `);
  assert.deepEqual(r, {
    refused: "Error: Network connection lost.",
    scheme: "TypeError: Fetch API cannot load: ftp://example.com/x",
    ws: "TypeError: Fetch API cannot load: wss://example.com/x",
    relative: "TypeError: Invalid URL: /relative",
    data: [200, "text/plain", "hello"],
    data2: ["text/plain;charset=US-ASCII", "a b"],
  });
});

test("passing an incoming request on to fetch() (proxying)", async () => {
  const r = await iso.run(`
    const { createIncomingRequest } = __fetchInternals;
    const ctl = new AbortController();
    const incoming = createIncomingRequest({
      method: "POST", url: "https://atoll.example/echo?x=1", signal: ctl.signal,
      headers: [["content-type", "text/plain"], ["host", "atoll.example"], ["x-fwd", "1"]],
      body: new TextEncoder().encode("proxied body"), cf: {},
    });
    ctl.abort();
    const url = new URL(incoming.url);
    const res = await fetch("${base}" + url.pathname + url.search, incoming);
    const j = await res.json();
    return [j.method, j.url, j.body, j.headers["x-fwd"], j.headers.host === "${base.slice(7)}", incoming.bodyUsed];
  `);
  // A Request used as the init dictionary lends its body rather than giving it up (as workerd).
  assert.deepEqual(r, ["POST", "/echo?x=1", "proxied body", "1", true, false]);
});

test("each request and redirect hop counts as a subrequest; the limit throws", async () => {
  const limited = await createFetchIsolate({ subrequestLimit: 3 });
  try {
    const r = await limited.run(`
      const out = [];
      await (await fetch("${base}/redirect?to=/echo")).text();
      try { await fetch("${base}/echo"); out.push("ok"); } catch (e) { out.push(e.message); }
      try { await fetch("${base}/echo"); out.push("ok"); } catch (e) { out.push(e.message); }
      return out;
    `);
    assert.deepEqual(r, ["ok", "Too many subrequests."]);
    assert.equal(limited.subrequests(), 4);
  } finally {
    limited.dispose();
  }
});
