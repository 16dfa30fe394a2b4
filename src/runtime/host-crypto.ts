// The host side of Web Crypto (isolate side: src/prelude/crypto/). Real keys live in the
// isolate's HandleTable as KeyEntry objects; the isolate holds their handle numbers plus copies of
// type/extractable/algorithm/usages (a KeyDescriptor). Node's WebCrypto does the work; this file
// adds what Cloudflare has and Node lacks (MD5 digest, the NODE-ED25519 alias, DigestStream, the
// PBKDF2 iteration limit) and keeps workerd's shapes (Ed25519 JWK "alg", usage order).
import { createHash, type Hash, webcrypto } from "node:crypto";
import { crc32 } from "node:zlib";
import type { KeyDescriptor } from "../protocol/bridge.ts";
import type { HostCallContext, HostFunctionTable, HostSyncFunctionTable } from "./host-functions.ts";

type NodeKey = webcrypto.CryptoKey;
type NodeAlgorithm = { name: string } & Record<string, unknown>;
type Bytes = ArrayBuffer | ArrayBufferView;
type Jwk = webcrypto.JsonWebKey;
type KeyOrPair = NodeKey | webcrypto.CryptoKeyPair;

/** Node's SubtleCrypto with the loose parameter types this bridge passes through (Node validates). */
interface Subtle {
  digest(alg: object, data: Bytes): Promise<ArrayBuffer>;
  encrypt(alg: object, key: NodeKey, data: Bytes): Promise<ArrayBuffer>;
  decrypt(alg: object, key: NodeKey, data: Bytes): Promise<ArrayBuffer>;
  sign(alg: object, key: NodeKey, data: Bytes): Promise<ArrayBuffer>;
  verify(alg: object, key: NodeKey, signature: Bytes, data: Bytes): Promise<boolean>;
  generateKey(alg: object, extractable: boolean, usages: string[]): Promise<KeyOrPair>;
  importKey(format: string, data: Bytes | Jwk, alg: object, extractable: boolean, usages: string[]): Promise<NodeKey>;
  exportKey(format: string, key: NodeKey): Promise<ArrayBuffer | Jwk>;
  deriveBits(alg: object, key: NodeKey, length: number | null): Promise<ArrayBuffer>;
  deriveKey(alg: object, key: NodeKey, derived: object, extractable: boolean, usages: string[]): Promise<NodeKey>;
  wrapKey(format: string, key: NodeKey, wrappingKey: NodeKey, alg: object): Promise<ArrayBuffer>;
  unwrapKey(
    format: string,
    wrapped: Bytes,
    unwrappingKey: NodeKey,
    alg: object,
    keyAlg: object,
    extractable: boolean,
    usages: string[],
  ): Promise<NodeKey>;
}
const subtle = webcrypto.subtle as unknown as Subtle;

export type { KeyDescriptor };

export const PBKDF2_MAX_ITERATIONS = 100000;
export const MAX_RANDOM_BYTES = 65536;
const ALIAS = "NODE-ED25519";
const USAGE_ORDER = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"];
const DIGESTS: Record<string, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512", MD5: "md5" };

export class KeyEntry {
  readonly key: NodeKey;
  /** "NODE-ED25519" for keys made under Cloudflare's legacy Ed25519 name. */
  readonly alias: string | undefined;
  constructor(key: NodeKey, alias?: string) {
    this.key = key;
    this.alias = alias;
  }
}

function keyEntry(ctx: HostCallContext, handle: unknown): KeyEntry {
  const entry = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
  if (!(entry instanceof KeyEntry)) throw new TypeError("Expected a CryptoKey.");
  return entry;
}

function bufferSource(v: unknown, what: string): Bytes {
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return v;
  throw new TypeError(`${what} must be an ArrayBuffer or ArrayBufferView.`);
}

function bytesOf(v: Bytes): Uint8Array {
  return ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
 * The isolate's normalized algorithm, ready for Node: NODE-ED25519 becomes Ed25519 (checking the
 * namedCurve Cloudflare requires when a key is made), a `public` handle becomes the key.
 */
