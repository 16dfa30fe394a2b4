// node:stream/web: the web streams the prelude already provides, under Node's module name.
const g = globalThis as unknown as Record<string, unknown>;
export const ReadableStream = g.ReadableStream as typeof globalThis.ReadableStream;
export const ReadableStreamDefaultReader = g.ReadableStreamDefaultReader;
export const ReadableStreamBYOBReader = g.ReadableStreamBYOBReader;
export const ReadableStreamBYOBRequest = g.ReadableStreamBYOBRequest;
export const ReadableByteStreamController = g.ReadableByteStreamController;
export const ReadableStreamDefaultController = g.ReadableStreamDefaultController;
export const TransformStream = g.TransformStream as typeof globalThis.TransformStream;
export const TransformStreamDefaultController = g.TransformStreamDefaultController;
export const WritableStream = g.WritableStream as typeof globalThis.WritableStream;
export const WritableStreamDefaultWriter = g.WritableStreamDefaultWriter;
export const WritableStreamDefaultController = g.WritableStreamDefaultController;
export const ByteLengthQueuingStrategy = g.ByteLengthQueuingStrategy;
export const CountQueuingStrategy = g.CountQueuingStrategy;
export const TextEncoderStream = g.TextEncoderStream;
export const TextDecoderStream = g.TextDecoderStream;
export const CompressionStream = g.CompressionStream;
export const DecompressionStream = g.DecompressionStream;
export default {
  ReadableStream,
  ReadableStreamDefaultReader,
  ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest,
  ReadableByteStreamController,
  ReadableStreamDefaultController,
  TransformStream,
  TransformStreamDefaultController,
  WritableStream,
  WritableStreamDefaultWriter,
  WritableStreamDefaultController,
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
  TextEncoderStream,
  TextDecoderStream,
  CompressionStream,
  DecompressionStream,
};
