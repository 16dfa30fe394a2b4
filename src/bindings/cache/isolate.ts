// The isolate side of the Cache API (bundled into the prelude): the `caches` global (a
// CacheStorage with `default` and `open(name)`) and `Cache` with match / put / delete. The
// checks that throw are Cloudflare's (workerd's api/cache.c++), with its messages; what gets
// stored, for how long, and how a match answers is decided on the host (service.ts).
import { callHost } from "../../prelude/bridge.ts";
import { Request, Response, bodyForTransmit, responseHead } from "../../prelude/fetch/index.ts";
import { hostBodyStream, pumpUpload } from "../../prelude/fetch/fetch.ts";
import { headersFromList } from "../../prelude/fetch/headers.ts";
import { defaultStatusText, makeResponse } from "../../prelude/fetch/response.ts";
import { EMPTY, exactBuffer, fixName, utf8Encode } from "../../prelude/fetch/util.ts";
import { MAX_CACHE_NAME_BYTES } from "./cache-protocol.ts";
import type { CacheMatchConditions, CacheMatchResult, CachePutBody, CachePutHead } from "./cache-protocol.ts";

const INTERNAL: unique symbol = Symbol("atoll.cache");

function noop(): void {}

/** workerd's error for a method it declares but does not implement (a plain Error, thrown at once). */
function notImplemented(method: string, type: string): Error {
  return new Error(`Failed to execute '${method}' on '${type}': the method is not implemented.`);
}

/** CacheQueryOptions: `ignoreMethod`; the other standard fields are rejected, as workerd does. */
function ignoreMethod(options: unknown): boolean {
  if (options === undefined || options === null) return false;
  if (typeof options !== "object") {
    throw new TypeError("Failed to execute: parameter 2 is not of type 'CacheQueryOptions'.");
  }
  const o = options as Record<string, unknown>;
  for (const field of ["ignoreSearch", "ignoreVary", "cacheName"]) {
    if (o[field] !== undefined) throw new Error(`The '${field}' field on 'CacheQueryOptions' is not implemented.`);
  }
  return Boolean(o.ignoreMethod);
}

/** Request::coerce: a Request is used as is, anything else is a URL for a new GET Request. */
function coerce(request: unknown): Request {
  return request instanceof Request ? request : new Request(String(request));
}

/** The key a request is stored under: its `cf.cacheKey` when set (as Miniflare does), else its URL. */
function cacheKey(request: Request): string {
  const cf = request.cf as { cacheKey?: unknown } | undefined;
  if (cf && typeof cf.cacheKey === "string" && cf.cacheKey !== "") return cf.cacheKey;
  return request.url;
}

/** Cache API keys must be absolute URLs with a host (workerd's validateUrl). */
function validateUrl(url: string): void {
  let ok = false;
  try {
    ok = new URL(url).host !== "";
  } catch {
    // not a URL
  }
  if (!ok) throw new TypeError("Invalid URL. Cache API keys must be fully-qualified, valid URLs.");
}

export class Cache {
  /** null for caches.default. */
  readonly #name: string | null;

  constructor(token?: unknown, name?: string | null) {
    if (token !== INTERNAL) throw new TypeError("Illegal constructor");
    this.#name = name ?? null;
  }

