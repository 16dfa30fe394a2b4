// The host side of fetch() from inside an isolate (subrequests), over undici's `request`:
//   fetch.start(init)        -> head of the final response; its body is a handle (or null)
//   fetch.read(handle)       -> next body chunk as an ArrayBuffer, null at the end
//   fetch.cancel(handle)     -> drop the body
//   fetch.abort(abortKey)    -> the request's AbortSignal fired: abort wherever it is
//   stream.create()          -> handle of an upload stream the isolate writes a request body into
//   stream.write(handle, ab) / stream.close(handle) / stream.error(handle, message)
// Redirects are followed here (each hop counts as a subrequest, as on Cloudflare), bodies are
// streamed both ways (never buffered whole), gzip/br response bodies are decoded unless the
// request said encodeResponseBody: "manual" (the Content-Encoding header is kept, as workerd does).
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { Agent, request } from "undici";
import type { FetchStartInit, FetchStartResult, HeaderList } from "../protocol/bridge.ts";
import type { HandleTable, HostCallContext, HostFunctionTable } from "./host-functions.ts";

type StartInit = FetchStartInit;
type StartResult = FetchStartResult;

const MAX_REDIRECTS = 20;
const NETWORK_LOST = "Network connection lost.";

/** Connection pool for all subrequests of this process. */
const agent = new Agent({ keepAliveTimeout: 4_000, connections: 128 });

/** Headers the client library manages itself (or refuses): never forwarded from the worker. */
const DROPPED_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "expect",
  "te",
  "proxy-connection",
  "http2-settings",
]);

// ---- per-isolate bookkeeping ---------------------------------------------------------------

interface IsolateState {
  /** abortKey -> the in-flight exchange (request, then its response body). */
  exchanges: Map<number, Exchange>;
  /** requestId -> handles of bodies and upload streams opened for it. */
  byRequest: Map<number, Set<number>>;
}

interface Exchange {
  controller: AbortController;
  handle: number | null;
}

const isolates = new WeakMap<HandleTable, IsolateState>();

function stateOf(ctx: HostCallContext): IsolateState {
  let st = isolates.get(ctx.handles);
  if (!st) {
    st = { exchanges: new Map(), byRequest: new Map() };
    isolates.set(ctx.handles, st);
  }
  return st;
}

function track(ctx: HostCallContext, handle: number): void {
  const st = stateOf(ctx);
  let set = st.byRequest.get(ctx.requestId);
  if (!set) st.byRequest.set(ctx.requestId, (set = new Set()));
  set.add(handle);
}

function untrack(handles: HandleTable, requestId: number, handle: number): void {
  const set = isolates.get(handles)?.byRequest.get(requestId);
  if (!set) return;
  set.delete(handle);
  if (set.size === 0) isolates.get(handles)!.byRequest.delete(requestId);
}

/**
 * Closes every response body and upload stream still open for a request (call when the request
 * and its waitUntil work have settled, as workerd cancels a request's subrequests then).
 */
export function releaseRequestFetches(handles: HandleTable, requestId: number): void {
  const st = isolates.get(handles);
  const set = st?.byRequest.get(requestId);
  if (!st || !set) return;
  st.byRequest.delete(requestId);
  for (const h of set) handles.delete(h);
}

// ---- upload streams (request bodies written by the isolate) --------------------------------

/**
 * A request body the isolate writes chunk by chunk; readable by any host consumer. Writes resolve
 * once the consumer has room again (backpressure); several may be outstanding at once.
 */
export class UploadStream {
  readonly readable: Readable;
  #waiting: Array<{ resolve(): void; reject(e: Error): void }> = [];
  #closed = false;

  constructor() {
    this.readable = new Readable({
      highWaterMark: 256 * 1024,
      read: () => {
        for (const w of this.#waiting.splice(0)) w.resolve();
      },
      destroy: (err, cb) => {
        const closed = new TypeError("The request body stream was closed by the receiver.");
        for (const w of this.#waiting.splice(0)) w.reject(closed);
        cb(err);
      },
    });
  }

  write(chunk: Buffer): Promise<void> {
    if (this.#closed || this.readable.destroyed) {
      return Promise.reject(new TypeError("The request body stream was closed by the receiver."));
    }
    if (this.readable.push(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
    });
  }

  /** The writer finished or failed (no more writes will come). */
  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed || this.readable.destroyed) return;
    this.#closed = true;
    this.readable.push(null);
  }

