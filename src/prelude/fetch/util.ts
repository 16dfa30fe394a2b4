// Small helpers shared by the Fetch API modules: UTF-8, byte copies, stream checks.
import { ReadableStream, TextDecoder, TextEncoder } from "../web/index.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const BODY_USED =
  "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";

export const EMPTY = new Uint8Array(0);

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** UTF-8 decode as the Fetch spec does: BOM stripped, invalid sequences become U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) return "";
  return decoder.decode(bytes);
}

/** A fresh Uint8Array copy of any buffer source (never shares memory with the input). */
export function copyBytes(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (source instanceof ArrayBuffer) return new Uint8Array(source.slice(0));
  return new Uint8Array(
    source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) as ArrayBuffer,
  );
}

/** Bytes of a chunk read from a body stream; anything but a buffer source is a TypeError. */
export function chunkBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError("This ReadableStream did not return bytes.");
}

export function concatBytes(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].byteLength === total) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** An ArrayBuffer holding exactly these bytes; copies unless `bytes` already spans its whole buffer. */
export function exactBuffer(bytes: Uint8Array, mayShare: boolean): ArrayBuffer {
  const buf = bytes.buffer as ArrayBuffer;
  if (mayShare && bytes.byteOffset === 0 && bytes.byteLength === buf.byteLength) return buf;
  return buf.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** Whether a stream has been read from or cancelled (the spec's "disturbed"). */
export function isDisturbed(stream: ReadableStream<unknown>): boolean {
  return (stream as unknown as { _disturbed?: boolean })._disturbed === true;
}

export function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return value instanceof ReadableStream;
}

/** What readAll throws past its byte limit, once the stream is read to the end. */
export class StreamTooLargeError extends RangeError {
  /** The stream's whole length in bytes. */
  readonly length: number;
  constructor(length: number, maxBytes: number) {
    super(`The stream is ${length} bytes long, more than ${maxBytes}.`);
    this.length = length;
  }
}

/**
 * Reads a whole stream into one Uint8Array (the stream must be unlocked); it may be a chunk the
 * stream returned, so it can share memory with it. Past `maxBytes` the bytes are dropped but still
 * counted to the end (the caller may report the exact length), then StreamTooLargeError is thrown.
 */
export async function readAll(stream: ReadableStream<unknown>, maxBytes = Infinity): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const bytes = chunkBytes(value);
      if (bytes.byteLength === 0) continue;
      total += bytes.byteLength;
      if (total <= maxBytes) chunks.push(bytes);
      else chunks.length = 0;
    }
  } catch (e) {
    reader.cancel(e).catch(() => {});
    throw e;
  } finally {
    try {
      reader.releaseLock();
    } catch {
      // already released
    }
  }
  if (total > maxBytes) throw new StreamTooLargeError(total, maxBytes);
  return concatBytes(chunks, total);
}

/** Deep copy of JSON-like data (the `cf` object), as workerd's deepClone does. */
export function deepClone<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => deepClone(v)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = deepClone((value as Record<string, unknown>)[k]);
  return out as T;
}

/** Sets `name` on a class so esbuild renames (Request2) never leak into user-visible names. */
export function fixName(ctor: Function, name: string): void {
  if (ctor.name !== name) Object.defineProperty(ctor, "name", { value: name, configurable: true });
}
