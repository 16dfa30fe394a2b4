// AsyncResource: runs callbacks in the AsyncLocalStorage context it was created in.
import { atollNode } from "./internal.ts";
import type { AsyncFrame } from "./internal.ts";

let nextAsyncId = 1;

export class AsyncResource {
  readonly #frame: AsyncFrame;
  readonly #asyncId = nextAsyncId++;
  readonly #triggerAsyncId: number;
  readonly type: string;

  constructor(type: string, options?: number | { triggerAsyncId?: number }) {
    if (typeof type !== "string") throw new TypeError('The "type" argument must be of type string.');
    this.type = type;
    this.#frame = atollNode().asyncContext.current();
    this.#triggerAsyncId = typeof options === "number" ? options : (options?.triggerAsyncId ?? 0);
  }

  runInAsyncScope<R>(fn: (...args: any[]) => R, thisArg?: unknown, ...args: unknown[]): R {
    return atollNode().asyncContext.run(this.#frame, fn, thisArg, args);
  }

  bind<F extends (...args: any[]) => unknown>(fn: F, thisArg?: unknown): F & { asyncResource: AsyncResource } {
    if (typeof fn !== "function") throw new TypeError('The "fn" argument must be of type function.');
    const resource = this;
    const bound = function (this: unknown, ...args: unknown[]) {
      return resource.runInAsyncScope(fn, thisArg === undefined ? this : thisArg, ...args);
    };
    Object.defineProperties(bound, {
      length: { configurable: true, enumerable: false, value: fn.length, writable: false },
      asyncResource: { configurable: true, enumerable: true, value: this, writable: true },
    });
    return bound as unknown as F & { asyncResource: AsyncResource };
  }

  static bind<F extends (...args: any[]) => unknown>(fn: F, type?: string, thisArg?: unknown): F & { asyncResource: AsyncResource } {
    return new AsyncResource(type ?? (fn.name || "bound-anonymous-fn")).bind(fn, thisArg);
  }

  emitDestroy(): this {
    return this;
  }

  asyncId(): number {
    return this.#asyncId;
  }

  triggerAsyncId(): number {
    return this.#triggerAsyncId;
  }
}
