// The bridge protocol: the only types shared by the host (src/runtime, src/bindings host side)
// and the prelude running inside the isolate: types and a few constant names, no logic.
//
// The host drives each isolate like an event loop: it queues InboundEvents and enters the
// isolate once per batch (`dispatch(events)`), under a CPU timeout. Everything the isolate
// wants from the host comes back as the OutboundMessages returned by that same call.
// Values cross by structured copy (isolated-vm ExternalCopy); bytes cross as ArrayBuffers.

export type HeaderList = [name: string, value: string][];

/** A request body: absent, complete inline bytes, or a stream the isolate pulls with `read`. */
export type InboundBody = null | ArrayBuffer | "stream";
/** A response body: absent, complete inline bytes, or a stream the host pulls with `pull`. */
export type OutboundBody = null | ArrayBuffer | "stream";

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Extra own properties worth keeping (e.g. DOMException code, D1 cause). */
  props?: Record<string, unknown>;
}

export type InboundEvent =
  /** Start a fetch event. `id` identifies the request for the rest of its life. */
  | {
      t: "request";
      id: number;
      method: string;
      url: string;
      headers: HeaderList;
      cf: Record<string, unknown>;
      body: InboundBody;
    }
  /** A chunk of a streamed request body, answering a `read`; `chunk: null` is the end. */
  | { t: "body"; id: number; chunk: ArrayBuffer | null; error?: string }
  /** The host is ready for the next chunk of a streamed response body. */
  | { t: "pull"; id: number }
  /** The client went away: cancel the response stream and abort the request signal. */
  | { t: "cancel"; id: number }
  /** The result of a host call made with a `call` message. */
  | { t: "ret"; cid: number; ok: true; value: unknown }
  | { t: "ret"; cid: number; ok: false; error: SerializedError }
  /** A timer set with a `timer` message fired; `id` is the request that set it. */
  | { t: "timer"; tid: number; id: number }
  /** A WebSocket frame from the host peer of socket `sid` (request `id` owns the socket). */
  | { t: "wsMessage"; sid: number; id: number; data: string | ArrayBuffer }
  /** The host peer of socket `sid` closed (or went away: code 1006, wasClean false). */
  | { t: "wsClosed"; sid: number; id: number; code: number; reason: string; wasClean: boolean }
  /** A cron trigger (scheduled handler). */
  | { t: "scheduled"; id: number; cron: string; scheduledTime: number };

export type OutboundMessage =
  /** The response head for request `id`. */
  | {
      t: "head";
      id: number;
      status: number;
      statusText: string;
      headers: HeaderList;
      body: OutboundBody;
      /** "automatic": the host applies the Content-Encoding the headers name; "manual": already encoded. */
      encodeBody: "automatic" | "manual";
      /** For a 101 response: the socket id the worker's end of the WebSocket talks through. */
      webSocket?: number;
    }
  /** A chunk of a streamed response body, answering a `pull`. */
  | { t: "chunk"; id: number; chunk: ArrayBuffer }
  /** The streamed response body is complete. */
  | { t: "end"; id: number }
  /** The request failed: an uncaught exception (1101) or a bad handler result. */
  | { t: "fail"; id: number; error: SerializedError; kind: "exception" | "bad-result" | "no-handler" }
  /** A WebSocket frame for the host peer of socket `sid`. */
  | { t: "wsSend"; sid: number; data: string | ArrayBuffer }
  /** Close the host peer of socket `sid`. */
  | { t: "wsClose"; sid: number; code: number; reason: string }
  /** Ask for the next chunk of a streamed request body. */
  | { t: "read"; id: number }
  /** Stop reading the request body (the worker cancelled its stream). */
  | { t: "cancelRead"; id: number }
  /** Call host function `fn` on behalf of request `id` (0 when none is known). */
  | { t: "call"; cid: number; id: number; fn: string; args: unknown[] }
  /** Set (ms >= 0) a one-shot host timer for request `id`; `ms: -1` clears it. */
  | { t: "timer"; tid: number; id: number; ms: number }
  /** Console output attributed to request `id` (0 when none is known). */
  | { t: "log"; id: number; level: LogLevel; text: string }
  /** The worker's modules finished evaluating (including top-level await): requests may come. */
  | { t: "ready" }
  /** Request `id` and all its waitUntil work have settled; `errors` are rejected waitUntil promises. */
  | { t: "settled"; id: number; errors: SerializedError[] };

export type LogLevel = "debug" | "log" | "info" | "warn" | "error";

/** Names of the functions the host installs on the isolate's global before the prelude starts. */
export const HOST_SYNC_GLOBAL = "__atollHostSync";
/** The function the prelude exposes for the host to enter with a batch of events. */
export const DISPATCH_GLOBAL = "__atollDispatch";
/** The symbol (Symbol.for) of the function the loader module calls with the worker's namespace. */
export const READY_SYMBOL = "atoll.ready";

// ---- payloads of host calls shared by a prelude module and its host side ----

/** What `fetch.start` takes (src/prelude/fetch/fetch.ts → src/runtime/outbound-fetch.ts). */
export interface FetchStartInit {
  method: string;
  url: string;
  headers: HeaderList;
  /** Inline bytes, a `stream.create` handle the isolate writes to, or none. */
  body: ArrayBuffer | null | { stream: number };
  redirect: "follow" | "manual" | "error";
  /** Decompress gzip/br response bodies (false for encodeResponseBody: "manual"). */
  decode: boolean;
  /** Nonzero when the request has a signal: `fetch.abort(abortKey)` cancels it. */
  abortKey: number;
  /** The request's `cf` cache options (cacheTtl, cacheEverything, cacheKey, cacheTtlByStatus), when it has any. */
  cf?: Record<string, unknown>;
}

/** What `fetch.start` returns. `body` is a handle for `fetch.read`, or null when there is none. */
export interface FetchStartResult {
  status: number;
  statusText: string;
  headers: HeaderList;
  url: string;
  redirected: boolean;
  body: number | null;
}

/** What the host returns for a crypto key: a handle to the real key plus copies of its properties. */
export interface KeyDescriptor {
  handle: number;
  type: "secret" | "public" | "private";
  extractable: boolean;
  algorithm: Record<string, unknown>;
  usages: string[];
}

/** What `ws.connect` takes: open an outbound WebSocket for socket `sid`. */
export interface WebSocketConnectInit {
  sid: number;
  url: string;
  headers: HeaderList;
  protocols: string[];
}