  error(message: string): void {
    this.#closed = true;
    if (!this.readable.destroyed) this.readable.destroy(new Error(message));
  }
}

function uploadOf(ctx: HostCallContext, handle: unknown): UploadStream {
  const u = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
  if (!(u instanceof UploadStream)) throw new TypeError("Invalid request body stream handle.");
  return u;
}

/** The upload stream behind a handle, for other host modules that accept streamed bodies. */
export function takeUploadStream(ctx: HostCallContext, handle: unknown): UploadStream {
  return uploadOf(ctx, handle);
}

// ---- response bodies -----------------------------------------------------------------------

/** Reads a Node stream chunk by chunk on demand (paused mode: no reads ahead of the isolate). */
class BodyReader {
  #readable: Readable;
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;
  exchangeKey = 0;

  constructor(readable: Readable) {
    this.#readable = readable;
    const wake = () => {
      const w = this.#wake;
      this.#wake = null;
      w?.();
    };
    readable.on("readable", wake);
    readable.on("end", () => {
      this.#ended = true;
      wake();
    });
    readable.on("error", (e) => {
      this.#error = e;
      wake();
    });
    readable.on("close", () => {
      if (!this.#ended && !this.#error) this.#error = new Error("closed");
      wake();
    });
  }

  async read(): Promise<ArrayBuffer | null> {
    for (;;) {
      const chunk = this.#readable.read() as Buffer | null;
      if (chunk !== null && chunk.byteLength > 0) {
        return chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer;
      }
      if (this.#ended || this.#readable.readableEnded) return null;
      if (this.#error) throw this.#error;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  destroy(): void {
    if (!this.#readable.destroyed) this.#readable.destroy();
  }
}

// ---- helpers -------------------------------------------------------------------------------

function noop(): void {}

/** Drops a response body without surfacing undici's "Request aborted" error (drains small ones so the connection is reused). */
function discard(body: Readable & { dump?: (opts?: { limit: number }) => Promise<void> }): void {
  body.on("error", noop);
  if (body.dump) body.dump({ limit: 64 * 1024 }).catch(noop);
  else body.destroy();
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}

/** Header values cross as JS strings; non-Latin-1 text goes on the wire as UTF-8 (as workerd). */
function wireValue(v: string): string {
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) > 0xff) return Buffer.from(v, "utf8").toString("latin1");
  }
  return v;
}

function outgoingHeaders(list: HeaderList, keepContentLength: boolean): string[] {
  const flat: string[] = [];
  for (const [name, value] of list) {
    const n = name.toLowerCase();
    if (DROPPED_HEADERS.has(n)) continue;
    if (n === "content-length" && !keepContentLength) continue;
    flat.push(n, wireValue(value));
  }
  return flat;
}

function responseHeaders(headers: Record<string, string | string[] | undefined>): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push([name, v]);
    else out.push([name, value]);
  }
  return out;
}

function validateInit(init: unknown): StartInit {
  const i = init as Partial<StartInit> | null;
  if (!i || typeof i !== "object" || typeof i.method !== "string" || typeof i.url !== "string" || !Array.isArray(i.headers)) {
    throw new TypeError("fetch.start: invalid request.");
  }
  for (const h of i.headers) {
    if (!Array.isArray(h) || typeof h[0] !== "string" || typeof h[1] !== "string") {
      throw new TypeError("fetch.start: invalid headers.");
    }
  }
  const body = i.body ?? null;
  if (body !== null && !(body instanceof ArrayBuffer) && typeof (body as { stream?: unknown }).stream !== "number") {
    throw new TypeError("fetch.start: invalid body.");
  }
  return {
    method: i.method,
    url: i.url,
    headers: i.headers,
    body,
    redirect: i.redirect === "manual" || i.redirect === "error" ? i.redirect : "follow",
    decode: i.decode !== false,
    abortKey: typeof i.abortKey === "number" ? i.abortKey : 0,
  };
}

function decoderFor(encoding: string | string[] | undefined): zlib.Gunzip | zlib.BrotliDecompress | null {
  const e = (Array.isArray(encoding) ? encoding.join(",") : encoding ?? "").trim().toLowerCase();
  if (e === "gzip" || e === "x-gzip") return zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (e === "br") return zlib.createBrotliDecompress();
  return null;
}

function abortError(): Error {
  return new DOMException("The operation was aborted.", "AbortError");
}

