// Content-Encoding as Cloudflare applies it: named by the worker → encoded by the platform, unless
// the worker says `encodeBody: "manual"`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { gunzipSync, gzipSync } from "node:zlib";
import { startWorker } from "../support/worker.ts";

function rawGet(url: string): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on("error", reject)
      .end();
  });
}

test("a body with Content-Encoding: gzip is gzipped by the platform, a manual one is sent as is", async () => {
  const text = "hello, compressed world! ".repeat(200);
  const pre = gzipSync(Buffer.from("already gzipped")).toString("base64");
  const dev = await startWorker({
    files: {
      "index.js": `export default { fetch(req) {
        const path = new URL(req.url).pathname;
        if (path === "/auto") return new Response(${JSON.stringify(text)}, { headers: { "content-encoding": "gzip", "content-length": "5000" } });
        if (path === "/stream") {
          const enc = new TextEncoder();
          return new Response(new ReadableStream({ start(c) { c.enqueue(enc.encode("part1,")); c.enqueue(enc.encode("part2")); c.close(); } }), { headers: { "content-encoding": "gzip" } });
        }
        const bytes = Uint8Array.from(atob(${JSON.stringify(pre)}), (c) => c.charCodeAt(0));
        return new Response(bytes, { headers: { "content-encoding": "gzip" }, encodeBody: "manual" });
      } }`,
    },
  });
  try {
    const auto = await rawGet(`${dev.url}/auto`);
    assert.equal(auto.headers["content-encoding"], "gzip");
    assert.equal(auto.headers["content-length"], undefined);
    assert.equal(gunzipSync(auto.body).toString(), text);

    const stream = await rawGet(`${dev.url}/stream`);
    assert.equal(gunzipSync(stream.body).toString(), "part1,part2");

    const manual = await rawGet(`${dev.url}/manual`);
    assert.equal(gunzipSync(manual.body).toString(), "already gzipped");
  } finally {
    await dev.stop();
  }
});
