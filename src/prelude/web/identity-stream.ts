// Cloudflare's IdentityTransformStream and FixedLengthStream: byte pipes whose readable side is a
// byte stream (BYOB readers work). As in workerd there is no buffering beyond the chunk in flight:
// a write resolves once the reader has taken its bytes.
import {
  ReadableStream,
  WritableStream,
  type ReadableByteStreamController,
  type UnderlyingByteSource,
  type WritableStreamDefaultController,
} from "./streams.ts";

function notBufferSource(chunk: unknown): TypeError {
  const what = typeof chunk === "string" ? "a string" : "an object of non-ArrayBuffer/ArrayBufferView type";
  const hint =
    typeof chunk === "string"
      ? " If you wish to write a string, you'll probably want to explicitly UTF-8-encode it with TextEncoder."
      : "";
  return new TypeError(`This TransformStream is being used as a byte stream, but received ${what} on its writable side.${hint}`);
}

function copyBytes(chunk: unknown): Uint8Array<ArrayBuffer> {
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk.slice(0));
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
  throw notBufferSource(chunk);
}

const expectedLengths = new WeakMap<object, number>();

/** The declared length of a FixedLengthStream's readable side (for Content-Length), if any. */
export function getExpectedLength(readable: unknown): number | undefined {
  return typeof readable === "object" && readable !== null ? expectedLengths.get(readable) : undefined;
}

interface IdentityOptions {
  highWaterMark?: number | bigint;
}

const pipes = new WeakMap<object, { readable: ReadableStream<Uint8Array>; writable: WritableStream<BufferSource> }>();
function pipeOf(self: unknown) {
  const p = typeof self === "object" && self !== null ? pipes.get(self) : undefined;
  if (!p) throw new TypeError("Illegal invocation");
  return p;
}

function makePipe(self: object, expected: bigint | undefined, options: IdentityOptions | undefined): void {
  let controller!: ReadableByteStreamController;
  let writableController: WritableStreamDefaultController | undefined;
  let demand: (() => void) | undefined;
  let pulled = false;
  let remaining = expected;
  const wake = () => {
    pulled = true;
    const d = demand;
    demand = undefined;
    d?.();
  };
  const source: UnderlyingByteSource = {
    type: "bytes",
    start(c) {
      controller = c;
    },
    pull: wake,
    cancel(reason) {
      writableController?.error(reason);
      wake();
    },
  };
  // highWaterMark 1: the chunk in flight occupies the queue; pull() fires once a reader took it.
  const readable = new ReadableStream(source, { highWaterMark: 1 });
  const hwm = options?.highWaterMark;
  const writable = new WritableStream<BufferSource>(
    {
      start(c) {
        writableController = c;
      },
      async write(chunk) {
        const bytes = copyBytes(chunk);
        if (remaining !== undefined) {
          if (BigInt(bytes.byteLength) > remaining) {
            const e = new TypeError("Attempt to write too many bytes through a FixedLengthStream.");
            controller.error(e);
            throw e;
          }
          remaining -= BigInt(bytes.byteLength);
        }
        if (bytes.byteLength === 0) return;
        pulled = false;
        controller.enqueue(bytes);
        if ((controller.desiredSize ?? 1) > 0 || pulled) return;
        await new Promise<void>((resolve) => {
          demand = resolve;
        });
      },
      close() {
        if (remaining !== undefined && remaining !== 0n) {
          const e = new TypeError("FixedLengthStream did not see all expected bytes before close().");
          controller.error(e);
          throw e;
        }
        controller.close();
        controller.byobRequest?.respond(0);
      },
      abort(reason) {
        controller.error(reason);
      },
    },
    hwm === undefined ? undefined : { highWaterMark: Number(hwm), size: (c: BufferSource) => c.byteLength },
  );
  pipes.set(self, { readable: readable as ReadableStream<Uint8Array>, writable });
  if (expected !== undefined) expectedLengths.set(readable, Number(expected));
}

const fixedLength = Symbol("fixed length");

export class IdentityTransformStream {
  constructor(options?: IdentityOptions, internal?: { [fixedLength]: bigint }) {
    makePipe(this, internal?.[fixedLength], options);
  }
  get readable(): ReadableStream<Uint8Array> {
    return pipeOf(this).readable;
  }
  get writable(): WritableStream<BufferSource> {
    return pipeOf(this).writable;
  }
}

export class FixedLengthStream extends IdentityTransformStream {
  #expected: number;
  constructor(expectedLength: number | bigint, options?: IdentityOptions) {
    if (arguments.length === 0)
      throw new TypeError("Failed to construct 'FixedLengthStream': 1 argument required, but only 0 present.");
    let n: bigint;
    if (typeof expectedLength === "bigint") n = expectedLength;
    else {
      const v = Number(expectedLength);
      if (!Number.isInteger(v)) throw new TypeError("FixedLengthStream requires an integer expected length.");
      n = BigInt(v);
    }
    if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER))
      throw new TypeError("FixedLengthStream requires a non-negative integer expected length.");
    super(options, { [fixedLength]: n });
    this.#expected = Number(n);
  }
  get expectedLength(): number {
    return this.#expected;
  }
}

for (const C of [IdentityTransformStream, FixedLengthStream]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
}
