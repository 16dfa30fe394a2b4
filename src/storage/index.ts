// Storage behind the bindings. Each binding kind has an interface in src/storage/<kind>/ and
// engines that implement it; this file chooses the engine. Only the embedded engine (SQLite files
// under the state directory) exists today; a NATS JetStream engine will implement the same
// interfaces, and nothing outside src/storage knows which one is underneath.
import { join } from "node:path";
import type { CacheStore } from "./cache/cache-store.ts";
import { SqliteCacheStore } from "./cache/sqlite-cache-store.ts";
import type { D1Store } from "./d1/d1-store.ts";
import { SqliteD1Store } from "./d1/sqlite-d1-store.ts";
import type { KvStore } from "./kv/kv-store.ts";
import { SqliteKvStore } from "./kv/sqlite-kv-store.ts";

export interface StorageProvider {
  /** The KV namespace with this id (shared by every worker bound to it). */
  kv(namespaceId: string): KvStore;
  /** The D1 database with this id. */
  d1(databaseId: string): D1Store;
  /** The named Cache API cache ("default" for caches.default). */
  cache(name: string): CacheStore;
  /** Closes every open store (process shutdown). */
  close(): void;
}

/** Stores as files under `stateDir`: kv/<id>.sqlite, d1/<id>.sqlite, cache/<name>.sqlite. */
export function createEmbeddedStorage(stateDir: string): StorageProvider {
  const open = new Map<string, { close(): void }>();
  function get<T extends { close(): void }>(key: string, make: () => T): T {
    let store = open.get(key) as T | undefined;
    if (!store) {
      store = make();
      open.set(key, store);
    }
    return store;
  }
  const file = (kind: string, id: string) => join(stateDir, kind, `${encodeURIComponent(id)}.sqlite`);
  return {
    kv: (id) => get(`kv:${id}`, () => new SqliteKvStore(file("kv", id))),
    d1: (id) => get(`d1:${id}`, () => new SqliteD1Store(file("d1", id))),
    cache: (name) => get(`cache:${name}`, () => new SqliteCacheStore(file("cache", name))),
    close() {
      for (const store of open.values()) store.close();
      open.clear();
    },
  };
}

export { StorageError } from "./sqlite-file.ts";
export type { CacheStore, D1Store, KvStore };
