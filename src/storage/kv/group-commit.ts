// Group commit for a synchronous SQLite handle: writes that arrive in the same turn of the event
// loop share one transaction, so a burst of N writes costs one fsync instead of N (and blocks the
// event loop once). Each write's promise settles only after the transaction holding it committed.
import type { DatabaseSync } from "node:sqlite";

interface PendingWrite {
  apply(): void;
  resolve(): void;
  reject(error: unknown): void;
}

export class GroupCommit {
  readonly #db: DatabaseSync;
  #queue: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Queues `apply` (synchronous statements) for the next commit; resolves once it is durable. */
  run(apply: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ apply, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits everything queued now (also called before the handle closes). */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    try {
      this.#transaction(() => {
        for (const write of batch) write.apply();
      });
    } catch (error) {
      // Arguments were validated before they got here, so a failure is the file's (busy past the
      // timeout, disk full, I/O error) and would fail each write alone just the same.
      for (const write of batch) write.reject(error);
      return;
    }
    for (const write of batch) write.resolve();
  }

  #transaction(body: () => void): void {
    // IMMEDIATE takes the write lock up front, waiting (busy timeout) for another process's
    // writer, instead of failing halfway when a read transaction cannot be upgraded.
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      body();
      this.#db.exec("COMMIT");
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}
