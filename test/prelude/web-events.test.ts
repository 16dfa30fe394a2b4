// Event, EventTarget, CustomEvent, AbortController/AbortSignal, DOMException, queueMicrotask.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createWebIsolate, type WebIsolate } from "./web-harness.ts";

let w: WebIsolate;
before(async () => {
  w = await createWebIsolate();
});
after(() => w.dispose());

test("DOMException: name, message, legacy codes, constants, Error-ness", async () => {
  const r = await w.run(`
    const e = new DOMException("boom", "AbortError");
    const d = new DOMException();
    const c = new DOMException("m", { name: "DataCloneError", cause: 42 });
    return [e.name, e.message, e.code, e instanceof Error, String(e), Object.prototype.toString.call(e), typeof e.stack,
      d.name, d.message, d.code, DOMException.ABORT_ERR, DOMException.prototype.INVALID_CHARACTER_ERR, new DOMException("x", "SyntaxError").code,
      new DOMException("x", "NotAllowedError").code, c.name, c.code, c.cause, Object.keys(e).length, JSON.stringify(Object.getOwnPropertyNames(e))];
  `);
  assert.deepEqual(r, ["AbortError", "boom", 20, true, "AbortError: boom", "[object DOMException]", "string", "Error", "", 0, 20, 5, 12, 0, "DataCloneError", 25, 42, 0, '["stack"]']);
});

test("EventTarget: listeners, return value, preventDefault, passive", async () => {
  const r = await w.run(`
    const t = new EventTarget();
    const log = [];
    const f = (e) => { log.push("f:" + e.eventPhase + ":" + (e.target === t) + ":" + (e.currentTarget === t)); e.preventDefault(); };
    t.addEventListener("x", f);
    t.addEventListener("x", f); // duplicate ignored
    t.addEventListener("x", { handleEvent(e) { log.push("obj:" + (this !== t)); } });
    t.addEventListener("y", (e) => e.preventDefault(), { passive: true });
    const ev = new Event("x", { cancelable: true });
    const r1 = t.dispatchEvent(ev);
    const r2 = t.dispatchEvent(new Event("x"));
    const r3 = t.dispatchEvent(new Event("y", { cancelable: true }));
    return [log, r1, r2, r3, ev.defaultPrevented, ev.eventPhase, ev.currentTarget, ev.target === t, ev.composedPath().length, ev.isTrusted, typeof ev.timeStamp];
  `);
  assert.deepEqual(r, [["f:2:true:true", "obj:true", "f:2:true:true", "obj:true"], false, true, true, true, 0, null, true, 0, false, "number"]);
});

test("EventTarget: once, capture ordering, removal by capture flag", async () => {
  const r = await w.run(`
    const t = new EventTarget();
    const log = [];
    const a = () => log.push("a");
    t.addEventListener("x", () => log.push("once"), { once: true });
    t.addEventListener("x", a);
    t.addEventListener("x", () => log.push("capture"), true);
    t.addEventListener("x", a, { capture: true });
    t.dispatchEvent(new Event("x"));
    t.removeEventListener("x", a, true);
    t.dispatchEvent(new Event("x"));
    t.removeEventListener("x", a);
    t.dispatchEvent(new Event("x"));
    return log;
  `);
  assert.deepEqual(r, ["capture", "a", "once", "a", "capture", "a", "capture"]);
});

test("EventTarget: signal option removes listeners; aborted signal never adds", async () => {
  const r = await w.run(`
    const t = new EventTarget();
    const ac = new AbortController();
    let n = 0;
    t.addEventListener("x", () => n++, { signal: ac.signal });
    t.addEventListener("x", () => n += 100, { signal: AbortSignal.abort() });
    t.dispatchEvent(new Event("x"));
    ac.abort();
    t.dispatchEvent(new Event("x"));
    let err; try { t.addEventListener("x", () => {}, { signal: {} }); } catch (e) { err = e.constructor.name; }
    return [n, err];
  `);
  assert.deepEqual(r, [1, "TypeError"]);
});

