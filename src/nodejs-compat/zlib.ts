// node:zlib, partly: whole-buffer deflate/inflate/gzip/gunzip/unzip/brotli, synchronous and with
// callbacks, done by the host's zlib (src/runtime/host-node-zlib.ts); the stream classes
// (createGzip…) collect their input and compress it in one piece when it ends, so they work but
// do not emit output before the end. Constants are unenv's; crc32 is computed here.
import { Buffer } from "node:buffer";
import { Transform } from "node:stream";
import { constants, codes } from "unenv/node/zlib";
import { atollNode } from "./internal.ts";

export { constants, codes };
export * from "unenv/node/internal/zlib/constants";

type Input = string | ArrayBuffer | ArrayBufferView;
type Options = Record<string, unknown>;
type Callback = (error: Error | null, result?: Buffer) => void;

function bytes(input: Input): ArrayBuffer {
  if (typeof input === "string") input = Buffer.from(input);
  if (input instanceof ArrayBuffer) return input;
  if (ArrayBuffer.isView(input)) {
    const b = input.buffer as ArrayBuffer;
    return input.byteOffset === 0 && input.byteLength === b.byteLength ? b : b.slice(input.byteOffset, input.byteOffset + input.byteLength);
  }
  throw new TypeError('The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer.');
}

function hostOptions(options: Options | undefined): Options | null {
  if (!options) return null;
  const copy: Options = { ...options };
  if (copy.dictionary !== undefined) copy.dictionary = bytes(copy.dictionary as Input);
  delete copy.info;
  return copy;
}

function run(format: string, input: Input, options?: Options): Buffer {
  return Buffer.from(atollNode().callHostSync("node.zlib.run", [format, bytes(input), hostOptions(options)]) as ArrayBuffer);
}

function sync(format: string) {
  return (input: Input, options?: Options): Buffer => run(format, input, options);
}

function async(format: string) {
  return (input: Input, options: Options | Callback, callback?: Callback): void => {
    if (typeof options === "function") [options, callback] = [{}, options];
    if (typeof callback !== "function") throw new TypeError('The "callback" argument must be of type function.');
    const cb = callback;
    let result: Buffer;
    try {
      result = run(format, input, options);
    } catch (error) {
      queueMicrotask(() => cb(error as Error));
      return;
    }
    queueMicrotask(() => cb(null, result));
  };
}

export const deflateSync = sync("deflate");
export const inflateSync = sync("inflate");
export const deflateRawSync = sync("deflateRaw");
export const inflateRawSync = sync("inflateRaw");
export const gzipSync = sync("gzip");
export const gunzipSync = sync("gunzip");
export const unzipSync = sync("unzip");
export const brotliCompressSync = sync("brotliCompress");
export const brotliDecompressSync = sync("brotliDecompress");
export const deflate = async("deflate");
export const inflate = async("inflate");
export const deflateRaw = async("deflateRaw");
export const inflateRaw = async("inflateRaw");
export const gzip = async("gzip");
export const gunzip = async("gunzip");
export const unzip = async("unzip");
export const brotliCompress = async("brotliCompress");
export const brotliDecompress = async("brotliDecompress");

/** A zlib stream that gathers its input and converts it all when the input ends. */
class WholeBufferStream extends Transform {
  readonly #format: string;
  readonly #options: Options | undefined;
  #chunks: Uint8Array[] = [];
  bytesWritten = 0;

  constructor(format: string, options?: Options) {
    super(options);
    this.#format = format;
    this.#options = options;
  }

  _transform(chunk: Uint8Array, _encoding: string, callback: (error?: Error | null) => void): void {
    this.#chunks.push(chunk);
    this.bytesWritten += chunk.length;
    callback();
  }

  _flush(callback: (error?: Error | null, data?: Buffer) => void): void {
    try {
      callback(null, run(this.#format, Buffer.concat(this.#chunks), this.#options));
    } catch (error) {
      callback(error as Error);
    }
    this.#chunks = [];
  }

  close(callback?: () => void): void {
    if (callback) queueMicrotask(callback);
    this.destroy();
  }
}

function streamClass(format: string) {
  return class extends WholeBufferStream {
    constructor(options?: Options) {
      super(format, options);
    }
  };
}

export const Deflate = streamClass("deflate");
export const Inflate = streamClass("inflate");
export const DeflateRaw = streamClass("deflateRaw");
export const InflateRaw = streamClass("inflateRaw");
export const Gzip = streamClass("gzip");
export const Gunzip = streamClass("gunzip");
export const Unzip = streamClass("unzip");
export const BrotliCompress = streamClass("brotliCompress");
export const BrotliDecompress = streamClass("brotliDecompress");
export const createDeflate = (o?: Options) => new Deflate(o);
export const createInflate = (o?: Options) => new Inflate(o);
export const createDeflateRaw = (o?: Options) => new DeflateRaw(o);
export const createInflateRaw = (o?: Options) => new InflateRaw(o);
export const createGzip = (o?: Options) => new Gzip(o);
export const createGunzip = (o?: Options) => new Gunzip(o);
export const createUnzip = (o?: Options) => new Unzip(o);
export const createBrotliCompress = (o?: Options) => new BrotliCompress(o);
export const createBrotliDecompress = (o?: Options) => new BrotliDecompress(o);

let crcTable: Uint32Array | undefined;
export function crc32(data: Input, value = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const b = new Uint8Array(bytes(data));
  let crc = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < b.length; i++) crc = crcTable[(crc ^ b[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export default {
  constants, codes, crc32, deflateSync, inflateSync, deflateRawSync, inflateRawSync, gzipSync, gunzipSync, unzipSync,
  brotliCompressSync, brotliDecompressSync, deflate, inflate, deflateRaw, inflateRaw, gzip, gunzip, unzip, brotliCompress,
  brotliDecompress, Deflate, Inflate, DeflateRaw, InflateRaw, Gzip, Gunzip, Unzip, BrotliCompress, BrotliDecompress,
  createDeflate, createInflate, createDeflateRaw, createInflateRaw, createGzip, createGunzip, createUnzip,
  createBrotliCompress, createBrotliDecompress,
};