/** undici's failures become workerd's: bad arguments are TypeErrors, the rest "Network connection lost.". */
function networkError(e: unknown, aborted: boolean): Error {
  if (aborted) return abortError();
  const code = (e as { code?: unknown })?.code;
  if (code === "UND_ERR_INVALID_ARG" || code === "UND_ERR_NOT_SUPPORTED") {
    return new TypeError((e as Error).message);
  }
  return new Error(NETWORK_LOST);
}

// ---- fetch.start ---------------------------------------------------------------------------

/**
 * Sees the final response of a subrequest before the isolate does (the subrequest cache in
 * src/bindings/cache stores it): `body` is the stream the isolate will read (decoded), or null.
 * It may observe the body (a "data" listener) but must not consume it.
 */
export type ResponseTap = (
  response: { status: number; statusText: string; headers: HeaderList; url: string; redirected: boolean },
  body: Readable | null,
) => void;

/** `fetch.start`, with an optional tap on the final response. */
export function startSubrequest(ctx: HostCallContext, rawInit: unknown, tap?: ResponseTap): Promise<StartResult> {
  return start(ctx, rawInit, tap);
}

/** Hands the isolate a body the host already has (a cached response) as a `fetch.read` handle. */
export function openBodyHandle(ctx: HostCallContext, readable: Readable): number {
  const reader = new BodyReader(readable);
  const requestId = ctx.requestId;
  const handles = ctx.handles;
  const handle: number = ctx.handles.add(reader, () => {
    reader.destroy();
    untrack(handles, requestId, handle);
  });
  track(ctx, handle);
  return handle;
}

