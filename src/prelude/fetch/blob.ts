// Blob and File (W3C File API). Data is immutable, so slices and copies share one Uint8Array.
import { ReadableStream } from "../web/index.ts";
import { EMPTY, concatBytes, fixName, utf8Decode, utf8Encode } from "./util.ts";

export type BlobPart = ArrayBuffer | ArrayBufferView | Blob | string;
export interface BlobPropertyBag {
  type?: string;
  endings?: "transparent" | "native";
}
export interface FilePropertyBag extends BlobPropertyBag {
  lastModified?: number;
}

/** The Blob's bytes (shared, never to be mutated or transferred). */
export let blobBytes: (b: Blob) => Uint8Array;
/** A Blob over bytes the caller gives up (no copy). */
export let blobFromBytes: (bytes: Uint8Array, type: string) => Blob;
let setBlobData: (b: Blob, bytes: Uint8Array, type: string) => void;

/** Lower-cases a type, or empties it if it has characters outside U+0020..U+007E (File API). */
function normalizeType(type: unknown): string {
  const s = String(type);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return "";
  }
  return s.toLowerCase();
}

function partsToBytes(parts: unknown): Uint8Array {
  if (parts === undefined) return EMPTY;
  if (parts === null || typeof parts !== "object" || typeof (parts as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new TypeError(
      "Failed to construct 'Blob': The provided value cannot be converted to a sequence.",
    );
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (const part of parts as Iterable<unknown>) {
    let bytes: Uint8Array;
    if (part instanceof Blob) bytes = blobBytes(part);
    else if (part instanceof ArrayBuffer) bytes = new Uint8Array(part);
    else if (ArrayBuffer.isView(part)) bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
    else bytes = utf8Encode(String(part));
    if (bytes.byteLength === 0) continue;
    chunks.push(bytes);
    total += bytes.byteLength;
  }
  if (total === 0) return EMPTY;
  if (chunks.length === 1) return chunks[0].slice();
  return concatBytes(chunks, total);
}

function relativeIndex(value: unknown, size: number, fallback: number): number {
  if (value === undefined) return fallback;
  let n = Math.trunc(Number(value));
  if (Number.isNaN(n)) n = 0;
  if (n < 0) return Math.max(size + n, 0);
  return Math.min(n, size);
}

/** A byte ReadableStream over immutable bytes; every reader gets its own copy of the data. */
export function streamOfBytes(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      type: "bytes",
      pull(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes.slice());
        controller.close();
        controller.byobRequest?.respond(0);
      },
    },
    { highWaterMark: 0 },
  ) as ReadableStream<Uint8Array>;
}

export class Blob {
  #bytes: Uint8Array;
  #type: string;

  static {
    blobBytes = (b) => b.#bytes;
    setBlobData = (b, bytes, type) => {
      b.#bytes = bytes;
      b.#type = type;
    };
    blobFromBytes = (bytes, type) => {
      const b = new Blob();
      setBlobData(b, bytes, type);
      return b;
    };
  }

  constructor(blobParts?: BlobPart[], options?: BlobPropertyBag) {
    this.#bytes = partsToBytes(blobParts);
    const type = options?.type;
    this.#type = type === undefined ? "" : normalizeType(type);
  }

  get size(): number {
    return this.#bytes.byteLength;
  }

  get type(): string {
    return this.#type;
  }

  slice(start?: number, end?: number, contentType?: string): Blob {
    const size = this.#bytes.byteLength;
    const from = relativeIndex(start, size, 0);
    const to = relativeIndex(end, size, size);
    const type = contentType === undefined ? "" : normalizeType(contentType);
    return blobFromBytes(from >= to ? EMPTY : this.#bytes.subarray(from, to), type);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#bytes;
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return this.#bytes.slice();
  }

  async text(): Promise<string> {
    return utf8Decode(this.#bytes);
  }

  stream(): ReadableStream<Uint8Array> {
    return streamOfBytes(this.#bytes);
  }

  get [Symbol.toStringTag](): string {
    return "Blob";
  }
}
fixName(Blob, "Blob");

export class File extends Blob {
  #name: string;
  #lastModified: number;

  constructor(fileBits: BlobPart[] | undefined, fileName: string, options?: FilePropertyBag) {
    if (arguments.length < 2) {
      throw new TypeError(
        `Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`,
      );
    }
    super(fileBits, options);
    this.#name = String(fileName);
    const lm = options?.lastModified;
    this.#lastModified = lm === undefined ? Date.now() : Math.trunc(Number(lm)) || 0;
  }

  get name(): string {
    return this.#name;
  }

  get lastModified(): number {
    return this.#lastModified;
  }

  get [Symbol.toStringTag](): string {
    return "File";
  }
}
fixName(File, "File");

/** A File over existing bytes (no copy). */
export function fileFromBytes(bytes: Uint8Array, name: string, type: string, lastModified = Date.now()): File {
  const f = new File([], name, { lastModified });
  setBlobData(f, bytes, type);
  return f;
}
