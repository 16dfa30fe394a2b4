// node:crypto for nodejs_compat workers. A JavaScript polyfill cannot be both correct and fast
// for hashes and ciphers, so the work is Node's own crypto on the host, reached synchronously
// (src/runtime/host-node-crypto.ts): hashes, HMACs and ciphers are host objects behind a handle, so
// update() streams. Randomness and webcrypto are the prelude's Web Crypto. Keys as KeyObjects,
// signatures, key pairs and Diffie-Hellman are not implemented (use crypto.subtle).
import { Buffer } from "node:buffer";
import { StringDecoder } from "node:string_decoder";
import { AES_CIPHERS, type ScryptOptions } from "../protocol/node-crypto.ts";
import { atollNode } from "./internal.ts";
import { notImplemented, notImplementedClass } from "./unenv-utils.ts";

type BinaryLike = string | ArrayBuffer | ArrayBufferView;
type Encoding = "utf8" | "utf-8" | "hex" | "base64" | "base64url" | "latin1" | "binary" | "ascii" | "ucs2" | "ucs-2" | "utf16le" | "utf-16le" | "buffer";
type Callback<T> = (error: Error | null, value?: T) => void;

function host(fn: string, ...args: unknown[]): unknown {
  return atollNode().callHostSync(`node.crypto.${fn}`, args);
}

function hostAsync(fn: string, ...args: unknown[]): Promise<unknown> {
  return atollNode().callHost(`node.crypto.${fn}`, args);
}

function invalidArg(name: string, expected: string, value: unknown): TypeError {
  const error = new TypeError(`The "${name}" argument must be ${expected}. Received ${value === null ? "null" : typeof value}`);
  (error as TypeError & { code: string }).code = "ERR_INVALID_ARG_TYPE";
  return error;
}

/** The bytes of `data` as an ArrayBuffer of exactly that length (what crosses to the host). */
function toBytes(data: unknown, encoding: string | undefined, name: string): ArrayBuffer {
  if (typeof data === "string") {
    const b = Buffer.from(data, (encoding === "buffer" ? "utf8" : encoding ?? "utf8") as BufferEncoding);
    return exact(b);
  }
  if (data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) return exact(data);
  throw invalidArg(name, "of type string or an instance of Buffer, TypedArray, or DataView", data);
}

function exact(view: ArrayBufferView): ArrayBuffer {
  const buffer = view.buffer as ArrayBuffer;
  if (view.byteOffset === 0 && view.byteLength === buffer.byteLength) return buffer;
  return buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}

function encodeOut(bytes: ArrayBuffer, encoding: string | undefined): Buffer | string {
  const b = Buffer.from(bytes);
  return encoding === undefined || encoding === "buffer" ? b : b.toString(encoding as BufferEncoding);
}

function callbackOf<T>(cb: unknown): Callback<T> {
  if (typeof cb !== "function") throw invalidArg("callback", "of type function", cb);
  return cb as Callback<T>;
}

function alreadyFinalized(what: string, code: string): Error {
  return Object.assign(new Error(what), { code });
}

// ---- hashes ----

/** What Hash and Hmac share: a host hash that update() streams to. Not exported: as in Node, neither is the other. */
class HostHash {
  #handle: number | null;

  constructor(handle: number) {
    this.#handle = handle;
  }

  update(data: BinaryLike, inputEncoding?: Encoding): this {
    host("hashUpdate", this.live(), toBytes(data, inputEncoding, "data"));
    return this;
  }

