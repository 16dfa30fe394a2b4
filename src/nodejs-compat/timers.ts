// node:timers: the global timers (looked up at call time, so AsyncLocalStorage's context follows
// them), and setImmediate/clearImmediate as a zero-delay timer (a macrotask, as in Node).
import promises from "./timers-promises.ts";

type Callback = (...args: unknown[]) => void;
const g = globalThis as unknown as {
  setTimeout(cb: Callback, ms?: number, ...args: unknown[]): number;
  clearTimeout(id: unknown): void;
  setInterval(cb: Callback, ms?: number, ...args: unknown[]): number;
  clearInterval(id: unknown): void;
};

export class Immediate {
  _id: number;
  _onImmediate: Callback;
  constructor(callback: Callback, args: unknown[]) {
    this._onImmediate = callback;
    this._id = g.setTimeout(callback, 0, ...args);
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  [Symbol.dispose](): void {
    g.clearTimeout(this._id);
  }
}

export function setImmediate(callback: Callback, ...args: unknown[]): Immediate {
  if (typeof callback !== "function") throw new TypeError('The "callback" argument must be of type function.');
  return new Immediate(callback, args);
}

export function clearImmediate(immediate: unknown): void {
  if (immediate instanceof Immediate) g.clearTimeout(immediate._id);
}

export function setTimeout(callback: Callback, ms?: number, ...args: unknown[]): number {
  return g.setTimeout(callback, ms, ...args);
}
export function clearTimeout(id: unknown): void {
  g.clearTimeout(id);
}
export function setInterval(callback: Callback, ms?: number, ...args: unknown[]): number {
  return g.setInterval(callback, ms, ...args);
}
export function clearInterval(id: unknown): void {
  g.clearInterval(id);
}
export { promises };

export default { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, promises };
