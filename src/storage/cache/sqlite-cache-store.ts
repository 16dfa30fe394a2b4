// Placeholder until the Cache API engine lands (issue 5).
import type { CacheStore } from "./cache-store.ts";

export class SqliteCacheStore implements CacheStore {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  close(): void {}
}
