// Algorithm normalization in the isolate: turns a user's AlgorithmIdentifier into a plain object
// that can cross to the host (BufferSources copied to ArrayBuffers, `public` CryptoKey replaced by
// its handle, hash as {name}), and applies the checks Cloudflare makes before any crypto runs
// (which algorithms exist, key/algorithm match, key usages), with workerd's messages.
import { copyBufferSource } from "./buffer-source.ts";
import { type CryptoKey, keyHandle, keyInfo } from "./crypto-key.ts";
import { domException } from "./errors.ts";

export type Algorithm = Record<string, unknown> & { name: string };

const BUFFER_MEMBERS = ["iv", "additionalData", "counter", "label", "salt", "info", "publicExponent", "context"];
const NUMBER_MEMBERS = ["length", "tagLength", "iterations", "saltLength", "modulusLength"];

// workerd's registered names (matched case-insensitively, reported in this spelling).
const KNOWN = [
  "AES-CTR", "AES-CBC", "AES-GCM", "AES-KW", "HMAC", "PBKDF2", "HKDF",
  "RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP", "ECDSA", "ECDH",
  "NODE-ED25519", "Ed25519", "X25519",
  "SHA-1", "SHA-256", "SHA-384", "SHA-512", "MD5",
];
const CANONICAL = new Map(KNOWN.map((n) => [n.toUpperCase(), n]));

export const DIGESTS = new Set(["SHA-1", "SHA-256", "SHA-384", "SHA-512", "MD5"]);
const IMPORTABLE = new Set(KNOWN.filter((n) => !DIGESTS.has(n)));
const GENERATABLE = new Set([...IMPORTABLE].filter((n) => n !== "PBKDF2" && n !== "HKDF"));
const DERIVABLE_KEY_TYPES = new Set(["AES-CTR", "AES-CBC", "AES-GCM", "AES-KW", "HMAC", "HKDF", "PBKDF2"]);

function canonicalName(name: string): string {
  return CANONICAL.get(name.toUpperCase()) ?? name;
}

function normalizeHash(hash: unknown): { name: string } {
  if (typeof hash === "string") return { name: canonicalName(hash) };
  if (typeof hash === "object" && hash !== null && (hash as { name?: unknown }).name !== undefined) {
    return { name: canonicalName(String((hash as { name: unknown }).name)) };
  }
  throw new TypeError("AlgorithmIdentifier could not be converted.");
}

/** A plain copy of an AlgorithmIdentifier (string or dictionary) safe to send to the host. */
export function normalizeAlgorithm(alg: unknown): Algorithm {
  if (typeof alg === "string") return { name: canonicalName(alg) };
  if (typeof alg !== "object" || alg === null) {
    throw new TypeError("AlgorithmIdentifier could not be converted.");
  }
  const src = alg as Record<string, unknown>;
  if (src.name === undefined) throw new TypeError('Missing field "name" in "algorithm".');
  const out: Algorithm = { name: canonicalName(String(src.name)) };
  for (const k of BUFFER_MEMBERS) {
    const v = src[k];
    if (v !== undefined) out[k] = copyBufferSource(v, `algorithm.${k}`);
  }
  for (const k of NUMBER_MEMBERS) {
    const v = src[k];
    if (v !== undefined) out[k] = v === null ? null : Number(v);
  }
  if (src.hash !== undefined) out.hash = normalizeHash(src.hash);
  if (src.namedCurve !== undefined) out.namedCurve = String(src.namedCurve);
  if (src.compressed !== undefined) out.compressed = Boolean(src.compressed);
  if (src.public !== undefined) {
    out.public = keyHandle(src.public, "algorithm.public");
    referencedKeys.set(out, src.public);
  }
  return out;
}

const referencedKeys = new WeakMap<Algorithm, unknown>();

/** The CryptoKey an algorithm refers to by handle (ECDH/X25519 `public`), to keep it alive. */
export function referencedKey(alg: Algorithm): unknown {
  return referencedKeys.get(alg);
}

