// The host side of the Cache API (every worker has it; it is not configured): `cache.match`,
// `cache.put`, `cache.delete` (see cache-protocol.ts), and subrequest caching for
// `fetch(url, { cf: { cacheTtl, cacheEverything, cacheKey, cacheTtlByStatus } })`, which goes
// through caches.default as on Cloudflare. The rules themselves are in cache-rules.ts and
// subrequest-rules.ts; storage is a CacheStore per cache name (src/storage/cache).
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import type { FetchStartInit, FetchStartResult } from "../../protocol/bridge.ts";
import type { HostCallContext, HostFunctionTable } from "../../runtime/host-functions.ts";
import { openBodyHandle, startSubrequest, takeUploadStream } from "../../runtime/outbound-fetch.ts";
import type { ResponseTap, UploadStream } from "../../runtime/outbound-fetch.ts";
import { CacheBodyTooLarge } from "../../storage/cache/cache-store.ts";
import type { CacheEntry, CacheStore, CacheWriter, CachedHead } from "../../storage/cache/cache-store.ts";
import type { StorageProvider } from "../../storage/index.ts";
import { MAX_CACHE_NAME_BYTES } from "./cache-protocol.ts";
import type { CacheMatchConditions, CacheMatchResult, CachePutBody, CachePutHead } from "./cache-protocol.ts";
import { cachePutDecision, getHeader, withoutHeaders } from "./cache-rules.ts";
import type { HeaderList } from "./cache-rules.ts";
import { cachedResponse } from "./cached-response.ts";
import type { CachedResponse } from "./cached-response.ts";
import { bypassesCache, subrequestCacheOptions, subrequestDecision } from "./subrequest-rules.ts";

/** Matched bodies up to this size go back to the isolate in the call's result; larger ones as a handle. */
const INLINE_MATCH_BYTES = 64 * 1024;
const CF_CACHE_STATUS = new Set(["cf-cache-status"]);

function noop(): void {}

/**
 * The store name of a cache: "default" for caches.default, `named:<name>` for caches.open(name)
 * (a cache opened as "default" is a different cache, as on Cloudflare). Names too long to be part
 * of a file name are replaced by their hash.
 */
export function cacheStoreName(cacheName: string | null): string {
  if (cacheName === null) return "default";
  const plain = `named:${cacheName}`;
  if (encodeURIComponent(plain).length <= 200) return plain;
  return `named-sha256:${createHash("sha256").update(cacheName).digest("hex")}`;
}

/** The state shared by every worker on one storage provider (one process's caches). */
class CacheState {
  #storage: StorageProvider;
  #stores = new Map<string, CacheStore>();
  /** Subrequest responses being committed, by store and key: a lookup waits for them. */
  #committing = new Map<string, Promise<void>>();

  constructor(storage: StorageProvider) {
    this.#storage = storage;
  }

  /** The store for a cache name sent by the isolate (validated: it is untrusted). */
  store(cacheName: unknown): { name: string; store: CacheStore } {
    if (cacheName !== null && typeof cacheName !== "string") throw new TypeError("Invalid cache name.");
    if (typeof cacheName === "string" && Buffer.byteLength(cacheName) >= MAX_CACHE_NAME_BYTES) throw new TypeError("Cache name is too long.");
    const name = cacheStoreName(cacheName);
    let store = this.#stores.get(name);
    if (!store) {
      store = this.#storage.cache(name);
      this.#stores.set(name, store);
    }
    return { name, store };
  }

