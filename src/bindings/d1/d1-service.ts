// The host side of one D1 database binding: runs queries, exec and dump on the database's store
// and words failures as Cloudflare's D1 does (D1_ERROR, D1_EXEC_ERROR). Sessions: a session that
// carries a bookmark waits until the store has reached it (one process has one primary, so a
// bookmark this database issued is always reached at once). Every request and worker bound to the
// database reaches the same store, whose group commit lets concurrent writes share one transaction
// and one fsync while each keeps the outcome it would have alone (src/storage/group-commit.ts).
import { D1BookmarkError, D1QueryError, type D1StatementResult, type D1Store } from "../../storage/d1/d1-store.ts";
import { isBlankSql } from "../../storage/d1/sql-text.ts";
import type { D1ExecResponse, D1QueryResponse, D1WireResult, D1WireValue } from "./d1-protocol.ts";
import { d1Failure, parseQueryRequest, parseSql, sessionBookmark } from "./d1-validation.ts";

/** How long a session waits for a bookmark ahead of the database before failing. */
const BOOKMARK_WAIT_MS = 2000;

function toWire(result: D1StatementResult): D1WireResult {
  const rows = result.rows.map((row) =>
    row.map((v): D1WireValue => (v instanceof Uint8Array ? (v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer) : v)),
  );
  return { columns: result.columns, rows, meta: result.meta as unknown as Record<string, unknown> };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class D1Service {
  readonly store: D1Store;

  constructor(store: D1Store) {
    this.store = store;
  }

  /** prepare().all/first/raw/run and batch(): one transaction, a result per statement. */
  async query(request: unknown): Promise<D1QueryResponse> {
    const { statements, session } = parseQueryRequest(request);
    const bookmark = sessionBookmark(session);
    if (bookmark !== undefined) {
      try {
        await this.store.waitForBookmark(bookmark, BOOKMARK_WAIT_MS);
      } catch (error) {
        if (error instanceof D1BookmarkError) throw d1Failure("D1_ERROR", error.message);
        throw error;
      }
    }
    try {
      const batch = await this.store.batch(statements);
      return { results: batch.results.map(toWire), bookmark: session === null ? null : batch.bookmark };
    } catch (error) {
      throw d1Failure("D1_ERROR", message(error));
    }
  }

  /**
   * exec(): as workerd, one query per line of the trimmed text (a line may hold several
   * `;`-separated statements; a statement may not span lines), all in one transaction.
   */
  async exec(sql: unknown): Promise<D1ExecResponse> {
    const lines = parseSql(sql).trim().split("\n");
    const run = lines.map((text, line) => ({ text, line })).filter((l) => !isBlankSql(l.text));
    if (run.length === 0) throw d1Failure("D1_EXEC_ERROR", `Error in line 1: ${lines[0]}: No SQL statements detected.`);
    try {
      const batch = await this.store.batch(run.map((l) => ({ sql: l.text, params: [] })));
      return { count: run.length, duration: batch.results.reduce((sum, r) => sum + r.meta.duration, 0) };
    } catch (error) {
      const failed = run[error instanceof D1QueryError ? error.index : 0];
      throw d1Failure("D1_EXEC_ERROR", `Error in line ${failed.line + 1}: ${failed.text}: ${message(error)}`);
    }
  }

  /** dump(): the database file (deprecated on Cloudflare, where only alpha databases had it). */
  async dump(): Promise<ArrayBuffer> {
    try {
      const image = await this.store.dump();
      return image.buffer.slice(image.byteOffset, image.byteOffset + image.byteLength) as ArrayBuffer;
    } catch (error) {
      throw d1Failure("D1_DUMP_ERROR", message(error));
    }
  }
}