function toNode(ctx: HostCallContext, algorithm: unknown, making: boolean): { alg: NodeAlgorithm; alias?: string } {
  const a = typeof algorithm === "string" ? { name: algorithm } : algorithm;
  if (typeof a !== "object" || a === null || typeof (a as { name?: unknown }).name !== "string") {
    throw new TypeError("AlgorithmIdentifier could not be converted.");
  }
  const alg = { ...(a as NodeAlgorithm) };
  const upper = alg.name.toUpperCase();
  if (upper === ALIAS) {
    if (making) {
      if (alg.namedCurve === undefined) throw new TypeError('Missing field "namedCurve" in "algorithm".');
      if (alg.namedCurve !== ALIAS) {
        throw new DOMException(`EDDSA curve "${String(alg.namedCurve)}" isn't supported.`, "NotSupportedError");
      }
    }
    return { alg: { name: "Ed25519" }, alias: ALIAS };
  }
  if (typeof alg.public === "number") alg.public = keyEntry(ctx, alg.public).key;
  // Node insists on a Uint8Array here (other BufferSource members may be ArrayBuffers).
  if (alg.publicExponent instanceof ArrayBuffer) alg.publicExponent = new Uint8Array(alg.publicExponent);
  if (upper === "PBKDF2" && typeof alg.iterations === "number" && alg.iterations > PBKDF2_MAX_ITERATIONS) {
    throw new DOMException(
      `Pbkdf2 failed: iteration counts above ${PBKDF2_MAX_ITERATIONS} are not supported (requested ${alg.iterations}).`,
      "NotSupportedError",
    );
  }
  return { alg };
}

/** Cloudflare's (Chromium's) RSA key generation limits; they also bound the host CPU a worker can take. */
function checkRsaGeneration(alg: NodeAlgorithm): void {
  const bits = alg.modulusLength;
  if (typeof bits === "number" && !(bits % 8 === 0 && bits >= 256 && bits <= 16384)) {
    throw new DOMException(
      `The modulus length must be a multiple of 8 and between 256 and 16k, but ${bits} was requested.`,
      "OperationError",
    );
  }
  if (alg.publicExponent instanceof Uint8Array) {
    let e = 0;
    for (const b of alg.publicExponent) e = e * 256 + b;
    if (e !== 3 && e !== 65537) {
      const got = e > 0xffffffff ? "a number larger than 2^32" : String(e);
      throw new DOMException(`The "publicExponent" must be either 3 or 65537, but got ${got}.`, "OperationError");
    }
  }
}

function plainAlgorithm(algorithm: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(algorithm)) {
    if (ArrayBuffer.isView(v)) out[k] = toArrayBuffer(bytesOf(v));
    else if (k === "hash" && typeof v === "object" && v !== null) out[k] = { name: String((v as { name: unknown }).name) };
    else out[k] = v;
  }
  return out;
}

/** Stores `key` in the isolate's handle table and describes it for the isolate. */
export function describeKey(ctx: HostCallContext, key: NodeKey, alias?: string): KeyDescriptor {
  return {
    handle: ctx.handles.add(new KeyEntry(key, alias)),
    type: key.type,
    extractable: key.extractable,
    algorithm: alias ? { name: alias, namedCurve: alias } : plainAlgorithm(key.algorithm),
    usages: USAGE_ORDER.filter((u) => (key.usages as string[]).includes(u)),
  };
}

function describeKeyOrPair(ctx: HostCallContext, r: KeyOrPair, alias?: string) {
  if ("privateKey" in r) {
    return { publicKey: describeKey(ctx, r.publicKey, alias), privateKey: describeKey(ctx, r.privateKey, alias) };
  }
  return describeKey(ctx, r, alias);
}

/** workerd's JWK for Ed25519 says alg "EdDSA" (Node: "Ed25519"); NODE-ED25519 keys have none. */
function exportedJwk(entry: KeyEntry, jwk: Jwk): Jwk {
  if (entry.key.algorithm.name !== "Ed25519") return jwk;
  const out = { ...jwk };
  if (entry.alias) delete out.alg;
  else out.alg = "EdDSA";
  return out;
}

// ---- digests, one-shot and streamed ----