test("EventTarget: stopImmediatePropagation, changes during dispatch, re-dispatch, throwing listener", async () => {
  const r = await w.run(`
    const t = new EventTarget();
    const log = [];
    const late = () => log.push("late");
    const removed = () => log.push("removed");
    t.addEventListener("x", () => { log.push(1); t.addEventListener("x", late); t.removeEventListener("x", removed); });
    t.addEventListener("x", removed);
    t.addEventListener("x", (e) => { log.push(2); e.stopImmediatePropagation(); });
    t.addEventListener("x", () => log.push(3));
    t.dispatchEvent(new Event("x"));
    const ev = new Event("re");
    let inner;
    t.addEventListener("re", () => { try { t.dispatchEvent(ev); } catch (e) { inner = e.name; } });
    t.dispatchEvent(ev);
    t.addEventListener("boom", () => { throw new Error("listener failed"); });
    t.addEventListener("boom", () => log.push("after-boom"));
    let thrown; try { t.dispatchEvent(new Event("boom")); } catch (e) { thrown = e.message; }
    let notEvent; try { t.dispatchEvent({ type: "x" }); } catch (e) { notEvent = e.constructor.name; }
    return [log, inner, thrown, notEvent];
  `);
  assert.deepEqual(r, [[1, 2], "InvalidStateError", "listener failed", "TypeError"]);
});

test("Event and CustomEvent: init, constants, subclassing EventTarget", async () => {
  const r = await w.run(`
    class Emitter extends EventTarget { fire() { return this.dispatchEvent(new CustomEvent("ping", { detail: { n: 1 }, cancelable: true })); } }
    const em = new Emitter();
    let detail;
    em.addEventListener("ping", (e) => { detail = e.detail; });
    em.fire();
    const e = new Event("t", { bubbles: true, cancelable: true, composed: true });
    let noArg; try { new Event(); } catch (x) { noArg = x.constructor.name; }
    return [detail, e.type, e.bubbles, e.cancelable, e.composed, Event.AT_TARGET, e.BUBBLING_PHASE, new CustomEvent("c").detail,
      new CustomEvent("c") instanceof Event, noArg, Object.prototype.toString.call(em), new ErrorEvent("error", { message: "m", error: 1 }).message];
  `);
  assert.deepEqual(r, [{ n: 1 }, "t", true, true, true, 2, 3, null, true, "TypeError", "[object EventTarget]", "m"]);
});

test("AbortController: reason, abort event once, onabort, throwIfAborted", async () => {
  const r = await w.run(`
    const ac = new AbortController();
    const s = ac.signal;
    const log = [];
    s.onabort = (e) => log.push("onabort:" + e.type + ":" + e.isTrusted);
    s.addEventListener("abort", () => log.push("listener:" + s.aborted));
    const before = [s.aborted, s.reason];
    s.throwIfAborted();
    ac.abort();
    ac.abort("again");
    let thrown; try { s.throwIfAborted(); } catch (e) { thrown = e; }
    const custom = new AbortController(); custom.abort("why");
    let ctor; try { new AbortSignal(); } catch (e) { ctor = e.constructor.name; }
    return [before, log, s.reason.name, s.reason.message, s.reason instanceof DOMException, thrown === s.reason, custom.signal.reason,
      AbortSignal.abort().reason.name, AbortSignal.abort(0).reason, ctor, s instanceof EventTarget, typeof s.onabort];
  `);
  assert.deepEqual(r, [
    [false, null],
    ["onabort:abort:true", "listener:true"],
    "AbortError",
    "The operation was aborted",
    true,
    true,
    "why",
    "AbortError",
    0,
    "TypeError",
    true,
    "function",
  ]);
});

