// WHATWG Streams: the web-streams-polyfill ponyfill (never patches globals).
export {
  ReadableStream,
  ReadableStreamDefaultReader,
  ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest,
  ReadableByteStreamController,
  ReadableStreamDefaultController,
  WritableStream,
  WritableStreamDefaultWriter,
  WritableStreamDefaultController,
  TransformStream,
  TransformStreamDefaultController,
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
} from "web-streams-polyfill";
export type {
  UnderlyingByteSource,
  UnderlyingSource,
  UnderlyingSink,
  Transformer,
  QueuingStrategy,
  QueuingStrategyInit,
  ReadableStreamDefaultReadResult,
  ReadableStreamBYOBReadResult,
  ReadableWritablePair,
  StreamPipeOptions,
} from "web-streams-polyfill";
