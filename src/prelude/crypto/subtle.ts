// SubtleCrypto inside the isolate: checks and copies arguments, then calls the host's real
// WebCrypto ("crypto.<method>" host functions in src/runtime/host-crypto.ts).
import { callHost } from "../bridge.ts";
import {
  type Algorithm,
  checkDeriveParams,
  checkExtractable,
  checkFormat,
  checkKeyFor,
  copyJwk,
  derivedKeyAlgorithm,
  digestAlgorithm,
  generateAlgorithm,
  importAlgorithm,
  normalizeAlgorithm,
  normalizeUsages,
  referencedKey,
} from "./algorithms.ts";
import { bytesOf, copyBufferSource, isBufferSource } from "./buffer-source.ts";
import { CryptoKey, isCryptoKey, keepAlive, keyFromDescriptor, keyHandle, keyOrPairFromHost, type KeyDescriptor } from "./crypto-key.ts";
import { reviveHostCryptoError } from "./errors.ts";

const INTERNAL = Symbol("SubtleCrypto.internal");

async function host(fn: string, args: unknown[]): Promise<unknown> {
  try {
    return await callHost(fn, args);
  } catch (e) {
    throw reviveHostCryptoError(e);
  }
}

function requireArgs(method: string, got: number, needed: number): void {
  if (got < needed) {
    throw new TypeError(
      `Failed to execute '${method}' on 'SubtleCrypto': ${needed} arguments required, but only ${got} present.`,
    );
  }
}

function requireKey(v: unknown, what: string): CryptoKey {
  if (!isCryptoKey(v)) throw new TypeError(`${what} must be a CryptoKey.`);
  return v;
}

function format(v: unknown): string {
  const f = String(v);
  checkFormat(f);
  return f;
}

function keyData(fmt: string, data: unknown): unknown {
  if (fmt === "jwk") return copyJwk(data);
  if (!isBufferSource(data)) {
    throw new TypeError("Import data provided for buffer-based import formats must be a buffer source.");
  }
  return copyBufferSource(data, "keyData");
}

async function operate(fn: string, alg: Algorithm, key: CryptoKey, usage: string, ...rest: unknown[]): Promise<unknown> {
  checkKeyFor(key, alg, usage);
  const result = await host(fn, [alg, keyHandle(key, "key"), ...rest]);
  keepAlive(key, referencedKey(alg));
  return result;
}

function deriveLength(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new TypeError("deriveBits length must be an unsigned long integer.");
  }
  return n;
}

export class SubtleCrypto {
  constructor(token?: unknown) {
    if (token !== INTERNAL) throw new TypeError("Illegal constructor");
  }

