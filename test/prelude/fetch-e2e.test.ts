// The Fetch API inside a real `atoll dev` worker: the request as received, responses as sent over
// real HTTP, and outbound fetch() to a local server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startWorker, type RunningDev } from "../support/worker.ts";

let dev: RunningDev;
let upstream: http.Server;
let upstreamUrl = "";

const worker = `
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const upstream = url.searchParams.get("upstream");
    switch (url.pathname) {
      case "/inspect": {
        let immutable;
        try { request.headers.set("x", "y"); } catch (e) { immutable = e.message; }
        const body = await request.text();
        return Response.json({
          method: request.method,
          url: request.url,
          header: request.headers.get("x-test"),
          immutable,
          body: body.length > 100 ? body.length : body,
          cf: typeof request.cf,
          signal: typeof request.signal.aborted,
        });
      }
      case "/form": {
        const fd = await request.formData();
        const file = fd.get("file");
        return Response.json({ name: fd.get("name"), file: [file.name, file.type, await file.text()] });
      }
      case "/cookies": {
        const h = new Headers({ "content-type": "text/plain" });
        h.append("set-cookie", "a=1; Path=/");
        h.append("set-cookie", "b=2; Path=/");
        return new Response("cookies", { status: 201, statusText: "Made", headers: h });
      }
      case "/stream": {
        const enc = new TextEncoder();
        let i = 0;
        return new Response(new ReadableStream({ pull(c) { if (i < 3) c.enqueue(enc.encode("part" + i++ + ";")); else c.close(); } }));
      }
      case "/blob":
        return new Response(new Blob(["blob body"], { type: "text/x-blob" }));
      case "/redirect":
        return Response.redirect("https://example.com/there", 307);
      case "/empty":
        return new Response(null, { status: 204 });
      case "/proxy":
        return fetch(upstream + "/echo", request);
      case "/proxy-big":
        return fetch(upstream + "/big");
      case "/outbound": {
        const res = await fetch(upstream + "/echo?from=worker", { method: "POST", body: JSON.stringify({ hello: "upstream" }), headers: { "content-type": "application/json" } });
        return Response.json({ status: res.status, upstream: await res.json() });
      }
    }
    return new Response("not found", { status: 404 });
  },
};
`;

before(async () => {
  upstream = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    if (req.url === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 40; i++) res.write("y".repeat(64 * 1024));
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "x-upstream": "1" });
    res.end(JSON.stringify({ method: req.method, url: req.url, contentType: req.headers["content-type"] ?? null, body: body.length > 100 ? body.length : body }));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  dev = await startWorker({ files: { "index.js": worker } });
});

after(async () => {
  await dev?.stop();
  upstream?.close();
  upstream?.closeAllConnections();
});

test("the incoming request: method, url, headers (immutable), body, cf", async () => {
  const res = await fetch(`${dev.url}/inspect?a=1`, { method: "POST", headers: { "x-test": "yes" }, body: "payload" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  const j = await res.json();
  assert.equal(j.method, "POST");
  assert.equal(j.url, `${dev.url}/inspect?a=1`);
  assert.equal(j.header, "yes");
  assert.equal(j.immutable, "Can't modify immutable headers.");
  assert.equal(j.body, "payload");
  assert.equal(j.cf, "object");
  assert.equal(j.signal, "boolean");
});

test("a large request body arrives whole", async () => {
  const body = "x".repeat(3 * 1024 * 1024);
  const j = await (await fetch(`${dev.url}/inspect`, { method: "PUT", body })).json();
  assert.equal(j.body, body.length);
});

test("multipart form data from a real client", async () => {
  const fd = new FormData();
  fd.append("name", "atoll");
  fd.append("file", new Blob(["file content"], { type: "text/plain" }), "a.txt");
  const j = await (await fetch(`${dev.url}/form`, { method: "POST", body: fd })).json();
  assert.deepEqual(j, { name: "atoll", file: ["a.txt", "text/plain", "file content"] });
});

test("responses: status text, several set-cookie headers, streams, blobs, redirects, 204", async () => {
  const cookies = await fetch(`${dev.url}/cookies`);
  assert.equal(cookies.status, 201);
  assert.equal(cookies.statusText, "Made");
  assert.deepEqual(cookies.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
  assert.equal(await cookies.text(), "cookies");

  assert.equal(await (await fetch(`${dev.url}/stream`)).text(), "part0;part1;part2;");

  const blob = await fetch(`${dev.url}/blob`);
  assert.equal(blob.headers.get("content-type"), "text/x-blob");
  assert.equal(await blob.text(), "blob body");

  const redirect = await fetch(`${dev.url}/redirect`, { redirect: "manual" });
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.get("location"), "https://example.com/there");
  await redirect.body?.cancel();

  const empty = await fetch(`${dev.url}/empty`);
  assert.equal(empty.status, 204);
  assert.equal(await empty.text(), "");
});

test("outbound fetch() and proxying to a local server", async (t) => {
  const probe = await fetch(`${dev.url}/outbound?upstream=${encodeURIComponent(upstreamUrl)}`);
  if (probe.status !== 200) {
    const text = await probe.text();
    if (/host function "fetch\.start" is not available/.test(text + dev.output())) {
      t.skip("outbound fetch host functions are not registered with the runtime yet");
      return;
    }
    assert.fail(`outbound fetch failed: ${probe.status} ${text}`);
  }
  const j = await probe.json();
  assert.deepEqual(j, {
    status: 200,
    upstream: { method: "POST", url: "/echo?from=worker", contentType: "application/json", body: '{"hello":"upstream"}' },
  });

  const proxied = await fetch(`${dev.url}/proxy?upstream=${encodeURIComponent(upstreamUrl)}`, { method: "POST", body: "through", headers: { "content-type": "text/plain" } });
  assert.equal(proxied.status, 200);
  assert.equal(proxied.headers.get("x-upstream"), "1");
  assert.deepEqual(await proxied.json(), { method: "POST", url: "/echo", contentType: "text/plain", body: "through" });

  // A streamed request body goes up, a streamed response body comes back.
  const big = "z".repeat(2 * 1024 * 1024 + 3);
  const up = await fetch(`${dev.url}/proxy?upstream=${encodeURIComponent(upstreamUrl)}`, { method: "PUT", body: big });
  assert.deepEqual(await up.json(), { method: "PUT", url: "/echo", contentType: "text/plain;charset=UTF-8", body: big.length });
  const down = await fetch(`${dev.url}/proxy-big?upstream=${encodeURIComponent(upstreamUrl)}`);
  assert.equal((await down.text()).length, 40 * 64 * 1024);
});
