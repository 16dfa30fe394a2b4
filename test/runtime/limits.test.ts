// Limits with Cloudflare's error shapes, over real HTTP through `atoll dev`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "../support/worker.ts";

const toml = (extra = "") => `name = "limits"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\n${extra}`;

test("a CPU-bound loop gets 503 / 1102, the isolate is replaced and the next request works", async () => {
  const dev = await startWorker({
    toml: toml(`[limits]\ncpu_ms = 100\n`),
    files: {
      "index.js": `
        let hits = 0;
        export default {
          fetch(req) {
            hits++;
            if (new URL(req.url).pathname === "/spin") { while (true) {} }
            return new Response("hits " + hits);
          }
        }`,
    },
  });
  try {
    assert.equal(await (await fetch(`${dev.url}/`)).text(), "hits 1");
    const spin = await fetch(`${dev.url}/spin`);
    assert.equal(spin.status, 503);
    assert.equal(await spin.text(), "error code: 1102");
    // A fresh isolate: module state starts over.
    assert.equal(await (await fetch(`${dev.url}/`)).text(), "hits 1");
    await dev.waitForOutput("exceeded CPU time limit");
  } finally {
    await dev.stop();
  }
});

test("an infinite microtask loop is stopped by the CPU limit", async () => {
  const dev = await startWorker({
    toml: toml(`[limits]\ncpu_ms = 100\n`),
    files: {
      "index.js": `export default { fetch(req) {
        if (req.url.endsWith("/loop")) { const f = () => Promise.resolve().then(f); f(); return new Promise(() => {}); }
        return new Response("ok");
      } }`,
    },
  });
  try {
    const res = await fetch(`${dev.url}/loop`);
    assert.equal(res.status, 503);
    assert.equal(await (await fetch(dev.url)).text(), "ok");
  } finally {
    await dev.stop();
  }
});

test("exhausting memory gets 503 / 1102 and the next request gets a fresh isolate", async () => {
  const dev = await startWorker({
    files: {
      "index.js": `export default { fetch(req) {
        if (req.url.endsWith("/hog")) { const a = []; while (true) a.push(new Array(100000).fill(Math.random())); }
        return new Response("fine");
      } }`,
    },
  });
  try {
    const res = await fetch(`${dev.url}/hog`);
    assert.equal(res.status, 503);
    assert.equal(await res.text(), "error code: 1102");
    assert.equal(await (await fetch(dev.url)).text(), "fine");
  } finally {
    await dev.stop();
  }
});

test("an uncaught exception gets 500 / 1101 and a source-mapped stack in the terminal", async () => {
  const dev = await startWorker({
    files: {
      "index.ts": `interface Env {}\n\nfunction explode(): never {\n  throw new Error("kaboom");\n}\n\nexport default {\n  fetch(req: Request, env: Env): Response {\n    return explode();\n  },\n};\n`,
    },
  });
  try {
    const res = await fetch(dev.url);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "error code: 1101");
    await dev.waitForOutput("kaboom");
    // Line 4, column 9 of index.ts is the `throw`.
    assert.match(dev.output(), /index\.ts:4:9/);
  } finally {
    await dev.stop();
  }
});

test("returning something that is not a Response gives a clear 500", async () => {
  const dev = await startWorker({ files: { "index.js": `export default { fetch() { return "just a string"; } }` } });
  try {
    const res = await fetch(dev.url);
    assert.equal(res.status, 500);
    await dev.waitForOutput("did not resolve to 'Response'");
  } finally {
    await dev.stop();
  }
});

test("a worker without a fetch handler gives a clear 500", async () => {
  const dev = await startWorker({ files: { "index.js": `export default { scheduled() {} }` } });
  try {
    const res = await fetch(dev.url);
    assert.equal(res.status, 500);
    await dev.waitForOutput("does not export a fetch() function");
  } finally {
    await dev.stop();
  }
});

test("request bodies over 100 MB are refused with 413", async () => {
  const dev = await startWorker({ files: { "index.js": `export default { fetch() { return new Response("read"); } }` } });
  try {
    // A raw request: the client declares the size and the server answers before any body is sent.
    const net = await import("node:net");
    const { port } = new URL(dev.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${100 * 1024 * 1024 + 1}\r\n\r\n`);
      });
      let data = "";
      socket.on("data", (d) => {
        data += d;
        if (data.includes("\r\n\r\n")) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on("error", reject);
    });
    assert.match(reply, /^HTTP\/1\.1 413/);
  } finally {
    await dev.stop();
  }
});

test("more than 1000 subrequests in one request throw 'Too many subrequests.'", async () => {
  const http = await import("node:http");
  const origin = http.createServer((req, res) => res.end("o"));
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  const port = (origin.address() as { port: number }).port;
  const dev = await startWorker({
    files: {
      "index.js": `export default { async fetch() {
        let n = 0;
        try { for (let i = 0; i < 1001; i++) { await (await fetch("http://127.0.0.1:${port}/")).text(); n++; } }
        catch (e) { return new Response(n + " " + e.message); }
        return new Response(n + " no error");
      } }`,
    },
  });
  try {
    assert.equal(await (await fetch(dev.url)).text(), "1000 Too many subrequests.");
  } finally {
    await dev.stop();
    origin.close();
  }
});

test("interleaving two requests does not let CPU time after an await escape the limit", async () => {
  const dev = await startWorker({
    toml: toml(`[limits]\ncpu_ms = 100\n`),
    files: {
      "index.js": `
        const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
        const burn = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };
        let done = false;
        export default { async fetch(request) {
          if (new URL(request.url).pathname === "/poll") { while (!done) await sleep(1); return new Response("poller done"); }
          await sleep(1);
          for (let i = 0; i < 10; i++) { burn(60); await sleep(1); }
          done = true;
          return new Response("burned 600 ms");
        } };`,
    },
  });
  try {
    const poll = fetch(`${dev.url}/poll`);
    await new Promise((r) => setTimeout(r, 100));
    const burn = await fetch(`${dev.url}/burn`);
    assert.equal(burn.status, 503);
    assert.equal(await burn.text(), "error code: 1102");
    // The poller shared the discarded isolate.
    assert.equal((await poll).status, 503);
  } finally {
    await dev.stop();
  }
});

test("an unhandled promise rejection is logged and the isolate keeps serving, state intact", async () => {
  const dev = await startWorker({
    files: {
      "index.js": `let count = 0;
export default { async fetch(req) {
  count++;
  if (new URL(req.url).pathname === "/reject") Promise.reject(new Error("nobody caught me"));
  return new Response("count " + count);
} }`,
    },
  });
  try {
    const res = await fetch(`${dev.url}/reject`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "count 1");
    await dev.waitForOutput("Uncaught (in promise) Error: nobody caught me");
    // Same isolate: module state survived.
    assert.equal(await (await fetch(`${dev.url}/`)).text(), "count 2");
  } finally {
    await dev.stop();
  }
});
