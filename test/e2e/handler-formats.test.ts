// Handler formats and the per-request platform: module, WorkerEntrypoint and service-worker
// workers; env from cloudflare:workers; ctx.waitUntil / passThroughOnException; request.cf;
// console output; timers. Each worker runs in a real `atoll dev` child, over real HTTP.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker, type RunningDev } from "../support/worker.ts";

const toml = (main: string) => `name = "test"\nmain = "${main}"\ncompatibility_date = "2025-01-01"\n\n[vars]\nGREETING = "hello"\nCONFIG = { level = 3 }\n`;

/** Polls `path` until its text satisfies `done`; gives up (and fails) after `attempts` tries. */
async function pollText(url: string, done: (text: string) => boolean, attempts = 200): Promise<string> {
  let text = "";
  for (let i = 0; i < attempts; i++) {
    text = await (await fetch(url)).text();
    if (done(text)) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
  return text;
}

const moduleWorker = `
import { env as importedEnv } from "cloudflare:workers";

// Read at the top level, while the module is evaluated.
const greetingAtLoad = importedEnv.GREETING;
const configAtLoad = importedEnv.CONFIG;

let background = "nothing yet";
const concurrentLogged = new Map();
let released = false;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/":
        return Response.json({
          greeting: env.GREETING,
          config: env.CONFIG,
          method: request.method,
          ctx: { waitUntil: typeof ctx.waitUntil, passThroughOnException: typeof ctx.passThroughOnException },
        });
      case "/imported-env":
        return Response.json({ greetingAtLoad, configAtLoad, sameAsArgument: importedEnv.GREETING === env.GREETING });

      // waitUntil: work that is still pending when the response goes out, finished later.
      case "/wait-until/start":
        background = "started";
        ctx.waitUntil((async () => {
          while (!released) await sleep(5);
          await sleep(10);
          background = "finished after the response";
        })());
        return new Response("responded");
      case "/wait-until/release":
        released = true;
        return new Response("released");
      case "/wait-until/read":
        return new Response(background);
      case "/wait-until/reject":
        ctx.waitUntil(sleep(5).then(() => { throw new Error("background job failed"); }));
        return new Response("rejected later");

      case "/pass-through":
        ctx.passThroughOnException();
        return new Response("pass-through ok");
      case "/pass-through/throw":
        ctx.passThroughOnException();
        throw new Error("thrown after passThroughOnException");

      case "/cf":
        return Response.json(request.cf);

      case "/console":
        console.log("a log line", 42);
        console.info("an info line");
        console.debug("a debug line");
        console.warn("a warn line");
        console.error("an error line");
        console.log({ a: 1, b: [1, 2] });
        console.log({ nested: { deep: { x: 1 } }, list: [1, "two", null] });
        console.log("%s has %d items", "cart", 3);
        console.log(new Map([["k", 1]]), new Set([7]));
        return new Response("logged");
      case "/console/concurrent": {
        // Two requests in flight at once, each logging after awaits; neither responds until
        // both have logged, so every line is written while the other request is running.
        const round = url.searchParams.get("round");
        const who = url.searchParams.get("who");
        for (let i = 1; i <= 3; i++) {
          await sleep(1);
          console.log("round " + round + " " + who + " line " + i);
        }
        concurrentLogged.set(round, (concurrentLogged.get(round) ?? 0) + 1);
        while (concurrentLogged.get(round) < 2) await sleep(1);
        return new Response("logged");
      }
      case "/console/after-await":
        await sleep(1);
        console.log("logged after an await");
        return new Response("logged");

      case "/timers": {
        const events = [];
        // setTimeout with extra arguments.
        await new Promise((resolve) => setTimeout((a, b) => { events.push("timeout " + a + b); resolve(); }, 5, "x", "y"));
        // clearTimeout: a cleared timer never fires.
        const cleared = setTimeout(() => events.push("cleared timer fired"), 1);
        clearTimeout(cleared);
        // setInterval fires repeatedly until clearInterval.
        await new Promise((resolve) => {
          let n = 0;
          const id = setInterval(() => {
            n++;
            events.push("tick " + n);
            if (n === 3) { clearInterval(id); resolve(); }
          }, 2);
        });
        // Ordering of timers with different delays.
        await Promise.all([
          new Promise((r) => setTimeout(() => { events.push("late"); r(); }, 30)),
          new Promise((r) => setTimeout(() => { events.push("early"); r(); }, 1)),
        ]);
        // Give the cleared timer a chance to (wrongly) fire.
        await sleep(10);
        return Response.json({ events, idType: typeof cleared });
      }
    }
    return new Response("not found", { status: 404 });
  },
};
`;

describe("export default { fetch }", () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startWorker({ toml: toml("index.js"), files: { "index.js": moduleWorker } });
  });
  after(async () => {
    await dev?.stop();
  });

  test("fetch(request, env, ctx) gets vars on env and a ctx", async () => {
    const res = await fetch(`${dev.url}/`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      greeting: "hello",
      config: { level: 3 },
      method: "GET",
      ctx: { waitUntil: "function", passThroughOnException: "function" },
    });
  });

  test('import { env } from "cloudflare:workers" sees vars at the top level of the module', async () => {
    const res = await fetch(`${dev.url}/imported-env`);
    assert.deepEqual(await res.json(), { greetingAtLoad: "hello", configAtLoad: { level: 3 }, sameAsArgument: true });
  });

  test("ctx.waitUntil: the response goes out while the work is pending, and the work then completes", { timeout: 20000 }, async () => {
    // If the runtime held the response until waitUntil settled, this would never answer:
    // the background work waits for the /release request below.
    const res = await fetch(`${dev.url}/wait-until/start`);
    assert.equal(await res.text(), "responded");
    assert.equal(await (await fetch(`${dev.url}/wait-until/read`)).text(), "started");
    assert.equal(await (await fetch(`${dev.url}/wait-until/release`)).text(), "released");
    const text = await pollText(`${dev.url}/wait-until/read`, (t) => t !== "started");
    assert.equal(text, "finished after the response");
  });

  test("ctx.waitUntil: a rejected promise is logged with the request, the response is unaffected", async () => {
    const res = await fetch(`${dev.url}/wait-until/reject`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "rejected later");
    await dev.waitForOutput(/\[test\] \(GET \/wait-until\/reject\) .*Uncaught \(in waitUntil\) Error: background job failed/);
  });

  test("ctx.passThroughOnException() is callable; with no origin locally an exception still answers 1101", async () => {
    const ok = await fetch(`${dev.url}/pass-through`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "pass-through ok");

    const thrown = await fetch(`${dev.url}/pass-through/throw`);
    assert.equal(thrown.status, 500);
    assert.equal(await thrown.text(), "error code: 1101");
    await dev.waitForOutput(/\[test\] \(GET \/pass-through\/throw\) .*Uncaught Error: thrown after passThroughOnException/);
  });

  test("request.cf carries Cloudflare's fields with local values", async () => {
    const res = await fetch(`${dev.url}/cf`, { headers: { "accept-encoding": "gzip, br" } });
    const cf = (await res.json()) as Record<string, unknown>;
    assert.equal(cf.colo, "LOCAL");
    assert.equal(cf.country, "XX");
    assert.equal(cf.httpProtocol, "HTTP/1.1");
    assert.equal(cf.clientAcceptEncoding, "gzip, br");
    assert.equal(typeof cf.timezone, "string");
    assert.doesNotThrow(() => new Intl.DateTimeFormat("en", { timeZone: cf.timezone as string }));
    assert.equal(typeof cf.asn, "number");
    assert.equal(typeof cf.asOrganization, "string");
    assert.equal(typeof cf.isEUCountry, "boolean");
    for (const key of ["city", "continent", "region", "regionCode", "postalCode", "latitude", "longitude", "tlsVersion", "tlsCipher"]) {
      assert.equal(typeof cf[key], "string", `cf.${key}`);
    }
    assert.equal(typeof cf.clientTcpRtt, "number");
    assert.equal(typeof cf.botManagement, "object");
  });

  test("console: every level is printed tagged with the worker and the request", async () => {
    assert.equal(await (await fetch(`${dev.url}/console?q=1`)).text(), "logged");
    await dev.waitForOutput("[test] GET /console?q=1 200 OK");
    const out = dev.output();
    const tag = "[test] (GET /console?q=1) ";
    assert.ok(out.includes(`${tag}a log line 42\n`), out);
    assert.ok(out.includes(`${tag}an info line\n`), out);
    assert.ok(out.includes(`${tag}debug: a debug line\n`), out);
    assert.ok(out.includes(`${tag}warn: a warn line\n`), out);
    assert.ok(out.includes(`${tag}error: an error line\n`), out);
  });

  test("console.log of objects, arrays, Map/Set and format strings is readable", async () => {
    await (await fetch(`${dev.url}/console?q=2`)).arrayBuffer();
    await dev.waitForOutput("[test] GET /console?q=2 200 OK");
    const out = dev.output();
    const tag = "[test] (GET /console?q=2) ";
    assert.ok(out.includes(`${tag}{ a: 1, b: [ 1, 2 ] }\n`), out);
    assert.match(out, /\(GET \/console\?q=2\) \{ nested: \{ deep: \{ x: 1 \} \}, list: \[ 1, ["']two["'], null \] \}\n/);
    assert.ok(out.includes(`${tag}cart has 3 items\n`), out);
    assert.match(out, /\(GET \/console\?q=2\) Map\(1\) \{ ["']k["'] => 1 \} Set\(1\) \{ 7 \}\n/);
    assert.doesNotMatch(out, /\[object Object\]/);
  });

  test("console output after an await is still tagged with its request", async () => {
    await (await fetch(`${dev.url}/console/after-await`)).arrayBuffer();
    await dev.waitForOutput("[test] GET /console/after-await 200 OK");
    assert.ok(dev.output().includes("[test] (GET /console/after-await) logged after an await\n"), dev.output());
  });

  test(
    "console output after an await is tagged with its own request while another request is in flight",
    { todo: "runtime bug: request attribution after an await is a heuristic (sole request in the batch / in flight); with two requests in flight continuations log untagged" },
    async () => {
      for (let round = 1; round <= 3; round++) {
        const paths = ["a", "b"].map((who) => `/console/concurrent?round=${round}&who=${who}`);
        const texts = await Promise.all(paths.map(async (p) => (await fetch(`${dev.url}${p}`)).text()));
        assert.deepEqual(texts, ["logged", "logged"]);
        for (const p of paths) await dev.waitForOutput(`[test] GET ${p} 200 OK`);
      }
      const out = dev.output();
      for (let round = 1; round <= 3; round++) {
        for (const who of ["a", "b"]) {
          for (let i = 1; i <= 3; i++) {
            const line = `[test] (GET /console/concurrent?round=${round}&who=${who}) round ${round} ${who} line ${i}\n`;
            assert.ok(out.includes(line), `missing ${JSON.stringify(line)} in:\n${out}`);
          }
        }
      }
    },
  );

  test("timers: setTimeout with arguments, clearTimeout, setInterval/clearInterval, ordering by delay", async () => {
    const res = await fetch(`${dev.url}/timers`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      events: ["timeout xy", "tick 1", "tick 2", "tick 3", "early", "late"],
      idType: "number",
    });
  });
});

describe("export default class extends WorkerEntrypoint", () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startWorker({
      toml: toml("index.js"),
      files: {
        "index.js": `
import { WorkerEntrypoint } from "cloudflare:workers";

let background = "idle";
let released = false;

export default class extends WorkerEntrypoint {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/wait-until") {
      background = "pending";
      this.ctx.waitUntil((async () => {
        while (!released) await new Promise((r) => setTimeout(r, 5));
        background = "done";
      })());
      return new Response("started");
    }
    if (url.pathname === "/release") { released = true; return new Response("ok"); }
    if (url.pathname === "/read") return new Response(background);
    return Response.json({
      isEntrypoint: this instanceof WorkerEntrypoint,
      greeting: this.env.GREETING,
      config: this.env.CONFIG,
      waitUntil: typeof this.ctx.waitUntil,
      passThroughOnException: typeof this.ctx.passThroughOnException,
      path: url.pathname,
      colo: request.cf.colo,
    });
  }
}
`,
      },
    });
  });
  after(async () => {
    await dev?.stop();
  });

  test("fetch(request) on an instance with this.env and this.ctx", async () => {
    const res = await fetch(`${dev.url}/entry`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      isEntrypoint: true,
      greeting: "hello",
      config: { level: 3 },
      waitUntil: "function",
      passThroughOnException: "function",
      path: "/entry",
      colo: "LOCAL",
    });
  });

  test("this.ctx.waitUntil keeps work running after the response", { timeout: 20000 }, async () => {
    assert.equal(await (await fetch(`${dev.url}/wait-until`)).text(), "started");
    assert.equal(await (await fetch(`${dev.url}/read`)).text(), "pending");
    await (await fetch(`${dev.url}/release`)).arrayBuffer();
    assert.equal(await pollText(`${dev.url}/read`, (t) => t === "done"), "done");
  });
});

