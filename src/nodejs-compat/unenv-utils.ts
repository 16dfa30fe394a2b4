// Stands in for unenv's runtime/_internal/utils.mjs (the bundler points unenv's imports of it here):
// the same helpers, with errors that say Atoll does not support the function, and which module.
// Also the stub for builtins that unenv has no module for.
import { UNSUPPORTED_MODULES } from "./unsupported-modules.ts";

/**
 * Unsupported modules by the name their stubs' functions go by: unenv names node:fs's "fs.*" but
 * node:inspector/promises's "inspectorPromises.*".
 */
const UNSUPPORTED_BY_STUB_NAME = new Map(UNSUPPORTED_MODULES.map((m) => [m.replace(/\/(\w)/g, (_, c: string) => c.toUpperCase()), m]));

/** "fs.readFileSync" → the error a worker gets for calling it. */
export function createNotImplementedError(name: string): Error {
  const qualified = name.replace(/^node:/, "");
  const module = UNSUPPORTED_BY_STUB_NAME.get(qualified.split(".")[0]);
  const why = module
    ? `node:${module} is not supported by Atoll's nodejs_compat`
    : "Atoll's nodejs_compat does not implement it";
  const error = new Error(`[atoll] ${qualified} is not supported: ${why}.`);
  (error as Error & { code: string }).code = "ERR_NOT_SUPPORTED";
  return error;
}

export function notImplemented(name: string): ((...args: unknown[]) => never) & { __unenv__: true } {
  const fn = () => {
    throw createNotImplementedError(name);
  };
  return Object.assign(fn, { __unenv__: true as const });
}

export function notImplementedAsync(name: string): ReturnType<typeof notImplemented> & { __promisify__: () => unknown; native: unknown } {
  const fn = notImplemented(name) as ReturnType<typeof notImplemented> & { __promisify__: () => unknown; native: unknown };
  fn.__promisify__ = () => notImplemented(name + ".__promisify__");
  fn.native = fn;
  return fn;
}

export function notImplementedClass(name: string): new (...args: unknown[]) => object {
  return class {
    __unenv__ = true;
    constructor() {
      throw createNotImplementedError(name);
    }
  };
}

export function rawHeaders(headers: Record<string, string | string[]>): string[] {
  const raw: string[] = [];
  for (const key in headers) {
    const value = headers[key];
    if (Array.isArray(value)) for (const h of value) raw.push(key, h);
    else raw.push(key, value);
  }
  return raw;
}

export function mergeFns(...functions: ((...args: unknown[]) => void)[]): (...args: unknown[]) => void {
  return function (...args: unknown[]) {
    for (const fn of functions) fn(...args);
  };
}

/**
 * A builtin nothing implements (node:test, node:sea…): importing it works, as with unenv's stubs,
 * and touching any of its functions throws an error naming it.
 */
export function unsupportedModule(name: string): object {
  const stub = (path: string): object =>
    new Proxy(
      function () {
        throw createNotImplementedError(path);
      },
      {
        get(_target, key) {
          if (typeof key === "symbol" || key === "then" || key === "__esModule") return undefined;
          if (key === "default") return stub(name);
          return stub(`${path}.${key}`);
        },
        construct() {
          throw createNotImplementedError(path);
        },
      },
    );
  return stub(name);
}
