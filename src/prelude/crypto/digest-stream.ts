// crypto.DigestStream (Cloudflare): a WritableStream that hashes what is written to it and
// resolves `digest` on close. Bytes are batched in the isolate and hashed by the host
// ("crypto.digestStreamUpdate" / "crypto.digestStreamFinish"); a stream under FLUSH_BYTES in total
// costs one host call. WritableStream comes from the prelude's web module, looked up at first use.
import { callHost } from "../bridge.ts";
import { bytesOf, isBufferSource } from "./buffer-source.ts";
import { domException, reviveHostCryptoError } from "./errors.ts";
import { utf8Encode } from "./utf8.ts";

const FLUSH_BYTES = 64 * 1024;
const OPENSSL_NAMES = new Map([
  ["SHA-1", "SHA-1"],
  ["SHA-256", "SHA-256"],
  ["SHA-384", "SHA-384"],
  ["SHA-512", "SHA-512"],
  ["MD5", "MD5"],
]);
const CRC_NAMES = new Set(["crc32", "crc32c"]);

interface StreamState {
  digest: Promise<ArrayBuffer>;
  bytesWritten: number;
}
const states = new WeakMap<object, StreamState>();

type WritableStreamCtor = new (sink: object, strategy?: object) => object;
let linked: WritableStreamCtor | undefined;

function writableStream(): WritableStreamCtor {
  const WS = (globalThis as { WritableStream?: WritableStreamCtor }).WritableStream;
  if (typeof WS !== "function") throw new TypeError("DigestStream needs WritableStream, which is not available.");
  if (linked !== WS) {
    Object.setPrototypeOf(DigestStream.prototype, WS.prototype);
    Object.setPrototypeOf(DigestStream, WS);
    linked = WS;
  }
  return WS;
}

function algorithmName(algorithm: unknown): string {
  let name: string;
  if (typeof algorithm === "string") name = algorithm;
  else if (typeof algorithm === "object" && algorithm !== null && (algorithm as { name?: unknown }).name !== undefined) {
    name = String((algorithm as { name: unknown }).name);
  } else throw new TypeError("AlgorithmIdentifier could not be converted.");
  if (CRC_NAMES.has(name)) return name;
  const canonical = OPENSSL_NAMES.get(name.toUpperCase());
  if (!canonical) throw domException("Unrecognized or unimplemented digest algorithm requested.", "NotSupportedError");
  return canonical;
}

function chunkBytes(chunk: unknown): Uint8Array {
  if (typeof chunk === "string") return utf8Encode(chunk);
  if (isBufferSource(chunk)) return bytesOf(chunk).slice();
  throw new TypeError(
    "DigestStream is a byte stream but received an object of non-ArrayBuffer/ArrayBufferView/string type on its writable side.",
  );
}

function concat(chunks: Uint8Array[], total: number): ArrayBuffer {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

async function host(fn: string, args: unknown[]): Promise<unknown> {
  try {
    return await callHost(fn, args);
  } catch (e) {
    throw reviveHostCryptoError(e);
  }
}

export class DigestStream {
  constructor(algorithm: unknown, options?: unknown) {
    void options;
    if (new.target === undefined) throw new TypeError("Class constructor DigestStream cannot be invoked without 'new'");
    const WS = writableStream();
    const name = algorithmName(algorithm);

    let resolve!: (v: ArrayBuffer) => void;
    let reject!: (e: unknown) => void;
    const digest = new Promise<ArrayBuffer>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    digest.catch(() => {}); // an unread digest of an aborted stream is not an unhandled rejection
    const state: StreamState = { digest, bytesWritten: 0 };

    // Host state: the algorithm name until the first flush, then the host's handle.
    let hostState: string | number = name;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const take = (): ArrayBuffer | null => {
      if (pendingBytes === 0) return null;
      const buf = concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      return buf;
    };

    const sink = {
      write: async (chunk: unknown): Promise<void> => {
        const bytes = chunkBytes(chunk);
        if (bytes.byteLength === 0) return;
        pending.push(bytes);
        pendingBytes += bytes.byteLength;
        state.bytesWritten += bytes.byteLength;
        if (pendingBytes >= FLUSH_BYTES) {
          try {
            hostState = (await host("crypto.digestStreamUpdate", [hostState, take()])) as number;
          } catch (e) {
            reject(e);
            throw e;
          }
        }
      },
      close: async (): Promise<void> => {
        try {
          resolve((await host("crypto.digestStreamFinish", [hostState, take()])) as ArrayBuffer);
        } catch (e) {
          reject(e);
          throw e;
        }
      },
      abort: (reason: unknown): void => {
        reject(reason);
        pending = [];
        pendingBytes = 0;
        if (typeof hostState === "number") callHost("crypto.digestStreamAbort", [hostState]).catch(() => {});
      },
    };

    const self = Reflect.construct(WS, [sink], new.target) as DigestStream;
    states.set(self, state);
    return self;
  }

  get digest(): Promise<ArrayBuffer> {
    const s = states.get(this);
    if (!s) throw new TypeError("Illegal invocation");
    return s.digest;
  }

  get bytesWritten(): number {
    const s = states.get(this);
    if (!s) throw new TypeError("Illegal invocation");
    return s.bytesWritten;
  }
}
Object.defineProperty(DigestStream.prototype, Symbol.toStringTag, { value: "DigestStream", configurable: true });