  /** Registers a commit in progress so that lookups of the same key see its result. */
  committing(name: string, key: string, commit: Promise<void>): void {
    const id = `${name}\n${key}`;
    const tracked = commit.catch(noop);
    this.#committing.set(id, tracked);
    void tracked.then(() => {
      if (this.#committing.get(id) === tracked) this.#committing.delete(id);
    });
  }

  settled(name: string, key: string): Promise<void> | undefined {
    return this.#committing.get(`${name}\n${key}`);
  }
}

const states = new WeakMap<StorageProvider, CacheState>();

function stateFor(storage: StorageProvider): CacheState {
  let state = states.get(storage);
  if (!state) states.set(storage, (state = new CacheState(storage)));
  return state;
}

// ---- argument checks (the isolate is untrusted) ------------------------------------------------

function checkKey(key: unknown): string {
  if (typeof key !== "string" || key === "") throw new TypeError("Invalid cache key.");
  return key;
}

function isHeaderList(headers: unknown): headers is HeaderList {
  return Array.isArray(headers) && headers.every((h) => Array.isArray(h) && typeof h[0] === "string" && typeof h[1] === "string");
}

function checkHeaders(headers: unknown): HeaderList {
  if (!isHeaderList(headers)) throw new TypeError("Invalid headers.");
  return headers;
}

function checkHead(head: unknown): CachePutHead {
  const h = head as Partial<CachePutHead> | null;
  if (!h || typeof h !== "object" || !Number.isInteger(h.status) || typeof h.statusText !== "string") throw new TypeError("Invalid response.");
  return { status: h.status!, statusText: h.statusText, headers: checkHeaders(h.headers), encodeBody: h.encodeBody === "manual" ? "manual" : "automatic" };
}

function conditionsOf(value: unknown): CacheMatchConditions {
  const c = (value ?? {}) as Partial<Record<keyof CacheMatchConditions, unknown>>;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return { range: str(c.range), ifNoneMatch: str(c.ifNoneMatch), ifModifiedSince: str(c.ifModifiedSince) };
}

function conditionsFromHeaders(headers: HeaderList): CacheMatchConditions {
  return { range: getHeader(headers, "range"), ifNoneMatch: getHeader(headers, "if-none-match"), ifModifiedSince: getHeader(headers, "if-modified-since") };
}

// ---- bodies --------------------------------------------------------------------------------------

/** The body for the isolate: inline when small (one copy, no further round trips), else a fetch.read handle. */
async function transferBody(ctx: HostCallContext, response: CachedResponse): Promise<ArrayBuffer | number | null> {
  const body = response.body;
  if (body === null) return null;
  if (response.size > INLINE_MATCH_BYTES) return openBodyHandle(ctx, body);
  const bytes = new Uint8Array(response.size);
  let at = 0;
  for await (const chunk of body) {
    const c = chunk as Buffer;
    if (at + c.byteLength > bytes.byteLength) throw new Error("The cached body is longer than recorded.");
    bytes.set(c, at);
    at += c.byteLength;
  }
  return at === bytes.byteLength ? bytes.buffer : bytes.buffer.slice(0, at);
}

/** Decodes an already-encoded body (`encodeBody: "manual"`), so the cache keeps what a reader sees. */
function decodeManual(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  contentEncoding: string | null,
): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  const coding = contentEncoding?.trim().toLowerCase();
  const decoder = coding === "gzip" || coding === "x-gzip" ? zlib.createGunzip() : coding === "br" ? zlib.createBrotliDecompress() : null;
  if (!decoder) return source;
  const input = Readable.from(source, { objectMode: false });
  input.on("error", (error) => decoder.destroy(error));
  input.pipe(decoder);
  return decoder;
}

