// The Body mixin shared by Request and Response: body extraction, consumption, clone, and the
// runtime's view of a body (bodyForTransmit). Bodies built from strings/buffers keep their bytes
// and only become a ReadableStream when `.body` is touched, so plain responses never allocate one.
import { ReadableStream } from "../web/index.ts";
import { Blob, blobBytes, blobFromBytes } from "./blob.ts";
import { FormData } from "./form-data.ts";
import type { Headers } from "./headers.ts";
import { makeBoundary, parseFormData, serializeMultipart } from "./multipart.ts";
import {
  BODY_USED,
  EMPTY,
  copyBytes,
  exactBuffer,
  fixName,
  isDisturbed,
  readAll,
  utf8Decode,
  utf8Encode,
} from "./util.ts";

export type BodyInit =
  | ReadableStream<Uint8Array>
  | string
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | URLSearchParams
  | FormData
  | Iterable<ArrayBuffer | ArrayBufferView>
  | AsyncIterable<ArrayBuffer | ArrayBufferView>;

type Source = null | string | Uint8Array | ReadableStream<Uint8Array>;

export interface Extracted {
  source: Exclude<Source, null>;
  /** The bytes belong to this body alone (safe to hand to the host for transfer). */
  owned: boolean;
  contentType: string | null;
}

export class BodyState {
  source: Source = null;
  owned = false;
  /** The stream behind `.body`: the source itself, or one made on demand from string/bytes. */
  stream: ReadableStream<Uint8Array> | null = null;
  /** `stream` was made by us from `source` (so the bytes can still be used directly). */
  ownStream = false;
  used = false;
  headers: Headers;

  constructor(headers: Headers, body: Extracted | null) {
    this.headers = headers;
    if (body) {
      this.source = body.source;
      this.owned = body.owned;
      if (typeof body.source === "object" && !(body.source instanceof Uint8Array)) this.stream = body.source;
    }
  }
}

/** Streams we made from a body's bytes, so passing `req.body` on as a body can reuse the bytes. */
const ownStreams = new WeakMap<object, BodyState>();

const DISTURBED = "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.";
const LOCKED = "This ReadableStream is currently locked to a reader.";

function noop(): void {}

function isURLSearchParams(v: object): boolean {
  return Object.prototype.toString.call(v) === "[object URLSearchParams]";
}

/** Fetch's "extract a body" (workerd's order of cases). */
export function extractBody(init: unknown): Extracted | null {
  if (init === null || init === undefined) return null;
  if (typeof init === "string") return { source: init, owned: true, contentType: "text/plain;charset=UTF-8" };
  if (typeof init === "object" || typeof init === "function") {
    if (init instanceof ReadableStream) {
      const own = ownStreams.get(init);
      if (own && canUseSource(own)) return stealSource(own);
      if (isDisturbed(init)) throw new TypeError(DISTURBED);
      if (init.locked) throw new TypeError(LOCKED);
      return { source: init as ReadableStream<Uint8Array>, owned: false, contentType: null };
    }
    if (init instanceof Blob) return { source: blobBytes(init), owned: false, contentType: init.type || null };
    if (init instanceof ArrayBuffer || ArrayBuffer.isView(init)) {
      return { source: copyBytes(init), owned: true, contentType: null };
    }
    if (init instanceof FormData) {
      const boundary = makeBoundary();
      return {
        source: serializeMultipart(init, boundary),
        owned: true,
        contentType: `multipart/form-data; boundary=${boundary}`,
      };
    }
    if (isURLSearchParams(init)) {
      return { source: String(init), owned: true, contentType: "application/x-www-form-urlencoded;charset=UTF-8" };
    }
    if (!Array.isArray(init) && (Symbol.asyncIterator in init || Symbol.iterator in init)) {
      const stream = ReadableStream.from(init as AsyncIterable<Uint8Array>) as ReadableStream<Uint8Array>;
      return { source: stream, owned: false, contentType: null };
    }
  }
  return { source: String(init), owned: true, contentType: "text/plain;charset=UTF-8" };
}

/** Whether the string/bytes source can be used directly (no stream, or our stream untouched). */
function canUseSource(s: BodyState): boolean {
  const src = s.source;
  if (src === null || (typeof src !== "string" && !(src instanceof Uint8Array))) return false;
  const st = s.stream;
  return st === null || (s.ownStream && !st.locked && !isDisturbed(st));
}

/** Marks a string/bytes body consumed; our stream over it (if any) becomes disturbed. */
function finishDirect(s: BodyState): void {
  s.used = true;
  if (s.stream) s.stream.cancel().catch(noop);
}

function stealSource(s: BodyState): Extracted {
  const e: Extracted = { source: s.source as string | Uint8Array, owned: s.owned, contentType: null };
  s.owned = false;
  finishDirect(s);
  return e;
}

export function bodyUsed(s: BodyState): boolean {
  return s.used || (s.stream !== null && isDisturbed(s.stream));
}

