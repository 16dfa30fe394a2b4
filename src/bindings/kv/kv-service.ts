// The host side of one KV namespace binding: validates every call as Cloudflare does (see
// kv-validation.ts), then reads or writes the namespace's store. Used by the isolate's
// KVNamespace (through the host functions in plugin.ts) and by `atoll kv`, so both behave alike.
import type { KvEntry, KvStore } from "../../storage/kv/kv-store.ts";
import {
  KV_LIMITS,
  kvFailure,
  resolveExpiration,
  resolveListLimit,
  UNKNOWN_TYPE_MESSAGE,
  validateBulkGet,
  validateBulkKeyName,
  validateCacheTtl,
  validateKeyLength,
  validateKeyName,
  validateMetadata,
  validateValueLength,
} from "./kv-validation.ts";

export interface KvGetOptions {
  /** "text" (default), "json", "arrayBuffer" or "stream". */
  type?: string;
  cacheTtl?: number;
}

/**
 * A found value, decoded as far as the host can: UTF-8 text for "text" and "json" (the isolate
 * parses JSON, so parse errors are the isolate's own SyntaxError), bytes for "arrayBuffer" and
 * "stream". `metadata` is JSON text, parsed only by getWithMetadata.
 */
export interface KvGetResult {
  value: string | ArrayBuffer;
  metadata: string | null;
}

export interface KvPutOptions {
  /** Seconds since the epoch. */
  expiration?: number;
  /** Seconds from now; wins over `expiration`. */
  expirationTtl?: number;
  /** JSON text. */
  metadata?: string;
}

/**
 * What a put stores: text (as UTF-8), bytes, or, for a stream longer than the value limit that
 * the isolate counted but did not keep, only its length (which fails the size check).
 */
export type KvPutValue = string | ArrayBuffer | ArrayBufferView | { streamedLength: number };

export interface KvListOptions {
  limit?: number;
  prefix?: string;
  cursor?: string;
}

/** KVNamespaceListResult, as user code receives it. */
export interface KvListResponse {
  keys: { name: string; expiration?: number; metadata?: unknown }[];
  list_complete: boolean;
  cursor?: string;
  cacheStatus: null;
}

export class KvService {
  readonly #store: KvStore;
  readonly #clock: () => number;

  /** `clock` returns milliseconds since the epoch (tests pass a fixed one). */
  constructor(store: KvStore, clock: () => number = Date.now) {
    this.#store = store;
    this.#clock = clock;
  }

  async get(key: string, options: KvGetOptions = {}): Promise<KvGetResult | null> {
    validateKeyName("GET", key);
    validateCacheTtl("GET", options.cacheTtl);
    const entry = await this.#store.get(key, this.#clock() / 1000);
    if (!entry) return null;
    // As in workerd, an unknown type is only noticed once there is a value to convert.
    return { value: decode(entry.value, options.type ?? "text"), metadata: entry.metadata };
  }

  /**
   * get([keys]) / getWithMetadata([keys]): a Map from each key to its value (text, or parsed
   * JSON), or with `withMetadata` to `{ value, metadata, cacheStatus }`; null for missing keys.
   */
  async getBulk(keys: string[], options: KvGetOptions & { withMetadata?: boolean } = {}): Promise<Map<string, unknown>> {
    if (!Array.isArray(keys)) throw new TypeError("Keys must be an array of strings.");
    const type = options.type ?? "text";
    validateBulkGet(keys.length, type);
    const now = this.#clock() / 1000;
    const result = new Map<string, unknown>();
    let totalBytes = 0;
    for (const key of keys) {
      validateBulkKeyName(key);
      validateCacheTtl("GET_BULK", options.cacheTtl);
      const entry = await this.#store.get(key, now);
      if (!entry) {
        result.set(key, null);
        continue;
      }
      totalBytes += entry.value.byteLength;
      const text = utf8(entry.value);
      let value: unknown = text;
      if (type === "json") {
        try {
          value = JSON.parse(text);
        } catch {
          throw kvFailure("GET_BULK", 400, "At least one of the requested keys corresponds to a non-json value");
        }
      }
      result.set(key, options.withMetadata ? { value, metadata: parseMetadata(entry.metadata), cacheStatus: null } : value);
    }
    if (totalBytes > KV_LIMITS.maxBulkGetBytes) {
      throw kvFailure("GET_BULK", 413, `Total size of request exceeds the limit of ${KV_LIMITS.maxBulkGetBytes / 1024 / 1024}MB`);
    }
    return result;
  }

