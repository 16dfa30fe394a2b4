// node:buffer: unenv's Buffer (a port of the `buffer` package), plus what unenv leaves out.
import unenvBuffer, { Buffer } from "unenv/node/buffer";

export * from "unenv/node/buffer";

export function isUtf8(input: ArrayBuffer | ArrayBufferView): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(input);
    return true;
  } catch {
    return false;
  }
}

export function isAscii(input: ArrayBuffer | ArrayBufferView): boolean {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  for (const b of bytes) if (b > 0x7f) return false;
  return true;
}

export default { ...unenvBuffer, Buffer, isUtf8, isAscii };
