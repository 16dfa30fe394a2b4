// The KV storage interface: what the KV binding's host service needs from an engine.
// Async throughout, so that a networked engine (NATS JetStream) can implement it too. Engines
// store what they are given: arguments were validated by the service (src/bindings/kv).

export interface KvEntry {
  value: Uint8Array;
  /** Seconds since the epoch, or null for no expiration. */
  expiration: number | null;
  /** The metadata as JSON text (validated and size-checked by the service), or null. */
  metadata: string | null;
}

export interface KvListKey {
  name: string;
  expiration?: number;
  /** JSON text, as stored. */
  metadata?: string;
}

export interface KvListResult {
  keys: KvListKey[];
  listComplete: boolean;
  /** Present when listComplete is false; opaque to callers. */
  cursor?: string;
}

export interface KvListOptions {
  prefix: string;
  /** 1 to 1000. */
  limit: number;
  cursor?: string;
}

export interface KvStore {
  /** The live (unexpired at `nowSeconds`) entry, or null. */
  get(key: string, nowSeconds: number): Promise<KvEntry | null>;
  /** Resolves only once the write is durable. */
  put(key: string, entry: KvEntry): Promise<void>;
  /** Resolves only once the delete is durable; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Keys in lexicographic order of their UTF-8 bytes, live at `nowSeconds`. */
  list(options: KvListOptions, nowSeconds: number): Promise<KvListResult>;
  /** Removes entries expired at `nowSeconds`; returns how many. */
  purgeExpired(nowSeconds: number): Promise<number>;
  close(): void;
}