  protected live(): number {
    if (this.#handle === null) throw alreadyFinalized("Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
    return this.#handle;
  }

  /** The digest's bytes (closing the host hash), or null when digest() was already called. */
  protected finish(): ArrayBuffer | null {
    if (this.#handle === null) return null;
    const handle = this.#handle;
    this.#handle = null;
    return host("hashDigest", handle) as ArrayBuffer;
  }
}

export class Hash extends HostHash {
  constructor(algorithm: string, _options?: unknown, handle?: number) {
    if (handle === undefined && typeof algorithm !== "string") throw invalidArg("algorithm", "of type string", algorithm);
    super(handle ?? (host("hashNew", algorithm, null) as number));
  }

  digest(): Buffer;
  digest(encoding: Encoding): string;
  digest(encoding?: Encoding): Buffer | string {
    const bytes = this.finish();
    if (bytes === null) throw alreadyFinalized("Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
    return encodeOut(bytes, encoding);
  }

  copy(): Hash {
    return new Hash("", undefined, host("hashCopy", this.live()) as number);
  }
}

export class Hmac extends HostHash {
  constructor(algorithm: string, key: BinaryLike | { export(): Buffer }, _options?: unknown) {
    if (typeof algorithm !== "string") throw invalidArg("hmac", "of type string", algorithm);
    const keyBytes = key instanceof SecretKeyObject ? exact(key.export()) : toBytes(key, undefined, "key");
    super(host("hashNew", algorithm, keyBytes) as number);
  }

  digest(): Buffer;
  digest(encoding: Encoding): string;
  digest(encoding?: Encoding): Buffer | string {
    // Node returns an empty digest when called twice on an Hmac.
    return encodeOut(this.finish() ?? new ArrayBuffer(0), encoding);
  }
}

export function createHash(algorithm: string, options?: unknown): Hash {
  return new Hash(algorithm, options);
}

export function createHmac(algorithm: string, key: BinaryLike | KeyObject, options?: unknown): Hmac {
  return new Hmac(algorithm, key as BinaryLike, options);
}

/** crypto.hash(algorithm, data[, outputEncoding = "hex"]): a one-shot digest. */
export function hash(algorithm: string, data: BinaryLike, outputEncoding: Encoding = "hex"): Buffer | string {
  return encodeOut(host("hash", algorithm, toBytes(data, "utf8", "data")) as ArrayBuffer, outputEncoding);
}

const HASHES = [
  "md5", "md5-sha1", "ripemd160", "sha1", "sha224", "sha256", "sha3-224", "sha3-256", "sha3-384", "sha3-512", "sha384", "sha512",
  "sha512-224", "sha512-256", "shake128", "shake256",
];
export function getHashes(): string[] {
  return [...HASHES];
}

// ---- ciphers ----

export function getCiphers(): string[] {
  return [...AES_CIPHERS];
}

class CipherBase {
  #handle: number | null;
  #decoder: StringDecoder | undefined;
  #decoderEncoding: string | undefined;
  #authTag: ArrayBuffer | undefined;
  readonly #decipher: boolean;
  readonly #gcm: boolean;

  constructor(decipher: boolean, algorithm: string, key: BinaryLike | KeyObject, iv: BinaryLike | null, options?: { authTagLength?: number }) {
    if (typeof algorithm !== "string") throw invalidArg("cipher", "of type string", algorithm);
    this.#decipher = decipher;
    this.#gcm = /-gcm$/i.test(algorithm);
    const keyBytes = key instanceof SecretKeyObject ? exact(key.export()) : toBytes(key, undefined, "key");
    const ivBytes = iv === null ? null : toBytes(iv, undefined, "iv");
    this.#handle = host("cipherNew", decipher, algorithm, keyBytes, ivBytes, options?.authTagLength ?? null) as number;
  }

  #live(): number {
    if (this.#handle === null) throw alreadyFinalized("Unsupported state", "ERR_CRYPTO_INVALID_STATE");
    return this.#handle;
  }

  #output(bytes: ArrayBuffer, encoding: string | undefined, end: boolean): Buffer | string {
    if (encoding === undefined || encoding === "buffer") return Buffer.from(bytes);
    if (this.#decoderEncoding !== encoding) {
      this.#decoder = new StringDecoder(encoding as BufferEncoding);
      this.#decoderEncoding = encoding;
    }
    const decoder = this.#decoder!;
    return end ? decoder.end(Buffer.from(bytes)) : decoder.write(Buffer.from(bytes));
  }

  update(data: BinaryLike, inputEncoding?: Encoding, outputEncoding?: Encoding): Buffer | string {
    const handle = this.#live();
    return this.#output(host("cipherUpdate", handle, toBytes(data, inputEncoding, "data")) as ArrayBuffer, outputEncoding, false);
  }

  final(outputEncoding?: Encoding): Buffer | string {
    const handle = this.#live();
    try {
      const bytes = host("cipherFinal", handle) as ArrayBuffer;
      if (this.#gcm && !this.#decipher) this.#authTag = host("cipherGetAuthTag", handle) as ArrayBuffer;
      return this.#output(bytes, outputEncoding, true);
    } finally {
      this.#handle = null;
      host("free", handle);
    }
  }

  setAAD(buffer: ArrayBufferView, options?: { plaintextLength?: number }): this {
    host("cipherSetAAD", this.#live(), toBytes(buffer, undefined, "buffer"), options?.plaintextLength ?? null);
    return this;
  }

  setAutoPadding(autoPadding = true): this {
    host("cipherSetAutoPadding", this.#live(), autoPadding !== false);
    return this;
  }

  protected authTag(): Buffer {
    if (this.#authTag === undefined) throw alreadyFinalized("Invalid state for operation getAuthTag", "ERR_CRYPTO_INVALID_STATE");
    return Buffer.from(this.#authTag);
  }

  protected setTag(tag: BinaryLike, encoding?: Encoding): void {
    host("cipherSetAuthTag", this.#live(), toBytes(tag, encoding, "buffer"));
  }
}

export class Cipheriv extends CipherBase {
  constructor(algorithm: string, key: BinaryLike | KeyObject, iv: BinaryLike | null, options?: { authTagLength?: number }) {
    super(false, algorithm, key, iv, options);
  }
  getAuthTag(): Buffer {
    return this.authTag();
  }
}

export class Decipheriv extends CipherBase {
  constructor(algorithm: string, key: BinaryLike | KeyObject, iv: BinaryLike | null, options?: { authTagLength?: number }) {
    super(true, algorithm, key, iv, options);
  }
  setAuthTag(tag: BinaryLike, encoding?: Encoding): this {
    this.setTag(tag, encoding);
    return this;
  }
}

export function createCipheriv(algorithm: string, key: BinaryLike | KeyObject, iv: BinaryLike | null, options?: { authTagLength?: number }): Cipheriv {
  return new Cipheriv(algorithm, key, iv, options);
}

export function createDecipheriv(algorithm: string, key: BinaryLike | KeyObject, iv: BinaryLike | null, options?: { authTagLength?: number }): Decipheriv {
  return new Decipheriv(algorithm, key, iv, options);
}

// ---- key derivation ----

function digestName(digest: unknown): string {
  if (typeof digest !== "string") throw invalidArg("digest", "of type string", digest);
  return digest;
}

export function pbkdf2Sync(password: BinaryLike, salt: BinaryLike, iterations: number, keylen: number, digest: string): Buffer {
  return Buffer.from(host("pbkdf2Sync", toBytes(password, "utf8", "password"), toBytes(salt, "utf8", "salt"), iterations, keylen, digestName(digest)) as ArrayBuffer);
}

export function pbkdf2(password: BinaryLike, salt: BinaryLike, iterations: number, keylen: number, digest: string, callback: Callback<Buffer>): void {
  const cb = callbackOf<Buffer>(callback);
  hostAsync("pbkdf2", toBytes(password, "utf8", "password"), toBytes(salt, "utf8", "salt"), iterations, keylen, digestName(digest)).then(
    (key) => cb(null, Buffer.from(key as ArrayBuffer)),
    (error: Error) => cb(error),
  );
}

export function scryptSync(password: BinaryLike, salt: BinaryLike, keylen: number, options?: ScryptOptions): Buffer {
  return Buffer.from(host("scryptSync", toBytes(password, "utf8", "password"), toBytes(salt, "utf8", "salt"), keylen, options ? { ...options } : undefined) as ArrayBuffer);
}

export function scrypt(password: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions | Callback<Buffer>, callback?: Callback<Buffer>): void {
  if (typeof options === "function") [options, callback] = [{}, options];
  const cb = callbackOf<Buffer>(callback);
  hostAsync("scrypt", toBytes(password, "utf8", "password"), toBytes(salt, "utf8", "salt"), keylen, { ...options }).then(
    (key) => cb(null, Buffer.from(key as ArrayBuffer)),
    (error: Error) => cb(error),
  );
}

export function hkdfSync(digest: string, ikm: BinaryLike | KeyObject, salt: BinaryLike, info: BinaryLike, keylen: number): ArrayBuffer {
  const key = ikm instanceof SecretKeyObject ? exact(ikm.export()) : toBytes(ikm, "utf8", "ikm");
  return host("hkdfSync", digestName(digest), key, toBytes(salt, "utf8", "salt"), toBytes(info, "utf8", "info"), keylen) as ArrayBuffer;
}

export function hkdf(digest: string, ikm: BinaryLike | KeyObject, salt: BinaryLike, info: BinaryLike, keylen: number, callback: Callback<ArrayBuffer>): void {
  const cb = callbackOf<ArrayBuffer>(callback);
  let key: ArrayBuffer;
  try {
    key = hkdfSync(digest, ikm, salt, info, keylen);
  } catch (error) {
    queueMicrotask(() => cb(error as Error));
    return;
  }
  queueMicrotask(() => cb(null, key));
}

// ---- randomness (the prelude's Web Crypto) ----

const MAX_RANDOM_CHUNK = 65536;

export function randomFillSync<T extends ArrayBufferView | ArrayBuffer>(buffer: T, offset = 0, size?: number): T {
  const view = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const end = size === undefined ? view.length : offset + size;
  if (offset < 0 || end > view.length || offset > end) throw new RangeError('The value of "offset" or "size" is out of range.');
  for (let i = offset; i < end; i += MAX_RANDOM_CHUNK) globalThis.crypto.getRandomValues(view.subarray(i, Math.min(end, i + MAX_RANDOM_CHUNK)) as Uint8Array<ArrayBuffer>);
  return buffer;
}

export function randomFill<T extends ArrayBufferView | ArrayBuffer>(buffer: T, ...rest: unknown[]): void {
  const cb = callbackOf<T>(rest.pop());
  const [offset, size] = rest as [number | undefined, number | undefined];
  try {
    randomFillSync(buffer, offset, size);
  } catch (error) {
    queueMicrotask(() => cb(error as Error));
    return;
  }
  queueMicrotask(() => cb(null, buffer));
}

export function randomBytes(size: number, callback?: Callback<Buffer>): Buffer | void {
  if (typeof size !== "number" || !(size >= 0 && size <= 2 ** 31 - 1)) throw new RangeError(`The value of "size" is out of range. Received ${String(size)}`);
  const bytes = randomFillSync(Buffer.alloc(size));
  if (callback === undefined) return bytes;
  const cb = callbackOf<Buffer>(callback);
  queueMicrotask(() => cb(null, bytes));
}
export const pseudoRandomBytes = randomBytes;
export const prng = randomBytes;
export const rng = randomBytes;

export function randomInt(min: number, max?: number | Callback<number>, callback?: Callback<number>): number | void {
  if (typeof max !== "number") [min, max, callback] = [0, min, max as Callback<number> | undefined];
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max <= min || max - min > 2 ** 48) {
    throw new RangeError(`The value of "max" is out of range. It must be greater than the value of "min" (${min}) and at most 2^48 above it. Received ${max}`);
  }
  const range = max - min;
  const limit = 2 ** 48 - (2 ** 48 % range);
  const six = new Uint8Array(6);
  let x: number;
  do {
    globalThis.crypto.getRandomValues(six);
    x = six.reduce((acc, b) => acc * 256 + b, 0);
  } while (x >= limit);
  const value = min + (x % range);
  if (callback === undefined) return value;
  const cb = callbackOf<number>(callback);
  queueMicrotask(() => cb(null, value));
}

export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

export function getRandomValues<T extends ArrayBufferView | null>(array: T): T {
  return globalThis.crypto.getRandomValues(array as never) as T;
}

export function timingSafeEqual(a: ArrayBufferView | ArrayBuffer, b: ArrayBufferView | ArrayBuffer): boolean {
  const x = a instanceof ArrayBuffer ? new Uint8Array(a) : ArrayBuffer.isView(a) ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : null;
  const y = b instanceof ArrayBuffer ? new Uint8Array(b) : ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : null;
  if (!x) throw invalidArg("buf1", "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", a);
  if (!y) throw invalidArg("buf2", "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", b);
  if (x.length !== y.length) throw Object.assign(new RangeError("Input buffers must have the same byte length"), { code: "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH" });
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

// ---- keys: secret keys only ----

export class KeyObject {
  readonly type: string;
  constructor(type: string) {
    this.type = type;
  }
}

class SecretKeyObject extends KeyObject {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    super("secret");
    this.#key = key;
  }
  get symmetricKeySize(): number {
    return this.#key.length;
  }
  export(options?: { format?: string }): Buffer {
    if (options?.format === "jwk") return { kty: "oct", k: this.#key.toString("base64url") } as unknown as Buffer;
    return Buffer.from(this.#key);
  }
  equals(other: KeyObject): boolean {
    return other instanceof SecretKeyObject && timingSafeEqual(this.#key, other.export()) && this.#key.length === other.symmetricKeySize;
  }
}

export function createSecretKey(key: BinaryLike, encoding?: Encoding): KeyObject {
  return new SecretKeyObject(Buffer.from(toBytes(key, encoding, "key")));
}

// ---- the rest ----

export const webcrypto = globalThis.crypto;
export const subtle = globalThis.crypto.subtle;
export const constants = {
  OPENSSL_VERSION_NUMBER: 0,
  SSL_OP_ALL: 2147485776,
  SSL_OP_NO_SSLv2: 0,
  SSL_OP_NO_SSLv3: 33554432,
  SSL_OP_NO_TLSv1: 67108864,
  RSA_PKCS1_PADDING: 1,
  RSA_NO_PADDING: 3,
  RSA_PKCS1_OAEP_PADDING: 4,
  RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1,
  RSA_PSS_SALTLEN_MAX_SIGN: -2,
  RSA_PSS_SALTLEN_AUTO: -2,
  POINT_CONVERSION_COMPRESSED: 2,
  POINT_CONVERSION_UNCOMPRESSED: 4,
  POINT_CONVERSION_HYBRID: 6,
};
export function getCurves(): string[] {
  return [];
}
export function getFips(): number {
  return 0;
}
export const setFips = notImplemented("crypto.setFips");
export const createSign = notImplemented("crypto.createSign");
export const createVerify = notImplemented("crypto.createVerify");
export const sign = notImplemented("crypto.sign");
export const verify = notImplemented("crypto.verify");
export const createPublicKey = notImplemented("crypto.createPublicKey");
export const createPrivateKey = notImplemented("crypto.createPrivateKey");
export const generateKey = notImplemented("crypto.generateKey");
export const generateKeySync = notImplemented("crypto.generateKeySync");
export const generateKeyPair = notImplemented("crypto.generateKeyPair");
export const generateKeyPairSync = notImplemented("crypto.generateKeyPairSync");
export const publicEncrypt = notImplemented("crypto.publicEncrypt");
export const publicDecrypt = notImplemented("crypto.publicDecrypt");
export const privateEncrypt = notImplemented("crypto.privateEncrypt");
export const privateDecrypt = notImplemented("crypto.privateDecrypt");
export const createDiffieHellman = notImplemented("crypto.createDiffieHellman");
export const createDiffieHellmanGroup = notImplemented("crypto.createDiffieHellmanGroup");
export const getDiffieHellman = notImplemented("crypto.getDiffieHellman");
export const createECDH = notImplemented("crypto.createECDH");
export const diffieHellman = notImplemented("crypto.diffieHellman");
export const generatePrime = notImplemented("crypto.generatePrime");
export const generatePrimeSync = notImplemented("crypto.generatePrimeSync");
export const checkPrime = notImplemented("crypto.checkPrime");
export const checkPrimeSync = notImplemented("crypto.checkPrimeSync");
export const getCipherInfo = notImplemented("crypto.getCipherInfo");
export const secureHeapUsed = notImplemented("crypto.secureHeapUsed");
export const setEngine = notImplemented("crypto.setEngine");
export const Certificate = notImplementedClass("crypto.Certificate");
export const X509Certificate = notImplementedClass("crypto.X509Certificate");
export const DiffieHellman = notImplementedClass("crypto.DiffieHellman");
export const DiffieHellmanGroup = notImplementedClass("crypto.DiffieHellmanGroup");
export const ECDH = notImplementedClass("crypto.ECDH");
export const Sign = notImplementedClass("crypto.Sign");
export const Verify = notImplementedClass("crypto.Verify");

export default {
  Hash, Hmac, createHash, createHmac, hash, getHashes, getCiphers, Cipheriv, Decipheriv, createCipheriv, createDecipheriv,
  pbkdf2, pbkdf2Sync, scrypt, scryptSync, hkdf, hkdfSync, randomFill, randomFillSync, randomBytes, pseudoRandomBytes, prng,
  rng, randomInt, randomUUID, getRandomValues, timingSafeEqual, KeyObject, createSecretKey, webcrypto, subtle, constants,
  getCurves, getFips, setFips, createSign, createVerify, sign, verify, createPublicKey, createPrivateKey, generateKey,
  generateKeySync, generateKeyPair, generateKeyPairSync, publicEncrypt, publicDecrypt, privateEncrypt, privateDecrypt,
  createDiffieHellman, createDiffieHellmanGroup, getDiffieHellman, createECDH, diffieHellman, generatePrime,
  generatePrimeSync, checkPrime, checkPrimeSync, getCipherInfo, secureHeapUsed, setEngine, Certificate, X509Certificate,
  DiffieHellman, DiffieHellmanGroup, ECDH, Sign, Verify,
};
