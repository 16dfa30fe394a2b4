// CompressionStream / DecompressionStream inside a real `atoll dev` worker, streaming through the
// host's zlib: real formats (checked against node:zlib here), workerd's errors, bounded output,
// streaming with a held upload, and Content-Encoding with encodeBody "manual".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import zlib from "node:zlib";
import { startWorker, type RunningDev } from "../support/worker.ts";

let dev: RunningDev;

const worker = `
const collect = async (stream) => new Uint8Array(await new Response(stream).arrayBuffer());
const attempt = async (fn) => { try { return await fn(); } catch (e) { return "THREW " + e.name + ": " + e.message; } };
const through = (bytes, transform) => new Response(bytes).body.pipeThrough(transform);

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const format = url.searchParams.get("format") ?? "gzip";
    switch (url.pathname) {
      case "/compress":
        return new Response(request.body.pipeThrough(new CompressionStream(format)));
      case "/decompress":
        return new Response(request.body.pipeThrough(new DecompressionStream(format)));
      case "/roundtrip": {
        const text = "The quick brown fox jumps over the lazy dog. ".repeat(5000) + "é✓😀";
        const input = new TextEncoder().encode(text);
        const packed = await collect(through(input, new CompressionStream(format)));
        const unpacked = new TextDecoder().decode(await collect(through(packed, new DecompressionStream(format))));
        return Response.json({ input: input.byteLength, packed: packed.byteLength, same: unpacked === text });
      }
      case "/api": {
        const c = new CompressionStream("gzip");
        const d = new DecompressionStream("deflate-raw");
        return Response.json({
          isTransform: c instanceof TransformStream && d instanceof TransformStream,
          tags: [Object.prototype.toString.call(c), Object.prototype.toString.call(d)],
          sides: [c.readable instanceof ReadableStream, c.writable instanceof WritableStream],
          badFormat: await attempt(() => new CompressionStream("br")),
          badFormat2: await attempt(() => new DecompressionStream()),
          string: await attempt(async () => {
            const s = new CompressionStream("gzip");
            const w = s.writable.getWriter();
            // (handled: an unhandled rejection would end the isolate here, unlike workerd)
            collect(s.readable).catch(() => {});
            await w.write("text");
            return "no error";
          }),
          empty: [...await collect(through(new Uint8Array(0), new CompressionStream("deflate-raw")))],
        });
      }
      case "/errors": {
        const body = new Uint8Array(await request.arrayBuffer());
        return new Response(await attempt(async () => (await collect(through(body, new DecompressionStream(format)))).byteLength));
      }
      case "/bomb": {
        // 16 MiB of zeros, compressed to ~16 KiB, inflated back in bounded pieces.
        const packed = await collect(through(new Uint8Array(16 * 1024 * 1024), new CompressionStream("gzip")));
        const reader = through(packed, new DecompressionStream("gzip")).getReader();
        let total = 0, chunks = 0, largest = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.byteLength; chunks++; largest = Math.max(largest, value.byteLength);
        }
        return Response.json({ packed: packed.byteLength, total, chunks, largest });
      }
      case "/manual":
        // Already gzip-encoded by the worker: sent as is (encodeBody "manual").
        return new Response(new Response("manual body ".repeat(100)).body.pipeThrough(new CompressionStream("gzip")), {
          headers: { "content-encoding": "gzip", "content-type": "text/plain" },
          encodeBody: "manual",
        });
      case "/automatic":
        // Plain body with a Content-Encoding header: the runtime encodes it.
        return new Response("automatic body ".repeat(100), { headers: { "content-encoding": "gzip", "content-type": "text/plain" } });
    }
    return new Response("no route", { status: 404 });
  },
};
`;

before(async () => {
  dev = await startWorker({ files: { "index.js": worker } });
});
after(async () => {
  await dev?.stop();
});

const FORMATS = ["gzip", "deflate", "deflate-raw"] as const;
const nodeCompress = { gzip: zlib.gzipSync, deflate: zlib.deflateSync, "deflate-raw": zlib.deflateRawSync };
const nodeDecompress = { gzip: zlib.gunzipSync, deflate: zlib.inflateSync, "deflate-raw": zlib.inflateRawSync };

async function post(path: string, body: Uint8Array): Promise<Response> {
  return fetch(`${dev.url}${path}`, { method: "POST", body: Buffer.from(body) });
}

