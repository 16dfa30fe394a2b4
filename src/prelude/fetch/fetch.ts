// fetch(): builds a Request, then crosses to the host (src/runtime/outbound-fetch.ts):
//   fetch.start {method,url,headers,body,redirect,decode,abortKey,cf?} -> {status,statusText,headers,url,redirected,body}
//   fetch.read handle -> ArrayBuffer | null;  fetch.cancel handle;  fetch.abort abortKey
//   stream.create -> handle; stream.write handle chunk; stream.close handle; stream.error handle message
// data: URLs are answered inside the isolate, as workerd does.
import type { FetchStartInit, FetchStartResult, HeaderList } from "../../protocol/bridge.ts";
import { callHost } from "../bridge.ts";
import { fetchWebSocket } from "../websocket.ts";
import { ReadableStream } from "../web/index.ts";
import type { ReadableByteStreamController } from "../web/index.ts";
import { bodyState, transmitBody } from "./body.ts";
import { headerList, headersFromList } from "./headers.ts";
import { percentDecode } from "./multipart.ts";
import { Request, requestData, subrequestSignal } from "./request.ts";
import type { RequestInit } from "./request.ts";
import { Response, defaultStatusText, isNullBodyStatus, makeResponse } from "./response.ts";
import { EMPTY, chunkBytes, exactBuffer, utf8Encode } from "./util.ts";


let nextAbortKey = 1;

function noop(): void {}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const CF_CACHE_OPTIONS = ["cacheTtl", "cacheEverything", "cacheKey", "cacheTtlByStatus"];

/** The request's subrequest-cache options (served by src/bindings/cache); none with `cache: "no-store" | "no-cache"`. */
function cacheOptions(cf: unknown, cache: string | undefined): Record<string, unknown> | undefined {
  if (cache !== undefined || cf === null || typeof cf !== "object") return undefined;
  let out: Record<string, unknown> | undefined;
  for (const key of CF_CACHE_OPTIONS) {
    const value = (cf as Record<string, unknown>)[key];
    if (value !== undefined) (out ??= {})[key] = value;
  }
  return out;
}

export async function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const d = requestData(request);
  const url = d.url;
  const scheme = url.slice(0, url.indexOf(":"));
  if (scheme === "data") return fetchDataUrl(url, d.method);
  if (scheme !== "http" && scheme !== "https") throw new TypeError(`Fetch API cannot load: ${url}`);

  const signal = subrequestSignal(request);
  if (signal?.aborted) throw signal.reason;

  if (d.headers.get("upgrade")?.toLowerCase() === "websocket") {
    // A WebSocket handshake: the host connects; the 101 response carries the socket to accept().
    const { socket, protocol } = await fetchWebSocket(url, headerList(d.headers));
    const headers: [string, string][] = protocol ? [["sec-websocket-protocol", protocol]] : [];
    return new Response(null, { status: 101, webSocket: socket, headers });
  }

  const tx = transmitBody(bodyState(request));
  const abortKey = signal ? nextAbortKey++ : 0;

  let aborted = false;
  let rejectStart: ((e: unknown) => void) | null = null;
  let bodyController: ReadableByteStreamController | null = null;
  let uploadCancel: ((reason: unknown) => void) | null = null;
  const onAbort = () => {
    aborted = true;
    const reason = signal!.reason;
    callHost("fetch.abort", [abortKey]).catch(noop);
    rejectStart?.(reason);
    uploadCancel?.(reason);
    try {
      bodyController?.error(reason);
    } catch {
      // already closed
    }
  };
  const release = () => signal?.removeEventListener("abort", onAbort);
  signal?.addEventListener("abort", onAbort);

  try {
    let body: FetchStartInit["body"] = null;
    if (tx && "bytes" in tx) body = exactBuffer(tx.bytes, true);
    else if (tx) {
      const handle = (await callHost("stream.create", [])) as number;
      if (aborted) {
        callHost("stream.error", [handle, "aborted"]).catch(noop);
        throw signal!.reason;
      }
      body = { stream: handle };
      uploadCancel = pumpUpload(tx.stream, handle);
    }

    const start: FetchStartInit = {
      method: d.method,
      url,
      headers: headerList(d.headers),
      body,
      redirect: d.redirect,
      decode: d.encodeResponseBody !== "manual",
      abortKey,
    };
    const cf = cacheOptions(d.cf, d.cache);
    if (cf) start.cf = cf;
    const result = await new Promise<FetchStartResult>((resolve, reject) => {
      rejectStart = reject;
      callHost("fetch.start", [start]).then((v) => resolve(v as FetchStartResult), reject);
    });
    rejectStart = null;

    let handle = result.body;
    if (handle !== null && (d.method === "HEAD" || isNullBodyStatus(result.status))) {
      callHost("fetch.cancel", [handle]).catch(noop);
      handle = null;
    }
    let stream: ReadableStream<Uint8Array> | null = null;
    if (handle === null) release();
    else {
      stream = hostBodyStream(handle, release, (c) => {
        bodyController = c;
      });
    }
    return makeResponse({
      status: result.status,
      statusText: result.statusText === defaultStatusText(result.status) ? null : result.statusText,
      headers: headersFromList(result.headers, "immutable"),
      body: stream ? { source: stream, owned: false, contentType: null } : null,
      urlList: result.redirected ? [url, result.url] : [result.url],
      webSocket: null,
      cf: undefined,
      encodeBody: "automatic",
    });
  } catch (e) {
    release();
    throw aborted ? signal!.reason : e;
  }
}

