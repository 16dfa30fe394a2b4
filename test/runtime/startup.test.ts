// Loading a worker: top-level code runs with the platform available (host calls, timers, logs);
// a failure to load names the reason and the user's source line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDevExpectingFailure, startWorker, writeProject } from "../support/worker.ts";

test("top-level await on a host call (crypto.subtle), a top-level timer and log all work", async () => {
  const dev = await startWorker({
    files: {
      "index.js": `console.log("loading at top level");
const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
await new Promise((r) => setTimeout(r, 20));
export default { async fetch() {
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("x"));
  return new Response(String(sig.byteLength));
} };`,
    },
  });
  try {
    assert.equal(await (await fetch(dev.url)).text(), "32");
    assert.match(dev.output(), /\[test\] loading at top level/);
  } finally {
    await dev.stop();
  }
});

async function expectStartupFailure(source: string, expected: RegExp[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  writeProject(dir, { "wrangler.toml": `name = "w"\nmain = "index.ts"\n`, "index.ts": source });
  try {
    const { code, output } = await runDevExpectingFailure(dir, []);
    assert.notEqual(code, 0);
    for (const re of expected) assert.match(output, re);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a top-level throw fails startup with the source-mapped location", async () => {
  await expectStartupFailure(`const x: number = 1;\n\nthrow new Error("bad config " + x);\n\nexport default { fetch() { return new Response("x"); } };\n`, [
    /Could not start worker "w": Uncaught Error: bad config 1/,
    /index\.ts:3:7/,
  ]);
});

test("a rejected top-level await fails startup with its reason", async () => {
  await expectStartupFailure(`await new Promise((_, reject) => setTimeout(() => reject(new Error("late failure")), 10));\nexport default { fetch() { return new Response("x"); } };\n`, [
    /Could not start worker "w": Uncaught Error: late failure/,
  ]);
});

test("a top-level await that can never settle is reported instead of hanging", async () => {
  await expectStartupFailure(`await new Promise(() => {});\nexport default { fetch() { return new Response("x"); } };\n`, [/top-level await never settled/]);
});
