// Headers inside a real isolate (the bundled prelude fetch module).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createFetchIsolate, type FetchIsolate } from "./fetch-harness.ts";

let iso: FetchIsolate;
before(async () => {
  iso = await createFetchIsolate();
});
after(() => iso.dispose());

test("headers are case-insensitive, sorted, lower-cased and combined", async () => {
  const r = await iso.run(`
    const h = new Headers({ "X-B": "2", "a": " 1\\t" });
    h.append("x-b", "3");
    h.append("Set-Cookie", "s=1");
    h.append("set-cookie", "t=2");
    return {
      entries: [...h],
      keys: [...h.keys()],
      values: [...h.values()],
      get: h.get("X-b"),
      cookie: h.get("set-cookie"),
      setCookie: h.getSetCookie(),
      getAll: h.getAll("Set-Cookie"),
      has: [h.has("A"), h.has("nope")],
      missing: h.get("nope"),
      tag: Object.prototype.toString.call(h),
    };
  `);
  assert.deepEqual(r, {
    entries: [["a", "1"], ["set-cookie", "s=1"], ["set-cookie", "t=2"], ["x-b", "2, 3"]],
    keys: ["a", "set-cookie", "set-cookie", "x-b"],
    values: ["1", "s=1", "t=2", "2, 3"],
    get: "2, 3",
    cookie: "s=1, t=2",
    setCookie: ["s=1", "t=2"],
    getAll: ["s=1", "t=2"],
    has: [true, false],
    missing: null,
    tag: "[object Headers]",
  });
});

test("headers init from pairs, records and Headers; set and delete", async () => {
  const r = await iso.run(`
    const a = new Headers([["A", "1"], ["a", "2"], ["B", "3"]]);
    const b = new Headers(a);
    b.set("a", "x");
    b.delete("B");
    const seen = [];
    a.forEach(function (v, k, p) { seen.push([k, v, p === a, this.tag]); }, { tag: "T" });
    return { a: [...a], b: [...b], seen };
  `);
  assert.deepEqual(r, {
    a: [["a", "1, 2"], ["b", "3"]],
    b: [["a", "x"]],
    seen: [["a", "1, 2", true, "T"], ["b", "3", true, "T"]],
  });
});

test("headers validate names and values with workerd's messages", async () => {
  const r = await iso.run(`
    const errs = [];
    const t = (f) => { try { f(); errs.push("ok"); } catch (e) { errs.push(e.name + ": " + e.message); } };
    const h = new Headers();
    t(() => h.set("bad name", "x"));
    t(() => h.set("", "x"));
    t(() => h.append("x", "a\\nb"));
    t(() => h.append("x", "a\\u0000b"));
    t(() => h.get("bad:name"));
    t(() => h.getAll("x"));
    t(() => new Headers([["a"]]));
    t(() => new Headers(5));
    t(() => h.append("ok", "caf\\u00e9 \\u2603"));
    return { errs, value: h.get("ok") };
  `);
  assert.deepEqual(r, {
    errs: [
      "TypeError: Invalid header name.",
      "TypeError: Invalid header name.",
      "TypeError: Invalid header value.",
      "TypeError: Invalid header value.",
      "TypeError: Invalid header name.",
      'TypeError: getAll() can only be used with the header name "Set-Cookie".',
      "TypeError: To initialize a Headers object from a sequence, each inner sequence must have exactly two elements.",
      "TypeError: Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.",
      "ok",
    ],
    value: "café ☃",
  });
});

test("immutable headers: Response.redirect, Response.error, incoming requests", async () => {
  const r = await iso.run(`
    const msg = (f) => { try { f(); return "ok"; } catch (e) { return e.name + ": " + e.message; } };
    const redirect = Response.redirect("https://example.com/x", 301);
    const incoming = __fetchInternals.createIncomingRequest({
      method: "GET", url: "https://example.com/", headers: [["X-A", "1"]], body: null, cf: { colo: "LHR" },
    });
    const copy = new Request(incoming);
    const cloned = incoming.clone();
    return {
      redirect: msg(() => redirect.headers.set("a", "b")),
      error: msg(() => Response.error().headers.append("a", "b")),
      incoming: msg(() => incoming.headers.delete("x-a")),
      incomingValue: incoming.headers.get("x-a"),
      copy: msg(() => copy.headers.set("x-a", "2")),
      clone: msg(() => cloned.headers.set("x-a", "2")),
      fresh: msg(() => new Headers(redirect.headers).set("a", "b")),
    };
  `);
  assert.deepEqual(r, {
    redirect: "TypeError: Can't modify immutable headers.",
    error: "TypeError: Can't modify immutable headers.",
    incoming: "TypeError: Can't modify immutable headers.",
    incomingValue: "1",
    copy: "ok",
    clone: "TypeError: Can't modify immutable headers.",
    fresh: "ok",
  });
});