export function bodyStream(s: BodyState): ReadableStream<Uint8Array> | null {
  if (s.source === null) return null;
  if (s.stream === null) {
    const stream = new ReadableStream<Uint8Array>(
      {
        type: "bytes",
        pull(controller) {
          const src = s.source;
          const bytes = typeof src === "string" ? utf8Encode(src) : (src as Uint8Array).slice();
          if (bytes.byteLength > 0) controller.enqueue(bytes);
          controller.close();
          controller.byobRequest?.respond(0);
        },
      },
      { highWaterMark: 0 },
    ) as ReadableStream<Uint8Array>;
    s.stream = stream;
    s.ownStream = true;
    ownStreams.set(stream, s);
    if (s.used) stream.cancel().catch(noop);
  }
  return s.stream;
}

function beginConsume(s: BodyState): void {
  if (bodyUsed(s)) throw new TypeError(BODY_USED);
  if (s.stream?.locked) throw new TypeError(LOCKED);
}

/** Reads the whole body. `fresh` bytes are ours to hand out without copying. */
export async function consumeBytes(s: BodyState): Promise<{ bytes: Uint8Array; fresh: boolean }> {
  beginConsume(s);
  const src = s.source;
  if (src === null) {
    s.used = true;
    return { bytes: EMPTY, fresh: false };
  }
  if (canUseSource(s)) {
    finishDirect(s);
    return typeof src === "string" ? { bytes: utf8Encode(src), fresh: true } : { bytes: src as Uint8Array, fresh: false };
  }
  s.used = true;
  const stream = s.stream ?? (src as ReadableStream<Uint8Array>);
  return { bytes: await readAll(stream), fresh: false };
}

export async function consumeText(s: BodyState): Promise<string> {
  beginConsume(s);
  if (typeof s.source === "string" && canUseSource(s)) {
    finishDirect(s);
    return s.source;
  }
  return utf8Decode((await consumeBytes(s)).bytes);
}

export let bodyState: (b: Body) => BodyState;

/** The Body mixin (not a global; Request and Response extend it). */
export class Body {
  #state: BodyState;

  static {
    bodyState = (b) => b.#state;
  }

  constructor(state: BodyState) {
    this.#state = state;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return bodyStream(this.#state);
  }

  get bodyUsed(): boolean {
    return bodyUsed(this.#state);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const { bytes, fresh } = await consumeBytes(this.#state);
    return exactBuffer(bytes, fresh);
  }

  async bytes(): Promise<Uint8Array> {
    const { bytes, fresh } = await consumeBytes(this.#state);
    return fresh ? bytes : bytes.slice();
  }

  async text(): Promise<string> {
    return consumeText(this.#state);
  }

  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await consumeText(this.#state)) as T;
  }

  async formData(): Promise<FormData> {
    const s = this.#state;
    beginConsume(s);
    const contentType = s.headers.get("content-type");
    if (contentType === null) throw new TypeError("Parsing a Body as FormData requires a Content-Type header.");
    const { bytes } = await consumeBytes(s);
    return parseFormData(bytes, contentType);
  }

  async blob(): Promise<Blob> {
    const s = this.#state;
    const { bytes, fresh } = await consumeBytes(s);
    return blobFromBytes(fresh ? bytes : bytes.slice(), s.headers.get("content-type") ?? "");
  }
}
fixName(Body, "Body");

/**
 * What the runtime sends for a Request/Response body: `bytes` when the body is a string/buffer
 * that nobody turned into a stream (the bytes are exactly sized and exclusively ours, safe to
 * transfer), else the stream to pump. Marks the body used.
 */
export function transmitBody(
  s: BodyState,
): null | { bytes: Uint8Array } | { stream: ReadableStream<Uint8Array> } {
  if (bodyUsed(s)) throw new TypeError(BODY_USED);
  const src = s.source;
  if (src === null) return null;
  if (s.stream?.locked) throw new TypeError(LOCKED);
  if (canUseSource(s)) {
    finishDirect(s);
    if (typeof src === "string") return { bytes: utf8Encode(src) };
    const bytes = src as Uint8Array;
    const exclusive = s.owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    s.owned = false;
    return { bytes: exclusive ? bytes : bytes.slice() };
  }
  s.used = true;
  return { stream: s.stream ?? (src as ReadableStream<Uint8Array>) };
}

/** A second body with the same content (Request/Response clone()). */
export function cloneBody(s: BodyState, headers: Headers): BodyState {
  if (bodyUsed(s)) throw new TypeError(BODY_USED);
  const c = new BodyState(headers, null);
  const src = s.source;
  if (src === null) return c;
  if (canUseSource(s)) {
    s.owned = false;
    c.source = src;
    return c;
  }
  const stream = s.stream ?? (src as ReadableStream<Uint8Array>);
  if (stream.locked) throw new TypeError(LOCKED);
  const [a, b] = stream.tee() as [ReadableStream<Uint8Array>, ReadableStream<Uint8Array>];
  s.source = s.stream = a;
  s.ownStream = false;
  c.source = c.stream = b;
  return c;
}

/** Moves the body out of `s` (new Request(request)): `s` becomes used. */
export function takeBody(s: BodyState, message: string): Extracted | null {
  if (bodyUsed(s)) throw new TypeError(message);
  const src = s.source;
  if (src === null) return null;
  if (canUseSource(s)) return stealSource(s);
  const stream = s.stream ?? (src as ReadableStream<Uint8Array>);
  if (stream.locked) throw new TypeError(LOCKED);
  s.used = true;
  return { source: stream, owned: false, contentType: null };
}
