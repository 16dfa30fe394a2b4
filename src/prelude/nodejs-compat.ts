// nodejs_compat inside the isolate. The Node modules themselves are polyfills bundled into the
// worker (src/nodejs-compat/); the prelude only lends them what they cannot have otherwise (the
// host bridge, the async context, async intrinsics, process.env), under Symbol.for("atoll.node"), and
// only for workers that have the flag: other workers see no trace of it.
import type { AtollNodeApi } from "../nodejs-compat/internal.ts";
import { callHost, callHostSync } from "./bridge.ts";
import type { BindingDescriptor } from "./env.ts";
import { asyncContextPropagates, currentFrame, enterFrame, installAsyncContextPropagation, runInFrame } from "./async-context.ts";

/** What the host says about nodejs_compat at init (src/runtime/worker-bundle.ts, NodejsCompatRuntime). */
export interface NodejsCompatSetup {
  /** Fill process.env from text vars and secrets (nodejs_compat_populate_process_env). */
  processEnv: boolean;
  /** The bundle uses AsyncLocalStorage: carry its context through promises and timers. */
  asyncContext: boolean;
}

export function setupNodejsCompat(setup: NodejsCompatSetup, bindings: BindingDescriptor[], global: Record<string | symbol, unknown>): void {
  if (setup.asyncContext) installAsyncContextPropagation(global as Record<string, unknown>);
  const env: Record<string, string> = {};
  if (setup.processEnv) {
    for (const b of bindings) {
      if (b.type !== "var") continue;
      const value = (b as { value: unknown }).value;
      env[b.name] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  // The polyfills run as the worker's own code: they may reach the node.* host functions only.
  const only = (fn: string) => {
    if (!fn.startsWith("node.")) throw new TypeError(`Atoll host function "${fn}" is not available.`);
  };
  const api: AtollNodeApi = {
    callHostSync: (fn, args) => (only(fn), callHostSync(fn, args)),
    callHost: (fn, args) => (only(fn), callHost(fn, args)),
    env,
    intrinsics: {
      AsyncFunction: Object.getPrototypeOf(async function () {}).constructor,
      AsyncGeneratorFunction: Object.getPrototypeOf(async function* () {}).constructor,
      AsyncIteratorPrototype: Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype),
    },
    asyncContext: {
      get propagates() {
        return asyncContextPropagates();
      },
      current: currentFrame,
      run: runInFrame,
      enter: enterFrame,
    },
  };
  Object.defineProperty(global, Symbol.for("atoll.node"), { value: Object.freeze(api), configurable: false, enumerable: false, writable: false });
}
