// examples/hono end to end: an unmodified Hono app served by `atoll dev` over real HTTP.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, startDev, type RunningDev } from "../support/worker.ts";

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

describe("examples/hono", () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startDev(join(repoRoot, "examples", "hono"), ["--no-watch"]);
  });
  after(async () => {
    await dev?.stop();
  });

  test("c.text at / with c.env and headers added by the timing middleware", async () => {
    const res = await fetch(`${dev.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(await res.text(), "Hello from Atoll Hono!");
    assert.equal(res.headers.get("x-powered-by"), "hono-on-atoll");
    assert.match(res.headers.get("x-response-time") ?? "", /^\d+ms$/);
  });

  test("route params with c.json, and c.set/c.get from middleware", async () => {
    const res = await fetch(`${dev.url}/users/42`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await res.json()) as { id: string; name: string; requestId: string };
    assert.equal(body.id, "42");
    assert.equal(body.name, "user-42");
    assert.match(body.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const nested = await fetch(`${dev.url}/users/a%20b/posts/99`);
    assert.deepEqual(await nested.json(), { id: "a b", postId: "99" });
  });

  test("query parsing: single values, repeated keys, defaults from a JSON var", async () => {
    const res = await fetch(`${dev.url}/search?q=hello%20world&tag=x&tag=y&limit=7`);
    assert.deepEqual(await res.json(), { q: "hello world", tags: ["x", "y"], limit: 7 });
    const defaults = await fetch(`${dev.url}/search`);
    assert.deepEqual(await defaults.json(), { tags: [], limit: 3 });
  });

  test("POST with a JSON body in a sub-app mounted with app.route", async () => {
    const res = await fetch(`${dev.url}/api/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "atoll", items: [1, 2, 3, 4] }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), {
      received: { name: "atoll", items: [1, 2, 3, 4] },
      sum: 10,
      contentType: "application/json",
    });
  });

  test("c.env: plain and JSON vars from wrangler.toml", async () => {
    const res = await fetch(`${dev.url}/api/env`);
    assert.deepEqual(await res.json(), { appName: "Atoll Hono", limits: { max_items: 3, tags: ["a", "b"] } });
  });

  test("hono/cors: preflight and actual request on /api/*, nothing outside it", async () => {
    const preflight = await fetch(`${dev.url}/api/echo`, {
      method: "OPTIONS",
      headers: { origin: "https://example.com", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://example.com");
    assert.equal(preflight.headers.get("access-control-allow-methods"), "GET,POST");
    assert.equal(await preflight.text(), "");

    const actual = await fetch(`${dev.url}/api/env`, { headers: { origin: "https://example.com" } });
    assert.equal(actual.status, 200);
    assert.equal(actual.headers.get("access-control-allow-origin"), "https://example.com");
    assert.equal(actual.headers.get("access-control-expose-headers"), "x-response-time");
    assert.match(actual.headers.get("vary") ?? "", /Origin/);
    await actual.arrayBuffer();

    const outside = await fetch(`${dev.url}/`, { headers: { origin: "https://example.com" } });
    assert.equal(outside.headers.get("access-control-allow-origin"), null);
    await outside.arrayBuffer();
  });

  test("hono/streaming streamText: every chunk arrives, in order, over a chunked response", async () => {
    const res = await fetch(`${dev.url}/stream`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(res.headers.get("content-length"), null);
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of res.body!) text += decoder.decode(chunk, { stream: true });
    text += decoder.decode();
    assert.equal(text, "chunk 1\nchunk 2\nchunk 3\nchunk 4\nchunk 5\n");
  });

  test("hono/streaming streamSSE: events in order with text/event-stream", async () => {
    const res = await fetch(`${dev.url}/sse`);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const text = await res.text();
    const events = text
      .trim()
      .split("\n\n")
      .map((block) => Object.fromEntries(block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)])));
    assert.deepEqual(events, [
      { event: "tick", data: '{"n":1}', id: "1" },
      { event: "tick", data: '{"n":2}', id: "2" },
      { event: "tick", data: '{"n":3}', id: "3" },
    ]);
  });

  test("app.notFound answers unknown paths", async () => {
    const res = await fetch(`${dev.url}/no/such/route?x=1`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "not found", path: "/no/such/route" });
    // Middleware still ran for the 404.
    assert.equal(res.headers.get("x-powered-by"), "hono-on-atoll");
  });

  test("app.onError handles thrown errors and HTTPException; the worker logs, no 1101", async () => {
    const res = await fetch(`${dev.url}/boom`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: "kaboom" });
    assert.equal(res.headers.get("cf-error-code"), null);
    await dev.waitForOutput("handled error: kaboom");
    assert.doesNotMatch(dev.output(), /Uncaught.*kaboom/);

    const teapot = await fetch(`${dev.url}/teapot`);
    assert.equal(teapot.status, 418);
    assert.equal(await teapot.text(), "I am a teapot");
  });

  test("each request is logged with its status by atoll, and hono/logger output is tagged with the worker", async () => {
    const res = await fetch(`${dev.url}/users/7?via=logger`);
    await res.arrayBuffer();
    await dev.waitForOutput("[hono] GET /users/7?via=logger 200 OK");
    // logger() prints "<-- GET /path" before awaiting next().
    await dev.waitForOutput("[hono] (GET /users/7?via=logger) <-- GET /users/7?via=logger");
  });

  test("console output after an await (hono/logger's '-->' line, onError's console.error) is tagged with its request", async () => {
      const res = await fetch(`${dev.url}/users/8?via=after-await`);
      await res.arrayBuffer();
      await dev.waitForOutput("[hono] GET /users/8?via=after-await 200 OK");
      await dev.waitForOutput(/--> GET \/users\/8\?via=after-await/);
      const line = stripAnsi(dev.output())
        .split("\n")
        .find((l) => l.includes("--> GET /users/8?via=after-await"));
      assert.match(line ?? "", /^\[hono\] \(GET \/users\/8\?via=after-await\) --> GET \/users\/8\?via=after-await 200 \d+ms$/);

      await (await fetch(`${dev.url}/boom?via=after-await`)).arrayBuffer();
      await dev.waitForOutput("handled error: kaboom");
      await dev.waitForOutput(/\[hono\] GET \/boom\?via=after-await 500/);
      assert.match(dev.output(), /\[hono\] \(GET \/boom\?via=after-await\) error: handled error: kaboom/);
  });
});
