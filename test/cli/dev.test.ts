// `atoll dev` end to end: real child process, real HTTP over loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, runDevExpectingFailure, startDev, startWorker, writeProject } from "../support/worker.ts";

test("serves examples/hello and prints Ready on the chosen port", async () => {
  const dev = await startDev(join(repoRoot, "examples", "hello"), ["--no-watch"]);
  try {
    assert.match(dev.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${dev.url}/some/path?x=1`, { headers: { "x-test": "yes" } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(body.greeting, "Hello from Atoll");
    assert.equal(body.path, "/some/path");
    assert.deepEqual(body.query, { x: "1" });
    assert.equal(body.headers["x-test"], "yes");
    assert.equal(body.cf.colo, "LOCAL");
    assert.equal(body.userAgent, "Cloudflare-Workers");
    await dev.waitForOutput(/\[hello\] GET \/some\/path\?x=1 200/);
  } finally {
    await dev.stop();
  }
});

test("finds wrangler.toml in the current directory without -c, and --var overrides vars", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, {
    "wrangler.toml": `name = "w"\nmain = "index.js"\n[vars]\nA = "from-config"\nB = "kept"\n`,
    "index.js": `export default { fetch(req, env) { return new Response(env.A + "," + env.B); } }`,
  });
  const dev = await startDev(dir, ["--no-watch", "--var", "A:from-flag", "-c", "wrangler.toml"]);
  try {
    assert.equal(await (await fetch(dev.url)).text(), "from-flag,kept");
  } finally {
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--env selects the environment: its vars only, name-env", async () => {
  const dev = await startWorker({
    toml: `name = "app"\nmain = "index.js"\n[vars]\nWHERE = "top"\n[env.staging.vars]\nWHERE = "staging"\n`,
    files: { "index.js": `export default { fetch(req, env) { return new Response(env.WHERE); } }` },
    args: ["--env", "staging"],
  });
  try {
    assert.equal(await (await fetch(dev.url)).text(), "staging");
    await dev.waitForOutput("[app-staging]");
  } finally {
    await dev.stop();
  }
});

test("secrets from .dev.vars reach env", async () => {
  const dev = await startWorker({
    files: {
      "index.js": `export default { fetch(req, env) { return new Response(env.API_KEY); } }`,
      ".dev.vars": `API_KEY="s3cret"\n`,
    },
  });
  try {
    assert.equal(await (await fetch(dev.url)).text(), "s3cret");
  } finally {
    await dev.stop();
  }
});

test("a config error names the file and key and exits non-zero", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, {
    "wrangler.toml": `name = "w"\nmain = "index.js"\n[vars]\nFOO = 1\n[[kv_namespaces]]\nbinding = 5\n`,
    "index.js": `export default { fetch() { return new Response("x"); } }`,
  });
  try {
    const { code, output } = await runDevExpectingFailure(dir, ["-c", "wrangler.toml"]);
    assert.notEqual(code, 0);
    assert.match(output, /wrangler\.toml/);
    assert.match(output, /kv_namespaces\[0\]\.binding/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing main says how to fix it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, { "wrangler.toml": `name = "w"\n` });
  try {
    const { code, output } = await runDevExpectingFailure(dir, []);
    assert.notEqual(code, 0);
    assert.match(output, /"main" is missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a build error is printed with its location and exits non-zero", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, { "wrangler.toml": `name = "w"\nmain = "index.js"\n`, "index.js": `export default {\n  fetch() { return new Response("x") \n` });
  try {
    const { code, output } = await runDevExpectingFailure(dir, []);
    assert.notEqual(code, 0);
    assert.match(output, /index\.js:\d+:\d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("unimplemented bindings are listed in one warning and the worker still runs", async () => {
  const dev = await startWorker({
    toml: `name = "w"\nmain = "index.js"\n[[r2_buckets]]\nbinding = "BUCKET"\nbucket_name = "b"\n[ai]\nbinding = "AI"\n`,
    files: {
      "index.js": `export default { fetch(req, env) { try { env.BUCKET; return new Response("no error"); } catch (e) { return new Response(e.message); } } }`,
    },
  });
  try {
    const text = await (await fetch(dev.url)).text();
    assert.match(text, /does not implement r2_buckets bindings yet/);
    assert.match(dev.output(), /does not implement these bindings yet.*r2_buckets \(BUCKET\).*ai \(AI\)/);
  } finally {
    await dev.stop();
  }
});

test("several -c load several workers into one process; the first is served", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, {
    "a/wrangler.toml": `name = "first"\nmain = "index.js"\n`,
    "a/index.js": `export default { fetch() { return new Response("first"); } }`,
    "b/wrangler.toml": `name = "second"\nmain = "index.js"\n`,
    "b/index.js": `console.log("second loaded"); export default { fetch() { return new Response("second"); } }`,
  });
  const dev = await startDev(dir, ["--no-watch", "-c", "a/wrangler.toml", "-c", "b/wrangler.toml"]);
  try {
    assert.equal(await (await fetch(dev.url)).text(), "first");
    assert.match(dev.output(), /\[second\] second loaded/);
  } finally {
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("several -c: a request goes to the worker whose routes match its host and path, else to the first", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  const worker = (name: string) => `export default { fetch(req) { const u = new URL(req.url); return new Response("${name} " + u.host + u.pathname); } }`;
  writeProject(dir, {
    "a/wrangler.toml": `name = "first"\nmain = "index.js"\n`,
    "a/index.js": worker("first"),
    "b/wrangler.toml": `name = "api"\nmain = "index.js"\nroutes = ["app.example/api/*"]\n`,
    "b/index.js": `export default { fetch(req) {
      if (req.headers.get("upgrade") === "websocket") {
        const [client, server] = Object.values(new WebSocketPair());
        server.accept();
        server.addEventListener("message", (e) => server.send("api ws: " + e.data));
        return new Response(null, { status: 101, webSocket: client });
      }
      const u = new URL(req.url); return new Response("api " + u.host + u.pathname);
    } }`,
    "c/wrangler.toml": `name = "site"\nmain = "index.js"\nroute = { pattern = "*app.example/*", zone_name = "example" }\n`,
    "c/index.js": worker("site"),
  });
  const dev = await startDev(dir, ["--no-watch", "-c", "a/wrangler.toml", "-c", "b/wrangler.toml", "-c", "c/wrangler.toml"]);
  const get = async (host: string, path: string) => {
    // fetch() cannot set Host; node:http can.
    const { request } = await import("node:http");
    const url = new URL(dev.url);
    return new Promise<string>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve(body));
      });
      req.on("error", reject);
      req.end();
    });
  };
  try {
    assert.equal(await get("app.example", "/api/users"), "api app.example/api/users");
    assert.equal(await get("app.example:8787", "/"), "site app.example:8787/");
    assert.equal(await get("www.app.example", "/api/x"), "site www.app.example/api/x");
    assert.equal(await get("localhost", "/api/users"), "first localhost/api/users");
    assert.match(dev.output(), /\[api\] serves app\.example\/api\/\*/);
    // A WebSocket upgrade is routed the same way.
    const { default: WebSocket } = await import("ws");
    const ws = new WebSocket(`${dev.url.replace("http", "ws")}/api/socket`, { headers: { host: "app.example" } });
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("hi"));
      ws.on("message", (data) => resolve(String(data)));
      ws.on("error", reject);
    });
    ws.close();
    assert.equal(echoed, "api ws: hi");
    await dev.waitForOutput(/\[api\] GET \/api\/users 200/);
  } finally {
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a broken second worker stops startup and is named", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, {
    "a/wrangler.toml": `name = "first"\nmain = "index.js"\n`,
    "a/index.js": `export default { fetch() { return new Response("first"); } }`,
    "b/wrangler.toml": `name = "second"\nmain = "index.js"\n`,
    "b/index.js": `throw new Error("second is broken");`,
  });
  try {
    const { code, output } = await runDevExpectingFailure(dir, ["-c", "a/wrangler.toml", "-c", "b/wrangler.toml"]);
    assert.notEqual(code, 0);
    assert.match(output, /Could not start worker "second": Uncaught Error: second is broken/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("[dev] port and ip are the defaults; --ip overrides", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, {
    "wrangler.toml": `name = "w"\nmain = "index.js"\n[dev]\nip = "0.0.0.0"\n`,
    "index.js": `export default { fetch() { return new Response("ok"); } }`,
  });
  // --port 0 (added by startDev) wins over [dev] port; --ip wins over [dev] ip.
  const dev = await startDev(dir, ["--no-watch", "-c", "wrangler.toml", "--ip", "127.0.0.1"]);
  try {
    assert.match(dev.url, /^http:\/\/127\.0\.0\.1:/);
    assert.equal(await (await fetch(dev.url)).text(), "ok");
  } finally {
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SIGTERM lets a request in flight finish, then exits 0", async () => {
  const dev = await startWorker({
    files: { "index.js": `export default { async fetch() { await new Promise((r) => setTimeout(r, 300)); return new Response("finished"); } }` },
  });
  const pending = fetch(dev.url).then((r) => r.text());
  await new Promise((r) => setTimeout(r, 100));
  const exited = new Promise<number | null>((r) => dev.child.once("exit", (code) => r(code)));
  dev.child.kill("SIGTERM");
  assert.equal(await pending, "finished");
  assert.equal(await exited, 0);
  await dev.stop();
});

test("npm start serves examples/hello (the README's first command)", async () => {
  const { spawn } = await import("node:child_process");
  // detached: npm and the server it starts form one process group, stopped together by its pid.
  const child = spawn("npm", ["start", "--", "--port", "0", "--no-watch"], { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  try {
    for (let i = 0; i < 300 && !/Ready on (http:\/\/\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /Ready on (http:\/\/\S+)/.exec(out)?.[1];
    assert.ok(url, `no Ready line in:\n${out}`);
    const body = (await (await fetch(url)).json()) as { greeting: string };
    assert.equal(body.greeting, "Hello from Atoll");
  } finally {
    process.kill(-child.pid!, "SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
});
