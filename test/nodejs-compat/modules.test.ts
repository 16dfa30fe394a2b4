// nodejs_compat over real HTTP through `atoll dev`: the Node globals and modules a worker gets with
// the flag (and does not get without it), process.env, CommonJS require of builtins, and the
// error a worker gets from a builtin Atoll does not support.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync, inflateSync } from "node:zlib";
import { runDevExpectingFailure, startWorker, writeProject, type RunningDev, getJson } from "../support/worker.ts";

const TOML = `name = "compat"
main = "index.js"
compatibility_date = "2025-06-01"
compatibility_flags = ["nodejs_compat"]

[vars]
GREETING = "hello"
LIMITS = { max = 3 }
`;

const WORKER = `
import { Buffer as ImportedBuffer } from "node:buffer";
import processModule from "node:process";
import util from "node:util";
import { inspect, format, promisify, callbackify, types, isDeepStrictEqual } from "util";
import assert, { AssertionError } from "node:assert";
import strictAssert from "node:assert/strict";
import { Readable, Writable, Transform, pipeline as pipelineCb, PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { text } from "node:stream/consumers";
import * as web from "node:stream/web";
import { StringDecoder } from "node:string_decoder";
import path from "node:path";
import { URL as NodeURL, fileURLToPath, format as urlFormat } from "node:url";
import querystring from "node:querystring";
import zlib from "node:zlib";
import { setTimeout as delay } from "node:timers/promises";
import { setImmediate as importedSetImmediate } from "node:timers";
import { EventEmitter, once, on } from "node:events";
import fs from "node:fs";
import { spawn } from "node:child_process";
import nodeTest from "node:test";
import inspector from "node:inspector";
import inspectorPromises from "node:inspector/promises";
import { createInterface } from "readline/promises";
import legacy from "./legacy.cjs";

const routes = {
  async globals() {
    const order = [];
    process.nextTick(() => order.push("nextTick"));
    Promise.resolve().then(() => order.push("promise"));
    setImmediate(() => order.push("immediate"));
    await delay(5);
    process.env.WRITTEN = 1;
    return {
      written: typeof process.env.WRITTEN,
      buffer: typeof Buffer, process: typeof process, global: global === globalThis, setImmediate: typeof setImmediate,
      onGlobalThis: globalThis.Buffer === ImportedBuffer && globalThis.process === processModule,
      version: process.version, platform: process.platform, versionsNode: typeof process.versions.node,
      env: { GREETING: process.env.GREETING, SECRET: process.env.SECRET, LIMITS: process.env.LIMITS, missing: process.env.NOPE },
      order, hrtime: process.hrtime().length, importedSetImmediate: importedSetImmediate === setImmediate,
    };
  },
  require() {
    return legacy();
  },
  util() {
    const custom = { [inspect.custom]: () => "CUSTOM" };
    const cb = callbackify(async (x) => x * 2);
    return new Promise((resolve) => cb(21, (err, doubled) => resolve({
      format: format("%s is %d years and %j", "Bob", 42, { a: 1 }, "extra"),
      inspect: inspect({ s: "x", n: [1, 2], nested: { deep: { deeper: { deepest: 1 } } }, custom }),
      map: util.inspect(new Map([["a", new Set([1])]])),
      buffer: inspect(Buffer.from([1, 2, 3])),
      doubled, err,
      types: [types.isUint8Array(new Uint8Array(1)), types.isDate(new Date()), types.isPromise(Promise.resolve()), types.isRegExp(/x/), types.isUint8Array([])],
      deep: [isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), isDeepStrictEqual({ a: 1 }, { a: "1" })],
      promisified: typeof promisify((x, cb) => cb(null, x)),
    })));
  },
  assert() {
    const results = [];
    assert.deepStrictEqual({ a: [1, 2], m: new Map([[1, { x: 1 }]]) }, { a: [1, 2], m: new Map([[1, { x: 1 }]]) });
    assert.deepEqual({ a: 1 }, { a: "1" });
    assert.throws(() => { throw new TypeError("boom"); }, TypeError);
    assert.throws(() => { throw new Error("boom"); }, /boom/);
    try { strictAssert.equal(1, "1"); } catch (e) { results.push([e instanceof AssertionError, e.code, e.message.split("\\n")[0]]); }
    try { assert.deepStrictEqual({ a: 1 }, { a: 2 }); } catch (e) { results.push([e.name, e.actual.a, e.expected.a]); }
    try { assert(false, "custom message"); } catch (e) { results.push([e.message]); }
    return results;
  },
  async stream() {
    const upper = new Transform({ transform(chunk, _enc, cb) { cb(null, chunk.toString().toUpperCase()); } });
    const got = [];
    const sink = new Writable({ write(chunk, _enc, cb) { got.push(chunk.toString()); cb(); } });
    await pipeline(Readable.from(["a", "b", "c"]), upper, sink);
    const viaCallback = await new Promise((resolve) => {
      const pass = new PassThrough();
      pipelineCb(Readable.from([Buffer.from("x"), Buffer.from("y")]), pass, (err) => resolve(err ?? "done"));
      pass.resume();
    });
    const decoder = new StringDecoder("utf8");
    const euro = Buffer.from("€");
    const decoded = decoder.write(euro.subarray(0, 1)) + decoder.write(euro.subarray(1)) + decoder.end();
    const consumed = await text(Readable.from(["con", "sumed"]));
    return { got, viaCallback, decoded, consumed, web: web.ReadableStream === ReadableStream && web.TransformStream === TransformStream };
  },
  misc() {
    return {
      join: path.join("/a/b", "../c", "d.txt"), resolve: path.resolve("/x", "y"), ext: path.extname("f.tar.gz"), basename: path.basename("/p/q.js", ".js"),
      url: new NodeURL("https://h/p?q=1").searchParams.get("q"), fileURLToPath: fileURLToPath("file:///tmp/a%20b"),
      urlFormat: urlFormat({ protocol: "https", hostname: "example.com", pathname: "/x" }),
      qs: querystring.stringify({ a: [1, 2], b: "c d" }), qsParse: querystring.parse("a=1&a=2&b=x"),
    };
  },
  async zlib() {
    const input = "zlib ".repeat(100);
    const gz = zlib.gzipSync(input);
    const deflated = await new Promise((resolve, reject) => zlib.deflate(input, (err, out) => (err ? reject(err) : resolve(out))));
    const gunzipped = zlib.gunzipSync(gz).toString();
    const brotli = zlib.brotliDecompressSync(zlib.brotliCompressSync(input)).toString() === input;
    const streamed = [];
    await pipeline(Readable.from([Buffer.from("stream "), Buffer.from("ed")]), zlib.createGzip(), new Writable({ write(c, _e, cb) { streamed.push(c); cb(); } }));
    let corrupt;
    try { zlib.gunzipSync(Buffer.from("not gzip")); } catch (e) { corrupt = e.message; }
    return { streamed: Buffer.concat(streamed).toString("base64"), gz: gz.toString("base64"), deflated: deflated.toString("base64"), gunzipped: gunzipped === input, brotli, crc32: zlib.crc32("hello"), corrupt };
  },
  async events() {
    const e = new EventEmitter();
    setTimeout(() => e.emit("ready", 1, 2), 1);
    const args = await once(e, "ready");
    const seen = [];
    setTimeout(() => { e.emit("tick", "a"); e.emit("tick", "b"); e.emit("done"); }, 1);
    const ac = new AbortController();
    e.once("done", () => ac.abort());
    try { for await (const [v] of on(e, "tick", { signal: ac.signal })) seen.push(v); } catch (err) { seen.push(err.name); }
    return { args, seen, maxListeners: e.getMaxListeners() };
  },
  unsupported() {
    const errors = {};
    try { fs.readFileSync("/etc/passwd"); } catch (e) { errors.fs = e.message; }
    try { spawn("id"); } catch (e) { errors.child_process = e.message; }
    try { nodeTest("x", () => {}); } catch (e) { errors.test = e.message; }
    try { new inspector.Session(); } catch (e) { errors.inspector = e.message; }
    try { new inspectorPromises.Session(); } catch (e) { errors.inspectorPromises = e.message; }
    errors.readlinePromises = typeof createInterface().question;
    return errors;
  },
};

export default {
  async fetch(request) {
    const name = new URL(request.url).pathname.slice(1);
    return Response.json(await routes[name]());
  },
};
`;

