// The isolate side of the KV binding (bundled into the prelude): `env.NAME` is a KVNamespace.
// It only converts arguments and results (as workerd's bindings convert JS values); every check
// and limit is the host's (kv-service.ts), so errors read the same from user code and `atoll kv`.
// Each method is one host call: callHost("kv.<method>", [bindingName, ...]).
import { callHost } from "../../prelude/bridge.ts";
import { registerBinding } from "../../prelude/env.ts";
import { exactBuffer, fixName, isReadableStream, readAll, StreamTooLargeError } from "../../prelude/fetch/util.ts";
import { ReadableStream } from "../../prelude/web/index.ts";

// Mirrors the host's value limit: past it a put stream is only counted, not kept (the host then
// fails the put with the exact length, as Cloudflare does).
const MAX_VALUE_BYTES = 25 * 1024 * 1024;
const PUT_TYPE_ERROR = "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.";

interface GetOptions {
  type: string;
  cacheTtl?: number;
}

type GetResult = { value: string | ArrayBuffer; metadata: string | null } | null;

export class KVNamespace {
  readonly #binding: string;

  constructor(binding: string) {
    this.#binding = binding;
  }

  async get(key: unknown, options?: unknown): Promise<unknown> {
    const opts = getOptions(options);
    if (Array.isArray(key)) return callHost("kv.getBulk", [this.#binding, key.map(str), opts]);
    const found = (await callHost("kv.get", [this.#binding, str(key), opts])) as GetResult;
    return found === null ? null : toType(found.value, opts.type);
  }

  async getWithMetadata(key: unknown, options?: unknown): Promise<unknown> {
    const opts = getOptions(options);
    if (Array.isArray(key)) return callHost("kv.getBulk", [this.#binding, key.map(str), { ...opts, withMetadata: true }]);
    const found = (await callHost("kv.get", [this.#binding, str(key), opts])) as GetResult;
    if (found === null) return { value: null, metadata: null, cacheStatus: null };
    return {
      value: toType(found.value, opts.type),
      metadata: found.metadata === null ? null : JSON.parse(found.metadata),
      cacheStatus: null,
    };
  }

  async put(key: unknown, value: unknown, options?: unknown): Promise<void> {
    const name = str(key);
    const body = await putValue(value);
    await callHost("kv.put", [this.#binding, name, body, putOptions(options)]);
  }

  async delete(key: unknown): Promise<void> {
    await callHost("kv.delete", [this.#binding, str(key)]);
  }

  async list(options?: unknown): Promise<unknown> {
    const o = (options ?? {}) as { limit?: unknown; prefix?: unknown; cursor?: unknown };
    return callHost("kv.list", [
      this.#binding,
      {
        limit: o.limit === undefined ? undefined : Number(o.limit),
        prefix: o.prefix == null ? undefined : str(o.prefix),
        cursor: o.cursor == null ? undefined : str(o.cursor),
      },
    ]);
  }
}
fixName(KVNamespace, "KVNamespace");

/** ToString as WebIDL does it: a Symbol is a TypeError (String(symbol) would not be). */
function str(value: unknown): string {
  return `${value as string}`;
}

// get(key, "json") or get(key, { type: "json", cacheTtl: 60 }).
function getOptions(options: unknown): GetOptions {
  if (options == null) return { type: "text" };
  if (typeof options !== "object") return { type: str(options) };
  const o = options as { type?: unknown; cacheTtl?: unknown };
  return {
    type: o.type == null ? "text" : str(o.type),
    ...(o.cacheTtl !== undefined && { cacheTtl: Number(o.cacheTtl) }),
  };
}

function toType(value: string | ArrayBuffer, type: string): unknown {
  if (type === "json") return JSON.parse(value as string);
  if (type === "stream") return byteStream(value as ArrayBuffer);
  return value;
}

function byteStream(buffer: ArrayBuffer): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    start(controller) {
      if (buffer.byteLength > 0) controller.enqueue(new Uint8Array(buffer));
      controller.close();
    },
  });
}

function putOptions(options: unknown): Record<string, unknown> {
  if (options == null) return {};
  const o = options as { expiration?: unknown; expirationTtl?: unknown; metadata?: unknown };
  const out: Record<string, unknown> = {};
  if (o.expiration != null) out.expiration = Number(o.expiration);
  if (o.expirationTtl != null) out.expirationTtl = Number(o.expirationTtl);
  if (o.metadata != null) {
    // Serialized here, as workerd does, so the size limit applies to the JSON text.
    const json = JSON.stringify(o.metadata);
    if (json !== undefined) out.metadata = json;
  }
  return out;
}

/**
 * The value as it crosses to the host: strings as they are (the host encodes UTF-8), bytes as a
 * fresh ArrayBuffer (copied now: the host reads the call after this turn, and user code could
 * change the buffer meanwhile), streams read to the end.
 */
async function putValue(value: unknown): Promise<string | ArrayBuffer | { streamedLength: number }> {
  if (typeof value === "string") return value;
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (ArrayBuffer.isView(value)) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer;
  if (isReadableStream(value)) return readValueStream(value);
  if (typeof value === "object" && value !== null) throw new TypeError(PUT_TYPE_ERROR);
  if (typeof value === "function") throw new TypeError(PUT_TYPE_ERROR);
  // Other primitives become strings, as workerd's string conversion makes them.
  return str(value);
}

async function readValueStream(stream: ReadableStream<unknown>): Promise<ArrayBuffer | { streamedLength: number }> {
  try {
    // Copied: readAll may return a chunk the user's stream gave, which user code could still change.
    return exactBuffer(await readAll(stream, MAX_VALUE_BYTES), false);
  } catch (error) {
    // The host fails the put with the stream's exact length.
    if (error instanceof StreamTooLargeError) return { streamedLength: error.length };
    throw error;
  }
}

registerBinding("kv", (descriptor) => new KVNamespace(descriptor.name));
