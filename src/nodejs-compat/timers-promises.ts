// node:timers/promises, on the global timers.

interface Options {
  signal?: AbortSignal;
  ref?: boolean;
}

function abortError(signal: AbortSignal): Error {
  const error = new Error("The operation was aborted", { cause: signal.reason });
  error.name = "AbortError";
  (error as Error & { code: string }).code = "ABORT_ERR";
  return error;
}

export function setTimeout<T = void>(delay?: number, value?: T, options: Options = {}): Promise<T> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      globalThis.clearTimeout(id);
      reject(abortError(signal!));
    };
    const id = globalThis.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(value as T);
    }, delay);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function setImmediate<T = void>(value?: T, options: Options = {}): Promise<T> {
  return setTimeout(0, value, options);
}

export async function* setInterval<T = void>(delay?: number, value?: T, options: Options = {}): AsyncGenerator<T> {
  for (;;) yield await setTimeout(delay, value, options);
}

export const scheduler = {
  wait(delay: number, options?: Options): Promise<void> {
    return setTimeout(delay, undefined, options);
  },
  yield(): Promise<void> {
    return setTimeout(0);
  },
};

export default { setTimeout, setImmediate, setInterval, scheduler };
