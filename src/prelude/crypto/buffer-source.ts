// BufferSource (ArrayBuffer or any ArrayBufferView) handling: everything that crosses to the host
// is copied into a fresh ArrayBuffer at call time, so later writes by user code cannot race it.

const toStringTag = Object.prototype.toString;

export function isArrayBuffer(v: unknown): v is ArrayBuffer {
  if (v instanceof ArrayBuffer) return true;
  if (typeof v !== "object" || v === null) return false;
  const tag = toStringTag.call(v);
  return tag === "[object ArrayBuffer]" || tag === "[object SharedArrayBuffer]";
}

export function isBufferSource(v: unknown): v is ArrayBuffer | ArrayBufferView {
  return ArrayBuffer.isView(v) || isArrayBuffer(v);
}

/** A view of the bytes of `v` (no copy). */
export function bytesOf(v: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return new Uint8Array(v);
}

/** A fresh ArrayBuffer holding a copy of `v`; TypeError if `v` is not a BufferSource. */
export function copyBufferSource(v: unknown, what: string): ArrayBuffer {
  if (!isBufferSource(v)) {
    throw new TypeError(`${what} must be an ArrayBuffer or ArrayBufferView.`);
  }
  const src = bytesOf(v);
  const out = new ArrayBuffer(src.byteLength);
  new Uint8Array(out).set(src);
  return out;
}