test("AbortSignal.any: follows the first source to abort, flattens, handles edge cases", async () => {
  const r = await w.run(`
    const a = new AbortController(), b = new AbortController();
    const any = AbortSignal.any([a.signal, b.signal]);
    const nested = AbortSignal.any([any]);
    const log = [];
    any.addEventListener("abort", () => log.push("any:" + any.reason));
    nested.addEventListener("abort", () => log.push("nested:" + nested.reason));
    b.abort("b-reason");
    a.abort("a-reason");
    const pre = AbortSignal.any([new AbortController().signal, AbortSignal.abort("pre")]);
    const empty = AbortSignal.any([]);
    let bad; try { AbortSignal.any([{}]); } catch (e) { bad = e.constructor.name; }
    return [log, any.reason, nested.reason, pre.aborted, pre.reason, empty.aborted, bad];
  `);
  assert.deepEqual(r, [["any:b-reason", "nested:b-reason"], "b-reason", "b-reason", true, "pre", false, "TypeError"]);
});

test("AbortSignal.timeout uses the global setTimeout at call time and aborts with TimeoutError", async () => {
  const r = await w.run(`
    let err; try { AbortSignal.timeout(10); } catch (e) { err = e.message; }
    const timers = [];
    globalThis.setTimeout = (cb, ms) => { timers.push([cb, ms]); return timers.length; };
    try {
      const s = AbortSignal.timeout(25);
      const before = s.aborted;
      timers[0][0]();
      let neg; try { AbortSignal.timeout(-1); } catch (e) { neg = e.constructor.name; }
      return [err, before, timers[0][1], s.aborted, s.reason.name, s.reason.message, s.reason.code, neg];
    } finally { delete globalThis.setTimeout; }
  `);
  assert.deepEqual(r, ["AbortSignal.timeout() requires setTimeout", false, 25, true, "TimeoutError", "The operation was aborted due to timeout", 23, "TypeError"]);
});

test("queueMicrotask runs in order with promises; errors are reported, not thrown", async () => {
  const r = await w.run(`
    const log = [];
    queueMicrotask(() => log.push(1));
    Promise.resolve().then(() => log.push(2));
    queueMicrotask(() => { throw new Error("mt-fail"); });
    queueMicrotask(() => log.push(3));
    let bad; try { queueMicrotask(1); } catch (e) { bad = e.constructor.name; }
    await new Promise((r) => queueMicrotask(r));
    await null;
    return [log, bad];
  `);
  assert.deepEqual(r, [[1, 2, 3], "TypeError"]);
  const logs = await w.logs();
  assert.ok(logs.some((l) => l.includes("mt-fail")), JSON.stringify(logs));
});

test("MessageEvent, CloseEvent, PromiseRejectionEvent carry their init members", async () => {
  const r = await w.run(`
    const m = new MessageEvent("message", { data: { a: 1 } });
    const c = new CloseEvent("close", { code: 1000, reason: "bye", wasClean: true });
    const p = Promise.reject(1); p.catch(() => {});
    const pr = new PromiseRejectionEvent("unhandledrejection", { promise: p, reason: "why" });
    return [m.data, m.origin, m.ports.length, m instanceof Event, c.code, c.reason, c.wasClean, new CloseEvent("close").code, pr.promise === p, pr.reason];
  `);
  assert.deepEqual(r, [{ a: 1 }, "", 0, true, 1000, "bye", true, 0, true, "why"]);
});

test("scheduler.wait resolves through the global setTimeout and honours an AbortSignal", async () => {
  const r = await w.run(`
    const timers = [];
    globalThis.setTimeout = (cb, ms) => { timers.push([cb, ms]); return timers.length; };
    globalThis.clearTimeout = (id) => { timers[id - 1][0] = null; };
    try {
      let done = false;
      const p = scheduler.wait(50).then(() => { done = true; });
      const before = done;
      timers[0][0](); await p;
      const ac = new AbortController();
      const q = scheduler.wait(10, { signal: ac.signal }).catch((e) => "rejected:" + e);
      ac.abort("stop");
      const pre = await scheduler.wait(1, { signal: AbortSignal.abort("early") }).catch((e) => e);
      return [before, done, timers[0][1], await q, timers[1][0], pre, origin];
    } finally { delete globalThis.setTimeout; delete globalThis.clearTimeout; }
  `);
  assert.deepEqual(r, [false, true, 50, "rejected:stop", null, "early", "null"]);
});