/** A raw HTTP exchange (no automatic decompression); resolves with status, headers and body. */
function raw(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${dev.url}${path}`, { headers: { "accept-encoding": "gzip" } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

for (const format of FORMATS) {
  test(`${format}: round trip inside the worker, and interoperable with node:zlib both ways`, async () => {
    const trip = await (await fetch(`${dev.url}/roundtrip?format=${format}`)).json();
    assert.equal(trip.same, true);
    assert.ok(trip.packed < trip.input / 20, `compressed ${trip.input} bytes to ${trip.packed}`);

    const text = Buffer.from("hello, compression ".repeat(1000));
    const packed = Buffer.from(await (await post(`/compress?format=${format}`, text)).arrayBuffer());
    assert.deepEqual(nodeDecompress[format](packed), text);

    const unpacked = Buffer.from(await (await post(`/decompress?format=${format}`, nodeCompress[format](text))).arrayBuffer());
    assert.deepEqual(unpacked, text);
  });
}

test("the classes: TransformStreams with workerd's format and chunk-type errors", async () => {
  const api = await (await fetch(`${dev.url}/api`)).json();
  assert.equal(api.isTransform, true);
  assert.deepEqual(api.tags, ["[object CompressionStream]", "[object DecompressionStream]"]);
  assert.deepEqual(api.sides, [true, true]);
  const formatError = "THREW TypeError: The compression format must be either 'deflate', 'deflate-raw' or 'gzip'.";
  assert.equal(api.badFormat, formatError);
  assert.equal(api.badFormat2, formatError);
  assert.match(api.string, /^THREW TypeError: /);
  assert.deepEqual(api.empty, [3, 0]);
});

test("decompression errors are workerd's TypeErrors", async () => {
  const text = Buffer.from("some text to compress ".repeat(50));
  const cases: [string, string, Uint8Array][] = [
    ["gzip", "THREW TypeError: Decompression failed.", Buffer.from("definitely not gzip data")],
    ["deflate", "THREW TypeError: Decompression failed.", Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])],
    ["gzip", "THREW TypeError: Called close() on a decompression stream with incomplete data", zlib.gzipSync(text).subarray(0, 20)],
    ["deflate-raw", "THREW TypeError: Called close() on a decompression stream with incomplete data", zlib.deflateRawSync(text).subarray(0, 10)],
    ["deflate", "THREW TypeError: Trailing bytes after end of compressed data", Buffer.concat([zlib.deflateSync(text), Buffer.from("junk")])],
    ["deflate-raw", "THREW TypeError: Trailing bytes after end of compressed data", Buffer.concat([zlib.deflateRawSync(text), Buffer.from("junk")])],
  ];
  for (const [format, expected, body] of cases) {
    const got = await (await post(`/errors?format=${format}`, body)).text();
    assert.equal(got, expected, `${format} ${expected}`);
  }
  // Intact input still decodes.
  assert.equal(await (await post(`/errors?format=gzip`, zlib.gzipSync(text))).text(), String(text.byteLength));
});

test("a small input that inflates hugely comes back in bounded pieces", async () => {
  const r = await (await fetch(`${dev.url}/bomb`)).json();
  assert.equal(r.total, 16 * 1024 * 1024);
  assert.ok(r.packed < 64 * 1024);
  assert.ok(r.chunks >= 16, `${r.chunks} chunks`);
  assert.ok(r.largest <= 1024 * 1024, `largest chunk ${r.largest}`);
});

test("decompression streams: output arrives while the upload is still going", async () => {
  // Two halves, the first flushed so it decodes on its own; the second is sent only after the
  // decoded first half has come back.
  const gzip = zlib.createGzip();
  const parts: Buffer[] = [];
  gzip.on("data", (d: Buffer) => parts.push(d));
  gzip.write("first half|");
  await new Promise<void>((r) => gzip.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
  const firstHalf = Buffer.concat(parts.splice(0));
  gzip.end("second half");
  await new Promise<void>((r) => gzip.on("end", () => r()));
  const secondHalf = Buffer.concat(parts);

  const received = await new Promise<string>((resolve, reject) => {
    const req = request(`${dev.url}/decompress?format=gzip`, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
      let text = "";
      let sentRest = false;
      res.on("data", (d: Buffer) => {
        text += d.toString();
        if (!sentRest && text.includes("first half|")) {
          sentRest = true;
          req.end(secondHalf);
        }
      });
      res.on("end", () => (sentRest ? resolve(text) : reject(new Error(`response ended before the upload: ${text}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.flushHeaders();
    req.write(firstHalf);
  });
  assert.equal(received, "first half|second half");
});

test("Content-Encoding: a worker's own gzip stream with encodeBody manual goes out as is; a plain body is encoded", async () => {
  const manual = await raw("/manual");
  assert.equal(manual.headers["content-encoding"], "gzip");
  assert.equal(zlib.gunzipSync(manual.body).toString(), "manual body ".repeat(100));
  const automatic = await raw("/automatic");
  assert.equal(automatic.headers["content-encoding"], "gzip");
  assert.equal(zlib.gunzipSync(automatic.body).toString(), "automatic body ".repeat(100));
});
