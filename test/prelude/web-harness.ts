// A small stand-alone harness for the prelude's web module: bundles src/prelude/web into one
// script (as the real prelude is bundled), runs it in a fresh isolated-vm isolate with the host
// sync functions of src/runtime/host-web.ts, and evaluates check scripts that return JSON.
// Used until/alongside the end-to-end worker helper. Run node with --no-node-snapshot.
import ivm from "isolated-vm";
import { bundlePreludePart } from "../support/bundle-prelude-part.ts";
import { webHostSyncFunctions, webPreludeAliases } from "../../src/runtime/host-web.ts";


const bundles = new Map<boolean, Promise<string>>();

/**
 * The web module bundled the way the prelude is: iife, platform neutral, es2023; with the
 * url-shims aliases of host-web.ts unless `aliases` is false.
 */
export function bundleWeb(aliases = true): Promise<string> {
  let bundlePromise = bundles.get(aliases);
  bundlePromise ??= bundlePreludePart(
      `
          import { webGlobals } from "./src/prelude/web/index.ts";
          import { installHostSync } from "./src/prelude/bridge.ts";
          installHostSync((fn, args) => globalThis.__atollHostSync(fn, args));
          for (const [k, v] of Object.entries(webGlobals))
            Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true, enumerable: false });
        `,
      "web-harness-entry.ts",
      { conditions: ["worker", "browser"], alias: aliases ? webPreludeAliases : {} },
    );
  bundles.set(aliases, bundlePromise);
  return bundlePromise;
}

export interface WebIsolate {
  /** Evaluates `body` as the body of an async function; its return value comes back as JSON. */
  run<T = unknown>(body: string): Promise<T>;
  /** Console output captured in the isolate since the last call. */
  logs(): Promise<string[]>;
  dispose(): void;
}

export async function createWebIsolate(options: { aliases?: boolean } = {}): Promise<WebIsolate> {
  const code = await bundleWeb(options.aliases ?? true);
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const jail = context.global;
  await jail.set(
    "__atollHostSync",
    new ivm.Callback((fn: string, args: unknown[]) => {
      const f = webHostSyncFunctions[fn];
      if (!f) throw new Error(`unknown host function ${fn}`);
      return f(...args);
    }),
  );
  await context.eval(`
    globalThis.__logs = [];
    const fmt = (a) => a.map((x) => x instanceof Error ? x.name + ": " + x.message : typeof x === "string" ? x : JSON.stringify(x)).join(" ");
    globalThis.console = { log: (...a) => __logs.push(fmt(a)), error: (...a) => __logs.push(fmt(a)), warn: (...a) => __logs.push(fmt(a)) };
  `);
  await context.eval(code, { filename: "prelude-web.js" });
  return {
    async run<T>(body: string): Promise<T> {
      const json = await context.eval(`(async () => { ${body} })().then((v) => JSON.stringify(v === undefined ? null : v))`, {
        promise: true,
        timeout: 5000,
      });
      return JSON.parse(json as string) as T;
    },
    async logs() {
      return JSON.parse((await context.eval(`JSON.stringify(__logs.splice(0))`)) as string) as string[];
    },
    dispose() {
      if (!isolate.isDisposed) isolate.dispose();
    },
  };
}
