// Opens a SQLite file the way every embedded store does: WAL (readers and the CLI work while the
// server writes), FULL sync (a commit is on disk before it is acknowledged), a busy timeout for
// other processes, and a clear error naming the file when it is locked, corrupt or unreadable.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

export class StorageError extends Error {}

const BUSY_TIMEOUT_MS = 5000;

export function openSqliteFile(path: string, options: { foreignKeys?: boolean } = {}): DatabaseSync {
  mkdirSync(dirname(path), { recursive: true });
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    if (options.foreignKeys) db.exec("PRAGMA foreign_keys = ON");
    // Reads the schema: fails here, not on first use, when the file is not a database.
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return db;
  } catch (error) {
    try {
      db?.close();
    } catch {}
    const message = (error as Error).message;
    const hint = /locked|busy/i.test(message)
      ? "another process holds a lock on it; stop it or wait"
      : /not a database|malformed|corrupt/i.test(message)
        ? "the file is not a valid SQLite database (corrupted?); restore it from a backup or move it aside — Atoll will not overwrite it"
        : "check the path and its permissions";
    throw new StorageError(`Cannot open state file ${path}: ${message} (${hint})`);
  }
}
