// Response (WHATWG Fetch with workerd's rules): status 200..599 (101 only with a webSocket),
// default status texts, Response.json/redirect/error, clone, `cf`, `webSocket`, `encodeBody`.
import { URL } from "../web/index.ts";
import { Body, BodyState, bodyState, cloneBody, extractBody } from "./body.ts";
import type { BodyInit, Extracted } from "./body.ts";
import { Headers, copyHeaders, setGuard, setHeaderIfAbsent } from "./headers.ts";
import type { HeadersInit } from "./headers.ts";
import { deepClone, fixName } from "./util.ts";

export interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
  cf?: unknown;
  webSocket?: unknown;
  encodeBody?: "automatic" | "manual";
}

const STATUS_TEXT: Record<number, string> = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
  200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
  204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
  208: "Already Reported", 226: "IM Used", 300: "Multiple Choices", 301: "Moved Permanently",
  302: "Found", 303: "See Other", 304: "Not Modified", 305: "Use Proxy",
  307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
  402: "Payment Required", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Timeout",
  409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
  413: "Payload Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
  416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a teapot",
  421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency",
  426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
  431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
  510: "Not Extended", 511: "Network Authentication Required",
};

/** workerd's defaultStatusText: the RFC reason phrase, else the status class name. */
export function defaultStatusText(status: number): string {
  if (status === 0) return "";
  const t = STATUS_TEXT[status];
  if (t !== undefined) return t;
  if (status >= 200 && status < 300) return "Successful";
  if (status >= 300 && status < 400) return "Redirection";
  if (status >= 400 && status < 500) return "Client Error";
  if (status >= 500 && status < 600) return "Server Error";
  return "";
}

export function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}

export function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

const INTERNAL: unique symbol = Symbol("atoll.response");

export interface ResponseData {
  status: number;
  statusText: string | null;
  headers: Headers;
  body: Extracted | null;
  urlList: string[];
  webSocket: unknown;
  cf: unknown;
  encodeBody: "automatic" | "manual";
}

export let responseData: (r: Response) => Readonly<ResponseData>;

export class Response extends Body {
  #status: number;
  #statusText: string | null;
  #headers: Headers;
  #urlList: string[];
  #webSocket: unknown;
  #cf: unknown;
  #encodeBody: "automatic" | "manual";

  static {
    responseData = (r) => ({
      status: r.#status,
      statusText: r.#statusText,
      headers: r.#headers,
      body: null,
      urlList: r.#urlList,
      webSocket: r.#webSocket,
      cf: r.#cf,
      encodeBody: r.#encodeBody,
    });
  }

  constructor(body?: BodyInit | null, init?: ResponseInit | Response) {
    const d =
      body === (INTERNAL as unknown) ? (init as unknown as ResponseData) : buildResponse(body, init);
    super(new BodyState(d.headers, d.body));
    this.#status = d.status;
    this.#statusText = d.statusText;
    this.#headers = d.headers;
    this.#urlList = d.urlList;
    this.#webSocket = d.webSocket;
    this.#cf = d.cf;
    this.#encodeBody = d.encodeBody;
  }

  static error(): Response {
    const headers = new Headers();
    setGuard(headers, "immutable");
    return makeResponse({ ...blank(), status: 0, headers });
  }

  static redirect(url: string, status = 302): Response {
    const code = Number(status);
    if (!isRedirectStatus(code)) {
      throw new RangeError(`${status} is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.`);
    }
    let href: string;
    try {
      href = new URL(String(url)).href;
    } catch {
      throw new TypeError(`Unable to parse URL: ${url}`);
    }
    if (/[\r\n\0]/.test(href)) throw new TypeError(`Redirect URL cannot contain '\\r', '\\n', or '\\0': ${url}`);
    const headers = new Headers([["location", href]]);
    setGuard(headers, "immutable");
    return makeResponse({ ...blank(), status: code, headers });
  }

  static json(data: unknown, init?: ResponseInit | Response): Response {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Value is not JSON serializable.");
    const d = buildResponse(text, init);
    // Response.json's Content-Type wins over the text/plain default but not over the caller's.
    const map = d.headers;
    if (!init || !new Headers(init instanceof Response ? init.headers : init.headers).has("content-type")) {
      map.set("content-type", "application/json");
    }
    return makeResponse(d);
  }