async function start(ctx: HostCallContext, rawInit: unknown, tap?: ResponseTap): Promise<StartResult> {
  const init = validateInit(rawInit);
  let url: URL;
  try {
    url = new URL(init.url);
  } catch {
    throw new TypeError(`Fetch API cannot load: ${init.url}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`Fetch API cannot load: ${init.url}`);

  const st = stateOf(ctx);
  const exchange: Exchange = { controller: new AbortController(), handle: null };
  const { signal } = exchange.controller;
  const onIsolateGone = () => exchange.controller.abort();
  ctx.signal.addEventListener("abort", onIsolateGone);
  if (init.abortKey) st.exchanges.set(init.abortKey, exchange);
  const finish = () => {
    ctx.signal.removeEventListener("abort", onIsolateGone);
    if (init.abortKey && st.exchanges.get(init.abortKey) === exchange) st.exchanges.delete(init.abortKey);
  };

  let method = init.method;
  let headers = init.headers;
  let bytes: Buffer | null = init.body instanceof ArrayBuffer ? Buffer.from(init.body) : null;
  let uploadHandle = init.body && !(init.body instanceof ArrayBuffer) ? init.body.stream : 0;
  let upload: UploadStream | null = uploadHandle ? uploadOf(ctx, uploadHandle) : null;
  const dropUpload = () => {
    if (uploadHandle) {
      ctx.handles.delete(uploadHandle);
      untrack(ctx.handles, ctx.requestId, uploadHandle);
    }
    upload = null;
    uploadHandle = 0;
  };

  try {
    let redirected = false;
    for (let hop = 0; ; hop++) {
      ctx.countSubrequest();
      if (signal.aborted) throw abortError();
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, {
          method,
          headers: outgoingHeaders(headers, upload !== null),
          body: bytes ?? upload?.readable ?? null,
          signal,
          dispatcher: agent,
        });
      } catch (e) {
        throw networkError(e, signal.aborted);
      }
      const status = res.statusCode;
      const location = res.headers.location;

      if (isRedirect(status) && init.redirect !== "manual" && typeof location === "string") {
        discard(res.body);
        if (init.redirect === "error") throw new TypeError("Fetch failed: the response was a redirect and redirect mode is \"error\".");
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new TypeError("Invalid Location header; unable to follow redirect.");
        }
        if (hop >= MAX_REDIRECTS) throw new TypeError("Too many redirects.");
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          throw new TypeError("Invalid Location header; unable to follow redirect.");
        }
        if (status !== 303 && upload) {
          throw new TypeError(
            "A request with a one-time-use body (it was initialized from a stream, not a buffer) encountered a redirect requiring the body to be retransmitted. To avoid this error in the future, construct this request from a buffer-like body initializer.",
          );
        }
        if (((status === 301 || status === 302) && method === "POST") || (status === 303 && method !== "HEAD")) {
          method = "GET";
          bytes = null;
          dropUpload();
          headers = headers.filter(([n]) => !/^content-(type|length|encoding|language|location)$/i.test(n));
        }
        if (next.origin !== url.origin) headers = headers.filter(([n]) => n.toLowerCase() !== "authorization");
        url = next;
        redirected = true;
        continue;
      }

      // The final response. An upload still in progress goes on (bidirectional streaming); its
      // handle closes when the isolate closes it, or with the request.
      url.hash = "";
      let handle: number | null = null;
      const head = { status, statusText: res.statusText ?? "", headers: responseHeaders(res.headers), url: url.href, redirected };
      if (method === "HEAD" || isNullBodyStatus(status)) {
        discard(res.body);
        finish();
        tap?.(head, null);
      } else {
        const decoder = init.decode ? decoderFor(res.headers["content-encoding"]) : null;
        let readable: Readable = res.body;
        if (decoder) {
          readable = res.body.pipe(decoder);
          res.body.on("error", (e) => decoder.destroy(e));
          decoder.on("close", () => res.body.destroy());
        }
        const reader = new BodyReader(readable);
        reader.exchangeKey = init.abortKey;
        const requestId = ctx.requestId;
        const handles = ctx.handles;
        res.body.on("error", noop);
        handle = ctx.handles.add(reader, () => {
          reader.destroy();
          res.body.destroy();
          finish();
          untrack(handles, requestId, handle!);
        });
        exchange.handle = handle;
        track(ctx, handle);
        tap?.(head, readable);
      }
      return { ...head, body: handle };
    }
  } catch (e) {
    finish();
    if (upload) dropUpload();
    throw e;
  }
}

// ---- the table -----------------------------------------------------------------------------

function bodyOf(ctx: HostCallContext, handle: unknown): BodyReader | undefined {
  const r = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
  return r instanceof BodyReader ? r : undefined;
}

export const outboundFetchFunctions: HostFunctionTable = {
  "fetch.start": (ctx, init: unknown) => start(ctx, init),

  async "fetch.read"(ctx, handle: unknown): Promise<ArrayBuffer | null> {
    const reader = bodyOf(ctx, handle);
    if (!reader) throw new TypeError("This response body was already closed.");
    const key = reader.exchangeKey;
    const aborted = () => (key ? isolates.get(ctx.handles)?.exchanges.get(key)?.controller.signal.aborted === true : false);
    try {
      const chunk = await reader.read();
      if (chunk === null) ctx.handles.delete(handle as number);
      return chunk;
    } catch (e) {
      const wasAborted = aborted() || ctx.signal.aborted;
      ctx.handles.delete(handle as number);
      throw networkError(e, wasAborted);
    }
  },

  "fetch.cancel"(ctx, handle: unknown): void {
    if (bodyOf(ctx, handle)) ctx.handles.delete(handle as number);
  },

  "fetch.abort"(ctx, abortKey: unknown): void {
    const st = isolates.get(ctx.handles);
    const ex = typeof abortKey === "number" ? st?.exchanges.get(abortKey) : undefined;
    if (!ex) return;
    ex.controller.abort();
    if (ex.handle !== null) ctx.handles.delete(ex.handle);
  },

  "stream.create"(ctx): number {
    const upload = new UploadStream();
    const requestId = ctx.requestId;
    const handles = ctx.handles;
    const handle: number = ctx.handles.add(upload, () => {
      // Closing the handle after a normal close() must not cut off data not yet sent.
      if (!upload.closed) upload.error("The request body stream was closed.");
      untrack(handles, requestId, handle);
    });
    track(ctx, handle);
    return handle;
  },

  async "stream.write"(ctx, handle: unknown, chunk: unknown): Promise<void> {
    const upload = uploadOf(ctx, handle);
    if (!(chunk instanceof ArrayBuffer)) throw new TypeError("stream.write: chunk must be an ArrayBuffer.");
    if (chunk.byteLength === 0) return;
    await upload.write(Buffer.from(chunk));
  },

  "stream.close"(ctx, handle: unknown): void {
    uploadOf(ctx, handle).close();
    ctx.handles.delete(handle as number);
  },

  "stream.error"(ctx, handle: unknown, message: unknown): void {
    const u = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
    if (!(u instanceof UploadStream)) return;
    u.error(String(message));
    ctx.handles.delete(handle as number);
  },
};
