// The embedded Cache API engine: entry heads (and small bodies) in one SQLite file per cache,
// larger bodies as files beside it, under `<name>/blobs/`. A body file is written under a temp
// name, fsynced and renamed before the row naming it is committed, so a crash leaves either the
// old entry or the new one, never a torn body; files no row names (a crash between rename and
// commit, or a replaced entry whose file was not yet removed) are swept when the cache is opened.
import { closeSync, fsyncSync, openSync, mkdirSync, readdirSync, read as fsRead, statSync, unlinkSync, close as fsClose } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openSqliteFile } from "../sqlite-file.ts";
import { CacheBodyTooLarge, MAX_CACHE_OBJECT_BYTES } from "./cache-store.ts";
import type { CacheBody, CacheEntry, CacheStore, CacheWriter, CachedHead, HeaderList } from "./cache-store.ts";

export interface SqliteCacheStoreOptions {
  /** The clock expiry is judged by (ms since the epoch); tests inject one. */
  now?: () => number;
  /** Largest body accepted (default 512 MB, Cloudflare's limit). */
  maxObjectBytes?: number;
  /** Bodies up to this size are kept inside the SQLite row instead of a file (default 256 KiB). */
  inlineBytes?: number;
  /** Unreferenced body files younger than this are left alone when sweeping (another process may be about to commit them). */
  orphanGraceMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  key TEXT PRIMARY KEY,
  status INTEGER NOT NULL,
  status_text TEXT NOT NULL,
  headers TEXT NOT NULL,
  size INTEGER NOT NULL,
  body BLOB,
  blob TEXT,
  stored_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries (expires_at);
`;

/** Expired rows removed per commit, so a busy cache cleans itself up a little at a time. */
const SWEEP_PER_COMMIT = 64;
const READ_CHUNK = 64 * 1024;
/** TTLs are capped (at 100 years) so expiry times stay exact integers. */
const MAX_TTL_SECONDS = 100 * 365 * 24 * 3600;
const TMP_PREFIX = ".tmp-";

interface EntryRow {
  key: string;
  status: number;
  status_text: string;
  headers: string;
  size: number;
  body: Uint8Array | null;
  blob: string | null;
  stored_at: number;
  expires_at: number;
}

function noop(): void {}

export class SqliteCacheStore implements CacheStore {
  readonly path: string;
  readonly blobDir: string;
  #db: DatabaseSync;
  #now: () => number;
  #maxObjectBytes: number;
  #inlineBytes: number;
  #select: StatementSync;
  #selectBlob: StatementSync;
  #upsert: StatementSync;
  #deleteKey: StatementSync;
  #selectExpired: StatementSync;
  #closed = false;

  constructor(path: string, options: SqliteCacheStoreOptions = {}) {
    this.path = path;
    this.blobDir = join(path.replace(/\.sqlite$/, ""), "blobs");
    this.#now = options.now ?? Date.now;
    this.#maxObjectBytes = options.maxObjectBytes ?? MAX_CACHE_OBJECT_BYTES;
    this.#inlineBytes = options.inlineBytes ?? 256 * 1024;
    this.#db = openSqliteFile(path);
    this.#db.exec(SCHEMA);
    mkdirSync(this.blobDir, { recursive: true });
    this.#select = this.#db.prepare("SELECT * FROM entries WHERE key = ?");
    this.#selectBlob = this.#db.prepare("SELECT blob, expires_at FROM entries WHERE key = ?");
    this.#upsert = this.#db.prepare(
      "INSERT OR REPLACE INTO entries (key, status, status_text, headers, size, body, blob, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#deleteKey = this.#db.prepare("DELETE FROM entries WHERE key = ?");
    this.#selectExpired = this.#db.prepare("SELECT key, blob FROM entries WHERE expires_at <= ? LIMIT ?");
    this.#sweep(options.orphanGraceMs ?? 60 * 60 * 1000);
  }

  async match(key: string): Promise<CacheEntry | undefined> {
    this.#checkOpen();
    const row = this.#select.get(key) as EntryRow | undefined;
    if (!row) return undefined;
    if (row.expires_at <= this.#now()) {
      this.#transaction(() => {
        // Only if it is still the same (expired) entry: another writer may have replaced it.
        const current = this.#selectBlob.get(key) as { blob: string | null; expires_at: number } | undefined;
        if (current && current.expires_at <= this.#now()) this.#deleteKey.run(key);
        return current && current.expires_at <= this.#now() ? [current.blob] : [];
      });
      return undefined;
    }
    let body: CacheBody;
    if (row.blob === null) {
      const bytes = row.body ?? new Uint8Array(0);
      body = new BufferBody(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } else {
      let fd: number;
      try {
        fd = openSync(join(this.blobDir, row.blob), "r");
      } catch (error) {
        // Replaced and removed by another process between the select and the open: a miss.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      body = new FileBody(fd, row.size);
    }
    return {
      status: row.status,
      statusText: row.status_text,
      headers: JSON.parse(row.headers) as HeaderList,
      size: row.size,
      storedAt: row.stored_at,
      expiresAt: row.expires_at,
      body,
    };
  }

  put(key: string, head: CachedHead, ttlSeconds: number): CacheWriter {
    this.#checkOpen();
    if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw new RangeError(`Cache TTL must be a positive number of seconds, got ${ttlSeconds}.`);
    return new SqliteCacheWriter({
      limit: this.#maxObjectBytes,
      inline: this.#inlineBytes,
      blobDir: this.blobDir,
      commit: (size, inline, blob) => this.#commitEntry(key, head, ttlSeconds, size, inline, blob),
    });
  }

  async delete(key: string): Promise<boolean> {
    this.#checkOpen();
    let live = false;
    this.#transaction(() => {
      const row = this.#selectBlob.get(key) as { blob: string | null; expires_at: number } | undefined;
      if (!row) return [];
      this.#deleteKey.run(key);
      live = row.expires_at > this.#now();
      return [row.blob];
    });
    return live;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error(`The cache store ${this.path} is closed.`);
  }

  /** Runs `fn` in a write transaction; then removes the body files it returns (no longer named by any row). */
  #transaction(fn: () => (string | null)[]): void {
    this.#db.exec("BEGIN IMMEDIATE");
    let unused: (string | null)[];
    try {
      unused = fn();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
    // Synchronously, so a replaced or deleted body's file is gone when the call returns (a
    // reader that has it open keeps reading; a crash before this leaves a file the sweep removes).
    for (const name of unused) {
      if (!name) continue;
      try {
        unlinkSync(join(this.blobDir, name));
      } catch {
        // Already gone.
      }
    }
  }

  #commitEntry(key: string, head: CachedHead, ttlSeconds: number, size: number, inline: Buffer | null, blob: string | null): void {
    this.#checkOpen();
    this.#transaction(() => {
      const now = this.#now();
      const old = this.#selectBlob.get(key) as { blob: string | null } | undefined;
      const expiresAt = Math.floor(now + Math.min(ttlSeconds, MAX_TTL_SECONDS) * 1000);
      this.#upsert.run(key, head.status, head.statusText, JSON.stringify(head.headers), size, inline, blob, Math.floor(now), expiresAt);
      const unused = [old?.blob ?? null];
      for (const row of this.#selectExpired.all(now, SWEEP_PER_COMMIT) as { key: string; blob: string | null }[]) {
        this.#deleteKey.run(row.key);
        unused.push(row.blob);
      }
      return unused;
    });
  }

  /** Drops expired entries and body files no entry names (older than the grace period). */
  #sweep(orphanGraceMs: number): void {
    this.#transaction(() => {
      const unused: (string | null)[] = [];
      for (;;) {
        const rows = this.#selectExpired.all(this.#now(), 1000) as { key: string; blob: string | null }[];
        if (rows.length === 0) break;
        for (const row of rows) {
          this.#deleteKey.run(row.key);
          unused.push(row.blob);
        }
      }
      return unused;
    });
    const named = new Set(
      (this.#db.prepare("SELECT blob FROM entries WHERE blob IS NOT NULL").all() as { blob: string }[]).map((r) => r.blob),
    );
    const cutoff = Date.now() - orphanGraceMs;
    for (const name of readdirSync(this.blobDir)) {
      if (named.has(name)) continue;
      const file = join(this.blobDir, name);
      try {
        if (statSync(file).mtimeMs <= cutoff) unlinkSync(file);
      } catch {
        // Gone already, or not ours to remove.
      }
    }
  }
}

// ---- writing ---------------------------------------------------------------------------------

interface WriterTarget {
  limit: number;
  inline: number;
  blobDir: string;
  commit(size: number, inline: Buffer | null, blob: string | null): void;
}

class SqliteCacheWriter implements CacheWriter {
  #target: WriterTarget;
  #size = 0;
  /** Bytes kept in memory while the body still fits in the row. */
  #chunks: Buffer[] = [];
  #buffered = 0;
  #file: FileHandle | null = null;
  #name: string | null = null;
  /** The appends so far, in order. */
  #chain: Promise<void> = Promise.resolve();
  #state: "open" | "committing" | "done" | "failed" = "open";
  #failure: Error | null = null;
  /** Settles once a failed entry's partial file is gone. */
  #cleanup: Promise<void> = Promise.resolve();

  constructor(target: WriterTarget) {
    this.#target = target;
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.#state !== "open") return Promise.reject(this.#failure ?? new Error("This cache entry is no longer being written."));
    if (this.#size + chunk.byteLength > this.#target.limit) {
      const error = new CacheBodyTooLarge(this.#target.limit);
      this.#fail(error);
      return this.#cleanup.then(() => Promise.reject(error));
    }
    this.#size += chunk.byteLength;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const appended = this.#chain.then(() => this.#append(bytes));
    appended.catch((error: Error) => this.#fail(error));
    this.#chain = appended;
    return appended;
  }

  async commit(): Promise<void> {
    if (this.#state !== "open") throw this.#failure ?? new Error("This cache entry is no longer being written.");
    this.#state = "committing";
    try {
      await this.#chain;
      let inline: Buffer | null = null;
      if (this.#file) {
        await this.#file.sync();
        await this.#file.close();
        this.#file = null;
        const tmp = join(this.#target.blobDir, TMP_PREFIX + this.#name!);
        await rename(tmp, join(this.#target.blobDir, this.#name!));
        syncDirectory(this.#target.blobDir);
      } else {
        inline = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#buffered);
      }
      this.#target.commit(this.#size, inline, this.#name);
      this.#state = "done";
      this.#chunks = [];
    } catch (error) {
      this.#state = "open";
      this.#fail(error as Error);
      throw error;
    }
  }

  abort(): Promise<void> {
    if (this.#state === "open") this.#fail(new Error("The cache entry was discarded."));
    return this.#cleanup;
  }

  #fail(error: Error): void {
    if (this.#state === "done" || this.#state === "failed" || this.#state === "committing") return;
    this.#state = "failed";
    this.#failure = error;
    this.#chunks = [];
    // After any append in progress has finished: close and remove the partial file.
    this.#cleanup = this.#chain
      .catch(noop)
      .then(async () => {
        const file = this.#file;
        this.#file = null;
        await file?.close().catch(noop);
        if (this.#name) {
          await unlink(join(this.#target.blobDir, TMP_PREFIX + this.#name)).catch(noop);
          await unlink(join(this.#target.blobDir, this.#name)).catch(noop);
        }
      });
  }

  async #append(bytes: Buffer): Promise<void> {
    if (this.#state === "failed") throw this.#failure!;
    if (!this.#file && this.#buffered + bytes.byteLength <= this.#target.inline) {
      this.#chunks.push(bytes);
      this.#buffered += bytes.byteLength;
      return;
    }
    if (!this.#file) {
      this.#name = randomUUID();
      this.#file = await open(join(this.#target.blobDir, TMP_PREFIX + this.#name), "w");
    }
    const pending = this.#chunks.length ? [...this.#chunks, bytes] : [bytes];
    this.#chunks = [];
    this.#buffered = 0;
    const total = pending.reduce((n, b) => n + b.byteLength, 0);
    const { bytesWritten } = await this.#file.writev(pending);
    if (bytesWritten < total) {
      // A short write (rare on regular files): write the rest.
      const rest = Buffer.concat(pending).subarray(bytesWritten);
      for (let at = 0; at < rest.byteLength; ) at += (await this.#file.write(rest, at)).bytesWritten;
    }
  }
}

/** Makes a rename in `dir` durable (no-op where directories cannot be fsynced). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Not supported on this platform.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// ---- reading ---------------------------------------------------------------------------------

function clampRange(size: number, start = 0, end = size): [number, number] {
  const s = Math.max(0, Math.min(size, Math.trunc(start)));
  const e = Math.max(s, Math.min(size, Math.trunc(end)));
  return [s, e];
}

class BufferBody implements CacheBody {
  readonly size: number;
  #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
    this.size = bytes.byteLength;
  }
  stream(start?: number, end?: number): Readable {
    const [s, e] = clampRange(this.size, start, end);
    return Readable.from(e > s ? [this.#bytes.subarray(s, e)] : [], { objectMode: false });
  }
  close(): void {}
}

/**
 * A body file held open by descriptor (so it survives being replaced or deleted meanwhile).
 * Streams read it with positional reads; the descriptor is closed once the body is closed and
 * no stream has a read in flight.
 */
class FileBody implements CacheBody {
  readonly size: number;
  #fd: number;
  #streams = 0;
  #closing = false;
  #closed = false;

  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
  }

  stream(start?: number, end?: number): Readable {
    if (this.#closing) throw new Error("This cached body was already closed.");
    const [s, e] = clampRange(this.size, start, end);
    let position = s;
    let reading = false;
    let finished = false;
    let pendingDestroy: (() => void) | null = null;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.#streams--;
      this.#release();
    };
    this.#streams++;
    const fd = this.#fd;
    return new Readable({
      highWaterMark: READ_CHUNK,
      read(this: Readable) {
        const n = Math.min(READ_CHUNK, e - position);
        if (n <= 0) {
          this.push(null);
          return;
        }
        const buffer = Buffer.allocUnsafe(n);
        reading = true;
        fsRead(fd, buffer, 0, n, position, (error, bytes) => {
          reading = false;
          if (pendingDestroy) return pendingDestroy();
          if (error) return void this.destroy(error);
          if (bytes === 0) return void this.destroy(new Error("The cached body file is shorter than recorded."));
          position += bytes;
          this.push(bytes < n ? buffer.subarray(0, bytes) : buffer);
        });
      },
      destroy(error, callback) {
        // Never release the descriptor under a read still in flight.
        const done = () => {
          finish();
          callback(error);
        };
        if (reading) pendingDestroy = done;
        else done();
      },
    });
  }

  close(): void {
    this.#closing = true;
    this.#release();
  }

  #release(): void {
    if (this.#closing && this.#streams === 0 && !this.#closed) {
      this.#closed = true;
      fsClose(this.#fd, noop);
    }
  }
}
