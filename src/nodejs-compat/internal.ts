// What the prelude lends the Node polyfills. These modules are bundled INTO the user's worker (see
// src/bundler/nodejs-compat.ts) and cannot import the prelude, so when nodejs_compat is on the
// prelude sets `globalThis[Symbol.for("atoll.node")]` at init (src/prelude/index.ts) and they read
// it from there. The type is shared; the prelude imports it type-only.

/** An AsyncLocalStorage context: every storage's value, by storage. `undefined` is the empty one. */
export type AsyncFrame = ReadonlyMap<object, unknown> | undefined;

export interface AtollNodeApi {
  /** Calls a synchronous host function (src/runtime/host-node-crypto.ts); host errors are rethrown. */
  callHostSync(fn: string, args: unknown[]): unknown;
  /** Calls an asynchronous host function. */
  callHost(fn: string, args: unknown[]): Promise<unknown>;
  /** What `process.env` starts with: text vars and secrets when Cloudflare populates it, else nothing. */
  env: Record<string, string>;
  /**
   * Native async intrinsics. Workers that use AsyncLocalStorage have their async functions lowered
   * to generators, so `async function` syntax in the bundle no longer yields them.
   */
  intrinsics: { AsyncFunction: Function; AsyncGeneratorFunction: Function; AsyncIteratorPrototype: object };
  asyncContext: {
    /** True when promise callbacks, timers and microtasks carry the context (see src/prelude/async-context.ts). */
    readonly propagates: boolean;
    current(): AsyncFrame;
    /** Runs `fn` with `frame` as the current context, restoring the previous one after. */
    run<R>(frame: AsyncFrame, fn: (...args: any[]) => R, thisArg: unknown, args: unknown[]): R;
    /** Replaces the current context until the callback being run returns (enterWith). */
    enter(frame: AsyncFrame): void;
  };
}

export const API_SYMBOL = "atoll.node";

let api: AtollNodeApi | undefined;

/** The prelude's API; throws if the worker was loaded without nodejs_compat (it cannot happen when bundled by Atoll). */
export function atollNode(): AtollNodeApi {
  api ??= (globalThis as unknown as Record<symbol, AtollNodeApi | undefined>)[Symbol.for(API_SYMBOL)];
  if (!api) throw new Error("[atoll] Node.js compatibility is not set up in this isolate (is the nodejs_compat flag on?).");
  return api;
}