  async put(key: string, value: KvPutValue, options: KvPutOptions = {}): Promise<void> {
    const entry = this.#entry(key, value, options, Math.floor(this.#clock() / 1000));
    await this.#store.put(key, entry);
  }

  async delete(key: string): Promise<void> {
    validateKeyName("DELETE", key);
    await this.#store.delete(key);
  }

  async list(options: KvListOptions = {}): Promise<KvListResponse> {
    const limit = resolveListLimit(options.limit);
    const prefix = options.prefix ?? "";
    validateKeyLength("GET", prefix);
    const page = await this.#store.list({ prefix, limit, cursor: options.cursor || undefined }, this.#clock() / 1000);
    const keys = page.keys.map((k) => ({
      name: k.name,
      ...(k.expiration !== undefined && { expiration: k.expiration }),
      ...(k.metadata !== undefined && { metadata: parseMetadata(k.metadata) }),
    }));
    return page.listComplete
      ? { keys, list_complete: true, cacheStatus: null }
      : { keys, list_complete: false, cursor: page.cursor, cacheStatus: null };
  }

  /**
   * Writes many entries (`atoll kv bulk put`): every item is validated as put() validates it
   * before anything is written, then all are written in one transaction.
   */
  async putBulk(items: { key: string; value: KvPutValue; options?: KvPutOptions }[]): Promise<void> {
    const now = Math.floor(this.#clock() / 1000);
    const entries = items.map((item, index) => {
      try {
        return [item.key, this.#entry(item.key, item.value, item.options ?? {}, now)] as const;
      } catch (error) {
        throw atIndex(error, index);
      }
    });
    await Promise.all(entries.map(([key, entry]) => this.#store.put(key, entry)));
  }

  /** Deletes many keys (`atoll kv bulk delete`), validated first, in one transaction. */
  async deleteBulk(keys: string[]): Promise<void> {
    keys.forEach((key, index) => {
      try {
        validateKeyName("DELETE", key);
      } catch (error) {
        throw atIndex(error, index);
      }
    });
    await Promise.all(keys.map((key) => this.#store.delete(key)));
  }

  #entry(key: string, value: KvPutValue, options: KvPutOptions, nowSeconds: number): KvEntry {
    validateKeyName("PUT", key);
    const expiration = resolveExpiration(options, nowSeconds);
    const metadata = validateMetadata(options.metadata);
    return { value: encode(value), expiration, metadata };
  }
}

function encode(value: KvPutValue): Uint8Array {
  if (typeof value === "string") {
    // Count before encoding, so an oversized string is never copied.
    if (value.length > KV_LIMITS.maxValueBytes / 3) validateValueLength(Buffer.byteLength(value, "utf8"));
    return Buffer.from(value, "utf8");
  }
  if (value instanceof ArrayBuffer) {
    validateValueLength(value.byteLength);
    return new Uint8Array(value);
  }
  if (ArrayBuffer.isView(value)) {
    validateValueLength(value.byteLength);
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value !== null && typeof value === "object" && typeof value.streamedLength === "number") {
    validateValueLength(value.streamedLength);
  }
  throw new TypeError("KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.");
}

function decode(bytes: Uint8Array, type: string): string | ArrayBuffer {
  switch (type) {
    case "text":
    case "json":
      return utf8(bytes);
    case "arrayBuffer":
    case "stream":
      return exactArrayBuffer(bytes);
    default:
      throw new TypeError(UNKNOWN_TYPE_MESSAGE);
  }
}

/** UTF-8 to a string as workerd reads KV text: invalid sequences become U+FFFD, a BOM is kept. */
function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

function exactArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = bytes.buffer as ArrayBuffer;
  if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return buffer;
  return buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function parseMetadata(metadata: string | null): unknown {
  return metadata === null ? null : JSON.parse(metadata);
}

function atIndex(error: unknown, index: number): Error {
  const message = `The item at index ${index}: ${(error as Error).message}`;
  return error instanceof TypeError ? new TypeError(message) : new Error(message);
}
