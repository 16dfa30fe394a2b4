// Cloudflare's KV limits and the errors user code sees when it crosses them, worded as workerd
// surfaces them (src/workerd/api/kv.c++ formats a failed KV request as
// `KV <METHOD> failed: <status> <status text>`; the status texts are the KV API's, as Miniflare
// reproduces them in packages/miniflare/src/workers/kv/validator.worker.ts).

export const KV_LIMITS = {
  maxKeyBytes: 512,
  maxValueBytes: 25 * 1024 * 1024,
  maxMetadataBytes: 1024,
  maxListLimit: 1000,
  maxBulkGetKeys: 100,
  maxBulkGetBytes: 25 * 1024 * 1024,
  minCacheTtl: 30,
  minExpirationTtl: 60,
} as const;

/** The request kinds workerd names in its error messages. `list` is a GET. */
export type KvMethod = "GET" | "GET_BULK" | "PUT" | "DELETE";

/** The error a failed KV request surfaces as, e.g. `KV PUT failed: 413 Value length of …`. */
export function kvFailure(method: KvMethod, status: number, text: string): Error {
  return new Error(`KV ${method} failed: ${status} ${text}`);
}

/** Integer conversion as workerd's bindings do it for numeric options (NaN becomes 0). */
export function toInteger(value: number): number {
  return Number.isNaN(value) ? 0 : Math.trunc(value);
}

/** Key checks workerd makes before sending a single-key request. */
export function validateKeyName(method: KvMethod, key: string): void {
  if (typeof key !== "string") throw new TypeError("Key name must be a string.");
  if (key === "") throw new TypeError("Key name cannot be empty.");
  if (key === ".") throw new TypeError('"." is not allowed as a key name.');
  if (key === "..") throw new TypeError('".." is not allowed as a key name.');
  validateKeyLength(method, key);
}

/** Key checks the KV API makes on keys workerd passes through unchecked (bulk reads). */
export function validateBulkKeyName(key: string): void {
  if (typeof key !== "string") throw new TypeError("Key name must be a string.");
  if (key === "") throw kvFailure("GET_BULK", 400, "Key names must not be empty");
  if (key === "." || key === "..") throw kvFailure("GET_BULK", 400, `Illegal key name "${key}". Please use a different name.`);
  validateKeyLength("GET_BULK", key);
}

/** Also the rule for list prefixes. */
export function validateKeyLength(method: KvMethod, key: string): void {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short keys need no counting.
  if (key.length * 3 <= KV_LIMITS.maxKeyBytes) return;
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes > KV_LIMITS.maxKeyBytes) {
    throw kvFailure(method, 414, `UTF-8 encoded length of ${bytes} exceeds key length limit of ${KV_LIMITS.maxKeyBytes}.`);
  }
}

export function validateCacheTtl(method: KvMethod, cacheTtl: number | undefined): void {
  if (cacheTtl === undefined) return;
  const ttl = toInteger(cacheTtl);
  if (ttl < KV_LIMITS.minCacheTtl) {
    throw kvFailure(method, 400, `Invalid cache_ttl of ${ttl}. Cache TTL must be at least ${KV_LIMITS.minCacheTtl}.`);
  }
}

/** The absolute expiration (seconds) a put asks for, or null. `expirationTtl` wins over `expiration`. */
export function resolveExpiration(options: { expiration?: number; expirationTtl?: number }, nowSeconds: number): number | null {
  if (options.expirationTtl !== undefined) {
    const ttl = toInteger(options.expirationTtl);
    if (!(ttl > 0)) throw kvFailure("PUT", 400, `Invalid expiration_ttl of ${ttl}. Please specify integer greater than 0.`);
    if (ttl < KV_LIMITS.minExpirationTtl) {
      throw kvFailure("PUT", 400, `Invalid expiration_ttl of ${ttl}. Expiration TTL must be at least ${KV_LIMITS.minExpirationTtl}.`);
    }
    return nowSeconds + ttl;
  }
  if (options.expiration !== undefined) {
    const expiration = toInteger(options.expiration);
    if (!(expiration > nowSeconds)) {
      throw kvFailure(
        "PUT",
        400,
        `Invalid expiration of ${expiration}. Please specify integer greater than the current number of seconds since the UNIX epoch.`,
      );
    }
    if (expiration < nowSeconds + KV_LIMITS.minExpirationTtl) {
      throw kvFailure("PUT", 400, `Invalid expiration of ${expiration}. Expiration times must be at least ${KV_LIMITS.minExpirationTtl} seconds in the future.`);
    }
    return expiration;
  }
  return null;
}

/** `metadata` is JSON text (serialized by the caller, as workerd serializes it); null when absent. */
export function validateMetadata(metadata: string | undefined): string | null {
  if (metadata === undefined) return null;
  if (typeof metadata !== "string") throw new TypeError("KV metadata must be serialized as JSON text.");
  const bytes = Buffer.byteLength(metadata, "utf8");
  if (bytes > KV_LIMITS.maxMetadataBytes) {
    throw kvFailure("PUT", 413, `Metadata length of ${bytes} exceeds limit of ${KV_LIMITS.maxMetadataBytes}.`);
  }
  try {
    JSON.parse(metadata);
  } catch {
    throw new TypeError("KV metadata must be serialized as JSON text.");
  }
  return metadata;
}

export function validateValueLength(bytes: number): void {
  if (bytes > KV_LIMITS.maxValueBytes) {
    throw kvFailure("PUT", 413, `Value length of ${bytes} exceeds limit of ${KV_LIMITS.maxValueBytes}.`);
  }
}

/** The list limit to use: workerd sends only a positive limit; above the maximum is an error. */
export function resolveListLimit(limit: number | undefined): number {
  const n = limit === undefined ? 0 : toInteger(limit);
  if (n <= 0) return KV_LIMITS.maxListLimit;
  if (n > KV_LIMITS.maxListLimit) {
    // Sic: the API says "less than 1000" although 1000 itself is accepted.
    throw kvFailure("GET", 400, `Invalid key_count_limit of ${n}. Please specify an integer less than ${KV_LIMITS.maxListLimit}.`);
  }
  return n;
}

/** Bulk reads: the type must be text or json, and 1 to 100 keys. */
export function validateBulkGet(keyCount: number, type: string): void {
  if (type !== "text" && type !== "json") throw kvFailure("GET_BULK", 400, `"${type}" is not a valid type. Use "json" or "text"`);
  if (keyCount > KV_LIMITS.maxBulkGetKeys) throw kvFailure("GET_BULK", 400, `You can request a maximum of ${KV_LIMITS.maxBulkGetKeys} keys`);
  if (keyCount < 1) throw kvFailure("GET_BULK", 400, "You must request a minimum of 1 key");
}

export const UNKNOWN_TYPE_MESSAGE = 'Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".';