const LEGACY = `"use strict";
var EventEmitter = require("events");
var assert = require("assert");
var stream = require("stream");
var buffer = require("buffer");
var util = require("node:util");
var StringDecoder = require("string_decoder").StringDecoder;
function Thing() { EventEmitter.call(this); }
util.inherits(Thing, EventEmitter);
module.exports = function () {
  var t = new Thing();
  var got;
  t.on("x", function (v) { got = v; });
  t.emit("x", "emitted");
  assert.strictEqual(1, 1);
  return {
    events: typeof EventEmitter, sameClass: EventEmitter === require("node:events").EventEmitter, got: got,
    assert: typeof assert, strict: typeof assert.strict, stream: typeof stream, readable: typeof stream.Readable,
    buffer: buffer.Buffer === Buffer, decoder: new StringDecoder("hex").write(Buffer.from("hi")),
  };
};
`;

describe("nodejs_compat (v2)", () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startWorker({ toml: TOML, files: { "index.js": WORKER, "legacy.cjs": LEGACY, ".dev.vars": "SECRET=s3cret\n" } });
  });
  after(async () => {
    await dev?.stop();
  });
  const get = (route: string) => getJson(dev, `/${route}`);

  test("Buffer, process, global and setImmediate are globals; process.env has the vars and secrets", async () => {
    const body = await get("globals");
    assert.equal(body.buffer, "function");
    assert.equal(body.process, "object");
    assert.equal(body.global, true);
    assert.equal(body.setImmediate, "function");
    assert.equal(body.onGlobalThis, true);
    assert.match(body.version, /^v\d+\.\d+\.\d+$/);
    assert.equal(body.platform, "linux");
    assert.equal(body.versionsNode, "string");
    assert.deepEqual(body.env, { GREETING: "hello", SECRET: "s3cret", LIMITS: '{"max":3}' });
    assert.deepEqual(body.order, ["nextTick", "promise", "immediate"]);
    assert.equal(body.hrtime, 2);
    assert.equal(body.importedSetImmediate, true);
    assert.equal(body.written, "string");
  });

  test("CommonJS require() of builtins returns what Node's module.exports is", async () => {
    assert.deepEqual(await get("require"), {
      events: "function",
      sameClass: true,
      got: "emitted",
      assert: "function",
      strict: "function",
      stream: "function",
      readable: "function",
      buffer: true,
      decoder: "6869",
    });
  });

  test("node:util: format, inspect (with inspect.custom), callbackify, promisify, types, isDeepStrictEqual", async () => {
    const body = await get("util");
    assert.equal(body.format, 'Bob is 42 years and {"a":1} extra');
    assert.equal(body.inspect, "{\n  s: 'x',\n  n: [ 1, 2 ],\n  nested: { deep: { deeper: [Object] } },\n  custom: CUSTOM\n}");
    assert.equal(body.map, "Map(1) { 'a' => Set(1) { 1 } }");
    assert.equal(body.buffer, "<Buffer 01 02 03>");
    assert.equal(body.doubled, 42);
    assert.equal(body.err, null);
    assert.deepEqual(body.types, [true, true, true, true, false]);
    assert.deepEqual(body.deep, [true, false]);
    assert.equal(body.promisified, "function");
  });

  test("node:assert: deep equality, throws, AssertionError messages", async () => {
    assert.deepEqual(await get("assert"), [
      [true, "ERR_ASSERTION", "Expected values to be strictly equal:"],
      ["AssertionError", 1, 2],
      ["custom message"],
    ]);
  });

  test("node:stream (readable-stream), stream/promises, stream/consumers, stream/web, string_decoder", async () => {
    assert.deepEqual(await get("stream"), { got: ["A", "B", "C"], viaCallback: "done", decoded: "€", consumed: "consumed", web: true });
  });

  test("node:path, node:url, node:querystring", async () => {
    assert.deepEqual(await get("misc"), {
      join: "/a/c/d.txt",
      resolve: "/x/y",
      ext: ".gz",
      basename: "q",
      url: "1",
      fileURLToPath: "/tmp/a b",
      urlFormat: "https://example.com/x",
      qs: "a=1&a=2&b=c%20d",
      qsParse: { a: ["1", "2"], b: "x" },
    });
  });

  test("node:zlib round trips with the host's zlib both ways", async () => {
    const body = await get("zlib");
    const input = "zlib ".repeat(100);
    assert.equal(gunzipSync(Buffer.from(body.gz, "base64")).toString(), input);
    assert.equal(inflateSync(Buffer.from(body.deflated, "base64")).toString(), input);
    assert.equal(body.gunzipped, true);
    assert.equal(gunzipSync(Buffer.from(body.streamed, "base64")).toString(), "stream ed");
    assert.equal(body.brotli, true);
    assert.equal(body.crc32, 907060870);
    assert.match(body.corrupt, /incorrect header check/);
    assert.ok(gzipSync(input).length > 0);
  });

  test("node:events: once() and on() with an AbortSignal", async () => {
    assert.deepEqual(await get("events"), { args: [1, 2], seen: ["a", "b", "AbortError"], maxListeners: 10 });
  });

  test("unsupported builtins import, and calling them throws an error naming the function and the module", async () => {
    const body = await get("unsupported");
    assert.equal(body.fs, "[atoll] fs.readFileSync is not supported: node:fs is not supported by Atoll's nodejs_compat.");
    assert.match(body.child_process, /^\[atoll\] child_process\.spawn is not supported: node:child_process is not supported/);
    assert.match(body.test, /^\[atoll\] test is not supported/);
  });

  test("a /promises variant of an unsupported builtin is unsupported as its module is", async () => {
    const body = await get("unsupported");
    assert.equal(body.inspector, "[atoll] inspector.Session is not supported: node:inspector is not supported by Atoll's nodejs_compat.");
    assert.equal(
      body.inspectorPromises,
      "[atoll] inspectorPromises.Session is not supported: node:inspector/promises is not supported by Atoll's nodejs_compat.",
    );
    // unenv's readline stubs do nothing rather than throw; the bare name imports in v2 as node:readline does.
    assert.equal(body.readlinePromises, "function");
  });
});

