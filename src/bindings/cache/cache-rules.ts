// Cloudflare's rules for the Cache API, as pure functions: what `cache.put` stores and for how
// long (Cache-Control, Expires, Set-Cookie, the default edge TTLs by status), and how a stored
// response answers a `match` (conditional requests → 304, Range → 206 / 416).
// Sources: developers.cloudflare.com/workers/runtime-apis/cache/, /cache/concepts/cache-control/,
// /cache/concepts/default-cache-behavior/ and /cache/how-to/configure-cache-status-code/#edge-ttl.
import type { HeaderList } from "../../storage/cache/cache-store.ts";

export type { HeaderList };

/** All values of a header joined with ", " (null when absent). */
export function getHeader(headers: HeaderList, name: string): string | null {
  let out: string | null = null;
  for (const [n, v] of headers) {
    if (n.toLowerCase() !== name) continue;
    out = out === null ? v : `${out}, ${v}`;
  }
  return out;
}

export function withoutHeaders(headers: HeaderList, names: Set<string>): HeaderList {
  return headers.filter(([n]) => !names.has(n.toLowerCase()));
}

/** Cache-Control directives, lower-cased names → value (unquoted) or true when it has none. */
export type CacheControl = Map<string, string | true>;

export function parseCacheControl(value: string | null): CacheControl {
  const out: CacheControl = new Map();
  if (!value) return out;
  // Directives are split on commas outside quoted strings (private="Set-Cookie, X-Foo").
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === "\\" && i + 1 < value.length) {
      current += value[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) {
      parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  parts.push(current);
  for (const part of parts) {
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === "" || out.has(name)) continue;
    if (eq < 0) {
      out.set(name, true);
      continue;
    }
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    out.set(name, v);
  }
  return out;
}

/** delta-seconds; anything else counts as 0 (RFC 9111 §1.2.2: treat an invalid value as stale). */
function deltaSeconds(v: string | true): number {
  if (v === true || !/^\d+$/.test(v)) return 0;
  return Math.min(Number(v), MAX_TTL);
}

