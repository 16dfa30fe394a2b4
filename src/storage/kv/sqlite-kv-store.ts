// The embedded KV engine: one SQLite file per namespace (<state>/kv/<id>.sqlite), opened by
// openSqliteFile (WAL, synchronous = FULL), so `atoll kv` and `atoll dev` can share it.
//
// Order: keys are TEXT compared with SQLite's BINARY collation, i.e. memcmp of their UTF-8 bytes,
// which is the order Cloudflare lists keys in. A prefix becomes a key range (see prefixEnd), so
// listing reads only the rows it returns. Expired rows are filtered on every read and purged in
// the background.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openSqliteFile, StorageError } from "../sqlite-file.ts";
import { GroupCommit } from "../group-commit.ts";
import type { KvEntry, KvListOptions, KvListResult, KvStore } from "./kv-store.ts";

const SCHEMA_VERSION = 1;
const DEFAULT_PURGE_INTERVAL_MS = 60_000;

// The value column comes last: reading key, expiration and metadata (list) never touches the
// overflow pages of a large value.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY NOT NULL,
    expiration INTEGER,
    metadata TEXT,
    value BLOB NOT NULL
  );
  CREATE INDEX IF NOT EXISTS kv_expiration ON kv (expiration) WHERE expiration IS NOT NULL;
  PRAGMA user_version = ${SCHEMA_VERSION};
`;

// A TEXT value greater than any valid UTF-8 string: the upper bound of a list with no prefix.
const AFTER_ALL_KEYS = "CAST(x'ff' AS TEXT)";

export interface SqliteKvStoreOptions {
  /** How often expired entries are deleted; 0 turns the background purge off. Default 60 s. */
  purgeIntervalMs?: number;
}

export class SqliteKvStore implements KvStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #writes: GroupCommit;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #delete: StatementSync;
  readonly #listFrom: StatementSync;
  readonly #listAfter: StatementSync;
  readonly #purge: StatementSync;
  readonly #purgeTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(path: string, options: SqliteKvStoreOptions = {}) {
    this.path = path;
    this.#db = openSqliteFile(path);
    try {
      migrate(this.#db, path);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#writes = new GroupCommit(this.#db);
    this.#get = this.#db.prepare("SELECT value, expiration, metadata FROM kv WHERE key = ? AND (expiration IS NULL OR expiration > ?)");
    this.#put = this.#db.prepare(
      `INSERT INTO kv (key, expiration, metadata, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET expiration = excluded.expiration, metadata = excluded.metadata, value = excluded.value`,
    );
    this.#delete = this.#db.prepare("DELETE FROM kv WHERE key = ?");
    const list = (startOp: ">=" | ">") =>
      this.#db.prepare(
        `SELECT key, expiration, metadata FROM kv
         WHERE key ${startOp} :start AND key < coalesce(:end, ${AFTER_ALL_KEYS}) AND (expiration IS NULL OR expiration > :now)
         ORDER BY key LIMIT :limit`,
      );
    this.#listFrom = list(">=");
    this.#listAfter = list(">");
    this.#purge = this.#db.prepare("DELETE FROM kv WHERE expiration IS NOT NULL AND expiration <= ?");

    const interval = options.purgeIntervalMs ?? DEFAULT_PURGE_INTERVAL_MS;
    if (interval > 0) {
      this.#purgeTimer = setInterval(() => {
        // A failure (say, another process holding the write lock past the busy timeout) only
        // delays the purge: reads never return expired entries anyway.
        this.purgeExpired(Date.now() / 1000).catch(() => {});
      }, interval);
      this.#purgeTimer.unref();
    }
  }

  async get(key: string, nowSeconds: number): Promise<KvEntry | null> {
    this.#writes.beforeRead();
    const row = this.#get.get(key, nowSeconds) as { value: Uint8Array; expiration: number | null; metadata: string | null } | undefined;
    return row ? { value: row.value, expiration: row.expiration, metadata: row.metadata } : null;
  }

  put(key: string, entry: KvEntry): Promise<void> {
    return this.#writes.run(() => {
      this.#put.run(key, entry.expiration, entry.metadata, entry.value);
    });
  }

  delete(key: string): Promise<void> {
    return this.#writes.run(() => {
      this.#delete.run(key);
    });
  }

  async list(options: KvListOptions, nowSeconds: number): Promise<KvListResult> {
    this.#writes.beforeRead();
    // Keys are stored as well-formed UTF-16 → UTF-8 (lone surrogates become U+FFFD); bounds too.
    const prefix = options.prefix.toWellFormed();
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    // Start at the prefix or just after the cursor, whichever is later in byte order.
    const fromCursor = after !== undefined && compareUtf8(after, prefix) >= 0;
    const rows = (fromCursor ? this.#listAfter : this.#listFrom).all({
      start: fromCursor ? after : prefix,
      end: prefixEnd(prefix),
      now: nowSeconds,
      limit: options.limit + 1,
    }) as { key: string; expiration: number | null; metadata: string | null }[];
    const more = rows.length > options.limit;
    if (more) rows.pop();
    const keys = rows.map((row) => ({
      name: row.key,
      ...(row.expiration !== null && { expiration: row.expiration }),
      ...(row.metadata !== null && { metadata: row.metadata }),
    }));
    if (!more) return { keys, listComplete: true };
    return { keys, listComplete: false, cursor: encodeCursor(rows[rows.length - 1].key) };
  }

  async purgeExpired(nowSeconds: number): Promise<number> {
    return Number(this.#purge.run(nowSeconds).changes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#purgeTimer);
    this.#writes.flush();
    this.#db.close();
  }
}

function migrate(db: DatabaseSync, path: string): void {
  const version = () => (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (version() === SCHEMA_VERSION) return;
  // Another process (`atoll kv` beside `atoll dev`) may be creating the file at the same moment.
  db.exec("BEGIN IMMEDIATE");
  try {
    const found = version();
    if (found > SCHEMA_VERSION) {
      throw new StorageError(`Cannot open state file ${path}: it was written by a newer Atoll (KV schema ${found}; this one knows ${SCHEMA_VERSION})`);
    }
    if (found < SCHEMA_VERSION) db.exec(SCHEMA);
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * The smallest string greater than every string that starts with `prefix`, in code point order
 * (which is UTF-8 byte order): the prefix with its last code point incremented, after dropping
 * trailing U+10FFFF. Null when there is none (empty prefix, or only U+10FFFF).
 */
export function prefixEnd(prefix: string): string | null {
  const codePoints = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!;
    if (last < 0x10ffff) {
      // Surrogates are not characters: the code point after U+D7FF is U+E000.
      codePoints.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...codePoints);
    }
  }
  return null;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

// A cursor is the last key of the page, so that keys written while paging are still found.
function encodeCursor(lastKey: string): string {
  return Buffer.from(lastKey, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, "base64url").toString("utf8");
}
