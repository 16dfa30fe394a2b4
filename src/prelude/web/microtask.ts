// queueMicrotask and reportError. Errors thrown by a microtask are reported, not propagated.
export function reportError(error: unknown): void {
  const c = (globalThis as { console?: { error?: (...a: unknown[]) => void } }).console;
  if (c?.error) c.error("Uncaught", error);
}

export function queueMicrotask(callback: () => void): void {
  if (typeof callback !== "function")
    throw new TypeError("Failed to execute 'queueMicrotask' on 'ServiceWorkerGlobalScope': parameter 1 is not of type 'Function'.");
  Promise.resolve().then(() => {
    try {
      callback();
    } catch (e) {
      reportError(e);
    }
  });
}