describe("without nodejs_compat", () => {
  test("there is no Buffer, process, global or setImmediate, and node:* imports do not load", async () => {
    const dev = await startWorker({
      files: {
        "index.js": `export default { fetch() { return Response.json([typeof Buffer, typeof process, typeof global, typeof setImmediate, typeof require, typeof globalThis[Symbol.for("atoll.node")]]); } };\n`,
      },
    });
    try {
      assert.deepEqual(await (await fetch(dev.url)).json(), ["undefined", "undefined", "undefined", "undefined", "undefined", "undefined"]);
    } finally {
      await dev.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
    writeProject(dir, {
      "wrangler.toml": `name = "w"\nmain = "index.js"\ncompatibility_date = "2025-06-01"\n`,
      "index.js": `import { Buffer } from "node:buffer";\nexport default { fetch() { return new Response(Buffer.from("x")); } };\n`,
    });
    try {
      const { code, output } = await runDevExpectingFailure(dir, ["-c", join(dir, "wrangler.toml")]);
      assert.notEqual(code, 0);
      assert.match(output, /No such module "node:buffer"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("nodejs_compat before 2024-09-23 (v1)", () => {
  test("node: imports work, but there are no Node globals and process.env stays empty", async () => {
    const dev = await startWorker({
      toml: `name = "v1"\nmain = "index.js"\ncompatibility_date = "2024-09-01"\ncompatibility_flags = ["nodejs_compat"]\n[vars]\nA = "a"\n`,
      files: {
        "index.js": `import { Buffer } from "node:buffer";\nimport process from "node:process";\nexport default { fetch() { return Response.json([Buffer.from("hi").toString("hex"), typeof globalThis.Buffer, typeof globalThis.process, process.env.A ?? null]); } };\n`,
      },
    });
    try {
      assert.deepEqual(await (await fetch(dev.url)).json(), ["6869", "undefined", "undefined", null]);
    } finally {
      await dev.stop();
    }
  });

  test("a bare builtin name is not a builtin in v1 (as with wrangler, the build fails)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
    writeProject(dir, {
      "wrangler.toml": `name = "v1"\nmain = "index.js"\ncompatibility_date = "2024-09-01"\ncompatibility_flags = ["nodejs_compat"]\n`,
      "index.js": `import { Buffer } from "buffer";\nexport default { fetch() { return new Response(Buffer.from("x")); } };\n`,
    });
    try {
      const { code, output } = await runDevExpectingFailure(dir, ["-c", join(dir, "wrangler.toml")]);
      assert.notEqual(code, 0);
      assert.match(output, /Could not resolve "buffer"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
