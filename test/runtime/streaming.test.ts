// 100 MB both ways through `atoll dev`, chunked, with the process's memory staying bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { startWorker } from "../support/worker.ts";

const MB = 1024 * 1024;
const TOTAL = 100 * MB;

/** Peak resident memory of a process (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

const worker = `
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/upload") {
      // Count the body as it streams in, never holding it whole.
      let bytes = 0, chunks = 0;
      const reader = request.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength; chunks++;
      }
      return Response.json({ bytes, chunks });
    }
    if (url.pathname === "/download") {
      const total = Number(url.searchParams.get("bytes"));
      const chunk = new Uint8Array(64 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
      let sent = 0;
      const stream = new ReadableStream({
        pull(controller) {
          if (sent >= total) return controller.close();
          const n = Math.min(chunk.length, total - sent);
          controller.enqueue(chunk.slice(0, n));
          sent += n;
        },
      });
      return new Response(stream, { headers: { "content-type": "application/octet-stream" } });
    }
    return new Response("ok");
  },
};`;

test("a 100 MB upload streams into the worker and a 100 MB response streams out, with bounded memory", async () => {
  const dev = await startWorker({ files: { "index.js": worker } });
  try {
    const baseline = peakRss(dev.child.pid!);
    const { port } = new URL(dev.url);

    // Upload: 100 MB generated on the fly, chunked transfer encoding.
    const block = Buffer.alloc(MB);
    for (let i = 0; i < block.length; i++) block[i] = (i * 7) % 256;
    const uploadResult = await new Promise<string>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/upload" }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve(body));
      });
      req.on("error", reject);
      let sent = 0;
      const pump = () => {
        while (sent < TOTAL) {
          sent += MB;
          if (!req.write(block)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    // Many chunks show it streamed rather than arriving whole.
    const upload = JSON.parse(uploadResult) as { bytes: number; chunks: number };
    assert.equal(upload.bytes, TOTAL);
    assert.ok(upload.chunks > 100, `expected many chunks, got ${upload.chunks}`);

    // Download: 100 MB, hashed as it arrives.
    const hash = createHash("sha256");
    let received = 0;
    const res = await fetch(`${dev.url}/download?bytes=${TOTAL}`);
    assert.equal(res.status, 200);
    for await (const chunk of res.body!) {
      received += chunk.byteLength;
      hash.update(chunk);
    }
    assert.equal(received, TOTAL);
    const expected = createHash("sha256");
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
    for (let n = 0; n < TOTAL; n += chunk.length) expected.update(chunk);
    assert.equal(hash.digest("hex"), expected.digest("hex"));

    // Neither body was ever held whole: peak RSS grew by well under the 100 MB that moved.
    const growth = peakRss(dev.child.pid!) - baseline;
    // Holding either body whole would take at least TOTAL bytes (more with copies); garbage
    // collection lets some chunks linger, so the bound is the body size, not zero.
    assert.ok(growth < TOTAL, `peak RSS grew by ${(growth / MB).toFixed(1)} MB`);
  } finally {
    await dev.stop();
  }
});
