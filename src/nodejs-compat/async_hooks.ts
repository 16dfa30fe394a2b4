// node:async_hooks: AsyncLocalStorage on the prelude's async context (src/prelude/async-context.ts).
// The bundler lowers `async`/`await` to generators for workers that import this module, and the
// prelude binds promise callbacks and timers to the context they were scheduled in, so a store
// follows `await`, `.then`, setTimeout/setInterval, queueMicrotask and process.nextTick; each
// request starts with no store. createHook and the async id functions are inert, as in workerd.
import { atollNode, type AsyncFrame } from "./internal.ts";
import { AsyncResource } from "./async-resource.ts";
import { asyncWrapProviders, createHook, executionAsyncId, executionAsyncResource, triggerAsyncId } from "unenv/node/internal/async_hooks/async-hook";

export { AsyncResource, asyncWrapProviders, createHook, executionAsyncId, executionAsyncResource, triggerAsyncId };

function without(frame: AsyncFrame, key: object): AsyncFrame {
  if (!frame?.has(key)) return frame;
  const next = new Map(frame);
  next.delete(key);
  return next.size === 0 ? undefined : next;
}

function withStore(frame: AsyncFrame, key: object, store: unknown): AsyncFrame {
  const next = new Map(frame ?? []);
  next.set(key, store);
  return next;
}

export class AsyncLocalStorage<T> {
  readonly name: string;

  constructor(options: { name?: string; defaultValue?: T } = {}) {
    this.name = options.name ?? "";
  }

  /** A function that runs `fn` in the context current now (wherever it is called from). */
  static bind<F extends (...args: any[]) => unknown>(fn: F): F {
    return AsyncResource.bind(fn) as unknown as F;
  }

  /** Captures the current context: the returned function runs any callback in it. */
  static snapshot(): <R>(fn: (...args: any[]) => R, ...args: unknown[]) => R {
    const frame = atollNode().asyncContext.current();
    return (fn, ...args) => atollNode().asyncContext.run(frame, fn, undefined, args);
  }

  getStore(): T | undefined {
    return atollNode().asyncContext.current()?.get(this) as T | undefined;
  }

  run<R>(store: T, callback: (...args: any[]) => R, ...args: unknown[]): R {
    const context = atollNode().asyncContext;
    return context.run(withStore(context.current(), this, store), callback, undefined, args);
  }

  exit<R>(callback: (...args: any[]) => R, ...args: unknown[]): R {
    const context = atollNode().asyncContext;
    return context.run(without(context.current(), this), callback, undefined, args);
  }

  /** Sets the store for the rest of the current callback (and what it schedules). */
  enterWith(store: T): void {
    const context = atollNode().asyncContext;
    context.enter(withStore(context.current(), this, store));
  }

  /** Leaves the store for the rest of the current callback. */
  disable(): void {
    const context = atollNode().asyncContext;
    context.enter(without(context.current(), this));
  }
}

export default {
  AsyncLocalStorage,
  AsyncResource,
  asyncWrapProviders,
  createHook,
  executionAsyncId,
  executionAsyncResource,
  triggerAsyncId,
};
