// Tenant isolation: user code tries to escape the isolate; every attempt must fail safely and the
// host must keep serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startWorker } from "../support/worker.ts";

const attempts = `
const results = {};
async function attempt(name, fn) {
  try { results[name] = { ok: true, value: String(await fn()) }; }
  catch (e) { results[name] = { ok: false, name: e && e.name, message: e && e.message }; }
}
export default {
  async fetch(request, env, ctx) {
    await attempt("eval", () => eval("1 + 1"));
    await attempt("indirect eval", () => (0, eval)("1 + 1"));
    await attempt("new Function", () => new Function("return 1")());
    await attempt("object constructor chain", () => ({}).constructor.constructor("return process")());
    await attempt("function constructor chain", () => (function () {}).constructor("return this")());
    await attempt("async function constructor", () => (async function () {}).constructor("return 1")());
    await attempt("generator constructor", () => (function* () {}).constructor("yield 1")().next().value);
    await attempt("async generator constructor", () => (async function* () {}).constructor("yield 1"));
    await attempt("request constructor chain", () => request.constructor.constructor("return process")());
    await attempt("headers constructor chain", () => request.headers.get.constructor("return process")());
    await attempt("env constructor chain", () => env.constructor.constructor("return process")());
    await attempt("ctx constructor chain", () => ctx.waitUntil.constructor("return process")());
    await attempt("console constructor chain", () => console.log.constructor("return process")());
    await attempt("Reflect.construct Function", () => Reflect.construct(Function, ["return 1"])());
    await attempt("setTimeout string", () => setTimeout("globalThis.pwned = 1", 0));
    await attempt("dynamic import node:fs", () => { const name = "node:fs"; return import(name); });
    await attempt("dynamic import fs", () => { const name = "fs"; return import(name); });
    await attempt("fetch file", () => fetch("file:///etc/passwd"));
    await attempt("globals", () => [typeof process, typeof require, typeof Buffer, typeof global, typeof __dirname, typeof module].join());
    await attempt("prepareStackTrace", () => {
      Error.prepareStackTrace = (e, frames) => frames.map((f) => { const fn = f.getFunction && f.getFunction(); return fn ? typeof fn.constructor("return process") : "none"; });
      try { crypto.getRandomValues(new Float32Array(4)); } catch (e) { return e.stack; } finally { Error.prepareStackTrace = undefined; }
      return "no error";
    });
    await attempt("host function properties", () => {
      const names = Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith("__atoll"));
      return names.length === 0 ? "none" : names.join();
    });
    return Response.json(results);
  },
};
`;

test("code generation, constructor chains, Node globals, imports and files are all out of reach", async () => {
  const dev = await startWorker({ files: { "index.js": attempts } });
  try {
    const res = await fetch(dev.url);
    assert.equal(res.status, 200);
    const r = (await res.json()) as Record<string, { ok: boolean; name?: string; message?: string; value?: string }>;
    for (const name of [
      "eval",
      "indirect eval",
      "new Function",
      "object constructor chain",
      "function constructor chain",
      "async function constructor",
      "generator constructor",
      "async generator constructor",
      "request constructor chain",
      "headers constructor chain",
      "env constructor chain",
      "ctx constructor chain",
      "console constructor chain",
      "Reflect.construct Function",
    ]) {
      assert.equal(r[name].ok, false, `${name} should fail: ${JSON.stringify(r[name])}`);
      assert.equal(r[name].name, "EvalError", name);
      assert.equal(r[name].message, "Code generation from strings disallowed for this context", name);
    }
    assert.equal(r["setTimeout string"].ok, false);
    assert.equal(r["dynamic import node:fs"].ok, false);
    assert.equal(r["dynamic import fs"].ok, false);
    assert.equal(r["fetch file"].ok, false);
    assert.equal(r["globals"].value, "undefined,undefined,undefined,undefined,undefined,undefined");
    assert.doesNotMatch(r["prepareStackTrace"].value ?? "", /object|function/);
    assert.equal(r["host function properties"].value, "none");
  } finally {
    await dev.stop();
  }
});

test("a static import of a Node builtin without nodejs_compat fails to load with a clear error", async () => {
  const { runDevExpectingFailure, writeProject } = await import("../support/worker.ts");
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, {
    "wrangler.toml": `name = "w"\nmain = "index.js"\n`,
    "index.js": `import { readFileSync } from "node:fs";\nexport default { fetch() { return new Response(readFileSync("/etc/passwd", "utf8")); } }`,
  });
  try {
    const { code, output } = await runDevExpectingFailure(dir, []);
    assert.notEqual(code, 0);
    assert.match(output, /No such module "node:fs"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("prototype pollution, proxies handed to host calls and huge header counts do not hurt the host", async () => {
  const dev = await startWorker({
    files: {
      "index.js": `export default { async fetch(req) {
        const path = new URL(req.url).pathname;
        if (path === "/pollute") {
          Object.prototype.t = "head"; Object.prototype.status = 999; Array.prototype.polluted = true;
          return new Response("polluted");
        }
        if (path === "/proxy") {
          const p = new Proxy(new Uint8Array(4), { get(t, k) { if (k === "buffer") throw new Error("trap"); return Reflect.get(t, k); } });
          try { await crypto.subtle.digest("SHA-256", p); } catch (e) { return new Response("proxy rejected: " + e.name); }
          return new Response("proxy accepted");
        }
        if (path === "/headers") {
          const h = new Headers();
          for (let i = 0; i < 1900; i++) h.append("x-h-" + i, "v");
          return new Response("many", { headers: h });
        }
        return new Response("alive");
      } }`,
    },
  });
  try {
    // Node's HTTP client keeps only 1000 headers: read the raw head instead.
    const net = await import("node:net");
    const head = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(dev.url).port), "127.0.0.1", () => socket.write("GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    assert.match(head, /^HTTP\/1\.1 200/);
    assert.equal(head.split("\r\n").filter((l) => l.startsWith("x-h-")).length, 1900);
    // Pollution breaks the worker's own Response init lookups (as it would on Cloudflare), but the
    // host reads only what crosses the bridge and keeps serving.
    assert.equal(await (await fetch(`${dev.url}/pollute`)).text(), "polluted");
    assert.equal(await (await fetch(`${dev.url}/`)).text(), "alive");
    const proxy = await fetch(`${dev.url}/proxy`);
    assert.equal(await proxy.text(), "proxy rejected: TypeError");
    assert.equal(await (await fetch(`${dev.url}/`)).text(), "alive");
  } finally {
    await dev.stop();
  }
});
