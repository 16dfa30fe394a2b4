// The embedded D1 engine: one SQLite file per database (WAL, synchronous = FULL, foreign keys on),
// with Cloudflare's restrictions (d1-authorizer.ts) and limits, and a commit sequence kept in the
// database itself (table `_cf_atoll_meta`, out of reach of user SQL like D1's `_cf_` tables) so
// that bookmarks survive restarts and name real commit positions.
//
// node:sqlite is synchronous: a batch runs to completion on the event loop, so batches from one
// process never interleave. Batches that write go through a group commit (../group-commit.ts):
// those arriving in the same turn of the event loop share one transaction and one fsync, each in
// its own SAVEPOINT (a failing batch rolls back alone, with its own error), each resolved only once
// the shared COMMIT has returned. Read-only batches (and dumps) run at once on committed data,
// after committing the writes queued before them, so they see every write issued earlier, in order,
// as D1's single writer would; nothing uncommitted is ever visible (a group is applied and committed
// in one synchronous step). Other processes (`atoll d1 execute` while
// `atoll dev` runs) are kept apart by SQLite's locks (writers take the write lock up front with
// BEGIN IMMEDIATE, waiting out the busy timeout).
import { randomBytes } from "node:crypto";
import { constants, type DatabaseSync, type StatementSync } from "node:sqlite";
import { GroupCommit, type GroupWrite } from "../group-commit.ts";
import { openSqliteFile, StorageError } from "../sqlite-file.ts";
import { authorizeD1 } from "./d1-authorizer.ts";
import { formatBookmark, parseBookmark, reaches } from "./d1-bookmark.ts";
import {
  D1BookmarkError,
  D1QueryError,
  type D1BatchResult,
  type D1Meta,
  type D1ScriptResult,
  type D1Statement,
  type D1StatementResult,
  type D1Store,
  type D1Value,
} from "./d1-store.ts";
import { describeSqliteError } from "./sqlite-error-names.ts";
import { firstStatementEnd, isBlankSql, scanParameters, statementKind, type SqlParameters, type StatementKind } from "./sql-text.ts";

/** Cloudflare's D1 limits (developers.cloudflare.com/d1/platform/limits) and workerd's SQLite limits. */
const LIMITS = {
  length: 2_000_000,
  sqlLength: 100_000,
  column: 100,
  exprDepth: 100,
  compoundSelect: 5,
  vdbeOp: 25_000,
  functionArg: 32,
  attach: 0,
  likePatternLength: 50,
  variableNumber: 100,
  triggerDepth: 10,
};

const META_TABLE = "_cf_atoll_meta";
const STATEMENT_CACHE_SIZE = 256;
const BOOKMARK_POLL_MS = 10;
const SQLITE_AUTH = 23;
const SQLITE_TOOBIG = 18;

interface Prepared {
  stmt: StatementSync;
  /** The text of this one statement: a prefix of the SQL it was prepared from. */
  text: string;
  kind: StatementKind;
  params: SqlParameters;
  columns?: string[];
  /** PRAGMA schema_version when `columns` were read. */
  columnsVersion?: number;
}

/** What one batch has learnt so far (read lazily, inside its transaction). */
interface BatchState {
  size?: number;
  schemaVersion?: number;
  /** It ran a PRAGMA (or another "other" statement): some, like defer_foreign_keys, last until COMMIT. */
  pragma?: boolean;
}

/** A failure worded by us rather than by SQLite. */
class StatementFailure extends Error {}

type SqliteArg = null | number | bigint | string | Uint8Array;

function toSqlite(value: D1Value): SqliteArg {
  if (typeof value === "number") {
    // D1 stores integral numbers as INTEGER; NaN and ±Infinity arrive as null (they cross as JSON).
    if (!Number.isFinite(value)) return null;
    if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) return BigInt(value);
  }
  return value;
}

/** INTEGERs beyond Number.MAX_SAFE_INTEGER come back as the nearest number, as in workerd. */
function fromSqlite(value: unknown): D1Value {
  return typeof value === "bigint" ? Number(value) : (value as D1Value);
}

