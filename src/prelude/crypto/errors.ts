// Error helpers for the isolate side of Web Crypto. DOMException is a global installed by the
// prelude's web module; it is looked up when an error is made, not when this module loads.

type DOMExceptionCtor = new (message: string, name: string) => Error;

/** A DOMException with the given name (an Error with that name if no DOMException exists yet). */
export function domException(message: string, name: string): Error {
  const Ctor = (globalThis as { DOMException?: DOMExceptionCtor }).DOMException;
  if (typeof Ctor === "function") return new Ctor(message, name);
  const err = new Error(message);
  err.name = name;
  return err;
}

/** True for a DOMException (or the stand-in made above when none exists). */
export function isDOMException(e: unknown): boolean {
  const Ctor = (globalThis as { DOMException?: DOMExceptionCtor }).DOMException;
  return typeof Ctor === "function" && e instanceof Ctor;
}

/**
 * Host WebCrypto throws DOMException("...", "SyntaxError") for bad key usages; the generic bridge
 * revives a serialized "SyntaxError" as the JS SyntaxError. No SubtleCrypto operation throws a
 * JS SyntaxError, so turn any we get back from the host into the DOMException it was.
 */
export function reviveHostCryptoError(e: unknown): unknown {
  if (e instanceof SyntaxError && !isDOMException(e)) return domException(e.message, "SyntaxError");
  return e;
}
