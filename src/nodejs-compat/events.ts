// node:events: the `events` package (Node's EventEmitter as a plain constructor function, so the
// many libraries that do `EventEmitter.call(this)` work), completed with what newer Node added:
// on() and the other helpers of newer Node (unenv's port of them weighs 30 KB with its own emitter).
import EventEmitter from "events/";
import { AsyncResource } from "./async-resource.ts";

type Emitter = InstanceType<typeof EventEmitter>;

export const errorMonitor = Symbol.for("events.errorMonitor");
export const captureRejectionSymbol = Symbol.for("nodejs.rejection");
export const captureRejections = false;
export const usingDomains = false;
export const once = EventEmitter.once;
export { EventEmitter };

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("The operation was aborted", { cause: signal.reason }), { name: "AbortError", code: "ABORT_ERR" });
}

/** events.on(emitter, name[, { signal, close }]): an async iterator of each emission's arguments. */
export function on(emitter: Emitter, event: string | symbol, options: { signal?: AbortSignal; close?: (string | symbol)[] } = {}): AsyncIterableIterator<unknown[]> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const queue: unknown[][] = [];
  const waiting: { resolve(r: IteratorResult<unknown[]>): void; reject(e: unknown): void }[] = [];
  let error: unknown = null;
  let finished = false;
  const handler = (...args: unknown[]) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve({ value: args, done: false });
    else queue.push(args);
  };
  const finish = (err?: unknown) => {
    if (finished) return;
    finished = true;
    cleanup();
    if (err !== undefined) {
      const waiter = waiting.shift();
      if (waiter) waiter.reject(err);
      else error = err;
    }
    for (const waiter of waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
  };
  const onError = (err: unknown) => finish(err);
  const onClose = () => finish();
  const onAbort = () => finish(abortError(signal!));
  const cleanup = () => {
    emitter.removeListener(event, handler);
    emitter.removeListener("error", onError);
    for (const name of options.close ?? []) emitter.removeListener(name, onClose);
    signal?.removeEventListener("abort", onAbort);
  };
  emitter.on(event, handler);
  if (event !== "error") emitter.on("error", onError);
  for (const name of options.close ?? []) emitter.on(name, onClose);
  signal?.addEventListener("abort", onAbort, { once: true });
  return {
    next(): Promise<IteratorResult<unknown[]>> {
      const value = queue.shift();
      if (value) return Promise.resolve({ value, done: false });
      if (error !== null) {
        const err = error;
        error = null;
        return Promise.reject(err);
      }
      if (finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return(): Promise<IteratorResult<unknown[]>> {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err: unknown): Promise<IteratorResult<unknown[]>> {
      finish(err);
      return this.next();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

export function getEventListeners(target: Emitter | EventTarget, type: string | symbol): Function[] {
  return typeof (target as Emitter).listeners === "function" ? (target as Emitter).listeners(type) : [];
}

export function getMaxListeners(target: Emitter | EventTarget): number {
  return typeof (target as Emitter).getMaxListeners === "function" ? (target as Emitter).getMaxListeners() : EventEmitter.defaultMaxListeners;
}

export function addAbortListener(signal: AbortSignal, listener: (event?: Event) => void): Disposable {
  if (signal.aborted) queueMicrotask(() => listener());
  else signal.addEventListener("abort", listener, { once: true });
  return {
    [Symbol.dispose]() {
      signal.removeEventListener("abort", listener);
    },
  };
}

export function listenerCount(emitter: Emitter, type: string | symbol): number {
  return emitter.listenerCount(type);
}

export function setMaxListeners(n = 10, ...targets: unknown[]): void {
  if (targets.length === 0) {
    EventEmitter.defaultMaxListeners = n;
    return;
  }
  for (const target of targets) {
    if (typeof (target as Emitter).setMaxListeners === "function") (target as Emitter).setMaxListeners(n);
  }
}

/** An EventEmitter whose listeners run in the async context it was created in. */
export class EventEmitterAsyncResource extends EventEmitter {
  readonly #resource: AsyncResource;
  constructor(options: { name?: string; triggerAsyncId?: number; captureRejections?: boolean } = {}) {
    super(options);
    this.#resource = new AsyncResource(options.name ?? new.target.name, { triggerAsyncId: options.triggerAsyncId });
  }
  emit(event: string | symbol, ...args: unknown[]): boolean {
    return this.#resource.runInAsyncScope(super.emit, this, event, ...args);
  }
  emitDestroy(): void {
    this.#resource.emitDestroy();
  }
  get asyncResource(): AsyncResource {
    return this.#resource;
  }
  get asyncId(): number {
    return this.#resource.asyncId();
  }
  get triggerAsyncId(): number {
    return this.#resource.triggerAsyncId();
  }
}

Object.assign(EventEmitter, {
  errorMonitor,
  captureRejectionSymbol,
  captureRejections,
  usingDomains,
  on,
  getEventListeners,
  getMaxListeners,
  addAbortListener,
  setMaxListeners,
  EventEmitterAsyncResource,
});

export default EventEmitter;