export function digestAlgorithm(alg: unknown): Algorithm {
  const a = normalizeAlgorithm(alg);
  if (!DIGESTS.has(a.name)) {
    throw domException("Unrecognized or unimplemented digest algorithm requested.", "NotSupportedError");
  }
  return a;
}

export function generateAlgorithm(alg: unknown): Algorithm {
  const a = normalizeAlgorithm(alg);
  if (!GENERATABLE.has(a.name)) {
    throw domException(`Unrecognized key generation algorithm "${a.name}" requested.`, "NotSupportedError");
  }
  return a;
}

export function importAlgorithm(alg: unknown): Algorithm {
  const a = normalizeAlgorithm(alg);
  if (!IMPORTABLE.has(a.name)) {
    throw domException(`Unrecognized key import algorithm "${a.name}" requested.`, "NotSupportedError");
  }
  return a;
}

export function derivedKeyAlgorithm(alg: unknown): Algorithm {
  const a = normalizeAlgorithm(alg);
  if (!DERIVABLE_KEY_TYPES.has(a.name)) {
    throw domException(`Unrecognized derived key type "${a.name}" requested.`, "NotSupportedError");
  }
  return a;
}

/** workerd's validateOperation: the key must be for this algorithm and carry this usage. */
export function checkKeyFor(key: CryptoKey, alg: Algorithm, usage: string): void {
  const info = keyInfo(key);
  if (alg.name.toUpperCase() !== info.name.toUpperCase()) {
    throw domException(
      `Requested algorithm "${alg.name}" does not match this CryptoKey's algorithm "${info.name}".`,
      "InvalidAccessError",
    );
  }
  if (!info.usages.includes(usage)) {
    throw domException(
      `Requested key usage "${usage}" does not match any usage listed in this CryptoKey.`,
      "InvalidAccessError",
    );
  }
}

export function checkExtractable(key: CryptoKey): void {
  const info = keyInfo(key);
  if (!info.extractable) {
    throw domException(`Attempt to export non-extractable ${info.name} key.`, "InvalidAccessError");
  }
}

export const PBKDF2_MAX_ITERATIONS = 100000;

/** PBKDF2 iteration limits as on Cloudflare (the host enforces them too). */
export function checkDeriveParams(alg: Algorithm): void {
  if (alg.name !== "PBKDF2" || typeof alg.iterations !== "number") return;
  const n = alg.iterations;
  if (n > PBKDF2_MAX_ITERATIONS) {
    throw domException(
      `Pbkdf2 failed: iteration counts above ${PBKDF2_MAX_ITERATIONS} are not supported (requested ${n}).`,
      "NotSupportedError",
    );
  }
}

export function normalizeUsages(usages: unknown): string[] {
  if (typeof usages !== "object" || usages === null || typeof (usages as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new TypeError("keyUsages must be a sequence of strings.");
  }
  return Array.from(usages as Iterable<unknown>, String);
}

const FORMATS = new Set(["raw", "pkcs8", "spki", "jwk"]);
const JWK_STRINGS = ["kty", "use", "alg", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "k"];

export function checkFormat(format: string): void {
  if (!FORMATS.has(format)) {
    throw domException(`Unrecognized key import format "${format}".`, "NotSupportedError");
  }
}

/** A plain copy of a JsonWebKey's known members. */
export function copyJwk(v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || ArrayBuffer.isView(v)) {
    throw new TypeError('Import data provided for "jwk" import format must be a JsonWebKey.');
  }
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of JWK_STRINGS) if (src[k] !== undefined) out[k] = String(src[k]);
  if (src.ext !== undefined) out.ext = Boolean(src.ext);
  if (src.key_ops !== undefined) out.key_ops = normalizeUsages(src.key_ops);
  if (Array.isArray(src.oth)) {
    out.oth = src.oth.map((o: Record<string, unknown>) => {
      const c: Record<string, string> = {};
      for (const k of ["r", "d", "t"]) if (o?.[k] !== undefined) c[k] = String(o[k]);
      return c;
    });
  }
  return out;
}
