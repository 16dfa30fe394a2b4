// The Cache API storage interface: stored responses keyed by a string (a request URL or a custom
// cache key), each with an expiry. Bodies are streamed in (up to 512 MB, Cloudflare's limit per
// object) and read back whole or by byte range. What may be stored and for how long is decided
// above this layer (src/bindings/cache/cache-rules.ts); a store only keeps what it is given.
import type { Readable } from "node:stream";

export type HeaderList = [name: string, value: string][];

/** Cloudflare's maximum cacheable object size (Free, Pro and Business plans). */
export const MAX_CACHE_OBJECT_BYTES = 512 * 1024 * 1024;

/** The response head a cache entry answers with. */
export interface CachedHead {
  status: number;
  statusText: string;
  headers: HeaderList;
}

export interface CacheEntry extends CachedHead {
  /** Body length in bytes. */
  size: number;
  /** When it was stored and when it stops being served (ms since the epoch). */
  storedAt: number;
  expiresAt: number;
  /** The stored body, open for reading; close it when done. */
  body: CacheBody;
}

/**
 * An open stored body. It stays readable after the entry is replaced or deleted (the bytes are
 * pinned while open), so a match never sees a half-replaced body.
 */
export interface CacheBody {
  readonly size: number;
  /** Bytes [start, end) (default: all) as a stream of Buffers. May be called several times. */
  stream(start?: number, end?: number): Readable;
  /** Releases the body once every stream made from it has closed. Idempotent. */
  close(): void;
}

/** Writes one entry. Nothing is visible until `commit` resolves; `abort` discards it. */
export interface CacheWriter {
  /**
   * Appends body bytes. Calls may overlap (they are applied in order); each resolves when its
   * bytes are accepted. Rejects with CacheBodyTooLarge past the size limit (the entry is dropped).
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the entry durable and visible, replacing any entry under the same key. */
  commit(): Promise<void>;
  /** Drops everything written so far; resolves once it is gone. Safe to call more than once, or after a failure. */
  abort(): Promise<void>;
}

export class CacheBodyTooLarge extends Error {
  constructor(limit: number) {
    super(`The response body is larger than the cache's ${limit}-byte limit per object.`);
    this.name = "CacheBodyTooLarge";
  }
}

export interface CacheStore {
  /** The live (not expired) entry under `key`, with its body open, or undefined. */
  match(key: string): Promise<CacheEntry | undefined>;
  /** Starts storing an entry that expires `ttlSeconds` after it is committed. */
  put(key: string, head: CachedHead, ttlSeconds: number): CacheWriter;
  /** Removes the entry under `key`; true if a live one was there. */
  delete(key: string): Promise<boolean>;
  close(): void;
}