  async match(request: unknown, options?: unknown): Promise<Response | undefined> {
    const anyMethod = ignoreMethod(options);
    const req = coerce(request);
    if (!anyMethod && req.method !== "GET") return undefined;
    validateUrl(req.url);
    const h = req.headers;
    const conditions: CacheMatchConditions = {
      range: h.get("range"),
      ifNoneMatch: h.get("if-none-match"),
      ifModifiedSince: h.get("if-modified-since"),
    };
    const found = (await callHost("cache.match", [this.#name, cacheKey(req), conditions])) as CacheMatchResult | null;
    if (found === null) return undefined;
    const body =
      found.body === null
        ? null
        : typeof found.body === "number"
          ? { source: hostBodyStream(found.body, noop, noop), owned: false, contentType: null }
          : { source: found.body.byteLength ? new Uint8Array(found.body) : EMPTY, owned: found.body.byteLength > 0, contentType: null };
    return makeResponse({
      status: found.status,
      statusText: found.statusText === defaultStatusText(found.status) ? null : found.statusText,
      headers: headersFromList(found.headers, "immutable"),
      body,
      urlList: [],
      webSocket: null,
      cf: undefined,
      encodeBody: "automatic",
    });
  }

  async put(request: unknown, response: unknown): Promise<void> {
    if (!(response instanceof Response)) {
      throw new TypeError("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.");
    }
    if (response.type === "error") throw new TypeError("Cache is unable to store an error response");
    const req = coerce(request);
    if (req.method !== "GET") throw new TypeError("Cannot cache response to non-GET request.");
    if (response.status === 206) throw new TypeError("Cannot cache response to a range request (206 Partial Content).");
    const vary = response.headers.get("vary");
    if (vary !== null && vary.includes("*")) throw new TypeError("Cannot cache response with 'Vary: *' header.");
    // workerd discards 304s silently (caching one would answer later unconditional requests with it).
    if (response.status === 304) return;
    const head = responseHead(response);
    if (head.webSocket) throw new TypeError("Cannot cache WebSocket upgrade response.");
    validateUrl(req.url);
    // Marks the body used now, before anything is awaited, as workerd does.
    const tx = bodyForTransmit(response);
    const putHead: CachePutHead = { status: head.status, statusText: head.statusText, headers: head.headers, encodeBody: head.encodeBody };
    const args = [this.#name, cacheKey(req), putHead, req.headers.has("authorization")];
    if (tx === null || "bytes" in tx) {
      const bytes: CachePutBody = tx === null ? null : exactBuffer(tx.bytes, true);
      await callHost("cache.put", [...args, bytes]);
      return;
    }
    const handle = (await callHost("stream.create", [])) as number;
    const put = callHost("cache.put", [...args, { stream: handle }]);
    const cancel = pumpUpload(tx.stream, handle);
    try {
      await put;
    } catch (error) {
      cancel(error);
      throw error;
    }
  }

  async delete(request: unknown, options?: unknown): Promise<boolean> {
    const anyMethod = ignoreMethod(options);
    const req = coerce(request);
    if (!anyMethod && req.method !== "GET") return false;
    validateUrl(req.url);
    return (await callHost("cache.delete", [this.#name, cacheKey(req)])) as boolean;
  }

  add(_request?: unknown): never {
    throw notImplemented("add", "Cache");
  }
  addAll(_requests?: unknown): never {
    throw notImplemented("addAll", "Cache");
  }
  matchAll(_request?: unknown, _options?: unknown): never {
    throw notImplemented("matchAll", "Cache");
  }
  keys(_request?: unknown, _options?: unknown): never {
    throw notImplemented("keys", "Cache");
  }

  get [Symbol.toStringTag](): string {
    return "Cache";
  }
}
fixName(Cache, "Cache");

export class CacheStorage {
  readonly #default: Cache;

  constructor(token?: unknown) {
    if (token !== INTERNAL) throw new TypeError("Illegal constructor");
    this.#default = new Cache(INTERNAL, null);
  }

  get default(): Cache {
    return this.#default;
  }

  async open(cacheName: unknown): Promise<Cache> {
    if (cacheName === undefined) {
      throw new TypeError("Failed to execute 'open' on 'CacheStorage': parameter 1 is not of type 'string'.");
    }
    const name = String(cacheName);
    // A limit so names stay reasonable (workerd's, on the control header it sends).
    if (utf8Encode(name).byteLength >= MAX_CACHE_NAME_BYTES) throw new TypeError("Cache name is too long.");
    return new Cache(INTERNAL, name);
  }

  match(_request?: unknown, _options?: unknown): never {
    throw notImplemented("match", "CacheStorage");
  }
  has(_cacheName?: unknown): never {
    throw notImplemented("has", "CacheStorage");
  }
  delete(_cacheName?: unknown): never {
    throw notImplemented("delete", "CacheStorage");
  }
  keys(): never {
    throw notImplemented("keys", "CacheStorage");
  }

  get [Symbol.toStringTag](): string {
    return "CacheStorage";
  }
}
fixName(CacheStorage, "CacheStorage");

export const cacheGlobals: Record<string, unknown> = {
  caches: new CacheStorage(INTERNAL),
  CacheStorage,
  Cache,
};