async function writeAll(writer: CacheWriter, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  try {
    for await (const chunk of source) if (chunk.byteLength > 0) await writer.write(chunk);
    await writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/**
 * Stores an origin response while the isolate reads it: the body is observed, not consumed, and
 * the entry is committed when the body ends (dropped if it is cancelled or fails first).
 */
function storeWhileRead(state: CacheState, name: string, store: CacheStore, key: string, head: CachedHead, ttl: number, body: Readable | null): void {
  const writer = store.put(key, head, ttl);
  if (body === null) {
    state.committing(name, key, writer.commit());
    return;
  }
  let failed = false;
  let ended = false;
  const fail = () => {
    if (failed || ended) return;
    failed = true;
    writer.abort();
  };
  body.on("data", (chunk: Buffer) => {
    if (!failed) writer.write(chunk).catch(fail);
  });
  body.once("end", () => {
    if (failed) return;
    ended = true;
    state.committing(name, key, writer.commit());
  });
  body.once("error", fail);
  body.once("close", fail);
}

// ---- the host functions -----------------------------------------------------------------------

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** `fetch.start` with subrequest caching; requests without cf cache options go straight to the origin. */
async function cachedFetchStart(state: CacheState, ctx: HostCallContext, rawInit: unknown): Promise<FetchStartResult> {
  const init = rawInit as Partial<FetchStartInit> | null;
  const options = init && typeof init === "object" ? subrequestCacheOptions(init.cf) : undefined;
  // Only GET and HEAD use the cache, and only when the worker reads decoded bodies (what is
  // stored). Anything malformed is left to the runtime's fetch.start to reject.
  if (
    !options ||
    (init!.method !== "GET" && init!.method !== "HEAD") ||
    init!.decode === false ||
    (init!.body ?? null) !== null ||
    typeof init!.url !== "string" ||
    !isHeaderList(init!.headers)
  ) {
    return startSubrequest(ctx, rawInit);
  }
  const { method, headers: requestHeaders, redirect } = init as FetchStartInit;
  let url: URL;
  try {
    url = new URL(init!.url!);
  } catch {
    return startSubrequest(ctx, rawInit);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return startSubrequest(ctx, rawInit);
  url.hash = "";
  const key = options.cacheKey ?? url.href;
  const bypass = bypassesCache(options);

  let name: string;
  let store: CacheStore;
  let entry: CacheEntry | undefined;
  try {
    ({ name, store } = state.store(null));
    if (!bypass) {
      await state.settled(name, key);
      entry = await store.match(key);
    }
  } catch {
    // The cache is best effort: when it cannot be read, the request goes to the origin.
    return startSubrequest(ctx, rawInit);
  }
  // A stored redirect only answers a request that does not follow redirects.
  if (entry && isRedirect(entry.status) && redirect !== "manual") {
    entry.body.close();
    entry = undefined;
  }
  if (entry) {
    try {
      ctx.countSubrequest();
    } catch (error) {
      entry.body.close();
      throw error;
    }
    const response = cachedResponse(entry, conditionsFromHeaders(requestHeaders), method !== "HEAD");
    const body = response.body === null ? null : openBodyHandle(ctx, response.body);
    return { status: response.status, statusText: response.statusText, headers: response.headers, url: url.href, redirected: false, body };
  }

  const authorization = getHeader(requestHeaders, "authorization") !== null;
  let status = bypass ? "BYPASS" : "DYNAMIC";
  const tap: ResponseTap = (head, body) => {
    try {
      const decision = subrequestDecision(options, { url: url.href, authorization }, head, Date.now());
      status = decision.status;
      if (decision.store && method === "GET") {
        const stored = { status: head.status, statusText: head.statusText, headers: decision.headers };
        storeWhileRead(state, name, store, key, stored, decision.ttl, body);
      }
    } catch {
      // The cache is best effort: a failure to store never fails the fetch.
    }
  };
  const result = await startSubrequest(ctx, rawInit, bypass ? undefined : tap);
  return { ...result, headers: [...withoutHeaders(result.headers, CF_CACHE_STATUS), ["cf-cache-status", status]] };
}

/**
 * The Cache API's host functions for one worker, on the process's storage. It also replaces
 * `fetch.start` (src/runtime/outbound-fetch.ts) with a version that serves and fills the cache
 * for requests with `cf` cache options; src/cli/start-worker.ts lets binding functions override
 * the runtime's.
 */
export function cacheFunctions(storage: StorageProvider): HostFunctionTable {
  const state = stateFor(storage);
  return {
    async "cache.match"(ctx, cacheName: unknown, key: unknown, conditions: unknown): Promise<CacheMatchResult | null> {
      const { name, store } = state.store(cacheName);
      const k = checkKey(key);
      ctx.countSubrequest();
      await state.settled(name, k);
      const entry = await store.match(k);
      if (!entry) return null;
      const response = cachedResponse(entry, conditionsOf(conditions));
      return { status: response.status, statusText: response.statusText, headers: response.headers, body: await transferBody(ctx, response) };
    },

    async "cache.put"(ctx, cacheName: unknown, key: unknown, rawHead: unknown, authorization: unknown, rawBody: unknown): Promise<void> {
      // Taken before anything is awaited: the isolate may close the upload handle once it has written everything.
      const body = rawBody as CachePutBody;
      let upload: UploadStream | null = null;
      if (body !== null && typeof body === "object" && !(body instanceof ArrayBuffer)) upload = takeUploadStream(ctx, body.stream);
      const discardUpload = () => {
        if (upload && !upload.readable.destroyed) upload.readable.destroy();
      };
      try {
        const { store } = state.store(cacheName);
        const k = checkKey(key);
        const head = checkHead(rawHead);
        if (body !== null && upload === null && !(body instanceof ArrayBuffer)) throw new TypeError("Invalid body.");
        ctx.countSubrequest();
        const decision = cachePutDecision(head, { authorization: authorization === true }, Date.now());
        if (!decision.store) {
          // As on Cloudflare, put resolves whether or not the response was stored.
          discardUpload();
          return;
        }
        let source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = upload ? upload.readable : body instanceof ArrayBuffer ? [new Uint8Array(body)] : [];
        if (head.encodeBody === "manual") source = decodeManual(source, getHeader(head.headers, "content-encoding"));
        await writeAll(store.put(k, { status: head.status, statusText: head.statusText, headers: decision.headers }, decision.ttl), source);
      } catch (error) {
        discardUpload();
        // Too large to cache: Cloudflare's cache answers 413 and put still resolves.
        if (error instanceof CacheBodyTooLarge) return;
        throw error;
      }
    },

    async "cache.delete"(ctx, cacheName: unknown, key: unknown): Promise<boolean> {
      const { name, store } = state.store(cacheName);
      const k = checkKey(key);
      ctx.countSubrequest();
      await state.settled(name, k);
      return store.delete(k);
    },

    "fetch.start": (ctx, init: unknown) => cachedFetchStart(state, ctx, init),
  };
}
