// Request (WHATWG Fetch with workerd's deviations): method normalisation, redirect "follow" |
// "manual", signal, the Cloudflare `cf` object, clone, and the incoming-request fast path.
import type { HeaderList } from "../../protocol/bridge.ts";
import { AbortController, AbortSignal, ReadableStream, URL } from "../web/index.ts";
import { Body, BodyState, bodyState, cloneBody, extractBody, takeBody } from "./body.ts";
import type { BodyInit, Extracted } from "./body.ts";
import { Headers, copyHeaders, headersFromList, setHeaderIfAbsent } from "./headers.ts";
import type { HeadersInit } from "./headers.ts";
import { deepClone, fixName } from "./util.ts";

export interface RequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit | null;
  redirect?: string;
  signal?: AbortSignal | null;
  cf?: unknown;
  cache?: string;
  integrity?: string;
  fetcher?: unknown;
  encodeResponseBody?: "automatic" | "manual";
  duplex?: string;
  [key: string]: unknown;
}

/** The request methods workerd knows (kj::HttpMethod); anything else is rejected. */
const METHODS = new Set([
  "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "PURGE", "OPTIONS", "TRACE", "COPY", "LOCK",
  "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "ACL", "REPORT", "MKACTIVITY",
  "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
]);

function normalizeMethod(m: unknown): string {
  const s = String(m);
  if (METHODS.has(s)) return s;
  const upper = s.toUpperCase();
  if (METHODS.has(upper)) return upper;
  throw new TypeError(`Invalid HTTP method string: ${s}`);
}

function parseRedirect(r: unknown): "follow" | "manual" {
  const s = String(r).toLowerCase();
  if (s === "follow" || s === "manual") return s;
  throw new TypeError(
    'Invalid redirect value, must be one of "follow" or "manual" ("error" won\'t be implemented since it does not make sense at the edge; use "manual" and check the response status code).',
  );
}

function parseUrl(input: string): string {
  try {
    return new URL(input).href;
  } catch {
    throw new TypeError(`Invalid URL: ${input}`);
  }
}

/** Signals of incoming requests: not propagated when the request is passed on to fetch(). */
const ignoredForSubrequests = new WeakSet<object>();

const INTERNAL: unique symbol = Symbol("atoll.request");

interface RequestData {
  method: string;
  url: string;
  headers: Headers;
  body: Extracted | null;
  redirect: "follow" | "manual";
  signal: AbortSignal | null;
  cf: unknown;
  cache: "no-store" | "no-cache" | undefined;
  encodeResponseBody: "automatic" | "manual";
}

export let requestData: (r: Request) => Readonly<RequestData>;

export class Request extends Body {
  #method: string;
  #url: string;
  #headers: Headers;
  #redirect: "follow" | "manual";
  #signal: AbortSignal | null;
  #thisSignal: AbortSignal | null = null;
  #cf: unknown;
  #cache: "no-store" | "no-cache" | undefined;
  #encodeResponseBody: "automatic" | "manual";

  static {
    requestData = (r) => ({
      method: r.#method,
      url: r.#url,
      headers: r.#headers,
      body: null,
      redirect: r.#redirect,
      signal: r.#signal,
      cf: r.#cf,
      cache: r.#cache,
      encodeResponseBody: r.#encodeResponseBody,
    });
  }

  constructor(input: Request | string | URL, init?: RequestInit) {
    if (arguments.length < 1) {
      throw new TypeError("Failed to construct 'Request': 1 argument required, but only 0 present.");
    }
    const d = input === (INTERNAL as unknown) ? (init as unknown as RequestData) : buildRequest(input, init);
    super(new BodyState(d.headers, d.body));
    this.#method = d.method;
    this.#url = d.url;
    this.#headers = d.headers;
    this.#redirect = d.redirect;
    this.#signal = d.signal;
    this.#cf = d.cf;
    this.#cache = d.cache;
    this.#encodeResponseBody = d.encodeResponseBody;
  }

