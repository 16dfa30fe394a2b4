// D1 group commit on real SQLite files: batches that write in the same turn share one
// transaction, each in its own savepoint. A failing statement or batch fails alone, with the error
// it gets alone; the others commit; nothing is visible (to this process or another) before the
// shared COMMIT, and each result, bookmark included, is the one a serial run would give.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { parseBookmark } from "../../src/storage/d1/d1-bookmark.ts";
import { D1QueryError, type D1BatchResult, type D1Statement } from "../../src/storage/d1/d1-store.ts";
import { withD1Store } from "../support/d1-store.ts";

const stmt = (sql: string, ...params: (string | number | null)[]): D1Statement => ({ sql, params });

/** Settles every promise; errors become their messages. */
async function outcomes(promises: Promise<D1BatchResult>[]): Promise<(D1BatchResult | string)[]> {
  return Promise.all(promises.map((p) => p.catch((e: unknown) => (e instanceof D1QueryError ? e.message : `not a D1QueryError: ${e}`))));
}

/** What another connection (another process, as `atoll d1 execute` would be) sees in the file. */
function fromOutside(path: string, sql: string): unknown[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db
      .prepare(sql)
      .all()
      .map((row) => Object.values(row));
  } finally {
    db.close();
  }
}

test(
  "writes of one turn commit together: none is visible before the shared COMMIT, all are after it, in order",
  withD1Store(async (store, path) => {
    await store.batch([stmt("CREATE TABLE log (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)")]);
    const start = parseBookmark(await store.bookmark())!.sequence;
    const writes = Array.from({ length: 50 }, (_, i) => store.batch([stmt("INSERT INTO log (v) VALUES (?)", i)]));
    // Issued, not yet acknowledged: not in the file.
    assert.deepEqual(fromOutside(path, "SELECT count(*) FROM log"), [[0]]);
    await writes[0];
    // The first acknowledgement comes with the other 49: one transaction.
    assert.deepEqual(fromOutside(path, "SELECT count(*) FROM log"), [[50]]);
    const results = await Promise.all(writes);
    // Each result is its own, as if run one after the other.
    assert.deepEqual(
      results.map((r) => r.results[0].meta.last_row_id),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.ok(results.every((r) => r.results[0].meta.changes === 1 && r.results[0].meta.rows_written === 1 && r.results[0].meta.changed_db));
    assert.deepEqual(
      results.map((r) => parseBookmark(r.bookmark)!.sequence),
      Array.from({ length: 50 }, (_, i) => start + i + 1),
      "one bookmark per batch, increasing in order",
    );
    assert.equal(await store.bookmark(), results[49].bookmark);
    assert.deepEqual(fromOutside(path, "SELECT min(id), max(id), sum(v) FROM log"), [[1, 50, (49 * 50) / 2]]);
  }),
);

test(
  "a failing statement among concurrent writes fails alone, with the error it gets alone; the others commit",
  withD1Store(async (store, path) => {
    await store.batch([stmt("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)"), stmt("INSERT INTO u (email) VALUES ('taken')")]);
    const before = parseBookmark(await store.bookmark())!.sequence;
    const insert = (email: string | null) => store.batch([stmt("INSERT INTO u (email) VALUES (?)", email)]);
    const got = await outcomes([
      insert("a"),
      insert("taken"),
      insert("b"),
      insert(null),
      store.batch([stmt("INSERT INTO nope VALUES (1)")]),
      insert("c"),
      store.batch([stmt("INSERT INTO u (email) VALUES (?)", "x", "y")]),
      insert("d"),
    ]);
    assert.equal(got[1], "UNIQUE constraint failed: u.email: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)");
    assert.equal(got[3], "NOT NULL constraint failed: u.email: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)");
    assert.equal(got[4], "no such table: nope: SQLITE_ERROR");
    assert.equal(got[6], "Wrong number of parameter bindings for SQL query.");
    const ok = [got[0], got[2], got[5], got[7]] as D1BatchResult[];
    assert.deepEqual(
      ok.map((r) => r.results[0].meta.last_row_id),
      [2, 3, 4, 5],
    );
    // Failed batches do not move the position.
    assert.deepEqual(
      ok.map((r) => parseBookmark(r.bookmark)!.sequence - before),
      [1, 2, 3, 4],
    );
    assert.deepEqual(fromOutside(path, "SELECT email FROM u ORDER BY id"), [["taken"], ["a"], ["b"], ["c"], ["d"]]);
  }),
);

test(
  "a batch failing in the middle rolls back wholly (schema changes included) while concurrent batches commit",
  withD1Store(async (store, path) => {
    await store.batch([stmt("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)")]);
    const insert = (amount: number | null) => stmt("INSERT INTO ledger (amount) VALUES (?)", amount);
    const before = store.batch([insert(1), insert(2)]);
    const failing = store.batch([insert(10), stmt("CREATE TABLE made_by_failing (a)"), insert(20), insert(null), insert(40)]);
    const after = store.batch([insert(3), stmt("SELECT sum(amount) FROM ledger")]);
    const got = await outcomes([before, failing, after]);
    assert.equal(got[1], "NOT NULL constraint failed: ledger.amount: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)");
    // The batch after it does not see the failed one's rows (it ran after its rollback).
    assert.deepEqual((got[2] as D1BatchResult).results[1].rows, [[6]]);
    assert.deepEqual(fromOutside(path, "SELECT group_concat(amount) FROM ledger"), [["1,2,3"]]);
    assert.deepEqual(fromOutside(path, "SELECT count(*) FROM sqlite_master WHERE name = 'made_by_failing'"), [[0]]);
    // script() (exec, `atoll d1 execute`) is grouped the same way.
    const scripts = await Promise.allSettled([store.script("INSERT INTO ledger (amount) VALUES (4); INSERT INTO ledger (amount) VALUES (NULL)"), store.script("INSERT INTO ledger (amount) VALUES (5)")]);
    assert.equal(scripts[0].status, "rejected");
    assert.equal(scripts[1].status, "fulfilled");
    assert.deepEqual(fromOutside(path, "SELECT group_concat(amount) FROM ledger"), [["1,2,3,5"]]);
  }),
);

test(
  "a statement that rolls back the whole transaction (OR ROLLBACK, RAISE(ROLLBACK)) fails alone; the batches grouped with it still commit",
  withD1Store(async (store, path) => {
    await store.batch([
      stmt("CREATE TABLE t (v TEXT UNIQUE)"),
      stmt("CREATE TABLE guarded (v TEXT)"),
      stmt("CREATE TRIGGER no_bad BEFORE INSERT ON guarded WHEN new.v = 'bad' BEGIN SELECT RAISE(ROLLBACK, 'bad value'); END"),
      stmt("INSERT INTO t VALUES ('dup')"),
    ]);
    const got = await outcomes([
      store.batch([stmt("INSERT INTO t VALUES ('1')")]),
      store.batch([stmt("INSERT INTO t VALUES ('2')"), stmt("INSERT OR ROLLBACK INTO t VALUES ('dup')")]),
      store.batch([stmt("INSERT INTO t VALUES ('3')")]),
      store.batch([stmt("INSERT INTO guarded VALUES ('bad')")]),
      store.batch([stmt("INSERT INTO guarded VALUES ('good')")]),
    ]);
    assert.equal(got[1], "UNIQUE constraint failed: t.v: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)");
    assert.equal(got[3], "bad value: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_TRIGGER)");
    assert.deepEqual(
      [got[0], got[2], got[4]].map((r) => typeof r !== "string" && r.results[0].meta.changes),
      [1, 1, 1],
    );
    assert.deepEqual(fromOutside(path, "SELECT v FROM t ORDER BY v"), [["1"], ["3"], ["dup"]]);
    assert.deepEqual(fromOutside(path, "SELECT v FROM guarded"), [["good"]]);
  }),
);

test(
  "deferred foreign keys are checked at each batch's own COMMIT: a later batch cannot mend an earlier one, nor be failed by it",
  withD1Store(async (store, path) => {
    await store.batch([stmt("CREATE TABLE parent (id INTEGER PRIMARY KEY)"), stmt("CREATE TABLE child (pid INTEGER REFERENCES parent(id))")]);
    const fk = "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)";
    // Alone, a deferred violation fails at COMMIT: this is the error it gets.
    const alone = await store.batch([stmt("PRAGMA defer_foreign_keys = on"), stmt("INSERT INTO child VALUES (7)")]).then(
      () => "committed",
      (e: Error) => e.message,
    );
    assert.match(alone, /FOREIGN KEY constraint failed/);
    const status = (settled: PromiseSettledResult<unknown>[]) => settled.map((r) => (r.status === "fulfilled" ? "ok" : r.reason.message));

    // PRAGMA defer_foreign_keys (which lasts until COMMIT).
    const pragma = await Promise.allSettled([
      store.batch([stmt("INSERT INTO parent VALUES (1)")]),
      store.batch([stmt("PRAGMA defer_foreign_keys = on"), stmt("INSERT INTO child VALUES (9)")]),
      // Would mend the one above if it shared its transaction.
      store.batch([stmt("INSERT INTO parent VALUES (9)")]),
      store.batch([stmt("INSERT INTO child VALUES (1)")]),
    ]);
    assert.deepEqual(status(pragma), ["ok", alone, "ok", "ok"]);
    const leak = await Promise.allSettled([
      store.batch([stmt("PRAGMA defer_foreign_keys = on")]),
      // Checked at once: the PRAGMA of another batch does not reach it (and the next does not mend it).
      store.batch([stmt("INSERT INTO child VALUES (8)")]),
      store.batch([stmt("INSERT INTO parent VALUES (8)")]),
    ]);
    assert.deepEqual(status(leak), ["ok", fk, "ok"]);

    // A foreign key declared DEFERRABLE INITIALLY DEFERRED.
    await store.batch([stmt("CREATE TABLE late (pid INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")]);
    const declared = await Promise.allSettled([
      store.batch([stmt("INSERT INTO parent VALUES (2)")]),
      store.batch([stmt("INSERT INTO late VALUES (5)")]),
      store.batch([stmt("INSERT INTO parent VALUES (5)")]),
      store.batch([stmt("INSERT INTO late VALUES (5)")]),
    ]);
    assert.deepEqual(status(declared), ["ok", alone, "ok", "ok"]);
    assert.deepEqual(fromOutside(path, "SELECT (SELECT group_concat(id) FROM parent), (SELECT group_concat(pid) FROM child), (SELECT group_concat(pid) FROM late)"), [["1,2,5,8,9", "1", "5"]]);
  }),
);

test(
  "a read sees the writes issued before it, still queued or not: it commits them first, in order",
  withD1Store(async (store, path) => {
    await store.batch([stmt("CREATE TABLE t (v INTEGER)")]);
    const writes = [store.batch([stmt("INSERT INTO t VALUES (1)")]), store.batch([stmt("INSERT INTO t VALUES (2)")])];
    let written = 0;
    for (const w of writes) void w.then(() => written++);
    assert.deepEqual(fromOutside(path, "SELECT count(*) FROM t"), [[0]], "queued, not yet committed");
    // As with D1's single writer: a run() that was not awaited, then a SELECT, sees the row.
    const read = await store.batch([stmt("SELECT group_concat(v) FROM t")]);
    assert.deepEqual(read.results[0].rows, [["1,2"]]);
    assert.equal(written, 2, "the writes were acknowledged before the read");
    assert.deepEqual(fromOutside(path, "SELECT count(*) FROM t"), [[2]], "and they are on disk");
    const { bookmark } = await writes[1];
    await store.waitForBookmark(bookmark, 0);
    // A dump also sees what was issued before it.
    const third = store.batch([stmt("INSERT INTO t VALUES (3)")]);
    const image = await store.dump();
    await third;
    const copy = `${path}.dump`;
    writeFileSync(copy, image);
    assert.deepEqual(fromOutside(copy, "SELECT group_concat(v) FROM t"), [["1,2,3"]]);
    assert.deepEqual((await store.batch([stmt("SELECT count(*) FROM t")])).results[0].rows, [[3]]);
  }),
);

test(
  "concurrent writes wait for another process's write lock, then all commit; close() commits what is queued",
  withD1Store(async (store, path) => {
    await store.batch([stmt("CREATE TABLE t (v INTEGER)")]);
    // Another connection (as `atoll d1 execute` would) holds the write lock for a moment.
    const { spawn } = await import("node:child_process");
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const { DatabaseSync } = require("node:sqlite");
         const db = new DatabaseSync(${JSON.stringify(path)}, { timeout: 5000 });
         db.exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (-1);");
         process.stdout.write("locked\\n");
         setTimeout(() => { db.exec("COMMIT"); db.close(); }, 300);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
        holder.once("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.batch([stmt("INSERT INTO t VALUES (?)", i)])));
      assert.equal(results.length, 20);
      assert.deepEqual(fromOutside(path, "SELECT count(*), sum(v) FROM t"), [[21, 190 - 1]]);
    } finally {
      holder.kill("SIGKILL");
    }
    const queued = store.batch([stmt("INSERT INTO t VALUES (1000)")]);
    store.close();
    await queued;
    assert.deepEqual(fromOutside(path, "SELECT count(*) FROM t WHERE v = 1000"), [[1]]);
  }),
);
