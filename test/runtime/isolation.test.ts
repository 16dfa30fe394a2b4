// Two workers side by side in one process (real isolates, no HTTP): a runaway loop in one neither
// blocks the host event loop nor the other worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.ts";
import { bundleWorker } from "../../src/bundler/bundle-worker.ts";
import { planBindings } from "../../src/bindings/index.ts";
import { hostServices } from "../../src/runtime/host-services.ts";
import { Worker } from "../../src/runtime/worker.ts";
import type { WorkerResponse } from "../../src/runtime/worker-isolate.ts";
import { writeProject } from "../support/worker.ts";

async function makeWorker(dir: string, name: string, source: string, cpuMs = 30000): Promise<Worker> {
  const root = join(dir, name);
  writeProject(root, { "wrangler.toml": `name = "${name}"\nmain = "index.js"\n[vars]\nSECRET = "${name}-secret"\n[limits]\ncpu_ms = ${cpuMs}\n`, "index.js": source });
  const config = loadConfig({ cwd: root, configPath: "wrangler.toml" });
  const { bundle } = await bundleWorker(config);
  const logs: string[] = [];
  const worker = new Worker({
    name,
    limits: { cpuMs: config.limits.cpuMs, memoryMb: 128, subrequests: 1000 },
    bindings: planBindings(config).descriptors,
    host: hostServices,
    log: { console: (_l, text) => logs.push(text), error: (text) => logs.push(text) },
  });
  await worker.load(bundle);
  return worker;
}

const get = (path = "/") => ({ method: "GET", url: `http://localhost${path}`, headers: [], cf: {}, body: null });

async function text(res: WorkerResponse): Promise<string> {
  if (res.body === null) return "";
  if (res.body instanceof Uint8Array) return new TextDecoder().decode(res.body);
  let s = "";
  for await (const c of res.body) s += new TextDecoder().decode(c);
  return s;
}

test("a while(true) in one worker blocks neither the host nor another worker", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-iso-"));
  const spinner = await makeWorker(dir, "spinner", `export default { fetch() { while (true) {} } }`, 1500);
  const hello = await makeWorker(dir, "hello", `export default { fetch(req, env) { return new Response("hello " + env.SECRET); } }`);
  try {
    let spinDone = false;
    const spin = spinner.fetch(get()).then((r) => {
      spinDone = true;
      return r;
    });
    // The host event loop keeps turning while the spinner runs on another thread.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    for (let i = 0; i < 20; i++) {
      assert.equal(await text(await hello.fetch(get())), "hello hello-secret");
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(spinDone, false, "the spinner should still be running while hello answered");
    assert.ok(ticks > 0);
    const res = await spin;
    clearInterval(ticker);
    assert.equal(res.status, 503);
    assert.equal(await text(res), "error code: 1102");
  } finally {
    await spinner.dispose();
    await hello.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("workers cannot see each other's globals or env", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-iso-"));
  const a = await makeWorker(dir, "a", `globalThis.leak = "from-a"; export default { fetch(req, env) { return new Response(String(env.SECRET)); } }`);
  const b = await makeWorker(dir, "b", `export default { fetch(req, env) { return new Response(String(globalThis.leak) + " " + env.SECRET + " " + Object.keys(env).join()); } }`);
  try {
    assert.equal(await text(await a.fetch(get())), "a-secret");
    assert.equal(await text(await b.fetch(get())), "undefined b-secret SECRET");
  } finally {
    await a.dispose();
    await b.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
