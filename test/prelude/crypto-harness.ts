// A stand-alone harness for the prelude's crypto module: bundles src/prelude/crypto (as the real
// prelude is bundled) into an isolated-vm isolate wired to the real host side
// (src/runtime/host-crypto.ts, a real HandleTable), and emulates the bridge loop for async host
// calls: run the check, drain the outbox, run each `call` on the host, settle it in the isolate,
// repeat until the check settles. Run node with --no-node-snapshot.
import { noSockets } from "../support/no-sockets.ts";
import ivm from "isolated-vm";
import { bundlePreludePart } from "../support/bundle-prelude-part.ts";
import type { OutboundMessage } from "../../src/protocol/bridge.ts";
import { cryptoHostFunctions, cryptoHostSyncFunctions } from "../../src/runtime/host-crypto.ts";
import { HandleTable, type HostCallContext } from "../../src/runtime/host-functions.ts";
import { serializeHostError } from "../../src/runtime/serialize-error.ts";


let bundlePromise: Promise<string> | undefined;

/** The crypto module bundled the way the prelude is (iife, platform neutral), plus test helpers. */
export function bundleCrypto(): Promise<string> {
  bundlePromise ??= bundlePreludePart(
      `
          import { cryptoGlobals } from "./src/prelude/crypto/index.ts";
          import { drainOutbox, settleCall, installHostSync } from "./src/prelude/bridge.ts";
          import { DOMException } from "./src/prelude/web/dom-exception.ts";
          import { WritableStream } from "web-streams-polyfill";
          installHostSync((fn, args) => globalThis.__atollHostSync(fn, args));
          const define = (values) => {
            for (const [k, v] of Object.entries(values))
              Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true, enumerable: false });
          };
          define({ DOMException, WritableStream });
          define(cryptoGlobals);
          const hex = (b) => Array.from(new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength), (x) => x.toString(16).padStart(2, "0")).join("");
          const fromHex = (s) => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
          const utf8 = (s) => new Uint8Array(Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0)));
          const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
          function b64url(s) {
            const out = [];
            let bits = 0, acc = 0;
            for (const c of s.replace(/=+$/, "")) { acc = ((acc << 6) | B64URL.indexOf(c)) & 0xffff; bits += 6; if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); } }
            return new Uint8Array(out);
          }
          async function errorOf(p) {
            try { await (typeof p === "function" ? p() : p); return null; }
            catch (e) { return { name: e?.name, message: e?.message, dom: e instanceof DOMException, type: e?.constructor?.name }; }
          }
          function syncErrorOf(f) {
            try { f(); return null; }
            catch (e) { return { name: e?.name, message: e?.message, dom: e instanceof DOMException, type: e?.constructor?.name }; }
          }
          define({ __harness: { drainOutbox, settleCall }, hex, fromHex, utf8, b64url, errorOf, syncErrorOf });
        `,
      "crypto-harness-entry.ts",
    );
  return bundlePromise;
}

export interface CryptoIsolate {
  /** Evaluates `body` as the body of an async function in the isolate; the result comes back as JSON. */
  run<T = unknown>(body: string): Promise<T>;
  /** The isolate's host handle table (keys, digest streams). */
  handles: HandleTable;
  /** Names of the host functions called so far. */
  calls: string[];
  dispose(): void;
}

type Call = Extract<OutboundMessage, { t: "call" }>;

export async function createCryptoIsolate(): Promise<CryptoIsolate> {
  const code = await bundleCrypto();
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const handles = new HandleTable();
  const abort = new AbortController();
  const calls: string[] = [];

  await context.global.set(
    "__atollHostSync",
    new ivm.Callback((fn: string, args: unknown[]) => {
      try {
        const f = cryptoHostSyncFunctions[fn];
        if (!f) throw new TypeError(`Atoll host function "${fn}" is not available.`);
        return f(...args);
      } catch (error) {
        throw new Error("__atoll:" + JSON.stringify(serializeHostError(error)));
      }
    }),
  );
  await context.eval(code);

  async function hostCall(m: Call) {
    calls.push(m.fn);
    const ctx: HostCallContext = { worker: "test", requestId: m.id, handles, countSubrequest() {}, signal: abort.signal, attachSocket: noSockets };
    try {
      const f = cryptoHostFunctions[m.fn];
      if (!f) throw new TypeError(`Atoll host function "${m.fn}" is not available.`);
      return { t: "ret" as const, cid: m.cid, ok: true as const, value: await f(ctx, ...m.args) };
    } catch (error) {
      return { t: "ret" as const, cid: m.cid, ok: false as const, error: serializeHostError(error) };
    }
  }

  async function run<T>(body: string): Promise<T> {
    await context.eval(`
      globalThis.__done = undefined;
      (async () => { ${body} })().then(
        (v) => { globalThis.__done = { ok: true, json: JSON.stringify(v === undefined ? null : v) }; },
        (e) => { globalThis.__done = { ok: false, json: JSON.stringify({ name: e?.name, message: e?.message, stack: e?.stack }) }; });
    `);
    for (let idle = 0; idle < 3; ) {
      const done = (await context.evalClosure(`return globalThis.__done;`, [], { result: { copy: true } })) as
        | { ok: boolean; json: string }
        | undefined;
      if (done) {
        if (!done.ok) throw new Error(`isolate check failed: ${done.json}`);
        return JSON.parse(done.json) as T;
      }
      const out = (await context.evalClosure(`return __harness.drainOutbox();`, [], { result: { copy: true } })) as OutboundMessage[];
      const rets = await Promise.all(out.filter((m): m is Call => m.t === "call").map(hostCall));
      if (rets.length === 0) idle++;
      for (const ret of rets) {
        await context.evalClosure(`__harness.settleCall($0);`, [ret], { arguments: { copy: true } });
      }
    }
    throw new Error("isolate check is stuck: no host calls pending and the check has not settled");
  }

  return {
    run,
    handles,
    calls,
    dispose() {
      abort.abort();
      handles.clear();
      isolate.dispose();
    },
  };
}
