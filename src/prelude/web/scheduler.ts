// Cloudflare's `scheduler.wait(ms, { signal })` (a promise-returning setTimeout) and the
// `origin` global ("null": a Worker's origin is opaque). Uses the global setTimeout at call time.
import type { AbortSignal } from "./abort.ts";

export class Scheduler {
  wait(delay: number, options?: { signal?: AbortSignal }): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const g = globalThis as { setTimeout?: (cb: () => void, ms: number) => unknown; clearTimeout?: (id: unknown) => void };
    if (typeof g.setTimeout !== "function") return Promise.reject(new TypeError("scheduler.wait() requires setTimeout"));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        g.clearTimeout?.(id);
        reject(signal!.reason);
      };
      const id = g.setTimeout!(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Number(delay) || 0);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
Object.defineProperty(Scheduler.prototype, Symbol.toStringTag, { value: "Scheduler", configurable: true });

export const scheduler = new Scheduler();
export const origin = "null";
