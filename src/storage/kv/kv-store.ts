// The KV storage interface: what the KV binding's host service needs from an engine.
// Async throughout, so that a networked engine (NATS JetStream) can implement it too.

export interface KvEntry {
  value: Uint8Array;
  /** Seconds since the epoch, or null for no expiration. */
  expiration: number | null;
  /** The metadata as stored (already validated JSON value), or null. */
  metadata: unknown;
}

export interface KvListKey {
  name: string;
  expiration?: number;
  metadata?: unknown;
}

export interface KvListResult {
  keys: KvListKey[];
  listComplete: boolean;
  /** Present when listComplete is false. */
  cursor?: string;
}

export interface KvStore {
  /** The live (unexpired at `nowSeconds`) entry, or null. */
  get(key: string, nowSeconds: number): Promise<KvEntry | null>;
  /** Acknowledged only once durable. */
  put(key: string, entry: KvEntry): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys in lexicographic order of their UTF-8 bytes, live at `nowSeconds`. */
  list(options: { prefix: string; limit: number; cursor?: string }, nowSeconds: number): Promise<KvListResult>;
  /** Removes entries expired at `nowSeconds`; returns how many. */
  purgeExpired(nowSeconds: number): Promise<number>;
  close(): void;
}
