// structuredClone, navigator, performance, self, and the host side (src/runtime/host-web.ts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createWebIsolate, type WebIsolate } from "./web-harness.ts";
import { webHostSyncFunctions } from "../../src/runtime/host-web.ts";

let w: WebIsolate;
before(async () => {
  w = await createWebIsolate();
});
after(() => w.dispose());

test("structuredClone: Map, Set, Date, RegExp, typed arrays, cycles, errors", async () => {
  const r = await w.run(`
    const obj = { m: new Map([["k", { d: new Date(5) }]]), s: new Set([1, "2"]), re: /a+/gi, u8: new Uint8Array([1, 2, 3]).subarray(1), big: 10n, nested: [1, [2, { x: undefined }]] };
    obj.self = obj;
    const c = structuredClone(obj);
    const err = structuredClone(new RangeError("bad"));
    return [c !== obj, c.self === c, c.m instanceof Map, c.m.get("k").d instanceof Date, c.m.get("k").d.getTime(), c.m.get("k") !== obj.m.get("k"),
      c.s instanceof Set, [...c.s], c.re instanceof RegExp, c.re.source, c.re.flags, c.u8 instanceof Uint8Array, [...c.u8], c.u8.byteOffset, typeof c.big,
      "x" in c.nested[1][1], err instanceof RangeError, err.message, structuredClone("str"), structuredClone(null), structuredClone(undefined) === undefined];
  `);
  assert.deepEqual(r, [true, true, true, true, 5, true, true, [1, "2"], true, "a+", "gi", true, [2, 3], 1, "bigint", true, true, "bad", "str", null, true]);
});

test("structuredClone: functions and symbols throw DataCloneError; transfer detaches ArrayBuffers", async () => {
  const r = await w.run(`
    const out = [];
    for (const v of [() => 1, Symbol("s"), { f() {} }]) { try { structuredClone(v); out.push("no error"); } catch (e) { out.push(e.name + ":" + (e instanceof DOMException)); } }
    const buf = new Uint8Array([1, 2, 3]).buffer;
    const c = structuredClone({ buf }, { transfer: [buf] });
    out.push(buf.byteLength, c.buf.byteLength, [...new Uint8Array(c.buf)]);
    try { structuredClone(1, { transfer: [buf] }); } catch (e) { out.push(e.name); }
    try { structuredClone(1, { transfer: [{}] }); } catch (e) { out.push(e.name); }
    return out;
  `);
  assert.deepEqual(r, ["DataCloneError:true", "DataCloneError:true", "DataCloneError:true", 0, 3, [1, 2, 3], "DataCloneError", "DataCloneError"]);
});

test("navigator, performance, self", async () => {
  const r = await w.run(`
    const t0 = Date.now();
    const now = performance.now();
    const mark = performance.mark("m1");
    const measure = performance.measure("span", "m1");
    let illegal; try { new Navigator(); } catch (e) { illegal = e.constructor.name; }
    return [navigator.userAgent, navigator.hardwareConcurrency, navigator.language, performance.timeOrigin, Math.abs(now - t0) < 1000, self === globalThis,
      mark.entryType, measure.entryType, performance.getEntriesByName("m1").length, illegal, performance instanceof EventTarget, Object.prototype.toString.call(navigator)];
  `);
  assert.deepEqual(r, ["Cloudflare-Workers", 1, "en", 0, true, true, "mark", "measure", 1, "TypeError", true, "[object Navigator]"]);
});

test("every documented global is installed and non-enumerable", async () => {
  const names = [
    "ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ReadableByteStreamController", "ReadableStreamDefaultController",
    "WritableStream", "WritableStreamDefaultWriter", "TransformStream", "ByteLengthQueuingStrategy", "CountQueuingStrategy", "IdentityTransformStream",
    "FixedLengthStream", "TextEncoderStream", "TextDecoderStream", "TextEncoder", "TextDecoder", "atob", "btoa", "DOMException", "Event", "EventTarget",
    "CustomEvent", "AbortController", "AbortSignal", "URL", "URLSearchParams", "URLPattern", "queueMicrotask", "structuredClone", "navigator",
    "performance", "self", "ErrorEvent", "MessageEvent", "CloseEvent", "PromiseRejectionEvent", "scheduler", "origin", "reportError", "Navigator",
    "ReadableStreamBYOBRequest", "TransformStreamDefaultController", "WritableStreamDefaultController",
  ];
  const r = await w.run<[string, string, boolean][]>(`return ${JSON.stringify(names)}.map((n) => [n, typeof globalThis[n], Object.keys(globalThis).includes(n)]);`);
  for (const [n, type, enumerable] of r) {
    assert.notEqual(type, "undefined", n);
    assert.equal(enumerable, false, n);
  }
});

test("host: encoding.supports / encoding.decode / structuredClone", () => {
  const f = webHostSyncFunctions;
  assert.equal(f["encoding.supports"]("SJIS"), "shift_jis");
  assert.equal(f["encoding.supports"]("nope"), null);
  assert.equal(f["encoding.supports"]("replacement"), null);
  const sjis = new Uint8Array([0x82, 0xa0, 0x82]).buffer;
  assert.equal(f["encoding.decode"]("shift_jis", sjis, false, false), "あ\ufffd");
  assert.deepEqual(f["encoding.decode"]("shift_jis", sjis, false, false, true), ["あ", 1]);
  assert.throws(() => f["encoding.decode"]("shift_jis", sjis, true, false), (e: Error) => e.message === '__atoll:{"name":"TypeError","message":"Failed to decode input."}');
  assert.throws(() => f["encoding.decode"]("bogus", sjis, false, false), (e: Error) => e.message.startsWith('__atoll:{"name":"RangeError"'));
  const v = { a: 1 };
  assert.equal(f.structuredClone(v), v);
});

test("the web bundle can be baked into a V8 startup snapshot and works after restore", async () => {
  const ivm = (await import("isolated-vm")).default;
  const { bundleWeb } = await import("./web-harness.ts");
  const used = new Map<boolean, number>();
  for (const aliases of [true, false]) {
    const snapshot = ivm.Isolate.createSnapshot([{ code: await bundleWeb(aliases), filename: "prelude-web.js" }]);
    const isolate = new ivm.Isolate({ snapshot, memoryLimit: 128 });
    try {
      const context = await isolate.createContext();
      const r = await context.eval(`[new URL("http://EXAMPLE.com/?é").href, new TextDecoder().decode(new TextEncoder().encode("ok")), typeof ReadableStream, String(new DOMException("m", "AbortError")),
        typeof SharedArrayBuffer === "undefined" || String(SharedArrayBuffer).includes("[native code]")].join("|")`);
      assert.equal(r, "http://example.com/?%C3%A9|ok|function|AbortError: m|true");
      used.set(aliases, isolate.getHeapStatisticsSync().used_heap_size);
    } finally {
      isolate.dispose();
    }
  }
  // The url-shims keep the per-isolate heap small: real tr46 alone adds ≈2.2 MB. Compared with
  // and without them in the same process, so garbage not yet collected does not decide it.
  const saved = used.get(false)! - used.get(true)!;
  assert.ok(saved > 1_500_000, `the url-shims saved only ${saved} bytes of heap (${used.get(true)} vs ${used.get(false)})`);
});
