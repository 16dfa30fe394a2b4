// The host side of node:zlib for nodejs_compat workers (isolate side: src/nodejs-compat/zlib.ts):
// whole-buffer compression and decompression with Node's zlib, synchronously, as the *Sync API is.
//   node.zlib.run(format, input, options) -> bytes
// Input and output are bounded: the work runs on the host's thread, and a small compressed input
// must not fill the host's memory.
import zlib from "node:zlib";
import type { HostSyncFunctionTable } from "./host-functions.ts";

/** Most bytes one call may produce; a worker's isolate has 128 MB in all. */
export const MAX_OUTPUT_LENGTH = 64 * 1024 * 1024;
/** Most bytes one call may take: the work runs on the host's thread, so it is kept short. */
export const MAX_INPUT_LENGTH = 32 * 1024 * 1024;

type Run = (input: Uint8Array, options: zlib.ZlibOptions & zlib.BrotliOptions) => Buffer;

const FORMATS: Record<string, Run> = {
  deflate: zlib.deflateSync,
  inflate: zlib.inflateSync,
  deflateRaw: zlib.deflateRawSync,
  inflateRaw: zlib.inflateRawSync,
  gzip: zlib.gzipSync,
  gunzip: zlib.gunzipSync,
  unzip: zlib.unzipSync,
  brotliCompress: zlib.brotliCompressSync,
  brotliDecompress: zlib.brotliDecompressSync,
};

const NUMERIC_OPTIONS = ["flush", "finishFlush", "chunkSize", "windowBits", "level", "memLevel", "strategy", "maxOutputLength"] as const;

export const nodeZlibHostSyncFunctions: HostSyncFunctionTable = {
  "node.zlib.run"(format: string, input: ArrayBuffer, options: Record<string, unknown> | null) {
    const run = Object.hasOwn(FORMATS, format) ? FORMATS[format] : undefined;
    if (!run) throw new TypeError(`Unknown zlib format "${format}".`);
    if (!(input instanceof ArrayBuffer)) throw new TypeError("input must be bytes.");
    if (input.byteLength > MAX_INPUT_LENGTH) {
      throw new RangeError(`zlib input above ${MAX_INPUT_LENGTH} bytes is not supported in one call; use CompressionStream / DecompressionStream for large data.`);
    }
    const o: zlib.ZlibOptions & zlib.BrotliOptions = {};
    for (const key of NUMERIC_OPTIONS) if (typeof options?.[key] === "number") (o as Record<string, number>)[key] = options[key] as number;
    o.maxOutputLength = Math.min(o.maxOutputLength ?? MAX_OUTPUT_LENGTH, MAX_OUTPUT_LENGTH);
    if (options?.dictionary instanceof ArrayBuffer) o.dictionary = new Uint8Array(options.dictionary);
    if (options?.params && typeof options.params === "object") {
      const params: Record<number, number> = {};
      for (const [k, v] of Object.entries(options.params)) if (typeof v === "number") params[Number(k)] = v;
      o.params = params;
    }
    const out = run(new Uint8Array(input), o);
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  },
};
