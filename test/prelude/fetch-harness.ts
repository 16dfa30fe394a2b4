// A stand-alone harness for the prelude's Fetch API: bundles src/prelude/web + src/prelude/fetch
// + the isolate side of the bridge into one script (as the real prelude is bundled), runs it in a
// fresh isolated-vm isolate, and evaluates check scripts that return JSON. Host calls the
// scripts make (fetch.*, stream.*) are served by src/runtime/outbound-fetch.ts with a real
// HandleTable, the way the runtime drives an isolate: drain the outbox, run the calls, settle.
// Run node with --no-node-snapshot.
import { noSockets } from "../support/no-sockets.ts";
import ivm from "isolated-vm";
import { bundlePreludePart } from "../support/bundle-prelude-part.ts";
import { HandleTable, type HostCallContext, type HostFunctionTable } from "../../src/runtime/host-functions.ts";
import { webHostSyncFunctions } from "../../src/runtime/host-web.ts";
import { outboundFetchFunctions } from "../../src/runtime/outbound-fetch.ts";


let bundlePromise: Promise<string> | undefined;

export function bundleFetch(): Promise<string> {
  bundlePromise ??= bundlePreludePart(
      `
          import { webGlobals } from "./src/prelude/web/index.ts";
          import { fetchGlobals, bodyForTransmit, createIncomingRequest, responseHead } from "./src/prelude/fetch/index.ts";
          import { installHostSync, drainOutbox, settleCall } from "./src/prelude/bridge.ts";
          installHostSync((fn, args) => globalThis.__atollHostSync(fn, args));
          for (const [k, v] of Object.entries({ ...webGlobals, ...fetchGlobals }))
            Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true, enumerable: false });
          globalThis.__fetchInternals = { bodyForTransmit, createIncomingRequest, responseHead };
          globalThis.__drain = () => drainOutbox();
          globalThis.__settle = (ev) => settleCall(ev);
        `,
      "fetch-harness-entry.ts",
      { minifySyntax: true },
    );
  return bundlePromise;
}

export interface FetchIsolate {
  /** Evaluates `body` as an async function body; returns its value as JSON, serving host calls meanwhile. */
  run<T = unknown>(body: string): Promise<T>;
  /** Host calls made so far (function names). */
  calls: string[];
  /** Subrequests counted so far. */
  subrequests(): number;
  handles: HandleTable;
  dispose(): void;
}

export interface FetchIsolateOptions {
  hostFunctions?: HostFunctionTable;
  subrequestLimit?: number;
}

interface CallMessage {
  t: "call";
  cid: number;
  id: number;
  fn: string;
  args: unknown[];
}

export async function createFetchIsolate(options: FetchIsolateOptions = {}): Promise<FetchIsolate> {
  const code = await bundleFetch();
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  await context.global.set(
    "__atollHostSync",
    new ivm.Callback((fn: string, args: unknown[]) => {
      const f = webHostSyncFunctions[fn];
      if (!f) throw new Error(`unknown host function ${fn}`);
      return f(...args);
    }),
  );
  await context.eval(`globalThis.console = { log() {}, error() {}, warn() {} };`);
  await context.eval(code, { filename: "prelude-fetch.js" });
  const drain = (await context.global.get("__drain", { reference: true })) as ivm.Reference<() => unknown[]>;
  const settle = (await context.global.get("__settle", { reference: true })) as ivm.Reference<(ev: unknown) => void>;

  const table: HostFunctionTable = { ...outboundFetchFunctions, ...options.hostFunctions };
  const handles = new HandleTable();
  const abort = new AbortController();
  const calls: string[] = [];
  let subrequests = 0;
  let runId = 0;

  const ctxFor = (requestId: number): HostCallContext => ({
    worker: "test",
    requestId,
    handles,
    signal: abort.signal,
    attachSocket: noSockets,
    countSubrequest() {
      subrequests++;
      if (subrequests > (options.subrequestLimit ?? 50)) throw new Error("Too many subrequests.");
    },
  });

  return {
    calls,
    handles,
    subrequests: () => subrequests,
    async run<T>(body: string): Promise<T> {
      const key = `__run${++runId}`;
      await context.eval(
        `globalThis.${key} = { done: false };
         (async () => { ${body} })().then(
           (v) => { ${key}.done = true; ${key}.json = JSON.stringify(v === undefined ? null : v); },
           (e) => { ${key}.done = true; ${key}.error = e instanceof Error ? { name: e.name, message: e.message } : { name: "thrown", message: String(e) }; });`,
      );
      const pending = new Set<Promise<void>>();
      const deadline = Date.now() + 10_000;
      for (;;) {
        const messages = (await drain.apply(undefined, [], { result: { copy: true } })) as Array<{ t: string }>;
        for (const m of messages) {
          if (m.t !== "call") continue;
          const call = m as CallMessage;
          calls.push(call.fn);
          const p = (async () => {
            let ev: unknown;
            try {
              const fn = table[call.fn];
              if (!fn) throw new TypeError(`Atoll host function "${call.fn}" is not available.`);
              ev = { t: "ret", cid: call.cid, ok: true, value: await fn(ctxFor(call.id), ...call.args) };
            } catch (e) {
              const err = e as Error;
              ev = { t: "ret", cid: call.cid, ok: false, error: { name: err.name, message: err.message } };
            }
            await settle.apply(undefined, [ev], { arguments: { copy: true } });
          })();
          pending.add(p);
          p.finally(() => pending.delete(p));
        }
        const state = JSON.parse((await context.eval(`JSON.stringify(${key})`)) as string) as {
          done: boolean;
          json?: string;
          error?: { name: string; message: string };
        };
        if (state.done && pending.size === 0) {
          await context.eval(`delete globalThis.${key}`);
          if (state.error) {
            const e = new Error(state.error.message);
            e.name = state.error.name;
            throw e;
          }
          return JSON.parse(state.json!) as T;
        }
        if (Date.now() > deadline) throw new Error(`harness: script did not finish: ${body.slice(0, 200)}`);
        await Promise.race([...pending, new Promise((r) => setTimeout(r, 2))]);
      }
    },
    dispose() {
      abort.abort();
      handles.clear();
      if (!isolate.isDisposed) isolate.dispose();
    },
  };
}