describe('service-worker format: addEventListener("fetch")', () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startWorker({
      toml: toml("worker.js"),
      files: {
        "worker.js": `
let background = "idle";

addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.pathname === "/wait-until") {
    event.waitUntil(new Promise((r) => setTimeout(r, 5)).then(() => { background = "done"; }));
    event.respondWith(new Response("started"));
    return;
  }
  if (url.pathname === "/read") {
    event.respondWith(new Response(background));
    return;
  }
  if (url.pathname === "/globals") {
    event.respondWith(new Response(typeof GREETING === "undefined" ? "no global" : GREETING));
    return;
  }
  event.passThroughOnException();
  event.respondWith(handle(event.request));
});

async function handle(request) {
  await new Promise((r) => setTimeout(r, 1));
  const body = request.method === "POST" ? await request.text() : null;
  return Response.json({ method: request.method, path: new URL(request.url).pathname, body, colo: request.cf.colo });
}
`,
      },
    });
  });
  after(async () => {
    await dev?.stop();
  });

  test("event.respondWith(promise) answers, with the request and its body", async () => {
    const res = await fetch(`${dev.url}/sw?x=1`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { method: "GET", path: "/sw", body: null, colo: "LOCAL" });

    const post = await fetch(`${dev.url}/sw`, { method: "POST", body: "payload" });
    assert.deepEqual(await post.json(), { method: "POST", path: "/sw", body: "payload", colo: "LOCAL" });
  });

  test("event.waitUntil keeps work running after respondWith", async () => {
    assert.equal(await (await fetch(`${dev.url}/wait-until`)).text(), "started");
    assert.equal(await pollText(`${dev.url}/read`, (t) => t === "done"), "done");
  });

  test(
    "vars are exposed as globals, as Cloudflare does for service-worker workers",
    async () => {
      assert.equal(await (await fetch(`${dev.url}/globals`)).text(), "hello");
    },
  );
});
