// The bridge calls of the Cache API, shared by the isolate side (isolate.ts) and the host side
// (service.ts): types and names only. `cache` is the name given to caches.open(), or null for
// caches.default. Bodies cross as ArrayBuffers when small or already in memory; larger ones as
// handles: a `stream.create` upload handle for put, a `fetch.read` handle for match (the same
// machinery as fetch() bodies, src/runtime/outbound-fetch.ts).
//
//   cache.match(cache, key, conditions)                      -> CacheMatchResult | null
//   cache.put(cache, key, head, authorization, body)         -> void (resolves once stored, or refused)
//   cache.delete(cache, key)                                 -> boolean
import type { HeaderList } from "../../protocol/bridge.ts";

export type { HeaderList };

/** Request headers a match answers to (conditional and range requests). */
export interface CacheMatchConditions {
  range: string | null;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
}

/** A matched response: `body` inline bytes, a `fetch.read` handle, or none. */
export interface CacheMatchResult {
  status: number;
  statusText: string;
  headers: HeaderList;
  body: ArrayBuffer | number | null;
}

/** The response given to put (already checked against Cloudflare's put errors in the isolate). */
export interface CachePutHead {
  status: number;
  statusText: string;
  headers: HeaderList;
  encodeBody: "automatic" | "manual";
}

export type CachePutBody = ArrayBuffer | null | { stream: number };

/** Cloudflare's limit on the length of a cache name given to caches.open(), in UTF-8 bytes. */
export const MAX_CACHE_NAME_BYTES = 1024;
