// structuredClone: the value crosses to the host and back; isolated-vm's copy is V8's
// serializer, i.e. a real structured clone (Map, Set, Date, RegExp, typed arrays, cycles...).
// `transfer` is honoured for ArrayBuffers: the clone gets the bytes and the originals are detached.
import { callHostSync } from "../bridge.ts";
import { DOMException } from "./dom-exception.ts";

export function structuredClone<T>(value: T, options?: { transfer?: unknown[] }): T {
  if (arguments.length === 0)
    throw new TypeError("Failed to execute 'structuredClone' on 'ServiceWorkerGlobalScope': 1 argument required, but only 0 present.");
  const transfer = options?.transfer === undefined ? [] : [...(options.transfer as Iterable<unknown>)];
  const seen = new Set<unknown>();
  for (const t of transfer) {
    if (!(t instanceof ArrayBuffer)) throw new DOMException("Value not transferable", "DataCloneError");
    if (seen.has(t)) throw new DOMException("ArrayBuffer at index is a duplicate of an earlier ArrayBuffer.", "DataCloneError");
    if ((t as ArrayBuffer & { detached?: boolean }).detached) throw new DOMException("An ArrayBuffer is detached and could not be cloned.", "DataCloneError");
    seen.add(t);
  }
  let out: T;
  if (value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol")) out = value;
  else {
    if (typeof value === "function" || typeof value === "symbol")
      throw new DOMException(`${typeof value === "symbol" ? "Symbol()" : String(value)} could not be cloned.`, "DataCloneError");
    try {
      out = callHostSync("structuredClone", [value]) as T;
    } catch (e) {
      if (e instanceof DOMException) throw e;
      throw new DOMException(e instanceof Error ? e.message : String(e), "DataCloneError");
    }
  }
  for (const t of transfer) (t as ArrayBuffer & { transfer(): ArrayBuffer }).transfer();
  return out;
}
