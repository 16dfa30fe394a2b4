// Placeholder until the KV engine lands (issue 5).
import type { KvEntry, KvListResult, KvStore } from "./kv-store.ts";

export class SqliteKvStore implements KvStore {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  get(_key: string, _now: number): Promise<KvEntry | null> {
    throw new Error("not implemented");
  }
  put(_key: string, _entry: KvEntry): Promise<void> {
    throw new Error("not implemented");
  }
  delete(_key: string): Promise<void> {
    throw new Error("not implemented");
  }
  list(_o: { prefix: string; limit: number; cursor?: string }, _now: number): Promise<KvListResult> {
    throw new Error("not implemented");
  }
  purgeExpired(_now: number): Promise<number> {
    throw new Error("not implemented");
  }
  close(): void {}
}
