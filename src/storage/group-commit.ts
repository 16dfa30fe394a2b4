// Group commit for a synchronous SQLite handle (KV and D1): writes that arrive while a commit is
// pending — in practice, in the same turn of the event loop — share one transaction, so a burst of
// N writes costs one fsync instead of N. Each write runs inside its own SAVEPOINT: one that throws
// is rolled back alone and rejects with its own error, the others commit. Each write's promise
// settles only after the COMMIT holding it has returned, i.e. once it is on disk.
//
// Nothing is visible before it is durable: a group is applied and committed in one synchronous
// step (node:sqlite blocks the event loop), so no other code of this process runs while the
// transaction is open, and readers on the same handle only ever see committed data. A read
// issued while writes are queued first commits them (`beforeRead`): every read sees every write
// issued before it, in order, as D1's single writer runs them (a worker's `run()` that was not
// awaited, then a SELECT), at the cost of a smaller group when reads and writes interleave.
//
// Outcomes are those of running the writes one after the other, each in its own transaction:
// - a write whose statement rolls back the whole transaction (INSERT OR ROLLBACK, RAISE(ROLLBACK),
//   a full disk) fails alone; the writes applied before it in the group are applied again;
// - a write may end the transaction right after itself (`commitAfter`), for state that lasts until
//   COMMIT (PRAGMA defer_foreign_keys, deferred foreign keys checked at COMMIT);
// - when COMMIT fails (a deferred constraint, an I/O error), each write of the group is committed
//   again on its own, so each gets its own outcome.
// Applying a write twice is safe: nothing of it has been acknowledged or made visible before.
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** What a write can ask of the transaction it runs in. */
export interface GroupWrite {
  /** Commit right after this write, before any other write runs in the same transaction. */
  commitAfter(): void;
}

export interface GroupCommitOptions {
  /**
   * Runs each transaction statement (BEGIN, SAVEPOINT, COMMIT, …): D1 uses it to let them past the
   * authorizer that denies them to user SQL.
   */
  control?: (run: () => void) => void;
}

interface Pending {
  apply(write: GroupWrite): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Commit this write in a transaction of its own (after its group's COMMIT failed). */
  alone: boolean;
}

const SAVEPOINT = "atoll_group_write";

export class GroupCommit {
  readonly #db: DatabaseSync;
  readonly #control: (run: () => void) => void;
  readonly #sql: Record<"begin" | "commit" | "rollback" | "savepoint" | "release" | "rollbackTo", StatementSync>;
  #queue: Pending[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(db: DatabaseSync, options: GroupCommitOptions = {}) {
    this.#db = db;
    this.#control = options.control ?? ((run) => run());
    const prepare = (sql: string) => {
      let stmt: StatementSync | undefined;
      this.#control(() => (stmt = db.prepare(sql)));
      return stmt!;
    };
    this.#sql = {
      // IMMEDIATE takes the write lock up front, waiting (busy timeout) for another process's
      // writer, instead of failing halfway when a read transaction cannot be upgraded.
      begin: prepare("BEGIN IMMEDIATE"),
      commit: prepare("COMMIT"),
      rollback: prepare("ROLLBACK"),
      savepoint: prepare(`SAVEPOINT ${SAVEPOINT}`),
      release: prepare(`RELEASE ${SAVEPOINT}`),
      rollbackTo: prepare(`ROLLBACK TO ${SAVEPOINT}`),
    };
  }

  /**
   * Queues `apply` (synchronous statements) for the next commit; resolves with what it returned
   * once that commit is durable, or rejects with what it threw (having changed nothing).
   */
  run<T>(apply: (write: GroupWrite) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ apply, resolve: resolve as (value: unknown) => void, reject, alone: false });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Called before each read: commits the queued writes now, if any, so that the read sees them. */
  beforeRead(): void {
    if (this.#queue.length > 0) this.flush();
  }

  /** Commits everything queued now (also called before the handle closes). */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    let writes = this.#queue;
    this.#queue = [];
    while (writes.length > 0) writes = this.#transaction(writes);
  }

  #exec(stmt: StatementSync): void {
    this.#control(() => stmt.run());
  }

  /**
   * Runs the first writes of `writes` in one transaction and settles them; returns the writes
   * still to run (those after a commitAfter, or those that must run again).
   */
  #transaction(writes: Pending[]): Pending[] {
    try {
      this.#exec(this.#sql.begin);
    } catch (error) {
      // Busy past the timeout, or the file's trouble: each write alone would wait and fail the same.
      for (const write of writes) write.reject(error);
      return [];
    }
    const applied: { write: Pending; value: unknown }[] = [];
    let current: Pending | undefined;
    let next = 0;
    try {
      // A write that must commit alone starts a transaction of its own.
      while (next < writes.length && !(next > 0 && writes[next].alone)) {
        current = writes[next++];
        let commitAfter = current.alone;
        const write: GroupWrite = { commitAfter: () => void (commitAfter = true) };
        this.#exec(this.#sql.savepoint);
        let value: unknown;
        try {
          value = current.apply(write);
        } catch (error) {
          const failed = current;
          current = undefined;
          failed.reject(error);
          if (!this.#db.isTransaction) {
            // Its statement rolled the whole transaction back, and the writes before it with it.
            return [...applied.map((a) => a.write), ...writes.slice(next)];
          }
          this.#exec(this.#sql.rollbackTo);
          this.#exec(this.#sql.release);
          if (commitAfter) break;
          continue;
        }
        this.#exec(this.#sql.release);
        applied.push({ write: current, value });
        current = undefined;
        if (commitAfter) break;
      }
      this.#exec(this.#sql.commit);
    } catch (error) {
      // COMMIT failed (a deferred constraint, an I/O error), or a savepoint statement did.
      try {
        if (this.#db.isTransaction) this.#exec(this.#sql.rollback);
      } catch {}
      const involved = [...applied.map((a) => a.write), ...(current ? [current] : [])];
      if (involved.length === 1) {
        involved[0].reject(error);
        return writes.slice(next);
      }
      for (const write of involved) write.alone = true;
      return [...involved, ...writes.slice(next)];
    }
    for (const { write, value } of applied) write.resolve(value);
    return writes.slice(next);
  }
}
