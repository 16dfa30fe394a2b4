// A test body run against a fresh embedded D1 database file in a temp directory, closed and removed
// afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteD1Store } from "../../src/storage/d1/sqlite-d1-store.ts";

export function withD1Store(fn: (store: SqliteD1Store, path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "atoll-d1-store-"));
    const path = join(dir, "d1", "db.sqlite");
    const store = new SqliteD1Store(path);
    try {
      await fn(store, path);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