  get status(): number {
    return this.#status;
  }
  get statusText(): string {
    return this.#statusText ?? defaultStatusText(this.#status);
  }
  get headers(): Headers {
    return this.#headers;
  }
  get ok(): boolean {
    return this.#status >= 200 && this.#status < 300;
  }
  get redirected(): boolean {
    return this.#urlList.length > 1;
  }
  get url(): string {
    return this.#urlList.length > 0 ? this.#urlList[this.#urlList.length - 1] : "";
  }
  get webSocket(): unknown {
    return this.#webSocket ?? null;
  }
  get cf(): unknown {
    return this.#cf;
  }
  get type(): "default" | "error" {
    return this.#status === 0 ? "error" : "default";
  }
  clone(): Response {
    if (this.#webSocket) throw new TypeError("Cannot clone a response to a WebSocket handshake.");
    const headers = copyHeaders(this.#headers, true);
    const body = cloneBody(bodyState(this), headers);
    const r = makeResponse({
      status: this.#status,
      statusText: this.#statusText,
      headers,
      body: null,
      urlList: this.#urlList.slice(),
      webSocket: null,
      cf: deepClone(this.#cf),
      encodeBody: this.#encodeBody,
    });
    const s = bodyState(r);
    s.source = body.source;
    s.stream = body.stream;
    return r;
  }

  get [Symbol.toStringTag](): string {
    return "Response";
  }
}
fixName(Response, "Response");

function blank(): ResponseData {
  return {
    status: 200,
    statusText: null,
    headers: new Headers(),
    body: null,
    urlList: [],
    webSocket: null,
    cf: undefined,
    encodeBody: "automatic",
  };
}

export function makeResponse(d: ResponseData): Response {
  return new Response(INTERNAL as unknown as string, d as unknown as ResponseInit);
}

function buildResponse(body: unknown, init: ResponseInit | Response | undefined | null): ResponseData {
  const d = blank();
  if (init instanceof Response) {
    const o = responseData(init);
    d.status = o.status;
    d.encodeBody = o.encodeBody;
    d.statusText = o.statusText;
    d.headers = copyHeaders(o.headers, false);
    d.cf = deepClone(o.cf);
    d.webSocket = o.webSocket;
  } else if (init !== undefined && init !== null) {
    if (typeof init !== "object") {
      throw new TypeError("Failed to construct 'Response': The provided value is not of type 'ResponseInit'.");
    }
    if (init.status !== undefined) d.status = Math.trunc(Number(init.status)) || 0;
    if (init.statusText !== undefined) d.statusText = String(init.statusText);
    if (init.encodeBody !== undefined) {
      const e = String(init.encodeBody);
      if (e !== "manual" && e !== "automatic") throw new TypeError(`encodeBody: unexpected value: ${e}`);
      d.encodeBody = e;
    }
    if (init.headers !== undefined) d.headers = new Headers(init.headers);
    if (init.cf !== undefined) d.cf = deepClone(init.cf);
    if (init.webSocket !== undefined && init.webSocket !== null) d.webSocket = init.webSocket;
  }

  if (d.webSocket) {
    if (d.status !== 101) throw new RangeError("Responses with a WebSocket must have status code 101.");
  } else if (d.status < 200 || d.status > 599) {
    throw new RangeError("Responses may only be constructed with status codes in the range 200 to 599, inclusive.");
  }
  if (d.statusText !== null) {
    for (let i = 0; i < d.statusText.length; i++) {
      if (d.statusText.charCodeAt(i) < 0x20) throw new TypeError("Invalid statusText");
    }
  }

  const extracted = extractBody(body);
  if (extracted) {
    if (isNullBodyStatus(d.status)) {
      // workerd allows a zero-length buffer body here and treats it as null.
      const src = extracted.source;
      const empty = typeof src === "string" ? src.length === 0 : src instanceof Uint8Array && src.byteLength === 0;
      if (!empty) throw new TypeError("Response with null body status (101, 204, 205, or 304) cannot have a body.");
    } else {
      d.body = extracted;
      if (extracted.contentType) setHeaderIfAbsent(d.headers, "content-type", extracted.contentType);
    }
  }
  return d;
}
