// The context AsyncLocalStorage (node:async_hooks, src/nodejs-compat/async_hooks.ts) reads. V8's
// promise hooks and continuation-preserved embedder data are out of reach through isolated-vm, so
// the context is a plain variable, carried by hand:
// - the current frame is swapped in and out synchronously around every callback that runs "later";
// - with propagation installed (only for workers whose bundle uses AsyncLocalStorage), the callbacks
//   of Promise.prototype.then (and so catch/finally, queueMicrotask, and the `await` of code the
//   bundler lowered to generators), setTimeout and setInterval are bound, when they are registered,
//   to the frame current then;
// - every inbound event (request, timer, host-call result…) starts from the empty frame
//   (resetAsyncContext in src/prelude/index.ts), so nothing leaks from one request to another.
// A native `await` (code that was not lowered: the prelude itself, a no_bundle worker) resumes
// without the frame, because V8 schedules it without calling `then`.
import type { AsyncFrame } from "../nodejs-compat/internal.ts";

let current: AsyncFrame;

export function currentFrame(): AsyncFrame {
  return current;
}

export function runInFrame<R>(frame: AsyncFrame, fn: (...args: any[]) => R, thisArg: unknown, args: unknown[]): R {
  const previous = current;
  current = frame;
  try {
    return Reflect.apply(fn, thisArg, args);
  } finally {
    current = previous;
  }
}

/** enterWith: the frame stays current until the callback that is running returns. */
export function enterFrame(frame: AsyncFrame): void {
  current = frame;
}

/** Each inbound event starts from the empty context. */
export function resetAsyncContext(): void {
  current = undefined;
}

let propagating = false;

export function asyncContextPropagates(): boolean {
  return propagating;
}

function bind1<A, R>(frame: AsyncFrame, fn: (this: unknown, a: A) => R): (this: unknown, a: A) => R {
  return function (this: unknown, a: A): R {
    const previous = current;
    current = frame;
    try {
      return fn.call(this, a);
    } finally {
      current = previous;
    }
  };
}

function bindAll(frame: AsyncFrame, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]): unknown {
    const previous = current;
    current = frame;
    try {
      return Reflect.apply(fn, this, args);
    } finally {
      current = previous;
    }
  };
}

/**
 * Makes promise reactions, timers and microtasks run in the context they were scheduled in.
 * Called once per isolate at init, before the worker's modules are evaluated.
 */
export function installAsyncContextPropagation(global: Record<string, unknown>): void {
  if (propagating) return;
  propagating = true;
  const proto = Promise.prototype as unknown as { then: (onFulfilled?: unknown, onRejected?: unknown) => Promise<unknown> };
  const originalThen = proto.then;
  Object.defineProperty(proto, "then", {
    configurable: true,
    writable: true,
    enumerable: false,
    value: {
      then(this: Promise<unknown>, onFulfilled?: unknown, onRejected?: unknown) {
        const frame = current;
        return originalThen.call(
          this,
          typeof onFulfilled === "function" ? bind1(frame, onFulfilled as (a: unknown) => unknown) : onFulfilled,
          typeof onRejected === "function" ? bind1(frame, onRejected as (a: unknown) => unknown) : onRejected,
        );
      },
    }.then,
  });
  for (const name of ["setTimeout", "setInterval"]) {
    const original = global[name] as (callback: unknown, ...rest: unknown[]) => unknown;
    const wrapped = {
      [name](callback: unknown, ...rest: unknown[]) {
        return original(typeof callback === "function" ? bindAll(current, callback as (...a: unknown[]) => unknown) : callback, ...rest);
      },
    }[name];
    Object.defineProperty(global, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
  }
  // queueMicrotask (src/prelude/web/microtask.ts) goes through Promise.prototype.then: it is covered.
}