export class SqliteD1Store implements D1Store {
  readonly path: string;
  #db: DatabaseSync;
  /** Internal statements bypass the authorizer (it is consulted again when SQLite re-prepares). */
  #trusted = false;
  /** Cloudflare's wording for the last denial, when it has one. */
  #denial: string | undefined;
  #cache = new Map<string, Prepared>();
  #database: string;
  #pageSize: number;
  #lastRowId = 0;
  #writes: GroupCommit;
  /** Whether the schema (at `version`) may declare deferred foreign keys. */
  #deferrable: { version: number; value: boolean } | undefined;
  #internal: {
    begin: StatementSync;
    commit: StatementSync;
    rollback: StatementSync;
    changes: StatementSync;
    pageCount: StatementSync;
    schemaVersion: StatementSync;
    sequence: StatementSync;
    bump: StatementSync;
    deferrable: StatementSync;
  };

  constructor(path: string) {
    this.path = path;
    this.#db = openSqliteFile(path, { foreignKeys: true });
    try {
      this.#db.enableDefensive(true);
      this.#database = this.#initMeta();
      const db = this.#db;
      this.#internal = {
        begin: db.prepare("BEGIN"),
        commit: db.prepare("COMMIT"),
        rollback: db.prepare("ROLLBACK"),
        changes: db.prepare("SELECT total_changes(), last_insert_rowid()"),
        pageCount: db.prepare("PRAGMA page_count"),
        schemaVersion: db.prepare("PRAGMA schema_version"),
        sequence: db.prepare(`SELECT value FROM ${META_TABLE} WHERE key = 'sequence'`),
        bump: db.prepare(`UPDATE ${META_TABLE} SET value = value + 1 WHERE key = 'sequence'`),
        // A loose match (a false positive only costs a group its sharing): instr, not LIKE, which
        // PRAGMA case_sensitive_like would change.
        deferrable: db.prepare("SELECT 1 FROM sqlite_master WHERE instr(upper(sql), 'DEFERRED') > 0 LIMIT 1"),
      };
      for (const s of [this.#internal.changes, this.#internal.pageCount, this.#internal.schemaVersion, this.#internal.sequence, this.#internal.deferrable]) {
        s.setReturnArrays(true);
        s.setReadBigInts(true);
      }
      this.#pageSize = Number((db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size);
      Object.assign(db.limits, LIMITS);
      db.setAuthorizer((action, p1, p2, dbName) => {
        if (this.#trusted) return constants.SQLITE_OK;
        const verdict = authorizeD1(action, p1, p2, dbName);
        if (verdict.allowed) return constants.SQLITE_OK;
        this.#denial = verdict.message;
        return constants.SQLITE_DENY;
      });
      this.#writes = new GroupCommit(db, { control: (run) => this.#asTrusted(run) });
    } catch (error) {
      this.#db.close();
      const message = (error as Error).message;
      const hint = /locked|busy/i.test(message) ? " (another process holds a lock on it; stop it or wait)" : "";
      throw new StorageError(`Cannot open state file ${path}: ${message}${hint}`);
    }
  }

  /** Creates the metadata table on first open; returns the database's identity. */
  #initMeta(): string {
    const db = this.#db;
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(META_TABLE);
    if (!exists) {
      db.exec("BEGIN IMMEDIATE");
      try {
        db.exec(`CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY, value) WITHOUT ROWID`);
        db.prepare(`INSERT OR IGNORE INTO ${META_TABLE} (key, value) VALUES ('sequence', 0), ('database', ?)`).run(randomBytes(16).toString("hex"));
        db.exec("COMMIT");
      } catch (error) {
        if (db.isTransaction) db.exec("ROLLBACK");
        throw error;
      }
    }
    const row = db.prepare(`SELECT value FROM ${META_TABLE} WHERE key = 'database'`).get() as { value: string } | undefined;
    if (!row) throw new Error(`${META_TABLE} has no database identity`);
    return row.value;
  }

  #asTrusted<T>(run: () => T): T {
    this.#trusted = true;
    try {
      return run();
    } finally {
      this.#trusted = false;
    }
  }

  #internalGet(stmt: StatementSync): unknown[] {
    return this.#asTrusted(() => stmt.get() as unknown as unknown[]);
  }

  #internalRun(stmt: StatementSync): void {
    this.#asTrusted(() => stmt.run());
  }

  #sequence(): number {
    return Number(this.#internalGet(this.#internal.sequence)[0]);
  }

  #bookmark(): string {
    return formatBookmark({ epoch: 0, sequence: this.#sequence(), database: this.#database });
  }

  #size(): number {
    return Number(this.#internalGet(this.#internal.pageCount)[0]) * this.#pageSize;
  }

  /**
   * Prepares the first statement of `sql`, or returns undefined when SQLite finds none. Only
   * that statement's text is handed to SQLite (node:sqlite copies the whole string it is given,
   * which would make a long script quadratic); when the lexical guess of where it ends is wrong,
   * the rest of the script is given instead.
   */
  #prepare(sql: string): Prepared | undefined {
    const end = firstStatementEnd(sql);
    const first = end === sql.length ? sql : sql.slice(0, end);
    // SQLite words this limit so only when it is told the length up front, as workerd does.
    if (first.length > LIMITS.sqlLength / 3 && Buffer.byteLength(first) > LIMITS.sqlLength) {
      throw new StatementFailure(describeSqliteError("statement too long", SQLITE_TOOBIG));
    }
    try {
      return this.#prepareText(first);
    } catch (error) {
      if (first !== sql && /^incomplete input/.test((error as Error).message)) return this.#prepareText(sql);
      throw error;
    }
  }

  #prepareText(sql: string): Prepared | undefined {
    const cached = this.#cache.get(sql);
    if (cached) {
      this.#cache.delete(sql);
      this.#cache.set(sql, cached);
      return cached;
    }
    let stmt: StatementSync;
    this.#denial = undefined;
    try {
      stmt = this.#db.prepare(sql);
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_INVALID_ARG_VALUE") return undefined;
      throw error;
    }
    // sqlite3_sql(): the text up to the end of the first statement.
    const text = sql.startsWith(stmt.sourceSQL) ? stmt.sourceSQL : sql;
    const kind = statementKind(text);
    stmt.setReturnArrays(true);
    if (kind !== "read") stmt.setReadBigInts(true);
    const prepared: Prepared = { stmt, text, kind, params: scanParameters(text) };
    this.#cache.set(sql, prepared);
    if (this.#cache.size > STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return prepared;
  }

  /** Column names, re-read only when the schema has changed since they were read. */
  #columns(p: Prepared, run: BatchState): string[] {
    const version = (run.schemaVersion ??= Number(this.#internalGet(this.#internal.schemaVersion)[0]));
    if (p.columns === undefined || p.columnsVersion !== version) {
      p.columns = p.stmt.columns().map((c) => c.name);
      p.columnsVersion = version;
    }
    return p.columns;
  }

  #step(p: Prepared, params: D1Value[], run: BatchState): D1StatementResult {
    const start = performance.now();
    const args: unknown[] = [];
    if (p.params.named.size === 0) for (const v of params) args.push(toSqlite(v));
    else {
      const named: Record<string, SqliteArg> = {};
      for (let i = 1; i <= p.params.count; i++) {
        const name = p.params.named.get(i);
        if (name) named[name] = toSqlite(params[i - 1]);
        else args.push(toSqlite(params[i - 1]));
      }
      args.unshift(named);
    }
    const all = (): unknown[][] => (p.stmt.all as (...a: unknown[]) => unknown[])(...args) as unknown[][];
    this.#denial = undefined;
    let rows: D1Value[][];
    let changes = 0;
    let changedDb = false;
    const sizeBefore = (run.size ??= this.#size());
    if (p.kind === "read") {
      try {
        rows = all() as D1Value[][];
      } catch (error) {
        if ((error as { code?: string }).code !== "ERR_OUT_OF_RANGE") throw error;
        // An INTEGER beyond 2^53: read again (a SELECT has no side effects) as BigInts.
        p.stmt.setReadBigInts(true);
        try {
          rows = all().map((row) => row.map(fromSqlite));
        } finally {
          p.stmt.setReadBigInts(false);
        }
      }
    } else {
      const [totalBefore, rowIdBefore] = this.#internalGet(this.#internal.changes) as bigint[];
      rows = all().map((row) => row.map(fromSqlite));
      const [totalAfter, rowIdAfter] = this.#internalGet(this.#internal.changes) as bigint[];
      changes = Number(totalAfter - totalBefore);
      this.#lastRowId = Number(rowIdAfter);
      run.size = this.#size();
      // A schema change may change any statement's columns.
      if (p.kind !== "write") run.schemaVersion = undefined;
      changedDb = changes !== 0 || rowIdAfter !== rowIdBefore || run.size !== sizeBefore || p.kind === "schema";
    }
    const columns = this.#columns(p, run);
    const duration = performance.now() - start;
    return { columns, rows, meta: meta(duration, changes, this.#lastRowId, changedDb, run.size, rows.length, p.kind === "read") };
  }

  #describe(error: unknown): string {
    if (error instanceof StatementFailure) return error.message;
    const e = error as { code?: string; errcode?: number; message?: string };
    if (e.code === "ERR_SQLITE_ERROR" && typeof e.errcode === "number") {
      if ((e.errcode & 0xff) === SQLITE_AUTH && this.#denial) return this.#denial;
      return describeSqliteError(e.message ?? "", e.errcode);
    }
    return e.message ?? String(error);
  }

  /**
   * Runs the statements of `entries` in order, inside the caller's transaction. With `each`,
   * returns a result for every SQL statement; otherwise one per entry (its last). Throws a
   * D1QueryError naming the failing entry.
   */
  #execute(entries: D1Statement[], each: boolean, run: BatchState): { results: D1StatementResult[]; changed: boolean } {
    let changed = false;
    let any = false;
    const results: D1StatementResult[] = [];
    entries.forEach(({ sql, params }, index) => {
      let rest = sql;
      let last: D1StatementResult | undefined;
      try {
        while (!isBlankSql(rest)) {
          const p = this.#prepare(rest);
          if (!p) break;
          const tail = rest.slice(p.text.length);
          const more = !isBlankSql(tail);
          if (more && p.params.count > 0) {
            throw new StatementFailure("When executing multiple SQL statements in a single call, only the last statement can have parameters.");
          }
          const args = more ? [] : params;
          if (p.params.count !== args.length) throw new StatementFailure("Wrong number of parameter bindings for SQL query.");
          if (p.kind === "other") run.pragma = true;
          const result = this.#step(p, args, run);
          any = true;
          if (result.meta.changed_db) changed = true;
          if (each) results.push(result);
          else last = result;
          rest = tail;
        }
      } catch (error) {
        throw new D1QueryError(this.#describe(error), index);
      }
      if (!each) results.push(last ?? { columns: [], rows: [], meta: meta(0, 0, this.#lastRowId, false, (run.size ??= this.#size()), 0, true) });
    });
    if (!any) throw new D1QueryError("No SQL statements detected.", 0);
    return { results, changed };
  }

  /**
   * A batch of reads: at once, in a read transaction of its own (one snapshot, and one WAL lookup
   * for the statements and the bookkeeping reads).
   */
  #read(entries: D1Statement[], each: boolean): { results: D1StatementResult[]; bookmark: string } {
    // Inside the transaction before anything is prepared: some PRAGMAs act when prepared.
    this.#internalRun(this.#internal.begin);
    try {
      const { results, changed } = this.#execute(entries, each, {});
      // A statement that only starts with a read ("SELECT 1; INSERT …") may still have written.
      if (changed) this.#internalRun(this.#internal.bump);
      const bookmark = this.#bookmark();
      this.#internalRun(this.#internal.commit);
      return { results, bookmark };
    } finally {
      // A failed statement (or commit) leaves nothing behind. SQLite may already have rolled back.
      if (this.#db.isTransaction) this.#internalRun(this.#internal.rollback);
    }
  }

  /**
   * A batch that writes: in the next group commit, inside its own savepoint of the group's
   * transaction, which is open before anything is prepared (some PRAGMAs act when prepared:
   * foreign_keys = OFF is ignored inside a transaction, as on D1).
   */
  #write(entries: D1Statement[], each: boolean, write: GroupWrite): { results: D1StatementResult[]; bookmark: string } {
    const run: BatchState = {};
    try {
      const { results, changed } = this.#execute(entries, each, run);
      // A deferred foreign key is checked at COMMIT: commit before another batch could mend (or
      // break) it, so that the COMMIT's verdict is this batch's.
      if (this.#defersForeignKeys(run)) write.commitAfter();
      // The position of this batch: one more than the batch before it, committed or in this group.
      if (changed) this.#internalRun(this.#internal.bump);
      return { results, bookmark: this.#bookmark() };
    } catch (error) {
      // Rolled back: so is any schema change this batch made.
      this.#deferrable = undefined;
      throw error;
    } finally {
      // PRAGMA defer_foreign_keys lasts until COMMIT: it must not reach the next batch.
      if (run.pragma) write.commitAfter();
    }
  }

  /** Whether the schema may declare a foreign key DEFERRABLE INITIALLY DEFERRED. */
  #defersForeignKeys(run: BatchState): boolean {
    const version = (run.schemaVersion ??= Number(this.#internalGet(this.#internal.schemaVersion)[0]));
    if (this.#deferrable?.version !== version) {
      this.#deferrable = { version, value: this.#asTrusted(() => this.#internal.deferrable.get()) !== undefined };
    }
    return this.#deferrable.value;
  }

  /** Read-only batches run at once; the others join the next group commit. */
  #run(entries: D1Statement[], each: boolean): Promise<{ results: D1StatementResult[]; bookmark: string }> {
    if (entries.every((e) => statementKind(e.sql) === "read")) {
      try {
        this.#writes.beforeRead();
        return Promise.resolve(this.#read(entries, each));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#writes.run((write) => this.#write(entries, each, write));
  }

  batch(statements: D1Statement[]): Promise<D1BatchResult> {
    return this.#run(statements, false);
  }

  script(sql: string): Promise<D1ScriptResult> {
    return this.#run([{ sql, params: [] }], true);
  }

  bookmark(): Promise<string> {
    try {
      return Promise.resolve(this.#bookmark());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async waitForBookmark(bookmark: string, timeoutMs: number): Promise<void> {
    const target = parseBookmark(bookmark);
    if (!target) throw new D1BookmarkError(`Invalid bookmark "${bookmark}"`);
    if (target.database !== this.#database) throw new D1BookmarkError(`Bookmark "${bookmark}" belongs to another database`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Another process (`atoll d1 execute`) may commit meanwhile: read the position afresh.
      const current = { epoch: 0, sequence: this.#sequence(), database: this.#database };
      if (reaches(current, target)) return;
      if (Date.now() >= deadline) {
        throw new D1BookmarkError(`Bookmark "${bookmark}" is ahead of the database's latest commit "${formatBookmark(current)}"`);
      }
      await new Promise((resolve) => setTimeout(resolve, BOOKMARK_POLL_MS));
    }
  }

  dump(): Promise<Uint8Array> {
    try {
      this.#writes.beforeRead();
      this.#trusted = true;
      const image = this.#db.serialize();
      // Bytes 18-19 of the header say "WAL": mark the image as a rollback-journal database so it
      // opens on its own, without a -wal file beside it.
      if (image[18] === 2 && image[19] === 2) image[18] = image[19] = 1;
      return Promise.resolve(image);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      this.#trusted = false;
    }
  }

  close(): void {
    if (!this.#db.isOpen) return;
    this.#writes.flush();
    this.#cache.clear();
    this.#db.close();
  }
}

function meta(duration: number, changes: number, lastRowId: number, changedDb: boolean, size: number, rowCount: number, read: boolean): D1Meta {
  return {
    served_by: "atoll-embedded",
    served_by_region: "LOCAL",
    served_by_colo: "LOCAL",
    served_by_primary: true,
    timings: { sql_duration_ms: duration },
    duration,
    changes,
    last_row_id: lastRowId,
    changed_db: changedDb,
    size_after: size,
    // node:sqlite does not expose SQLite's per-statement row counters: rows returned (reads) and
    // rows changed (writes) stand in for rows scanned and rows written.
    rows_read: read ? rowCount : Math.max(rowCount, changes),
    rows_written: changes,
    total_attempts: 1,
  };
}
