// node:stream/consumers: read a Node stream, web ReadableStream or async iterable to the end.
import { Buffer } from "node:buffer";

async function chunks(stream: AsyncIterable<unknown> | ReadableStream<unknown>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const decoder = new TextEncoder();
  const iterable: AsyncIterable<unknown> =
    Symbol.asyncIterator in (stream as object) ? (stream as AsyncIterable<unknown>) : readerIterable(stream as ReadableStream<unknown>);
  for await (const chunk of iterable) {
    if (typeof chunk === "string") out.push(decoder.encode(chunk));
    else if (chunk instanceof ArrayBuffer) out.push(new Uint8Array(chunk));
    else if (ArrayBuffer.isView(chunk)) out.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else throw new TypeError('The "stream" argument must yield strings, Buffers, TypedArrays or ArrayBuffers.');
  }
  return out;
}

async function* readerIterable(stream: ReadableStream<unknown>): AsyncGenerator<unknown> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

type Source = AsyncIterable<unknown> | ReadableStream<unknown>;

export async function buffer(stream: Source): Promise<Buffer> {
  return Buffer.concat(await chunks(stream));
}
export async function arrayBuffer(stream: Source): Promise<ArrayBuffer> {
  const b = await buffer(stream);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
export async function blob(stream: Source): Promise<Blob> {
  return new Blob(await chunks(stream) as BlobPart[]);
}
export async function text(stream: Source): Promise<string> {
  return new TextDecoder().decode(await buffer(stream));
}
export async function json(stream: Source): Promise<unknown> {
  return JSON.parse(await text(stream));
}
export default { arrayBuffer, blob, buffer, text, json };
