// The Crypto interface (the global `crypto`): getRandomValues, randomUUID, subtle, DigestStream.
import { DigestStream } from "./digest-stream.ts";
import { getRandomValues, randomUUID } from "./random.ts";
import { type SubtleCrypto, subtle } from "./subtle.ts";

const INTERNAL = Symbol("Crypto.internal");

export class Crypto {
  constructor(token?: unknown) {
    if (token !== INTERNAL) throw new TypeError("Illegal constructor");
  }
  get subtle(): SubtleCrypto {
    return subtle;
  }
  getRandomValues<T extends ArrayBufferView>(array: T): T {
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present.");
    }
    return getRandomValues(array);
  }
  randomUUID(): string {
    return randomUUID();
  }
  declare DigestStream: typeof DigestStream;
}
Object.defineProperty(Crypto.prototype, "DigestStream", { value: DigestStream, writable: true, configurable: true });
Object.defineProperty(Crypto.prototype, Symbol.toStringTag, { value: "Crypto", configurable: true });

export const crypto = new Crypto(INTERNAL);
