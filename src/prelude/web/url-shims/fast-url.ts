// Fast paths in front of whatwg-url's parsers (installed by ../url.ts). whatwg-url runs its state
// machine once per code point (an array of code points, a `this[`parse ${state}`]` lookup and a
// one-character string per step) and builds URLSearchParams through TextEncoder/TextDecoder: tens
// of µs for a request URL. The inputs that dominate in a worker (request.url, API URLs) are plain
// ASCII http(s)/ws(s) URLs, which these functions parse in one pass over the string.
//
// Each function either returns exactly what whatwg-url's algorithm returns for that input, or
// undefined when the input is outside what it handles (credentials, IPv6, IDNA, percent-encoded or
// unusual hosts, dot segments, backslashes, whitespace, non-ASCII, invalid ports...): the caller
// then runs whatwg-url itself. test/prelude/web-url.test.ts compares them with whatwg-url.

/** whatwg-url's URL record (https://url.spec.whatwg.org/#concept-url). */
export interface UrlRecord {
  scheme: string;
  username: string;
  password: string;
  /** A domain, or an IPv4 address as a number (IPv6 and opaque hosts never come from here). */
  host: string | number | null;
  port: number | null;
  path: string[];
  query: string | null;
  fragment: string | null;
}

// Per ASCII code unit: which percent-encode sets contain it. Code units ≤ 0x20 and ≥ 0x7f never
// reach these tables (the fast path leaves such inputs to whatwg-url).
const PATH = 1; // https://url.spec.whatwg.org/#path-percent-encode-set
const SPECIAL_QUERY = 2; // https://url.spec.whatwg.org/#special-query-percent-encode-set
const FRAGMENT = 4; // https://url.spec.whatwg.org/#fragment-percent-encode-set
const encodeSets = new Uint8Array(128);
for (const c of `"<>`) encodeSets[c.charCodeAt(0)] = PATH | SPECIAL_QUERY | FRAGMENT;
for (const c of "`") encodeSets[c.charCodeAt(0)] = PATH | FRAGMENT;
for (const c of "{}^") encodeSets[c.charCodeAt(0)] = PATH;
for (const c of "'") encodeSets[c.charCodeAt(0)] = SPECIAL_QUERY;

function percentEncodeAscii(s: string, set: number): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += encodeSets[c] & set ? "%" + c.toString(16).toUpperCase() : s[i];
  }
  return out;
}

/** s[from..to) percent-encoded with `set` (printable ASCII only). */
function encodedSlice(s: string, from: number, to: number, set: number): string {
  for (let i = from; i < to; i++) if (encodeSets[s.charCodeAt(i)] & set) return percentEncodeAscii(s.slice(from, to), set);
  return s.slice(from, to);
}

const HASH = 0x23;
const PERCENT = 0x25;
const DOT = 0x2e;
const SLASH = 0x2f;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const QUESTION = 0x3f;
const AT = 0x40;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;

/** http, https, ws, wss (case-insensitive) followed by ":": [scheme, index after the colon]. */
function specialScheme(s: string): [string, number] | undefined {
  const c0 = s.charCodeAt(0) | 0x20;
  if (c0 === 0x68 /* h */) {
    if ((s.charCodeAt(1) | 0x20) !== 0x74 || (s.charCodeAt(2) | 0x20) !== 0x74 || (s.charCodeAt(3) | 0x20) !== 0x70) return undefined;
    if (s.charCodeAt(4) === COLON) return ["http", 5];
    if ((s.charCodeAt(4) | 0x20) === 0x73 && s.charCodeAt(5) === COLON) return ["https", 6];
  } else if (c0 === 0x77 /* w */ && (s.charCodeAt(1) | 0x20) === 0x73) {
    if (s.charCodeAt(2) === COLON) return ["ws", 3];
    if ((s.charCodeAt(2) | 0x20) === 0x73 && s.charCodeAt(3) === COLON) return ["wss", 4];
  }
  return undefined;
}

const defaultPorts: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443 };

/** [A-Za-z0-9_-] */
function isPlainHostChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= ZERO && c <= NINE) || c === 0x2d || c === 0x5f;
}

