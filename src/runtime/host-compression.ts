// Host side of CompressionStream / DecompressionStream (src/prelude/web/compression.ts): one
// node:zlib stream per handle, fed chunk by chunk, output read back in bounded pieces.
//   compress.create(format, mode)  -> handle      format: gzip | deflate | deflate-raw
//   compress.write(handle, ab)     -> { chunks, more }
//   compress.read(handle)          -> { chunks, more }   (after a result with more: true)
//   compress.finish(handle)        -> { chunks, more }   (the handle closes with the last piece)
//   compress.close(handle)
// As workerd (with strict_compression_checks, the default since 2023-08-01), decompression fails
// with a TypeError on corrupt input ("Decompression failed."), on bytes after the end of the
// compressed data, and on input that ends early.
import zlib from "node:zlib";
import type { HandleTable, HostCallContext, HostFunctionTable } from "./host-functions.ts";

/** Most output bytes returned by one call (the isolate asks again for the rest). */
const MAX_OUTPUT = 1024 * 1024;
/** zlib's output buffer size. */
const CHUNK_SIZE = 64 * 1024;

const DECOMPRESSION_FAILED = "Decompression failed.";
const TRAILING = "Trailing bytes after end of compressed data";
const INCOMPLETE = "Called close() on a decompression stream with incomplete data";

type Mode = "compress" | "decompress";

interface Output {
  chunks: ArrayBuffer[];
  more: boolean;
}

