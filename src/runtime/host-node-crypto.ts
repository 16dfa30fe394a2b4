// The host side of node:crypto for nodejs_compat workers (isolate side: src/nodejs-compat/crypto.ts).
// Hashes, HMACs and ciphers are Node's own objects kept in the calling isolate's HandleTable, so
// update() streams and nothing is reimplemented; the isolate holds their handle numbers.
//   node.crypto.hashNew(algorithm, hmacKey | null) -> handle     hashUpdate(handle, bytes)
//   node.crypto.hashDigest(handle) -> bytes (closes it)          hashCopy(handle) -> handle
//   node.crypto.cipherNew(decipher, algorithm, key, iv, authTagLength) -> handle
//   node.crypto.cipherUpdate(handle, bytes) -> bytes             cipherFinal(handle) -> bytes
//   node.crypto.cipherSetAAD / cipherSetAuthTag / cipherGetAuthTag / cipherSetAutoPadding / free
//   node.crypto.pbkdf2Sync / scryptSync / hkdfSync -> bytes      (and pbkdf2 / scrypt, asynchronous)
// They are synchronous (the Node API is) and run on the host thread, so the costly ones are
// bounded: PBKDF2 iterations as Cloudflare bounds them, scrypt's memory to Node's default.
import crypto from "node:crypto";
import type { HandleTable, HostCallContext, HostFunctionTable, HostSyncContext, HostSyncFunctionTable } from "./host-functions.ts";
import { PBKDF2_MAX_ITERATIONS } from "./host-crypto.ts";
import { AES_CIPHER_ALIASES, AES_CIPHERS, type ScryptOptions } from "../protocol/node-crypto.ts";

/** Open hashes and ciphers per isolate (a worker that never digests must not grow the host forever). */
export const MAX_OPEN_HANDLES = 10_000;
/** Node's default scrypt maxmem; larger requests are refused rather than given host memory. */
const SCRYPT_MAX_MEM = 32 * 1024 * 1024;
const MAX_DERIVED_BYTES = 1024 * 1024;

/** The ciphers the isolate may use: the ones getCiphers() lists there, and their aliases. */
const CIPHERS = new Set([...AES_CIPHERS, ...AES_CIPHER_ALIASES]);

class HashEntry {
  readonly hash: crypto.Hash | crypto.Hmac;
  constructor(hash: crypto.Hash | crypto.Hmac) {
    this.hash = hash;
  }
}

class CipherEntry {
  readonly cipher: crypto.CipherGCM | crypto.DecipherGCM | crypto.Cipheriv | crypto.Decipheriv;
  constructor(cipher: CipherEntry["cipher"]) {
    this.cipher = cipher;
  }
}

const openCounts = new WeakMap<HandleTable, number>();

function addHandle(handles: HandleTable, value: HashEntry | CipherEntry): number {
  const open = openCounts.get(handles) ?? 0;
  if (open >= MAX_OPEN_HANDLES) {
    throw new RangeError(`Too many open hashes and ciphers (${MAX_OPEN_HANDLES}): call digest() or final() on the ones you are done with.`);
  }
  openCounts.set(handles, open + 1);
  return handles.add(value, () => openCounts.set(handles, (openCounts.get(handles) ?? 1) - 1));
}

function entry<T>(handles: HandleTable, handle: unknown, type: new (...args: any[]) => T, what: string): T {
  const value = typeof handle === "number" ? handles.get(handle) : undefined;
  if (!(value instanceof type)) throw new Error(`${what} is no longer usable (already finalized).`);
  return value;
}

