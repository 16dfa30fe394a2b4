// AbortController / AbortSignal (DOM standard; messages as in workerd).
import { DOMException } from "./dom-exception.ts";
import { Event, EventTarget, defineEventHandler, markTrusted, setAbortSignalCheck } from "./events.ts";

const illegal = Symbol("illegal constructor guard");

interface SignalState {
  aborted: boolean;
  reason: unknown;
  /** Signals created by AbortSignal.any() that follow this one (held weakly, as in the DOM spec). */
  dependents: Set<WeakRef<AbortSignal>>;
  /** Internal algorithms (e.g. stream pipe cancellation) run before the abort event. */
  algorithms: Set<() => void>;
}

const states = new WeakMap<object, SignalState>();
function state(self: unknown): SignalState {
  const s = typeof self === "object" && self !== null ? states.get(self) : undefined;
  if (!s) throw new TypeError("Illegal invocation");
  return s;
}

export class AbortSignal extends EventTarget {
  constructor(key?: unknown) {
    if (key !== illegal) throw new TypeError("Illegal constructor");
    super();
    states.set(this, { aborted: false, reason: undefined, dependents: new Set(), algorithms: new Set() });
  }
  get aborted(): boolean {
    return state(this).aborted;
  }
  get reason(): unknown {
    return state(this).reason;
  }
  throwIfAborted(): void {
    const s = state(this);
    if (s.aborted) throw s.reason;
  }
  declare onabort: ((this: AbortSignal, ev: Event) => unknown) | null;

  static abort(reason?: unknown): AbortSignal {
    const signal = new AbortSignal(illegal);
    const s = state(signal);
    s.aborted = true;
    s.reason = reason === undefined ? new DOMException("The operation was aborted", "AbortError") : reason;
    return signal;
  }

  static timeout(ms: number): AbortSignal {
    if (arguments.length === 0)
      throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': 1 argument required, but only 0 present.");
    const delay = Number(ms);
    if (!Number.isFinite(delay) || delay < 0 || delay > Number.MAX_SAFE_INTEGER)
      throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range.");
    const signal = new AbortSignal(illegal);
    const setTimeoutFn = (globalThis as { setTimeout?: (cb: () => void, ms: number) => unknown }).setTimeout;
    if (typeof setTimeoutFn !== "function") throw new TypeError("AbortSignal.timeout() requires setTimeout");
    setTimeoutFn(() => {
      signalAbort(signal, new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    }, Math.trunc(delay));
    return signal;
  }

  static any(signals: Iterable<AbortSignal>): AbortSignal {
    if (signals === null || signals === undefined || typeof (signals as Iterable<AbortSignal>)[Symbol.iterator] !== "function")
      throw new TypeError("Failed to execute 'any' on 'AbortSignal': The provided value cannot be converted to a sequence.");
    const list = [...signals];
    for (const s of list)
      if (!states.has(s as object))
        throw new TypeError("Failed to execute 'any' on 'AbortSignal': Failed to convert value to 'AbortSignal'.");
    const result = new AbortSignal(illegal);
    const rs = state(result);
    for (const s of list) {
      const ss = state(s);
      if (ss.aborted) {
        rs.aborted = true;
        rs.reason = ss.reason;
        return result;
      }
    }
    const ref = new WeakRef(result);
    for (const s of list) {
      const deps = state(s).dependents;
      if (deps.size >= 64) for (const r of deps) if (!r.deref()) deps.delete(r);
      deps.add(ref);
    }
    return result;
  }
}

defineEventHandler(AbortSignal.prototype, "abort");
setAbortSignalCheck((v) => typeof v === "object" && v !== null && states.has(v));

/** Runs `algorithm` when `signal` aborts (before its abort event); returns a remover. */
export function addAbortAlgorithm(signal: AbortSignal, algorithm: () => void): () => void {
  const s = state(signal);
  s.algorithms.add(algorithm);
  return () => s.algorithms.delete(algorithm);
}

/** Aborts `signal` with `reason` (DOM "signal abort"), including signals made by any(). */
export function signalAbort(signal: AbortSignal, reason?: unknown): void {
  const s = state(signal);
  if (s.aborted) return;
  s.aborted = true;
  s.reason = reason === undefined ? new DOMException("The operation was aborted", "AbortError") : reason;
  // Mark every (transitively) dependent signal first, then fire events (DOM "signal abort").
  const dependents: AbortSignal[] = [];
  const queue = [s];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const r of cur.dependents) {
      const d = r.deref();
      if (!d) continue;
      const ds = state(d);
      if (!ds.aborted) {
        ds.aborted = true;
        ds.reason = s.reason;
        dependents.push(d);
        queue.push(ds);
      }
    }
    cur.dependents.clear();
  }
  runAbortSteps(signal);
  for (const d of dependents) runAbortSteps(d);
}

function runAbortSteps(signal: AbortSignal): void {
  const s = state(signal);
  const algorithms = [...s.algorithms];
  s.algorithms.clear();
  for (const a of algorithms) a();
  const ev = new Event("abort");
  markTrusted(ev);
  signal.dispatchEvent(ev);
}

export class AbortController {
  #signal = new AbortSignal(illegal);
  get signal(): AbortSignal {
    return this.#signal;
  }
  abort(reason?: unknown): void {
    signalAbort(this.#signal, reason);
  }
}

for (const C of [AbortSignal, AbortController]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
}
