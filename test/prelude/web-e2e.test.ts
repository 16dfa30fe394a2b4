// The web globals inside a real `atoll dev` worker (prelude snapshot, real host bridge and timers).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, type RunningDev } from "../support/worker.ts";

let dev: RunningDev;

const worker = `
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const checks = {};
    const run = async (name, fn) => { try { checks[name] = await fn(); } catch (e) { checks[name] = "THREW " + (e && e.name) + ": " + (e && e.message); } };
    await run("userAgent", () => navigator.userAgent);
    await run("url", () => new URL("../x?a=b c", "https://EXAMPLE.com/p/q").href);
    await run("query", () => url.searchParams.get("q"));
    await run("text", () => new TextDecoder().decode(new TextEncoder().encode("héllo €")));
    await run("legacy", () => new TextDecoder("shift_jis").decode(new Uint8Array([0x82, 0xa0])));
    await run("atob", () => atob(btoa("\\u00ff\\u0000x")) === "\\u00ff\\u0000x");
    await run("badAtob", () => { try { atob("*"); } catch (e) { return e.name + ":" + (e instanceof DOMException); } });
    await run("clone", () => { const m = structuredClone(new Map([[1, new Date(7)]])); return m.get(1).getTime(); });
    await run("timeout", async () => {
      const s = AbortSignal.timeout(20);
      await new Promise((r) => s.addEventListener("abort", r));
      return s.reason.name;
    });
    await run("any", () => { const c = new AbortController(); const s = AbortSignal.any([c.signal]); c.abort("r"); return s.reason; });
    await run("microtask", () => new Promise((r) => queueMicrotask(() => r("ran"))));
    await run("pattern", () => new URLPattern({ pathname: "/items/:id" }).exec(request.url)?.pathname.groups.id ?? null);
    await run("stream", async () => {
      const { readable, writable } = new TransformStream();
      const w = writable.getWriter();
      w.write("a"); w.write("b"); w.close();
      let s = ""; for await (const c of readable) s += c; return s;
    });
    await run("identity", async () => {
      const t = new FixedLengthStream(3);
      const w = t.writable.getWriter();
      w.write(new Uint8Array([1, 2, 3])); w.close();
      const r = t.readable.getReader({ mode: "byob" });
      const { value } = await r.read(new Uint8Array(8));
      return [...value];
    });
    await run("event", () => { const t = new EventTarget(); let n = 0; t.addEventListener("x", () => n++, { once: true }); t.dispatchEvent(new Event("x")); t.dispatchEvent(new Event("x")); return n; });
    await run("perf", () => performance.timeOrigin === 0 && Math.abs(performance.now() - Date.now()) < 1000);
    await run("self", () => self === globalThis);
    await run("scheduler", async () => { const t = Date.now(); await scheduler.wait(15); return Date.now() - t >= 10; });
    return new Response(JSON.stringify(checks), { headers: { "content-type": "application/json" } });
  },
};
`;

before(async () => {
  dev = await startWorker({ files: { "index.js": worker } });
});
after(async () => {
  await dev?.stop();
});

test("web globals work inside a real worker", async () => {
  const res = await fetch(`${dev.url}/items/42?q=hi%20there`);
  const body = await res.json();
  assert.deepEqual(body, {
    userAgent: "Cloudflare-Workers",
    url: "https://example.com/x?a=b%20c",
    query: "hi there",
    text: "héllo €",
    legacy: "あ",
    atob: true,
    badAtob: "InvalidCharacterError:true",
    clone: 7,
    timeout: "TimeoutError",
    any: "r",
    microtask: "ran",
    pattern: "42",
    stream: "ab",
    identity: [1, 2, 3],
    event: 1,
    perf: true,
    self: true,
    scheduler: true,
  });
});