function bytes(value: unknown, what: string): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${what} must be bytes.`);
}

function out(buffer: Uint8Array): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

function checkPbkdf2(iterations: unknown, keylen: unknown): void {
  if (typeof iterations === "number" && iterations > PBKDF2_MAX_ITERATIONS) {
    throw new RangeError(`Pbkdf2 failed: iteration counts above ${PBKDF2_MAX_ITERATIONS} are not supported (requested ${iterations}).`);
  }
  if (typeof keylen === "number" && keylen > MAX_DERIVED_BYTES) throw new RangeError(`keylen must be at most ${MAX_DERIVED_BYTES}.`);
}

function scryptOptions(options: ScryptOptions | undefined, keylen: unknown): crypto.ScryptOptions {
  if (typeof keylen === "number" && keylen > MAX_DERIVED_BYTES) throw new RangeError(`keylen must be at most ${MAX_DERIVED_BYTES}.`);
  const o = options ?? {};
  const result: crypto.ScryptOptions = { maxmem: Math.min(o.maxmem ?? SCRYPT_MAX_MEM, SCRYPT_MAX_MEM) };
  const N = o.N ?? o.cost;
  const r = o.r ?? o.blockSize;
  const p = o.p ?? o.parallelization;
  if (N !== undefined) result.N = N;
  if (r !== undefined) result.r = r;
  if (p !== undefined) {
    // p multiplies the work without the memory bound noticing it.
    if (p > 16) throw new RangeError("scrypt parallelization above 16 is not supported.");
    result.p = p;
  }
  return result;
}

export const nodeCryptoHostSyncFunctions: HostSyncFunctionTable = {
  "node.crypto.hashNew"(this: HostSyncContext, algorithm: string, hmacKey: ArrayBuffer | null) {
    const hash = hmacKey === null ? crypto.createHash(String(algorithm)) : crypto.createHmac(String(algorithm), bytes(hmacKey, "key"));
    return addHandle(this.handles, new HashEntry(hash));
  },
  "node.crypto.hashUpdate"(this: HostSyncContext, handle: number, data: ArrayBuffer) {
    entry(this.handles, handle, HashEntry, "Hash").hash.update(bytes(data, "data"));
  },
  "node.crypto.hashDigest"(this: HostSyncContext, handle: number) {
    const { hash } = entry(this.handles, handle, HashEntry, "Hash");
    this.handles.delete(handle);
    return out(hash.digest());
  },
  "node.crypto.hashCopy"(this: HostSyncContext, handle: number) {
    const { hash } = entry(this.handles, handle, HashEntry, "Hash");
    return addHandle(this.handles, new HashEntry((hash as crypto.Hash).copy()));
  },
  "node.crypto.hash"(algorithm: string, data: ArrayBuffer) {
    return out(crypto.createHash(String(algorithm)).update(bytes(data, "data")).digest());
  },
  "node.crypto.cipherNew"(this: HostSyncContext, decipher: boolean, algorithm: string, key: ArrayBuffer, iv: ArrayBuffer | null, authTagLength: number | null) {
    const name = String(algorithm).toLowerCase();
    if (!CIPHERS.has(name)) throw new Error(`Unsupported cipher algorithm: ${algorithm} (Atoll supports ${AES_CIPHERS.join(", ")}).`);
    const options = authTagLength === null ? undefined : { authTagLength };
    const k = bytes(key, "key");
    const i = iv === null ? null : bytes(iv, "iv");
    const cipher = decipher
      ? crypto.createDecipheriv(name as crypto.CipherGCMTypes, k, i, options as crypto.CipherGCMOptions)
      : crypto.createCipheriv(name as crypto.CipherGCMTypes, k, i, options as crypto.CipherGCMOptions);
    return addHandle(this.handles, new CipherEntry(cipher));
  },
  "node.crypto.cipherUpdate"(this: HostSyncContext, handle: number, data: ArrayBuffer) {
    return out(entry(this.handles, handle, CipherEntry, "Cipher").cipher.update(bytes(data, "data")));
  },
  "node.crypto.cipherFinal"(this: HostSyncContext, handle: number) {
    // Kept open: an encrypting GCM cipher still answers getAuthTag(); the isolate frees it.
    return out(entry(this.handles, handle, CipherEntry, "Cipher").cipher.final());
  },
  "node.crypto.cipherSetAAD"(this: HostSyncContext, handle: number, aad: ArrayBuffer, plaintextLength: number | null) {
    const { cipher } = entry(this.handles, handle, CipherEntry, "Cipher");
    (cipher as crypto.CipherGCM).setAAD(bytes(aad, "buffer"), plaintextLength === null ? undefined : { plaintextLength });
  },
  "node.crypto.cipherSetAuthTag"(this: HostSyncContext, handle: number, tag: ArrayBuffer) {
    const { cipher } = entry(this.handles, handle, CipherEntry, "Decipher");
    if (typeof (cipher as crypto.DecipherGCM).setAuthTag !== "function") throw new TypeError("setAuthTag is only for decipher objects of authenticated modes.");
    (cipher as crypto.DecipherGCM).setAuthTag(bytes(tag, "buffer"));
  },
  "node.crypto.cipherGetAuthTag"(this: HostSyncContext, handle: number) {
    const { cipher } = entry(this.handles, handle, CipherEntry, "Cipher");
    if (typeof (cipher as crypto.CipherGCM).getAuthTag !== "function") throw new TypeError("getAuthTag is only for cipher objects of authenticated modes.");
    return out((cipher as crypto.CipherGCM).getAuthTag());
  },
  "node.crypto.cipherSetAutoPadding"(this: HostSyncContext, handle: number, padding: boolean) {
    entry(this.handles, handle, CipherEntry, "Cipher").cipher.setAutoPadding(padding);
  },
  "node.crypto.free"(this: HostSyncContext, handle: number) {
    const value = this.handles.get(handle);
    if (value instanceof HashEntry || value instanceof CipherEntry) this.handles.delete(handle);
  },
  "node.crypto.pbkdf2Sync"(password: ArrayBuffer, salt: ArrayBuffer, iterations: number, keylen: number, digest: string) {
    checkPbkdf2(iterations, keylen);
    return out(crypto.pbkdf2Sync(bytes(password, "password"), bytes(salt, "salt"), iterations, keylen, digest));
  },
  "node.crypto.scryptSync"(password: ArrayBuffer, salt: ArrayBuffer, keylen: number, options: ScryptOptions | undefined) {
    return out(crypto.scryptSync(bytes(password, "password"), bytes(salt, "salt"), keylen, scryptOptions(options, keylen)));
  },
  "node.crypto.hkdfSync"(digest: string, ikm: ArrayBuffer, salt: ArrayBuffer, info: ArrayBuffer, keylen: number) {
    return crypto.hkdfSync(digest, bytes(ikm, "ikm"), bytes(salt, "salt"), bytes(info, "info"), keylen);
  },
};

/** The callback forms of the costly derivations run on Node's thread pool, not the host thread. */
export const nodeCryptoHostFunctions: HostFunctionTable = {
  "node.crypto.pbkdf2"(_ctx: HostCallContext, password: ArrayBuffer, salt: ArrayBuffer, iterations: number, keylen: number, digest: string) {
    checkPbkdf2(iterations, keylen);
    return new Promise<ArrayBuffer>((resolve, reject) =>
      crypto.pbkdf2(bytes(password, "password"), bytes(salt, "salt"), iterations, keylen, digest, (error, key) => (error ? reject(error) : resolve(out(key)))),
    );
  },
  "node.crypto.scrypt"(_ctx: HostCallContext, password: ArrayBuffer, salt: ArrayBuffer, keylen: number, options: ScryptOptions | undefined) {
    const opts = scryptOptions(options, keylen);
    return new Promise<ArrayBuffer>((resolve, reject) =>
      crypto.scrypt(bytes(password, "password"), bytes(salt, "salt"), keylen, opts, (error, key) => (error ? reject(error) : resolve(out(key)))),
    );
  },
};