function fieldNames(v: string | true): Set<string> {
  return new Set(v === true ? [] : v.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
}

/** An upper bound on TTLs (100 years) so arithmetic on them stays exact. */
const MAX_TTL = 100 * 365 * 24 * 3600;

/** Statuses a shared cache may store (RFC 9111 "understood" statuses, as wrangler dev's cache). */
const STORABLE_STATUSES = new Set([200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501]);

/** Cloudflare's edge TTL (seconds) for a response with no Cache-Control max-age/s-maxage and no Expires. */
export function defaultEdgeTtl(status: number): number | undefined {
  if (status === 200 || status === 206 || status === 301) return 120 * 60;
  if (status === 302 || status === 303) return 20 * 60;
  if (status === 404 || status === 410) return 3 * 60;
  return undefined;
}

/** The freshness lifetime the headers give (s-maxage, then max-age, then Expires), or undefined. */
export function explicitTtl(cc: CacheControl, headers: HeaderList, now: number): number | undefined {
  const sMaxAge = cc.get("s-maxage");
  if (sMaxAge !== undefined) return deltaSeconds(sMaxAge);
  const maxAge = cc.get("max-age");
  if (maxAge !== undefined) return deltaSeconds(maxAge);
  const expires = getHeader(headers, "expires");
  if (expires === null) return undefined;
  const at = Date.parse(expires);
  if (Number.isNaN(at)) return 0; // an invalid Expires means "already expired"
  const date = Date.parse(getHeader(headers, "date") ?? "");
  const base = Number.isNaN(date) ? now : date;
  return Math.max(0, Math.min(MAX_TTL, Math.floor((at - base) / 1000)));
}

export type NotStoredReason = "status" | "no-store" | "private" | "set-cookie" | "no-cache" | "authorization" | "expired";

export type StoreDecision =
  | { store: true; ttl: number; headers: HeaderList }
  | { store: false; reason: NotStoredReason };

/**
 * Whether `cache.put` stores this response, for how many seconds, and with which headers.
 * Cloudflare does not store: statuses a shared cache does not understand; `no-store`; `private`;
 * `no-cache` (it would have to revalidate, which a Cache API match never does); responses with
 * Set-Cookie, unless `private=Set-Cookie` (then stored without it); responses to requests with
 * Authorization unless `public`, `must-revalidate` or `s-maxage`; and anything whose TTL is 0.
 * The TTL is s-maxage, else max-age, else Expires, else the default edge TTL for the status.
 */
export function cachePutDecision(
  response: { status: number; headers: HeaderList },
  request: { authorization: boolean },
  now: number,
): StoreDecision {
  const { status } = response;
  if (!STORABLE_STATUSES.has(status)) return { store: false, reason: "status" };
  const cc = parseCacheControl(getHeader(response.headers, "cache-control"));
  if (cc.has("no-store")) return { store: false, reason: "no-store" };
  let headers = response.headers;
  const priv = cc.get("private");
  if (priv !== undefined) {
    // `private=<fields>`: those header values are not stored (Origin Cache Control semantics).
    const fields = fieldNames(priv);
    if (fields.size === 0) return { store: false, reason: "private" };
    headers = withoutHeaders(headers, fields);
  }
  if (getHeader(headers, "set-cookie") !== null) return { store: false, reason: "set-cookie" };
  const noCache = cc.get("no-cache");
  if (noCache !== undefined) {
    const fields = fieldNames(noCache);
    if (fields.size === 0 || [...fields].some((f) => getHeader(headers, f) !== null)) return { store: false, reason: "no-cache" };
  }
  if (request.authorization && !cc.has("public") && !cc.has("must-revalidate") && !cc.has("s-maxage")) {
    return { store: false, reason: "authorization" };
  }
  const ttl = explicitTtl(cc, headers, now) ?? defaultEdgeTtl(status);
  if (ttl === undefined) return { store: false, reason: "status" };
  if (ttl <= 0) return { store: false, reason: "expired" };
  return { store: true, ttl, headers };
}

// ---- answering a match ------------------------------------------------------------------------

/** The request headers a match looks at. */
export interface MatchConditions {
  range: string | null;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
}

/** Byte range, `end` exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

export type MatchPlan =
  | { kind: "full" }
  | { kind: "not-modified" }
  | { kind: "partial"; ranges: ByteRange[] }
  | { kind: "unsatisfiable" };

function opaqueTag(tag: string): string | undefined {
  const m = /^\s*(?:W\/)?("[^"]*")\s*$/.exec(tag);
  return m?.[1];
}

/** If-None-Match uses the weak comparison: W/"a" matches "a". */
function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === "*") return true;
  const own = opaqueTag(etag);
  if (own === undefined) return false;
  return ifNoneMatch.split(",").some((t) => opaqueTag(t) === own);
}

/**
 * Parses `Range: bytes=…` against a body of `size` bytes. undefined: no usable Range header (the
 * whole body is served); []: none of the ranges can be satisfied (416).
 */
export function parseRange(header: string, size: number): ByteRange[] | undefined {
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return undefined;
  const ranges: ByteRange[] = [];
  for (const part of m[1].split(",")) {
    const spec = part.trim();
    if (spec === "") continue;
    const r = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
    if (!r || (r[1] === "" && r[2] === "")) return undefined;
    if (r[1] === "") {
      const suffix = Number(r[2]);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size });
      continue;
    }
    const start = Number(r[1]);
    const last = r[2] === "" ? Infinity : Number(r[2]);
    if (last < start) return undefined;
    if (start < size) ranges.push({ start, end: Math.min(last + 1, size) });
  }
  return ranges;
}

/** How a stored response answers a request: conditionals first (2xx only), then Range (200 only). */
export function planMatch(entry: { status: number; headers: HeaderList; size: number }, req: MatchConditions): MatchPlan {
  const ok = entry.status >= 200 && entry.status < 300;
  if (ok && req.ifNoneMatch !== null) {
    const etag = getHeader(entry.headers, "etag");
    if (etag !== null && etagMatches(req.ifNoneMatch, etag)) return { kind: "not-modified" };
  } else if (ok && req.ifModifiedSince !== null) {
    const lastModified = Date.parse(getHeader(entry.headers, "last-modified") ?? "");
    const since = Date.parse(req.ifModifiedSince);
    if (!Number.isNaN(lastModified) && !Number.isNaN(since) && lastModified <= since) return { kind: "not-modified" };
  }
  if (entry.status === 200 && req.range !== null) {
    const ranges = parseRange(req.range, entry.size);
    if (ranges !== undefined) return ranges.length === 0 ? { kind: "unsatisfiable" } : { kind: "partial", ranges };
  }
  return { kind: "full" };
}
