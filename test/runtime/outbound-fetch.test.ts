// The host side of outbound fetch, called directly (as the runtime does) against a local server.
import { noSockets } from "../support/no-sockets.ts";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { HandleTable, type HostCallContext } from "../../src/runtime/host-functions.ts";
import { outboundFetchFunctions as f, releaseRequestFetches, UploadStream } from "../../src/runtime/outbound-fetch.ts";

let server: http.Server;
let base = "";
const closedResponses: string[] = [];
let hold: Array<() => void> = [];

before(async () => {
  server = http.createServer(async (req, res) => {
    const url = new URL(req.url!, "http://x");
    if (url.pathname === "/hold") {
      res.writeHead(200);
      res.write("head;");
      res.on("close", () => closedResponses.push(url.search));
      hold.push(() => res.end("tail"));
      return;
    }
    if (url.pathname === "/never") {
      hold.push(() => res.end("late"));
      return;
    }
    if (url.pathname === "/redirect") {
      res.writeHead(302, { location: "/echo" });
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    let aborted = false;
    req.on("aborted", () => (aborted = true));
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      aborted = true;
    }
    if (aborted) return;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ method: req.method, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString("utf8") }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => {
  for (const h of hold) h();
  server.close();
  server.closeAllConnections();
});

interface Ctx extends HostCallContext {
  count: number;
  abort: AbortController;
}

function makeCtx(handles = new HandleTable(), requestId = 1, abort = new AbortController()): Ctx {
  const ctx: Ctx = {
    worker: "t",
    requestId,
    handles,
    signal: abort.signal,
    abort,
    attachSocket: noSockets,
    count: 0,
    countSubrequest() {
      ctx.count++;
    },
  };
  return ctx;
}

function init(url: string, extra: Record<string, unknown> = {}) {
  return { method: "GET", url, headers: [], body: null, redirect: "follow", decode: true, abortKey: 0, ...extra };
}

async function readAll(ctx: HostCallContext, handle: number): Promise<string> {
  let s = "";
  for (;;) {
    const chunk = (await f["fetch.read"](ctx, handle)) as ArrayBuffer | null;
    if (chunk === null) return s;
    assert.ok(chunk instanceof ArrayBuffer);
    s += Buffer.from(chunk).toString("utf8");
  }
}

test("start, read to the end, handle released", async () => {
  const ctx = makeCtx();
  const res = (await f["fetch.start"](ctx, init(`${base}/echo#frag`, { headers: [["X-A", "1"], ["Connection", "close"], ["Host", "h"], ["x-u", "☃"]] }))) as {
    status: number; statusText: string; headers: [string, string][]; url: string; redirected: boolean; body: number;
  };
  assert.equal(res.status, 200);
  assert.equal(res.statusText, "OK");
  assert.equal(res.url, `${base}/echo`);
  assert.equal(res.redirected, false);
  assert.deepEqual(res.headers.find(([n]) => n === "content-type"), ["content-type", "application/json"]);
  assert.equal(typeof res.body, "number");
  const j = JSON.parse(await readAll(ctx, res.body));
  assert.equal(j.headers["x-a"], "1");
  assert.equal(j.headers.host, base.slice(7));
  assert.equal(Buffer.from(j.rawHeaders[j.rawHeaders.indexOf("x-u") + 1], "latin1").toString("utf8"), "☃");
  assert.equal(ctx.handles.get(res.body), undefined);
  await assert.rejects(Promise.resolve(f["fetch.read"](ctx, res.body)), { name: "TypeError" });
  assert.equal(ctx.count, 1);
});

test("redirect hops count as subrequests; redirect: error throws", async () => {
  const ctx = makeCtx();
  const res = (await f["fetch.start"](ctx, init(`${base}/redirect`))) as { redirected: boolean; url: string; body: number };
  assert.equal(res.redirected, true);
  assert.equal(res.url, `${base}/echo`);
  await readAll(ctx, res.body);
  assert.equal(ctx.count, 2);
  await assert.rejects(Promise.resolve(f["fetch.start"](ctx, init(`${base}/redirect`, { redirect: "error" }))), { name: "TypeError" });
});

test("the subrequest limit error crosses unchanged", async () => {
  const ctx = makeCtx();
  ctx.countSubrequest = () => {
    throw new Error("Too many subrequests.");
  };
  await assert.rejects(Promise.resolve(f["fetch.start"](ctx, init(`${base}/echo`))), { message: "Too many subrequests." });
});

test("cancel closes the body and the connection", async () => {
  const ctx = makeCtx();
  const res = (await f["fetch.start"](ctx, init(`${base}/hold?cancel`))) as { body: number };
  const first = (await f["fetch.read"](ctx, res.body)) as ArrayBuffer;
  assert.equal(Buffer.from(first).toString(), "head;");
  f["fetch.cancel"](ctx, res.body);
  assert.equal(ctx.handles.get(res.body), undefined);
  await waitFor(() => closedResponses.includes("?cancel"));
});

test("releaseRequestFetches closes only that request's bodies", async () => {
  const handles = new HandleTable();
  const a = makeCtx(handles, 7);
  const b = makeCtx(handles, 8);
  const ra = (await f["fetch.start"](a, init(`${base}/hold?req7`))) as { body: number };
  const rb = (await f["fetch.start"](b, init(`${base}/echo`))) as { body: number };
  releaseRequestFetches(handles, 7);
  assert.equal(handles.get(ra.body), undefined);
  assert.ok(handles.get(rb.body));
  await waitFor(() => closedResponses.includes("?req7"));
  assert.ok((await readAll(b, rb.body)).includes('"method":"GET"'));
});

test("fetch.abort by key: while waiting for the head, and during the body", async () => {
  const ctx = makeCtx();
  const pending = Promise.resolve(f["fetch.start"](ctx, init(`${base}/never`, { abortKey: 5 })));
  await new Promise((r) => setTimeout(r, 50));
  f["fetch.abort"](ctx, 5);
  await assert.rejects(pending, { name: "AbortError" });

  const res = (await f["fetch.start"](ctx, init(`${base}/hold?abort`, { abortKey: 6 }))) as { body: number };
  await f["fetch.read"](ctx, res.body);
  f["fetch.abort"](ctx, 6);
  assert.equal(ctx.handles.get(res.body), undefined);
  await waitFor(() => closedResponses.includes("?abort"));
  f["fetch.abort"](ctx, 999); // unknown keys are ignored
});

test("discarding the isolate aborts in-flight requests and closes bodies", async () => {
  const ctx = makeCtx();
  const res = (await f["fetch.start"](ctx, init(`${base}/hold?discard`))) as { body: number };
  const pending = Promise.resolve(f["fetch.start"](ctx, init(`${base}/never`)));
  await new Promise((r) => setTimeout(r, 50));
  ctx.abort.abort();
  ctx.handles.clear();
  await assert.rejects(pending, { name: "AbortError" });
  assert.equal(ctx.handles.get(res.body), undefined);
  await waitFor(() => closedResponses.includes("?discard"));
});

test("upload streams: chunks with backpressure, close; errors fail the request", async () => {
  const ctx = makeCtx();
  const h = f["stream.create"](ctx) as number;
  assert.ok(ctx.handles.get(h) instanceof UploadStream);
  const started = Promise.resolve(f["fetch.start"](ctx, init(`${base}/echo`, { method: "POST", body: { stream: h }, headers: [["content-type", "text/plain"]] })));
  for (let i = 0; i < 20; i++) await f["stream.write"](ctx, h, new TextEncoder().encode(`chunk${i};`).buffer);
  f["stream.close"](ctx, h);
  assert.equal(ctx.handles.get(h), undefined);
  await assert.rejects(Promise.resolve(f["stream.write"](ctx, h, new ArrayBuffer(1))), { name: "TypeError" });
  const res = (await started) as { body: number };
  const j = JSON.parse(await readAll(ctx, res.body));
  assert.equal(j.body, Array.from({ length: 20 }, (_, i) => `chunk${i};`).join(""));

  // Several writes may be outstanding at once (the isolate pipelines them); order is kept.
  const h3 = f["stream.create"](ctx) as number;
  const piped = Promise.resolve(f["fetch.start"](ctx, init(`${base}/echo`, { method: "POST", body: { stream: h3 } })));
  const big = (i: number) => new TextEncoder().encode(String(i % 10).repeat(100_000)).buffer;
  await Promise.all(Array.from({ length: 8 }, (_, i) => f["stream.write"](ctx, h3, big(i))));
  f["stream.close"](ctx, h3);
  const pj = JSON.parse(await readAll(ctx, ((await piped) as { body: number }).body));
  assert.equal(pj.body, Array.from({ length: 8 }, (_, i) => String(i).repeat(100_000)).join(""));

  const h2 = f["stream.create"](ctx) as number;
  const failing = Promise.resolve(f["fetch.start"](ctx, init(`${base}/echo`, { method: "POST", body: { stream: h2 } })));
  await f["stream.write"](ctx, h2, new TextEncoder().encode("partial").buffer);
  f["stream.error"](ctx, h2, "user stream failed");
  await assert.rejects(failing, { message: "Network connection lost." });
});

test("invalid calls are TypeErrors", async () => {
  const ctx = makeCtx();
  await assert.rejects(Promise.resolve(f["fetch.start"](ctx, null)), { name: "TypeError" });
  await assert.rejects(Promise.resolve(f["fetch.start"](ctx, init("file:///etc/passwd"))), { name: "TypeError", message: "Fetch API cannot load: file:///etc/passwd" });
  await assert.rejects(Promise.resolve(f["fetch.start"](ctx, init(`${base}/`, { headers: [[1, 2]] }))), { name: "TypeError" });
  await assert.rejects(Promise.resolve(f["fetch.start"](ctx, init(`${base}/`, { body: { stream: 12345 } }))), { name: "TypeError" });
  await assert.rejects(Promise.resolve(f["stream.write"](ctx, 4242, new ArrayBuffer(1))), { name: "TypeError" });
  await assert.rejects(Promise.resolve(f["fetch.read"](ctx, "x")), { name: "TypeError" });
  await assert.rejects(Promise.resolve(f["fetch.start"](ctx, init(`${base}/`, { headers: [["bad name", "x"]] }))), { name: "TypeError" });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
