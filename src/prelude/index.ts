// The prelude: the Workers platform inside the isolate. Bundled by esbuild into one script that
// is baked into the isolate's startup snapshot. It installs the globals, then waits for the host
// to call __atollInit (bridge), __atollSetup (the worker's module and env) and __atollDispatch.
import { READY_SYMBOL, type InboundEvent, type OutboundMessage } from "../protocol/bridge.ts";
import { beginEntry, drainOutbox, installHostSync, serializeError, settleCall, setCurrentRequest, emit } from "./bridge.ts";
import { disallowCodeGeneration } from "./code-generation.ts";
import { cloudflareWorkersModule, env } from "./cloudflare-workers.ts";
import { console } from "./console.ts";
import { buildEnv, type BindingDescriptor } from "./env.ts";
import { cancelRequest, deliverBody, pullResponse, startFetch } from "./fetch-event.ts";
import { fetchGlobals } from "./fetch/index.ts";
import { cryptoGlobals } from "./crypto/index.ts";
import { resolveHandlers, serviceWorkerGlobals, type WorkerHandlers } from "./handlers.ts";
import { fireTimer, timerGlobals } from "./timers.ts";
import { webGlobals } from "./web/index.ts";
import { handleSocketEvent, WebSocket, WebSocketPair } from "./websocket.ts";
import { HTMLRewriter } from "./html-rewriter/index.ts";
import { socketsModule } from "./sockets.ts";
import { bindingGlobals } from "../bindings/isolate.ts";
import { resetAsyncContext } from "./async-context.ts";
import { setupNodejsCompat, type NodejsCompatSetup } from "./nodejs-compat.ts";

const global = globalThis as unknown as Record<string | symbol, unknown>;

function define(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

define(webGlobals);
define(fetchGlobals);
define(cryptoGlobals);
define(timerGlobals);
define(serviceWorkerGlobals);
define(bindingGlobals);
define({ console, self: globalThis, WebSocket, WebSocketPair });
define({ HTMLRewriter });

let handlers: WorkerHandlers | undefined;

export interface SetupOptions {
  bindings: BindingDescriptor[];
  /** Service-worker format: bindings are globals too. */
  serviceWorker: boolean;
  /** Set when the worker has nodejs_compat (see src/prelude/nodejs-compat.ts). */
  nodejsCompat?: NodejsCompatSetup | null;
}

function dispatch(events: InboundEvent[]): OutboundMessage[] {
  const out = beginEntry();
  let sole: number | undefined;
  for (const ev of events) {
    const id = "id" in ev ? ev.id : 0;
    sole = sole === undefined || sole === id ? id : 0;
    setCurrentRequest(id);
    resetAsyncContext();
    try {
      handle(ev);
    } catch (error) {
      emit({ t: "log", id, level: "error", text: `Uncaught ${serializeError(error).stack ?? String(error)}` });
    }
  }
  // Continuations run after this returns: they belong to the batch's request if there was one.
  setCurrentRequest(sole ?? 0);
  resetAsyncContext();
  return out;
}

function handle(ev: InboundEvent): void {
  switch (ev.t) {
    case "request":
      if (!handlers) throw new Error("worker not set up");
      startFetch(ev, handlers);
      return;
    case "ret":
      settleCall(ev);
      return;
    case "timer":
      fireTimer(ev.tid);
      return;
    case "pull":
      pullResponse(ev.id);
      return;
    case "body":
      deliverBody(ev);
      return;
    case "cancel":
      cancelRequest(ev.id);
      return;
    case "wsMessage":
    case "wsClosed":
      handleSocketEvent(ev);
      return;
    case "scheduled":
      return;
  }
}

// The host calls these once per isolate, in order, then deletes them from the global.
define({
  // Before the worker's modules are evaluated: `env` from cloudflare:workers is usable at top level.
  __atollInit(hostSync: (fn: string, args: unknown[]) => unknown, options: SetupOptions) {
    installHostSync(hostSync);
    buildEnv(options.bindings, env);
    if (options.serviceWorker) buildEnv(options.bindings, global as Record<string, unknown>);
    if (options.nodejsCompat) setupNodejsCompat(options.nodejsCompat, options.bindings, global);
    global[Symbol.for("atoll.cloudflare:workers")] = cloudflareWorkersModule;
    global[Symbol.for("atoll.cloudflare:sockets")] = socketsModule;
    // The host's loader module calls this once the worker's module (and its top-level await) is done.
    Object.defineProperty(global, Symbol.for(READY_SYMBOL), {
      configurable: true,
      value(namespace: Record<string, unknown>) {
        delete global[Symbol.for(READY_SYMBOL)];
        handlers = resolveHandlers(namespace, env);
        emit({ t: "ready" });
      },
    });
  },
  __atollDispatch: dispatch,
  // An entry whose microtasks left a promise rejection unhandled ends, in isolated-vm, by throwing
  // that rejection instead of returning: the host then takes that entry's messages with this.
  __atollRecover: drainOutbox,
  // Run only while the startup snapshot is made (see src/runtime/prelude-bundle.ts): one request
  // through the real path, so the snapshot carries compiled code for it and a worker's first
  // request does not pay for lazy compilation. Its effects are discarded with that heap.
  __atollWarmup() {
    const warm = resolveHandlers(
      {
        default: {
          fetch: async (request: Request) => {
            const url = new URL(request.url);
            url.searchParams.get("q");
            request.headers.get("accept");
            return new Response(`warm ${url.pathname}`, { headers: { "content-type": "text/plain" } });
          },
        },
      },
      {},
    );
    const headers: [string, string][] = [["accept", "*/*"], ["host", "warm.up"]];
    startFetch({ t: "request", id: -1, method: "GET", url: "http://warm.up/path?q=1", headers, cf: {}, body: null }, warm);
    startFetch({ t: "request", id: -2, method: "POST", url: "http://warm.up/json", headers, cf: {}, body: new TextEncoder().encode("{}").buffer }, {
      hasFetch: true,
      fetch: async (request: Request) => Response.json(await request.json()),
    });
  },
});

disallowCodeGeneration(globalThis);
