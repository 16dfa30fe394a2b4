// Finds the worker's handlers in its module: `export default { fetch }`, `export default class
// extends WorkerEntrypoint`, or the service-worker format (`addEventListener("fetch", ...)`).
import { WorkerEntrypoint } from "./cloudflare-workers.ts";

export interface WorkerHandlers {
  hasFetch: boolean;
  fetch(request: Request, ctx: unknown): Promise<unknown>;
}

type Listener = (event: unknown) => void;
const listeners = new Map<string, Listener[]>();

/** The service-worker format's global addEventListener / removeEventListener. */
export const serviceWorkerGlobals = {
  addEventListener(type: string, listener: Listener) {
    if (typeof listener !== "function") return;
    const list = listeners.get(type) ?? [];
    list.push(listener);
    listeners.set(type, list);
  },
  removeEventListener(type: string, listener: Listener) {
    const list = listeners.get(type);
    if (list) listeners.set(type, list.filter((l) => l !== listener));
  },
};

interface EventContext {
  waitUntil(p: unknown): void;
  passThroughOnException(): void;
}

class FetchEvent {
  readonly type = "fetch";
  readonly request: Request;
  #ctx: EventContext;
  #response: Promise<unknown> | undefined;
  constructor(request: Request, ctx: EventContext) {
    this.request = request;
    this.#ctx = ctx;
  }
  respondWith(response: unknown): void {
    if (this.#response) throw new Error("FetchEvent.respondWith() has already been called; it can only be called once.");
    this.#response = Promise.resolve(response);
  }
  waitUntil(promise: unknown): void {
    this.#ctx.waitUntil(promise);
  }
  passThroughOnException(): void {
    this.#ctx.passThroughOnException();
  }
  get responsePromise(): Promise<unknown> | undefined {
    return this.#response;
  }
}

export function resolveHandlers(namespace: Record<string, unknown>, env: Record<string, unknown>): WorkerHandlers {
  const entry = namespace.default;
  if (typeof entry === "function" && entry.prototype instanceof WorkerEntrypoint) {
    const Entry = entry as new (ctx: unknown, env: unknown) => { fetch?: (r: Request) => unknown };
    return {
      hasFetch: typeof Entry.prototype.fetch === "function",
      async fetch(request, ctx) {
        const instance = new Entry(ctx, env);
        if (typeof instance.fetch !== "function") throw noFetch();
        return instance.fetch(request);
      },
    };
  }
  if (entry && typeof entry === "object") {
    const handlers = entry as { fetch?: (r: Request, env: unknown, ctx: unknown) => unknown };
    return {
      hasFetch: typeof handlers.fetch === "function",
      async fetch(request, ctx) {
        if (typeof handlers.fetch !== "function") throw noFetch();
        return handlers.fetch(request, env, ctx);
      },
    };
  }
  return {
    get hasFetch() {
      return (listeners.get("fetch") ?? []).length > 0;
    },
    async fetch(request, ctx) {
      const list = listeners.get("fetch") ?? [];
      if (list.length === 0) throw noFetch();
      const event = new FetchEvent(request, ctx as EventContext);
      for (const l of list) l(event);
      const response = event.responsePromise;
      if (!response) throw new Error("No response: the fetch event listener did not call event.respondWith().");
      return response;
    },
  };
}

function noFetch(): Error {
  const e = new Error('Handler does not export a fetch() function. Add `export default { async fetch(request, env, ctx) { ... } }` to your worker.');
  e.name = "NoFetchHandler";
  return e;
}
