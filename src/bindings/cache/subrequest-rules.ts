// Caching of subrequests: `fetch(url, { cf: { cacheTtl, cacheEverything, cacheKey,
// cacheTtlByStatus } })`, as pure functions over the `cf` options and the origin's response.
// Sources: developers.cloudflare.com/workers/runtime-apis/request/ (RequestInitCfProperties),
// /workers/examples/cache-using-fetch/, /cache/concepts/default-cache-behavior/.
import { cachePutDecision, getHeader, parseCacheControl, withoutHeaders } from "./cache-rules.ts";
import type { HeaderList } from "./cache-rules.ts";

export interface SubrequestCacheOptions {
  /** Forces caching for this many seconds whatever the headers say (and implies cacheEverything); ≤ 0: do not cache. */
  cacheTtl?: number;
  /** Cache any file type, not only the default static extensions (TTL still from the headers). */
  cacheEverything: boolean;
  /** Key the response is stored and looked up under instead of the URL. */
  cacheKey?: string;
  /** Forced TTLs by status code or range ("200-299"); a negative or zero TTL means do not cache. */
  cacheTtlByStatus?: { from: number; to: number; ttl: number }[];
}

/** The cache options of a request's `cf`, or undefined when it asks for none (the cache is not involved). */
export function subrequestCacheOptions(cf: unknown): SubrequestCacheOptions | undefined {
  if (cf === null || typeof cf !== "object") return undefined;
  const c = cf as Record<string, unknown>;
  if (c.cacheTtl === undefined && c.cacheEverything === undefined && c.cacheKey === undefined && c.cacheTtlByStatus === undefined) {
    return undefined;
  }
  // As on Cloudflare, values of the wrong type are ignored rather than rejected.
  const options: SubrequestCacheOptions = { cacheEverything: c.cacheEverything === true };
  if (typeof c.cacheTtl === "number" && Number.isFinite(c.cacheTtl)) options.cacheTtl = Math.trunc(c.cacheTtl);
  if (typeof c.cacheKey === "string" && c.cacheKey !== "") options.cacheKey = c.cacheKey;
  if (c.cacheTtlByStatus !== null && typeof c.cacheTtlByStatus === "object") {
    const ranges: { from: number; to: number; ttl: number }[] = [];
    for (const [key, value] of Object.entries(c.cacheTtlByStatus as Record<string, unknown>)) {
      const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(key);
      if (!m || typeof value !== "number" || !Number.isFinite(value)) continue;
      const from = Number(m[1]);
      const to = m[2] === undefined ? from : Number(m[2]);
      if (to >= from) ranges.push({ from, to, ttl: Math.trunc(value) });
    }
    if (ranges.length) options.cacheTtlByStatus = ranges;
  }
  return options;
}

/** Extensions Cloudflare caches by default (everything else needs cacheEverything or cacheTtl). */
const DEFAULT_CACHED_EXTENSIONS = new Set(
  (
    "7z avi avif apk bin bmp bz2 class css csv doc docx dmg ejs eot eps exe flac gif gz ico iso jar " +
    "jpeg jpg js mid midi mkv mp3 mp4 ogg otf pdf pict pls png ppt pptx ps rar svg svgz swf tar tif " +
    "tiff ttf webm webp woff woff2 xls xlsx zip zst"
  ).split(" "),
);

/** Whether Cloudflare's default cache level caches this URL (by file extension; also /robots.txt). */
export function hasDefaultCachedExtension(url: string): boolean {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false;
  }
  if (path === "/robots.txt") return true;
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 && DEFAULT_CACHED_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** Whether a lookup can hit at all: a non-positive cacheTtl alone means "do not use the cache". */
export function bypassesCache(options: SubrequestCacheOptions): boolean {
  return options.cacheTtl !== undefined && options.cacheTtl <= 0 && options.cacheTtlByStatus === undefined;
}

/** cf-cache-status of a subrequest that was not served from the cache. */
export type SubrequestCacheStatus = "MISS" | "BYPASS" | "DYNAMIC";

export type SubrequestDecision =
  | { status: "MISS"; store: true; ttl: number; headers: HeaderList }
  | { status: SubrequestCacheStatus; store: false };

/**
 * What happens to an origin response: stored (MISS) for a TTL, not stored because the request or
 * the response said so (BYPASS), or not eligible (DYNAMIC). The order follows the documentation:
 * a matching cacheTtlByStatus entry, else cacheTtl, force the TTL whatever the headers say;
 * otherwise the headers decide, as for `cache.put`, and without cacheEverything (or cacheTtl)
 * only the default static extensions are eligible. Responses that set cookies are never stored
 * (unless `Cache-Control: private=Set-Cookie`, which stores them without the cookie), redirects
 * and partial responses are never stored.
 */
export function subrequestDecision(
  options: SubrequestCacheOptions,
  request: { url: string; authorization: boolean },
  response: { status: number; headers: HeaderList; redirected: boolean },
  now: number,
): SubrequestDecision {
  const { status } = response;
  if (response.redirected || (status >= 300 && status < 400) || status === 206 || status < 200) return { status: "DYNAMIC", store: false };
  const eligible = options.cacheEverything || options.cacheTtl !== undefined || hasDefaultCachedExtension(request.url);
  if (!eligible) return { status: "DYNAMIC", store: false };
  const forced = options.cacheTtlByStatus?.find((r) => status >= r.from && status <= r.to)?.ttl ?? options.cacheTtl;
  if (forced !== undefined) {
    if (forced <= 0) return { status: "BYPASS", store: false };
    let headers = response.headers;
    if (getHeader(headers, "set-cookie") !== null) {
      const priv = parseCacheControl(getHeader(headers, "cache-control")).get("private");
      if (typeof priv !== "string" || !priv.toLowerCase().split(",").some((f) => f.trim() === "set-cookie")) {
        return { status: "BYPASS", store: false };
      }
      headers = withoutHeaders(headers, new Set(["set-cookie"]));
    }
    return { status: "MISS", store: true, ttl: forced, headers };
  }
  const decision = cachePutDecision(response, request, now);
  if (decision.store) return { status: "MISS", store: true, ttl: decision.ttl, headers: decision.headers };
  return { status: decision.reason === "status" ? "DYNAMIC" : "BYPASS", store: false };
}