  async encrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    requireArgs("encrypt", arguments.length, 3);
    const alg = normalizeAlgorithm(algorithm);
    const k = requireKey(key, "key");
    return (await operate("crypto.encrypt", alg, k, "encrypt", copyBufferSource(data, "data"))) as ArrayBuffer;
  }

  async decrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    requireArgs("decrypt", arguments.length, 3);
    const alg = normalizeAlgorithm(algorithm);
    const k = requireKey(key, "key");
    return (await operate("crypto.decrypt", alg, k, "decrypt", copyBufferSource(data, "data"))) as ArrayBuffer;
  }

  async sign(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    requireArgs("sign", arguments.length, 3);
    const alg = normalizeAlgorithm(algorithm);
    const k = requireKey(key, "key");
    return (await operate("crypto.sign", alg, k, "sign", copyBufferSource(data, "data"))) as ArrayBuffer;
  }

  async verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<boolean> {
    requireArgs("verify", arguments.length, 4);
    const alg = normalizeAlgorithm(algorithm);
    const k = requireKey(key, "key");
    const sig = copyBufferSource(signature, "signature");
    return (await operate("crypto.verify", alg, k, "verify", sig, copyBufferSource(data, "data"))) as boolean;
  }

  async digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
    requireArgs("digest", arguments.length, 2);
    const alg = digestAlgorithm(algorithm);
    return (await host("crypto.digest", [alg, copyBufferSource(data, "data")])) as ArrayBuffer;
  }

  async generateKey(algorithm: unknown, extractable: unknown, keyUsages: unknown): Promise<unknown> {
    requireArgs("generateKey", arguments.length, 3);
    const alg = generateAlgorithm(algorithm);
    const usages = normalizeUsages(keyUsages);
    return keyOrPairFromHost(await host("crypto.generateKey", [alg, Boolean(extractable), usages]));
  }

  async importKey(fmt: unknown, data: unknown, algorithm: unknown, extractable: unknown, keyUsages: unknown): Promise<CryptoKey> {
    requireArgs("importKey", arguments.length, 5);
    const f = format(fmt);
    const kd = keyData(f, data);
    const alg = importAlgorithm(algorithm);
    const usages = normalizeUsages(keyUsages);
    return keyFromDescriptor((await host("crypto.importKey", [f, kd, alg, Boolean(extractable), usages])) as KeyDescriptor);
  }

  async exportKey(fmt: unknown, key: unknown): Promise<ArrayBuffer | Record<string, unknown>> {
    requireArgs("exportKey", arguments.length, 2);
    const f = String(fmt);
    const k = requireKey(key, "key");
    checkExtractable(k);
    const result = await host("crypto.exportKey", [f, keyHandle(k, "key")]);
    keepAlive(k);
    return result as ArrayBuffer | Record<string, unknown>;
  }

  async deriveBits(algorithm: unknown, baseKey: unknown, length?: unknown): Promise<ArrayBuffer> {
    requireArgs("deriveBits", arguments.length, 2);
    const alg = normalizeAlgorithm(algorithm);
    const k = requireKey(baseKey, "baseKey");
    const len = deriveLength(length);
    checkDeriveParams(alg);
    return (await operate("crypto.deriveBits", alg, k, "deriveBits", len)) as ArrayBuffer;
  }

  async deriveKey(
    algorithm: unknown,
    baseKey: unknown,
    derivedKeyType: unknown,
    extractable: unknown,
    keyUsages: unknown,
  ): Promise<CryptoKey> {
    requireArgs("deriveKey", arguments.length, 5);
    const alg = normalizeAlgorithm(algorithm);
    const k = requireKey(baseKey, "baseKey");
    const derived = derivedKeyAlgorithm(derivedKeyType);
    const usages = normalizeUsages(keyUsages);
    checkDeriveParams(alg);
    const d = await operate("crypto.deriveKey", alg, k, "deriveKey", derived, Boolean(extractable), usages);
    return keyFromDescriptor(d as KeyDescriptor);
  }

  async wrapKey(fmt: unknown, key: unknown, wrappingKey: unknown, wrapAlgorithm: unknown): Promise<ArrayBuffer> {
    requireArgs("wrapKey", arguments.length, 4);
    const f = format(fmt);
    const k = requireKey(key, "key");
    const wk = requireKey(wrappingKey, "wrappingKey");
    const alg = normalizeAlgorithm(wrapAlgorithm);
    checkKeyFor(wk, alg, "wrapKey");
    checkExtractable(k);
    const result = await host("crypto.wrapKey", [f, keyHandle(k, "key"), keyHandle(wk, "wrappingKey"), alg]);
    keepAlive(k, wk);
    return result as ArrayBuffer;
  }

  async unwrapKey(
    fmt: unknown,
    wrappedKey: unknown,
    unwrappingKey: unknown,
    unwrapAlgorithm: unknown,
    unwrappedKeyAlgorithm: unknown,
    extractable: unknown,
    keyUsages: unknown,
  ): Promise<CryptoKey> {
    requireArgs("unwrapKey", arguments.length, 7);
    const f = format(fmt);
    const wrapped = copyBufferSource(wrappedKey, "wrappedKey");
    const uk = requireKey(unwrappingKey, "unwrappingKey");
    const alg = normalizeAlgorithm(unwrapAlgorithm);
    const keyAlg = importAlgorithm(unwrappedKeyAlgorithm);
    const usages = normalizeUsages(keyUsages);
    const d = await operate("crypto.unwrapKey", alg, uk, "unwrapKey", f, wrapped, keyAlg, Boolean(extractable), usages);
    return keyFromDescriptor(d as KeyDescriptor);
  }

  /** Cloudflare extension: constant-time comparison of two equally long buffers. */
  timingSafeEqual(a: unknown, b: unknown): boolean {
    requireArgs("timingSafeEqual", arguments.length, 2);
    if (!isBufferSource(a) || !isBufferSource(b)) {
      throw new TypeError("Input buffers must be an ArrayBuffer or ArrayBufferView.");
    }
    const x = bytesOf(a);
    const y = bytesOf(b);
    if (x.byteLength !== y.byteLength) throw new TypeError("Input buffers must have the same byte length.");
    let diff = 0;
    for (let i = 0; i < x.byteLength; i++) diff |= x[i] ^ y[i];
    return diff === 0;
  }
}
Object.defineProperty(SubtleCrypto.prototype, Symbol.toStringTag, { value: "SubtleCrypto", configurable: true });

export const subtle = new SubtleCrypto(INTERNAL);