/**
 * The host of a special URL from an ASCII domain of dot-separated non-empty [A-Za-z0-9_-] labels:
 * lowercased, or an IPv4 address when the last label is a number. undefined for everything the
 * full host parser must decide (IPv4 in other than canonical dotted-decimal form, "xn--" labels).
 */
function plainHost(s: string, from: number, to: number): string | number | undefined {
  if (from === to) return undefined;
  let labelStart = from;
  let upper = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) {
      if (i === labelStart) return undefined; // an empty label (or a trailing dot)
      labelStart = i + 1;
    } else if (!isPlainHostChar(c)) return undefined;
    else if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (labelStart === to) return undefined;
  // https://url.spec.whatwg.org/#ends-in-a-number-checker: the last label is all digits or 0x-hex.
  const last0 = s.charCodeAt(labelStart);
  if (last0 >= ZERO && last0 <= NINE) {
    let digits = true;
    for (let i = labelStart + 1; i < to && digits; i++) digits = s.charCodeAt(i) >= ZERO && s.charCodeAt(i) <= NINE;
    if (digits || (last0 === ZERO && (s.charCodeAt(labelStart + 1) | 0x20) === 0x78)) return dottedDecimal(s, from, to);
  }
  const host = upper ? s.slice(from, to).toLowerCase() : s.slice(from, to);
  return host.includes("xn--") ? undefined : host;
}

/** Four decimal numbers 0-255 without leading zeros, as the IPv4 parser's number; else undefined. */
function dottedDecimal(s: string, from: number, to: number): number | undefined {
  let address = 0;
  let parts = 0;
  let i = from;
  while (i <= to) {
    let n = 0;
    const start = i;
    for (; i < to && s.charCodeAt(i) !== DOT; i++) {
      const c = s.charCodeAt(i);
      if (c < ZERO || c > NINE) return undefined;
      n = n * 10 + (c - ZERO);
    }
    const len = i - start;
    if (len === 0 || len > 3 || n > 255 || (len > 1 && s.charCodeAt(start) === ZERO)) return undefined;
    address = address * 256 + n;
    parts++;
    i++; // past the dot (or past `to`)
  }
  return parts === 4 ? address : undefined;
}

/** A single-dot or double-dot URL path segment (https://url.spec.whatwg.org/#single-dot-path-segment). */
function isDotSegment(s: string, from: number, to: number): boolean {
  const len = to - from;
  if (len === 0 || len > 6) return false;
  const c = s.charCodeAt(from);
  if (c !== DOT && c !== PERCENT) return false;
  const seg = s.slice(from, to).toLowerCase();
  return seg === "." || seg === "%2e" || seg === ".." || seg === ".%2e" || seg === "%2e." || seg === "%2e%2e";
}

const specialSchemes = new Set(["http", "https", "ws", "wss", "ftp"]);

/** Printable ASCII only: nothing to trim, no tab or newline to strip, nothing non-ASCII to encode. */
function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/**
 * whatwg-url's basicURLParse(input, { baseURL: base }) (no state override) for printable ASCII
 * inputs of two shapes; undefined for anything else:
 * - absolute special URLs "scheme://host[:port][/path][?query][#fragment]": a base URL never
 *   matters for these (https://url.spec.whatwg.org/#special-relative-or-authority-state);
 * - path-absolute "/path[?query][#fragment]" against a special base: the base's scheme,
 *   credentials, host and port with the input's path, query and fragment
 *   (https://url.spec.whatwg.org/#relative-slash-state).
 */