  get method(): string {
    return this.#method;
  }
  get url(): string {
    return this.#url;
  }
  get headers(): Headers {
    return this.#headers;
  }
  get redirect(): string {
    return this.#redirect;
  }
  get signal(): AbortSignal {
    if (this.#signal) return this.#signal;
    // A never-aborting signal, made on first use.
    this.#thisSignal ??= new AbortController().signal;
    return this.#thisSignal;
  }
  get cf(): unknown {
    return this.#cf;
  }
  get fetcher(): null {
    return null;
  }
  get integrity(): string {
    return "";
  }
  get keepalive(): boolean {
    return false;
  }
  get cache(): string | undefined {
    return this.#cache;
  }

  clone(): Request {
    const headers = copyHeaders(this.#headers, true);
    const body = cloneBody(bodyState(this), headers);
    const r = new Request(INTERNAL as unknown as string, {
      method: this.#method,
      url: this.#url,
      headers,
      body: null,
      redirect: this.#redirect,
      signal: this.#signal,
      cf: deepClone(this.#cf),
      cache: this.#cache,
      encodeResponseBody: this.#encodeResponseBody,
    } satisfies RequestData as unknown as RequestInit);
    const s = bodyState(r);
    s.source = body.source;
    s.stream = body.stream;
    return r;
  }

  get [Symbol.toStringTag](): string {
    return "Request";
  }
}
fixName(Request, "Request");

function buildRequest(input: unknown, init: RequestInit | undefined): RequestData {
  let d: RequestData;
  let inputBody: BodyState | null = null;
  if (input instanceof Request) {
    const o = requestData(input);
    d = {
      method: o.method,
      url: o.url,
      headers: copyHeaders(o.headers, false),
      body: null,
      redirect: o.redirect,
      signal: o.signal,
      cf: deepClone(o.cf),
      cache: o.cache,
      encodeResponseBody: o.encodeResponseBody,
    };
    inputBody = bodyState(input);
  } else {
    d = {
      method: "GET",
      url: parseUrl(String(input)),
      headers: null as unknown as Headers,
      body: null,
      redirect: "follow",
      signal: null,
      cf: undefined,
      cache: undefined,
      encodeResponseBody: "automatic",
    };
  }

  if (init !== undefined && init !== null && typeof init !== "object") {
    throw new TypeError("Failed to construct 'Request': The provided value is not of type 'RequestInit'.");
  }

  if (init instanceof Request) {
    // workerd treats a Request initializer like a dictionary made from it (its body is shared, not taken).
    const o = requestData(init);
    const s = bodyState(init);
    d.method = o.method;
    d.redirect = o.redirect;
    d.cache = o.cache;
    d.encodeResponseBody = o.encodeResponseBody;
    d.signal = o.signal;
    d.headers = copyHeaders(o.headers, false);
    d.cf = deepClone(o.cf);
    d.body = s.source === null ? null : { source: s.stream ?? s.source, owned: false, contentType: null };
    return finish(d);
  }

  const i = (init ?? {}) as RequestInit;
  const hasBody = i.body !== undefined;
  if (inputBody && !hasBody) d.body = takeBody(inputBody, "Cannot reconstruct a Request with a used body.");

  if (i.integrity !== undefined && String(i.integrity) !== "") {
    throw new TypeError(
      "Subrequest integrity checking is not implemented. The integrity option must be either undefined or an empty string.",
    );
  }
  if (i.method !== undefined) d.method = normalizeMethod(i.method);
  if (i.headers !== undefined) d.headers = new Headers(i.headers);
  if (i.signal !== undefined) {
    if (i.signal !== null && !(i.signal instanceof AbortSignal)) {
      throw new TypeError("Failed to construct 'Request': member signal is not of type AbortSignal.");
    }
    d.signal = i.signal;
  }
  if (i.cf !== undefined) d.cf = deepClone(i.cf);
  if (hasBody) {
    const body = extractBody(i.body);
    if (body && (d.method === "GET" || d.method === "HEAD")) {
      throw new TypeError("Request with a GET or HEAD method cannot have a body.");
    }
    d.body = body;
    if (!d.headers) d.headers = new Headers();
    if (body?.contentType) setHeaderIfAbsent(d.headers, "content-type", body.contentType);
  }
  if (i.redirect !== undefined) d.redirect = parseRedirect(i.redirect);
  if (i.cache !== undefined) {
    const c = String(i.cache);
    if (c !== "no-store" && c !== "no-cache") throw new TypeError(`Unsupported cache mode: ${c}`);
    d.cache = c;
  }
  if (i.encodeResponseBody !== undefined) {
    const e = String(i.encodeResponseBody);
    if (e !== "manual" && e !== "automatic") throw new TypeError(`encodeResponseBody: unexpected value: ${e}`);
    d.encodeResponseBody = e;
  }
  if ((i.method !== undefined || hasBody) && d.body && (d.method === "GET" || d.method === "HEAD")) {
    throw new TypeError("Request with a GET or HEAD method cannot have a body.");
  }
  return finish(d);
}

function finish(d: RequestData): RequestData {
  if (!d.headers) d.headers = new Headers();
  return d;
}

export interface IncomingRequestInit {
  method: string;
  url: string;
  headers: HeaderList;
  body: Uint8Array | ReadableStream<Uint8Array> | null;
  cf?: unknown;
  /** Aborted when the client goes away; not propagated to subrequests made with this request. */
  signal?: AbortSignal;
}

/**
 * The runtime's fast path for a request as received: no re-validation of what the host already
 * parsed, headers immutable (as on Cloudflare), and GET/HEAD bodies allowed.
 */
export function createIncomingRequest(init: IncomingRequestInit): Request {
  const body = init.body;
  const signal = init.signal ?? null;
  if (signal) ignoredForSubrequests.add(signal);
  return new Request(INTERNAL as unknown as string, {
    method: init.method,
    url: init.url,
    headers: headersFromList(init.headers, "immutable"),
    body: body === null ? null : { source: body, owned: body instanceof Uint8Array, contentType: null },
    redirect: "follow",
    signal,
    cf: init.cf,
    cache: undefined,
    encodeResponseBody: "automatic",
  } satisfies RequestData as unknown as RequestInit);
}

/** The signal a subrequest made from this request should follow (null if none). */
export function subrequestSignal(r: Request): AbortSignal | null {
  const s = requestData(r).signal;
  return s && !ignoredForSubrequests.has(s) ? s : null;
}
