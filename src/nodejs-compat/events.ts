// node:events: the `events` package (Node's EventEmitter as a plain constructor function, so the
// many libraries that do `EventEmitter.call(this)` work), completed with what newer Node added:
// on() and the other helpers come from unenv's port of Node's code.
import EventEmitter from "events/";
import { addAbortListener, getEventListeners, getMaxListeners, on as unenvOn } from "unenv/node/events";
import { AsyncResource } from "./async-resource.ts";

type Emitter = InstanceType<typeof EventEmitter>;

export const errorMonitor = Symbol.for("events.errorMonitor");
export const captureRejectionSymbol = Symbol.for("nodejs.rejection");
export const captureRejections = false;
export const usingDomains = false;
export const once = EventEmitter.once;
export { EventEmitter, addAbortListener, getEventListeners, getMaxListeners };

/** events.on(); unenv's throws a plain Error on abort, Node an AbortError. */
export function on(emitter: Emitter, event: string | symbol, options?: { signal?: AbortSignal }): AsyncIterableIterator<unknown[]> {
  const iterator = unenvOn(emitter as never, event, options as never) as AsyncIterableIterator<unknown[]>;
  const signal = options?.signal;
  const asAbortError = (error: unknown): never => {
    if (signal?.aborted && error instanceof Error && error.name === "Error") Object.assign(error, { name: "AbortError", code: "ABORT_ERR" });
    throw error;
  };
  return {
    next: () => iterator.next().catch(asAbortError),
    return: (value?: unknown) => iterator.return!(value),
    throw: (error?: unknown) => iterator.throw!(error),
    [Symbol.asyncIterator]() {
      return this;
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
