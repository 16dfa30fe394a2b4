// Turns an error thrown by a host function into the shape that crosses the bridge, keeping its
// type (TypeError, RangeError, DOMException names) so the isolate can re-raise the same kind.
// Host stacks are not sent: they name host files, which are none of the worker's business.
import type { SerializedError } from "../protocol/bridge.ts";

function isDOMException(e: unknown): e is DOMException {
  if (typeof DOMException !== "undefined" && e instanceof DOMException) return true;
  return Object.prototype.toString.call(e) === "[object DOMException]";
}

export function serializeHostError(e: unknown): SerializedError {
  if (isDOMException(e)) return { name: e.name, message: e.message, props: { domException: true } };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: "Error", message: String(e) };
}
