// Watch mode: edits swap the served version; in-flight requests finish on the old one; a broken
// edit keeps the old version serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startWorker } from "../support/worker.ts";

const version = (v: string) => `export default { async fetch(req) {
  if (new URL(req.url).pathname === "/slow") { await new Promise((r) => setTimeout(r, 1500)); return new Response("${v}-slow"); }
  return new Response("${v}");
} }`;

test("an edit is served after reload, in-flight requests finish on the old version, a syntax error keeps the old one", async () => {
  const dev = await startWorker({ files: { "index.js": version("v1") }, watch: true });
  try {
    assert.equal(await (await fetch(dev.url)).text(), "v1");

    const slow = fetch(`${dev.url}/slow`).then((r) => r.text());
    // Let the slow request reach the isolate before the edit.
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(dev.dir, "index.js"), version("v2"));
    await dev.waitForOutput("[test] reloaded");
    assert.equal(await (await fetch(dev.url)).text(), "v2");
    assert.equal(await slow, "v1-slow");

    writeFileSync(join(dev.dir, "index.js"), "export default { fetch() { return new Response( } }");
    await dev.waitForOutput("Build failed, still serving the previous version");
    assert.match(dev.output(), /index\.js:1:\d+/);
    assert.equal(await (await fetch(dev.url)).text(), "v2");

    const reloads = dev.output().split("[test] reloaded").length;
    writeFileSync(join(dev.dir, "index.js"), version("v3"));
    await dev.waitForOutput(new RegExp(`(\\[test\\] reloaded[\\s\\S]*){${reloads}}`));
    assert.equal(await (await fetch(dev.url)).text(), "v3");
  } finally {
    await dev.stop();
  }
});
