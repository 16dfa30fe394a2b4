// CompressionStream / DecompressionStream ("gzip", "deflate", "deflate-raw"), as TransformStreams
// (like workerd), streaming through the host's zlib (src/runtime/host-compression.ts):
//   compress.create(format, "compress" | "decompress") -> handle
//   compress.write(handle, ArrayBuffer) -> { chunks: ArrayBuffer[], more }   (output so far)
//   compress.read(handle)               -> { chunks, more }   (more output for the same input)
//   compress.finish(handle)             -> { chunks, more }   (end of input; handle closed when !more)
//   compress.close(handle)              (cancelled or aborted)
// Output is bounded per call, so a small input that inflates hugely comes back in pieces.
// Errors are workerd's TypeErrors ("Decompression failed.", ...).
import { callHost } from "../bridge.ts";
import { TransformStream } from "./streams.ts";

type Format = "gzip" | "deflate" | "deflate-raw";

interface Output {
  chunks: ArrayBuffer[];
  more: boolean;
}

const FORMAT_ERROR = "The compression format must be either 'deflate', 'deflate-raw' or 'gzip'.";

function checkFormat(format: unknown): Format {
  const f = String(format);
  if (f !== "gzip" && f !== "deflate" && f !== "deflate-raw") throw new TypeError(FORMAT_ERROR);
  return f;
}

function notBufferSource(chunk: unknown): TypeError {
  const what = typeof chunk === "string" ? "a string" : "an object of non-ArrayBuffer/ArrayBufferView type";
  return new TypeError(`This TransformStream is being used as a byte stream, but received ${what} on its writable side.`);
}

/** The chunk's bytes as an ArrayBuffer the host may keep (always a copy: the writer keeps its buffer). */
function chunkBuffer(chunk: unknown): ArrayBuffer {
  if (chunk instanceof ArrayBuffer) return chunk.slice(0);
  if (ArrayBuffer.isView(chunk)) return chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer;
  throw notBufferSource(chunk);
}

function noop(): void {}

function codec(format: Format, mode: "compress" | "decompress"): ConstructorParameters<typeof TransformStream<BufferSource, Uint8Array>>[0] {
  let handle: Promise<number> | null = null;
  let closed = false;
  const open = () => (handle ??= callHost("compress.create", [format, mode]) as Promise<number>);
  const emit = async (first: Promise<unknown>, h: number, controller: TransformStreamDefaultController<Uint8Array>) => {
    let out = (await first) as Output;
    for (;;) {
      for (const c of out.chunks) if (c.byteLength > 0) controller.enqueue(new Uint8Array(c));
      if (!out.more) return;
      out = (await callHost("compress.read", [h])) as Output;
    }
  };
  return {
    async transform(chunk, controller) {
      const bytes = chunkBuffer(chunk);
      if (bytes.byteLength === 0) return;
      const h = await open();
      await emit(callHost("compress.write", [h, bytes]), h, controller);
    },
    async flush(controller) {
      const h = await open();
      closed = true;
      await emit(callHost("compress.finish", [h]), h, controller);
    },
    cancel() {
      if (closed || !handle) return;
      closed = true;
      handle.then((h) => callHost("compress.close", [h])).catch(noop);
    },
  };
}

export class CompressionStream extends TransformStream<BufferSource, Uint8Array> {
  constructor(format: "gzip" | "deflate" | "deflate-raw") {
    super(codec(checkFormat(format), "compress"));
  }
}

export class DecompressionStream extends TransformStream<BufferSource, Uint8Array> {
  constructor(format: "gzip" | "deflate" | "deflate-raw") {
    super(codec(checkFormat(format), "decompress"));
  }
}

for (const C of [CompressionStream, DecompressionStream]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
}