interface Digester {
  update(data: Uint8Array): void;
  finish(): ArrayBuffer;
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

function crcDigester(step: (crc: number, data: Uint8Array) => number): Digester {
  let crc = 0;
  return {
    update(data) {
      crc = step(crc, data);
    },
    finish() {
      const out = new ArrayBuffer(4);
      new DataView(out).setUint32(0, crc >>> 0, false);
      return out;
    },
  };
}

function hashDigester(hash: Hash): Digester {
  return {
    update(data) {
      hash.update(data);
    },
    finish() {
      return toArrayBuffer(hash.digest());
    },
  };
}

function newDigester(name: unknown): Digester {
  if (name === "crc32") return crcDigester((crc, data) => crc32(data, crc));
  if (name === "crc32c") {
    return crcDigester((crc, data) => {
      let c = ~crc;
      for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
      return ~c >>> 0;
    });
  }
  const nodeName = typeof name === "string" ? DIGESTS[name.toUpperCase()] : undefined;
  if (!nodeName) throw new DOMException("Unrecognized or unimplemented digest algorithm requested.", "NotSupportedError");
  return hashDigester(createHash(nodeName));
}

class DigestEntry {
  readonly digester: Digester;
  constructor(digester: Digester) {
    this.digester = digester;
  }
}

function digestEntry(ctx: HostCallContext, handle: unknown): DigestEntry {
  const entry = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
  if (!(entry instanceof DigestEntry)) throw new TypeError("Expected a DigestStream.");
  return entry;
}

/** A DigestStream's state: its algorithm name before the first update, then a handle. */
function streamDigester(ctx: HostCallContext, state: unknown): { digester: Digester; handle: number } {
  if (typeof state === "number") return { digester: digestEntry(ctx, state).digester, handle: state };
  const entry = new DigestEntry(newDigester(state));
  return { digester: entry.digester, handle: ctx.handles.add(entry) };
}

// ---- the host functions ----

export const cryptoHostFunctions: HostFunctionTable = {
  async "crypto.digest"(_ctx, algorithm: unknown, data: unknown) {
    const name = typeof algorithm === "string" ? algorithm : (algorithm as { name?: unknown } | null)?.name;
    const bytes = bufferSource(data, "data");
    const upper = typeof name === "string" ? name.toUpperCase() : "";
    // SHA runs on Node's thread pool; MD5 (not in WebCrypto) on this thread, as DigestStream does.
    if (upper.startsWith("SHA-") && DIGESTS[upper]) return subtle.digest({ name: upper }, bytes);
    const d = newDigester(name);
    d.update(bytesOf(bytes));
    return d.finish();
  },

  async "crypto.encrypt"(ctx, algorithm: unknown, key: unknown, data: unknown) {
    const entry = keyEntry(ctx, key);
    return subtle.encrypt(toNode(ctx, algorithm, false).alg, entry.key, bufferSource(data, "data"));
  },

  async "crypto.decrypt"(ctx, algorithm: unknown, key: unknown, data: unknown) {
    const entry = keyEntry(ctx, key);
    return subtle.decrypt(toNode(ctx, algorithm, false).alg, entry.key, bufferSource(data, "data"));
  },

  async "crypto.sign"(ctx, algorithm: unknown, key: unknown, data: unknown) {
    const entry = keyEntry(ctx, key);
    return subtle.sign(toNode(ctx, algorithm, false).alg, entry.key, bufferSource(data, "data"));
  },

  async "crypto.verify"(ctx, algorithm: unknown, key: unknown, signature: unknown, data: unknown) {
    const entry = keyEntry(ctx, key);
    const alg = toNode(ctx, algorithm, false).alg;
    return subtle.verify(alg, entry.key, bufferSource(signature, "signature"), bufferSource(data, "data"));
  },

  async "crypto.generateKey"(ctx, algorithm: unknown, extractable: unknown, usages: unknown) {
    const { alg, alias } = toNode(ctx, algorithm, true);
    if (alg.name.toUpperCase().startsWith("RSA")) checkRsaGeneration(alg);
    const r = await subtle.generateKey(alg, Boolean(extractable), usages as string[]);
    return describeKeyOrPair(ctx, r, alias);
  },

  async "crypto.importKey"(ctx, format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, usages: unknown) {
    const { alg, alias } = toNode(ctx, algorithm, true);
    const data = format === "jwk" ? (keyData as Jwk) : bufferSource(keyData, "keyData");
    const key = await subtle.importKey(String(format), data, alg, Boolean(extractable), usages as string[]);
    return describeKey(ctx, key, alias);
  },

  async "crypto.exportKey"(ctx, format: unknown, key: unknown) {
    const entry = keyEntry(ctx, key);
    const r = await subtle.exportKey(String(format), entry.key);
    return r instanceof ArrayBuffer ? r : exportedJwk(entry, r);
  },

  async "crypto.deriveBits"(ctx, algorithm: unknown, key: unknown, length: unknown) {
    const entry = keyEntry(ctx, key);
    const alg = toNode(ctx, algorithm, false).alg;
    const len = typeof length === "number" ? length : null;
    return subtle.deriveBits(alg, entry.key, len);
  },

  async "crypto.deriveKey"(ctx, algorithm: unknown, key: unknown, derivedKeyType: unknown, extractable: unknown, usages: unknown) {
    const entry = keyEntry(ctx, key);
    const alg = toNode(ctx, algorithm, false).alg;
    const { alg: derived, alias } = toNode(ctx, derivedKeyType, true);
    const k = await subtle.deriveKey(alg, entry.key, derived, Boolean(extractable), usages as string[]);
    return describeKey(ctx, k, alias);
  },

  async "crypto.wrapKey"(ctx, format: unknown, key: unknown, wrappingKey: unknown, algorithm: unknown) {
    const entry = keyEntry(ctx, key);
    const wrapping = keyEntry(ctx, wrappingKey);
    return subtle.wrapKey(String(format), entry.key, wrapping.key, toNode(ctx, algorithm, false).alg);
  },

  async "crypto.unwrapKey"(
    ctx,
    algorithm: unknown,
    unwrappingKey: unknown,
    format: unknown,
    wrappedKey: unknown,
    keyAlgorithm: unknown,
    extractable: unknown,
    usages: unknown,
  ) {
    const unwrapping = keyEntry(ctx, unwrappingKey);
    const alg = toNode(ctx, algorithm, false).alg;
    const { alg: keyAlg, alias } = toNode(ctx, keyAlgorithm, true);
    const k = await subtle.unwrapKey(
      String(format),
      bufferSource(wrappedKey, "wrappedKey"),
      unwrapping.key,
      alg,
      keyAlg,
      Boolean(extractable),
      usages as string[],
    );
    return describeKey(ctx, k, alias);
  },

  /** The isolate dropped its CryptoKey. */
  async "crypto.releaseKey"(ctx, handle: unknown) {
    if (typeof handle === "number" && ctx.handles.get(handle) instanceof KeyEntry) ctx.handles.delete(handle);
  },

  /** Feeds bytes to a DigestStream; `state` is its algorithm name the first time. Returns its handle. */
  async "crypto.digestStreamUpdate"(ctx, state: unknown, data: unknown) {
    const { digester, handle } = streamDigester(ctx, state);
    digester.update(bytesOf(bufferSource(data, "data")));
    return handle;
  },

  /** Feeds the last bytes (or null) and returns the digest; the handle is closed. */
  async "crypto.digestStreamFinish"(ctx, state: unknown, data: unknown) {
    const { digester, handle } = streamDigester(ctx, state);
    ctx.handles.delete(handle);
    if (data !== null && data !== undefined) digester.update(bytesOf(bufferSource(data, "data")));
    return digester.finish();
  },

  async "crypto.digestStreamAbort"(ctx, handle: unknown) {
    if (typeof handle === "number" && ctx.handles.get(handle) instanceof DigestEntry) ctx.handles.delete(handle);
  },
};

export const cryptoHostSyncFunctions: HostSyncFunctionTable = {
  "crypto.randomBytes"(n: unknown) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_RANDOM_BYTES) {
      throw new RangeError(`crypto.randomBytes: bad length ${String(n)}`);
    }
    return webcrypto.getRandomValues(new Uint8Array(n)).buffer;
  },
};