export function fastParseURL(input: string, base?: UrlRecord | null): UrlRecord | undefined {
  if (typeof input !== "string" || !isPrintableAscii(input)) return undefined;
  if (input.charCodeAt(0) === SLASH) {
    const c1 = input.charCodeAt(1);
    if (!base || c1 === SLASH || c1 === BACKSLASH || !specialSchemes.has(base.scheme)) return undefined;
    return pathQueryFragment(input, 0, base.scheme, base.username, base.password, base.host, base.port);
  }
  const scheme = specialScheme(input);
  if (!scheme) return undefined;
  let i = scheme[1];
  if (input.charCodeAt(i) !== SLASH || input.charCodeAt(i + 1) !== SLASH) return undefined;
  i += 2;
  // Authority: up to the first "/", "?", "#" or "\". No credentials, no IPv6 literal.
  const hostStart = i;
  let colon = -1;
  for (; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === SLASH || c === QUESTION || c === HASH) break;
    if (c === BACKSLASH || c === AT || c === LBRACKET) return undefined;
    if (c === COLON && colon < 0) colon = i;
  }
  const authorityEnd = i;
  const host = plainHost(input, hostStart, colon < 0 ? authorityEnd : colon);
  if (host === undefined) return undefined;
  let port: number | null = null;
  if (colon >= 0) {
    const digits = authorityEnd - colon - 1;
    if (digits > 5) return undefined;
    let n = 0;
    for (let j = colon + 1; j < authorityEnd; j++) {
      const c = input.charCodeAt(j);
      if (c < ZERO || c > NINE) return undefined;
      n = n * 10 + (c - ZERO);
    }
    if (n > 65535) return undefined;
    if (digits > 0 && n !== defaultPorts[scheme[0]]) port = n;
  }
  return pathQueryFragment(input, authorityEnd, scheme[0], "", "", host, port);
}

/** The record of a special URL whose path (with or without its leading "/") starts at input[i]. */
function pathQueryFragment(
  input: string,
  i: number,
  scheme: string,
  username: string,
  password: string,
  host: UrlRecord["host"],
  port: number | null,
): UrlRecord | undefined {
  const len = input.length;
  // A special URL's path always starts with "/" (https://url.spec.whatwg.org/#path-start-state).
  const path: string[] = [];
  if (i < len && input.charCodeAt(i) === SLASH) i++;
  let segStart = i;
  for (; ; i++) {
    const c = i < len ? input.charCodeAt(i) : HASH;
    if (c === SLASH || c === QUESTION || c === HASH) {
      if (isDotSegment(input, segStart, i)) return undefined;
      path.push(encodedSlice(input, segStart, i, PATH));
      segStart = i + 1;
      if (c !== SLASH) break;
    } else if (c === BACKSLASH) return undefined;
  }
  let query: string | null = null;
  let fragment: string | null = null;
  if (i < len && input.charCodeAt(i) === QUESTION) {
    const hash = input.indexOf("#", i + 1);
    const end = hash < 0 ? len : hash;
    query = encodedSlice(input, i + 1, end, SPECIAL_QUERY);
    i = end;
  }
  if (i < len) fragment = encodedSlice(input, i + 1, len, FRAGMENT);
  return { scheme, username, password, host, port, path, query, fragment };
}

const nonAscii = /[^\x00-\x7f]/;

/**
 * whatwg-url's parseUrlencodedString(input) (https://url.spec.whatwg.org/#concept-urlencoded-string-parser)
 * for ASCII input; undefined when a percent-escape does not decode as UTF-8 by itself (the spec
 * then substitutes U+FFFD), and for non-ASCII input.
 */
export function fastParseUrlencoded(input: string): [string, string][] | undefined {
  // ASCII: UTF-8 encoding is the identity, so bytes and code units coincide.
  if (nonAscii.test(input)) return undefined;
  const out: [string, string][] = [];
  let start = 0;
  while (start <= input.length) {
    let end = input.indexOf("&", start);
    if (end < 0) end = input.length;
    if (end > start) {
      const eq = input.indexOf("=", start);
      const name = eq >= 0 && eq < end ? decodeFormComponent(input.slice(start, eq)) : decodeFormComponent(input.slice(start, end));
      const value = eq >= 0 && eq < end ? decodeFormComponent(input.slice(eq + 1, end)) : "";
      if (name === undefined || value === undefined) return undefined;
      out.push([name, value]);
    }
    start = end + 1;
  }
  return out;
}

/**
 * "+" as space, then percent-decoding and UTF-8 decoding. decodeURIComponent decodes the same
 * way when every escape sequence is well-formed and valid UTF-8, and throws otherwise.
 */
function decodeFormComponent(s: string): string | undefined {
  if (s.includes("+")) s = s.replaceAll("+", " ");
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
