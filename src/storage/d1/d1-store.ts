// The D1 storage interface: what the D1 binding's host service (and `atoll d1`) needs from an
// engine. Async throughout so that a networked engine (NATS JetStream: the primary publishes each
// transaction's changeset to a stream before commit, replicas apply it) can implement it too.
//
// Values are SQLite's: null, number (REAL, or INTEGER when integral), string (TEXT) and
// Uint8Array (BLOB). Errors carry SQLite's message in the form D1 reports it
// ("no such table: x: SQLITE_ERROR"); the binding adds the "D1_ERROR: " prefix.

export type D1Value = null | number | string | Uint8Array;

export interface D1Statement {
  /** One SQL statement, or several separated by `;` (only the last may have parameters). */
  sql: string;
  params: D1Value[];
}

/** The `meta` object of a D1 result, field for field as Cloudflare returns it. */
export interface D1Meta {
  served_by: string;
  served_by_region: string;
  served_by_colo: string;
  served_by_primary: boolean;
  timings: { sql_duration_ms: number };
  duration: number;
  changes: number;
  last_row_id: number;
  changed_db: boolean;
  size_after: number;
  rows_read: number;
  rows_written: number;
  total_attempts: number;
}

export interface D1StatementResult {
  columns: string[];
  rows: D1Value[][];
  meta: D1Meta;
}

export interface D1BatchResult {
  /** One result per statement of the batch (for a statement with several SQL statements: the last one's). */
  results: D1StatementResult[];
  /** The database's commit position after the batch (a Sessions API bookmark). */
  bookmark: string;
}

export interface D1ScriptResult {
  /** One result per SQL statement of the script, in order. */
  results: D1StatementResult[];
  bookmark: string;
}

export interface D1Store {
  /**
   * Runs the statements in order as one atomic unit: all of them commit, or (when one fails) none
   * does and the error names the failing statement. Resolves only once the commit is durable (an
   * engine may commit concurrent batches together, each keeping the outcome it would have alone).
   */
  batch(statements: D1Statement[]): Promise<D1BatchResult>;
  /** Runs a script of `;`-separated statements as one transaction, with a result per statement. */
  script(sql: string): Promise<D1ScriptResult>;
  /** The current commit position. */
  bookmark(): Promise<string>;
  /**
   * Resolves once this engine has applied everything up to `bookmark` (at once when it already
   * has); rejects with D1BookmarkError when the bookmark is malformed, belongs to another
   * database, or is not reached within `timeoutMs`.
   */
  waitForBookmark(bookmark: string, timeoutMs: number): Promise<void>;
  /** The whole database as one self-contained SQLite file image. */
  dump(): Promise<Uint8Array>;
  close(): void;
}

/** A statement failed; nothing of its batch was applied. */
export class D1QueryError extends Error {
  /** Which statement of the batch (or of the script) failed, from 0. */
  readonly index: number;
  constructor(message: string, index: number) {
    super(message);
    this.name = "D1QueryError";
    this.index = index;
  }
}

export class D1BookmarkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "D1BookmarkError";
  }
}
