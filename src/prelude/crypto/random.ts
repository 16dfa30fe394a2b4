// crypto.getRandomValues and crypto.randomUUID: randomness comes from the host, one synchronous
// call per use (no pool: a pool filled before a snapshot would be shared by every isolate).
import { callHostSync } from "../bridge.ts";
import { domException } from "./errors.ts";

const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)!.get as (this: unknown) => string | undefined;

const INTEGER_TYPES = new Set([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "BigInt64Array",
  "BigUint64Array",
]);

export const MAX_RANDOM_BYTES = 65536;

/** `n` random bytes from the host (n <= 65536). */
export function randomBytes(n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  const ab = callHostSync("crypto.randomBytes", [n]) as ArrayBuffer;
  const bytes = new Uint8Array(ab);
  if (bytes.byteLength !== n) throw new Error("crypto.randomBytes returned the wrong length");
  return bytes;
}

export function getRandomValues<T extends ArrayBufferView>(array: T): T {
  if (!ArrayBuffer.isView(array)) {
    throw new TypeError(
      "Failed to execute 'getRandomValues' on 'Crypto': parameter 1 is not of type 'ArrayBufferView'.",
    );
  }
  const kind = typedArrayTag.call(array);
  if (kind === undefined || !INTEGER_TYPES.has(kind)) {
    throw domException(
      "ArrayBufferView argument to getRandomValues() must be an integer-typed view.",
      "TypeMismatchError",
    );
  }
  const size = array.byteLength;
  if (size > MAX_RANDOM_BYTES) {
    throw domException(
      `getRandomValues() only accepts buffers of size <= 64K but provided ${size} bytes.`,
      "QuotaExceededError",
    );
  }
  new Uint8Array(array.buffer, array.byteOffset, size).set(randomBytes(size));
  return array;
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i + 0x100).toString(16).slice(1));

/** A version 4 UUID, lower case, as RFC 9562 lays it out. */
export function randomUUID(): string {
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = (i: number) => HEX[b[i]];
  return (
    h(0) + h(1) + h(2) + h(3) + "-" + h(4) + h(5) + "-" + h(6) + h(7) + "-" + h(8) + h(9) + "-" +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  );
}