/** The body of a fetch() response (or a cached one): each pull asks the host for the next chunk. */
export function hostBodyStream(
  handle: number,
  done: () => void,
  onStart: (c: ReadableByteStreamController) => void,
): ReadableStream<Uint8Array> {
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      done();
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      type: "bytes",
      start(controller) {
        onStart(controller);
      },
      async pull(controller) {
        try {
          for (;;) {
            const chunk = (await callHost("fetch.read", [handle])) as ArrayBuffer | null;
            if (chunk === null) {
              finish();
              controller.close();
              controller.byobRequest?.respond(0);
              return;
            }
            if (chunk.byteLength > 0) {
              controller.enqueue(new Uint8Array(chunk));
              return;
            }
          }
        } catch (e) {
          finish();
          throw e;
        }
      },
      cancel() {
        finish();
        return callHost("fetch.cancel", [handle]).then(noop, noop);
      },
    },
    // One chunk is fetched ahead of the reader so the host and the isolate overlap.
    { highWaterMark: 64 * 1024 },
  ) as ReadableStream<Uint8Array>;
}

/** Writes outstanding at once while uploading (each is one bridge round trip). */
const UPLOAD_WINDOW = 4;

/** Sends a body stream to the host chunk by chunk (fetch uploads, cache.put); returns a canceller. */
export function pumpUpload(stream: ReadableStream<Uint8Array>, handle: number): (reason: unknown) => void {
  const reader = stream.getReader();
  let stopped = false;
  (async () => {
    const inFlight = new Set<Promise<unknown>>();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (stopped) return;
        if (done) break;
        const bytes = chunkBytes(value);
        if (bytes.byteLength === 0) continue;
        const write = callHost("stream.write", [handle, exactBuffer(bytes, false)]);
        inFlight.add(write);
        write.then(
          () => inFlight.delete(write),
          () => {},
        );
        if (inFlight.size >= UPLOAD_WINDOW) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      await callHost("stream.close", [handle]);
    } catch (e) {
      if (stopped) return;
      stopped = true;
      callHost("stream.error", [handle, errorMessage(e)]).catch(noop);
      reader.cancel(e).catch(noop);
    }
  })();
  return (reason) => {
    if (stopped) return;
    stopped = true;
    reader.cancel(reason).catch(noop);
  };
}

// ---- data: URLs ----------------------------------------------------------------------------

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The WHATWG forgiving-base64 decode; null on failure. */
function decodeBase64(bytes: Uint8Array): Uint8Array | null {
  let s = "";
  for (let i = 0; i < bytes.byteLength; i++) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) s += String.fromCharCode(c);
  }
  if (s.length % 4 === 0) s = s.replace(/={1,2}$/, "");
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) return null;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let buf = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    buf = (buf << 6) | B64.indexOf(s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (buf >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

function fetchDataUrl(url: string, method: string): Response {
  const comma = url.indexOf(",");
  if (comma < 0) throw new TypeError(`Fetch API cannot load: ${url}`);
  let mime = url.slice(5, comma).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "");
  const hash = url.indexOf("#", comma);
  let data = percentDecode(utf8Encode(url.slice(comma + 1, hash < 0 ? undefined : hash)));
  const b64 = /;[\t ]*base64[\t ]*$/i;
  if (b64.test(mime)) {
    mime = mime.replace(b64, "");
    const decoded = decodeBase64(data);
    if (!decoded) throw new TypeError(`Fetch API cannot load: ${url}`);
    data = decoded;
  }
  if (mime.startsWith(";")) mime = `text/plain${mime}`;
  if (mime === "") mime = "text/plain;charset=US-ASCII";
  return makeResponse({
    status: 200,
    statusText: null,
    headers: headersFromList([["content-type", mime]], "immutable"),
    body: method === "HEAD" ? null : { source: data.byteLength ? data.slice() : EMPTY, owned: data.byteLength > 0, contentType: null },
    urlList: [url],
    webSocket: null,
    cf: undefined,
    encodeBody: "automatic",
  });
}