class Codec {
  readonly stream: zlib.Gzip | zlib.Gunzip | zlib.Deflate | zlib.Inflate | zlib.DeflateRaw | zlib.InflateRaw;
  readonly mode: Mode;
  #fed = 0;
  /** The write (or end) in progress has been fully consumed by zlib. */
  #inputDone = true;
  #ended = false;
  #finishing = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(format: string, mode: Mode) {
    this.mode = mode;
    const compress = mode === "compress";
    const options = { chunkSize: CHUNK_SIZE };
    this.stream =
      format === "gzip"
        ? compress
          ? zlib.createGzip(options)
          : zlib.createGunzip(options)
        : format === "deflate"
          ? compress
            ? zlib.createDeflate(options)
            : zlib.createInflate(options)
          : compress
            ? zlib.createDeflateRaw(options)
            : zlib.createInflateRaw(options);
    const wake = () => {
      const w = this.#wake;
      this.#wake = null;
      w?.();
    };
    this.stream.on("readable", wake);
    this.stream.on("end", () => {
      this.#ended = true;
      wake();
    });
    this.stream.on("error", (e: NodeJS.ErrnoException) => {
      this.#error ??= this.#translate(e);
      wake();
    });
    this.stream.on("close", wake);
  }

  #translate(e: NodeJS.ErrnoException): Error {
    if (this.mode === "compress") return new TypeError("Compression failed.");
    if (this.#finishing && (e.code === "Z_BUF_ERROR" || /unexpected end of file/i.test(e.message))) return new TypeError(INCOMPLETE);
    return new TypeError(DECOMPRESSION_FAILED);
  }

  write(bytes: Buffer): Promise<Output> {
    if (this.#finishing) return Promise.reject(new TypeError("Write after close"));
    if (this.#ended && this.mode === "decompress") this.#error ??= new TypeError(TRAILING);
    this.#fed += bytes.byteLength;
    this.#inputDone = false;
    this.stream.write(bytes, () => {
      this.#inputDone = true;
      this.#wake?.();
    });
    return this.read();
  }

  finish(): Promise<Output> {
    if (!this.#finishing) {
      this.#finishing = true;
      this.#inputDone = false;
      this.stream.end();
    }
    return this.read();
  }

  /** Output until MAX_OUTPUT bytes, or until zlib has consumed the input (or ended, when finishing). */
  async read(): Promise<Output> {
    const parts: Buffer[] = [];
    let size = 0;
    // One ArrayBuffer per call: each chunk costs the isolate a stream enqueue.
    const output = (more: boolean): Output => {
      if (size === 0) return { chunks: [], more };
      const all = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
      return { chunks: [all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer], more };
    };
    for (;;) {
      let chunk: Buffer | null;
      while (size < MAX_OUTPUT && (chunk = this.stream.read() as Buffer | null) !== null) {
        parts.push(chunk);
        size += chunk.byteLength;
      }
      this.#checkTrailing();
      if (this.#error) throw this.#error;
      if (size >= MAX_OUTPUT) return output(true);
      if (this.#finishing ? this.#ended : this.#inputDone || this.#ended) return output(false);
      if (this.stream.destroyed) throw new TypeError(this.mode === "compress" ? "Compression failed." : DECOMPRESSION_FAILED);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** zlib stopped consuming input before the end of what was written: the compressed data ended. */
  #checkTrailing(): void {
    if (this.mode !== "decompress" || this.#error) return;
    if ((this.#inputDone || this.#ended) && this.stream.bytesWritten < this.#fed) this.#error = new TypeError(TRAILING);
  }

  /** All input given and all output taken. */
  get done(): boolean {
    return this.#finishing && this.#ended;
  }

  destroy(): void {
    if (!this.stream.destroyed) this.stream.destroy();
  }
}

// ---- per-request bookkeeping (a request's codecs close when it ends) ----

const byRequest = new WeakMap<HandleTable, Map<number, Set<number>>>();

function track(ctx: HostCallContext, handle: number): void {
  let m = byRequest.get(ctx.handles);
  if (!m) byRequest.set(ctx.handles, (m = new Map()));
  let set = m.get(ctx.requestId);
  if (!set) m.set(ctx.requestId, (set = new Set()));
  set.add(handle);
}

function untrack(handles: HandleTable, requestId: number, handle: number): void {
  const set = byRequest.get(handles)?.get(requestId);
  set?.delete(handle);
  if (set && set.size === 0) byRequest.get(handles)!.delete(requestId);
}

/** Closes the codecs a finished request left open. */
export function releaseRequestCompression(handles: HandleTable, requestId: number): void {
  const set = byRequest.get(handles)?.get(requestId);
  if (!set) return;
  byRequest.get(handles)!.delete(requestId);
  for (const h of set) handles.delete(h);
}

function codecOf(ctx: HostCallContext, handle: unknown): Codec {
  const c = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
  if (!(c instanceof Codec)) throw new TypeError("This compression stream is closed.");
  return c;
}

/** Runs a step; the handle closes when the stream is done or failed. */
async function step(ctx: HostCallContext, handle: unknown, run: (c: Codec) => Promise<Output>): Promise<Output> {
  const codec = codecOf(ctx, handle);
  try {
    const out = await run(codec);
    if (codec.done && !out.more) ctx.handles.delete(handle as number);
    return out;
  } catch (e) {
    ctx.handles.delete(handle as number);
    throw e;
  }
}

export const compressionFunctions: HostFunctionTable = {
  "compress.create"(ctx, format: unknown, mode: unknown): number {
    if (format !== "gzip" && format !== "deflate" && format !== "deflate-raw") {
      throw new TypeError("The compression format must be either 'deflate', 'deflate-raw' or 'gzip'.");
    }
    if (mode !== "compress" && mode !== "decompress") throw new TypeError("compress.create: invalid mode.");
    const codec = new Codec(format, mode);
    const handles = ctx.handles;
    const requestId = ctx.requestId;
    const handle: number = ctx.handles.add(codec, () => {
      codec.destroy();
      untrack(handles, requestId, handle);
    });
    track(ctx, handle);
    return handle;
  },

  "compress.write"(ctx, handle: unknown, chunk: unknown): Promise<Output> {
    if (!(chunk instanceof ArrayBuffer)) throw new TypeError("compress.write: chunk must be an ArrayBuffer.");
    return step(ctx, handle, (c) => c.write(Buffer.from(chunk)));
  },

  "compress.read"(ctx, handle: unknown): Promise<Output> {
    return step(ctx, handle, (c) => c.read());
  },

  "compress.finish"(ctx, handle: unknown): Promise<Output> {
    return step(ctx, handle, (c) => c.finish());
  },

  "compress.close"(ctx, handle: unknown): void {
    if (typeof handle === "number" && ctx.handles.get(handle) instanceof Codec) ctx.handles.delete(handle);
  },
};
