// The embedded D1 engine on real SQLite files: value mapping, Cloudflare's restrictions and error
// wording, atomic batches, statements with several SQL statements, commit positions (bookmarks)
// across restarts, dump, and the startup errors for unusable files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { D1BookmarkError, D1QueryError, type D1Value } from "../../src/storage/d1/d1-store.ts";
import { SqliteD1Store } from "../../src/storage/d1/sqlite-d1-store.ts";
import { withD1Store } from "../support/d1-store.ts";
import { parseBookmark } from "../../src/storage/d1/d1-bookmark.ts";
import { firstStatementEnd, isBlankSql, scanParameters, statementKind } from "../../src/storage/d1/sql-text.ts";
import { StorageError } from "../../src/storage/index.ts";

async function one(store: SqliteD1Store, sql: string, ...params: D1Value[]) {
  return (await store.batch([{ sql, params }])).results[0];
}

async function failure(promise: Promise<unknown>): Promise<D1QueryError> {
  const error = await promise.then(
    () => assert.fail("expected the query to fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof D1QueryError, `expected a D1QueryError, got ${error}`);
  return error;
}

test("scanParameters counts parameters as sqlite3_bind_parameter_count does", () => {
  assert.equal(scanParameters("SELECT 1").count, 0);
  assert.equal(scanParameters("SELECT ?, ?").count, 2);
  assert.equal(scanParameters("SELECT ?1, ?1, ?2").count, 2);
  assert.equal(scanParameters("SELECT ?3").count, 3);
  assert.equal(scanParameters("UPDATE t SET a = ? WHERE id = ?1").count, 1);
  assert.equal(scanParameters("SELECT '?', \"?\", `?`, [?] -- ?\n /* ? */, x'3f'").count, 0);
  assert.equal(scanParameters("SELECT 'it''s ?', ?").count, 1);
  const named = scanParameters("SELECT :a, ?, @b, :a, $c");
  assert.equal(named.count, 4);
  assert.deepEqual([...named.named], [[1, ":a"], [3, "@b"], [4, "$c"]]);
  assert.equal(scanParameters("SELECT a$b FROM t").count, 0);
  assert.ok(isBlankSql("  ;; -- only a comment\n /* and another */ ;"));
  assert.ok(!isBlankSql("-- c\nSELECT 1"));
  assert.equal(statementKind("  /* c */ select 1"), "read");
  assert.equal(statementKind("INSERT INTO t VALUES (1)"), "write");
  assert.equal(statementKind("create table t(a)"), "schema");
  assert.equal(statementKind("PRAGMA foreign_keys"), "other");
  const end = (sql: string) => sql.slice(0, firstStatementEnd(sql));
  assert.equal(end("SELECT ';'; SELECT 2"), "SELECT ';';");
  assert.equal(end("-- a; comment\nSELECT 1 /* ; */; x"), "-- a; comment\nSELECT 1 /* ; */;");
  const trigger = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = CASE WHEN n > 0 THEN n + 1 ELSE 1 END; DELETE FROM c; END;";
  assert.equal(end(`${trigger} SELECT 1;`), trigger);
  assert.equal(end("SELECT 1"), "SELECT 1");
});

test(
  "values map as D1 maps them: integral numbers to INTEGER, others to REAL, bytes to BLOB",
  withD1Store(async (store) => {
    const r = await one(store, "SELECT typeof(?) a, typeof(?) b, typeof(?) c, typeof(?) d, typeof(?) e, ? f", 1, 1.5, "s", new Uint8Array([1, 2]), null, -0);
    assert.deepEqual(r.rows, [["integer", "real", "text", "blob", "null", 0]]);
    // NaN and Infinity cross D1's JSON protocol as null.
    assert.deepEqual((await one(store, "SELECT ? IS NULL, ? IS NULL", Number.NaN, Infinity)).rows, [[1, 1]]);
    // Integers beyond 2^53 come back as the nearest number (workerd reads INTEGERs as doubles).
    assert.deepEqual((await one(store, "SELECT 9223372036854775807 AS big, 2 * ? AS twice", 2 ** 60)).rows, [[9223372036854775807, 2 ** 61]]);
    assert.deepEqual((await one(store, "SELECT x'00ff' AS b")).rows, [[new Uint8Array([0, 255])]]);
    assert.deepEqual(r.columns, ["a", "b", "c", "d", "e", "f"]);
  }),
);

test(
  "meta: changes, last_row_id, changed_db, size_after, rows_read/rows_written",
  withD1Store(async (store) => {
    const created = await one(store, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    assert.equal(created.meta.changed_db, true);
    assert.equal(created.meta.changes, 0);
    const inserted = await one(store, "INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
    assert.deepEqual(
      { changes: inserted.meta.changes, last_row_id: inserted.meta.last_row_id, changed_db: inserted.meta.changed_db, rows_written: inserted.meta.rows_written },
      { changes: 3, last_row_id: 3, changed_db: true, rows_written: 3 },
    );
    const read = await one(store, "SELECT * FROM t");
    assert.equal(read.meta.changed_db, false);
    assert.equal(read.meta.changes, 0);
    assert.equal(read.meta.rows_read, 3);
    assert.equal(read.meta.rows_written, 0);
    assert.equal(read.meta.last_row_id, 3);
    assert.ok(read.meta.size_after >= 4096 && read.meta.size_after % 4096 === 0);
    assert.equal(read.meta.served_by_primary, true);
    assert.equal(typeof read.meta.duration, "number");
    assert.equal(read.meta.timings.sql_duration_ms, read.meta.duration);
    const none = await one(store, "UPDATE t SET v = 'x' WHERE id = 99");
    assert.equal(none.meta.changed_db, false);
    assert.equal(none.meta.changes, 0);
  }),
);

test(
  "errors carry SQLite's message and code as D1 words them",
  withD1Store(async (store) => {
    assert.equal((await failure(one(store, "SELECT * FROM nope"))).message, "no such table: nope: SQLITE_ERROR");
    assert.equal((await failure(one(store, "SELEC 1"))).message, 'near "SELEC": syntax error: SQLITE_ERROR');
    await one(store, "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)");
    await one(store, "INSERT INTO u (email) VALUES ('a')");
    assert.equal(
      (await failure(one(store, "INSERT INTO u (email) VALUES ('a')"))).message,
      "UNIQUE constraint failed: u.email: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
    );
    assert.equal(
      (await failure(one(store, "INSERT INTO u (email) VALUES (NULL)"))).message,
      "NOT NULL constraint failed: u.email: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)",
    );
    assert.equal((await failure(one(store, "SELECT ?, ?", 1))).message, "Wrong number of parameter bindings for SQL query.");
    assert.equal((await failure(one(store, "SELECT ?", 1, 2))).message, "Wrong number of parameter bindings for SQL query.");
    assert.equal((await failure(one(store, "UPDATE u SET email = ? WHERE id = ?1", "x", 1))).message, "Wrong number of parameter bindings for SQL query.");
    assert.equal(
      (await failure(one(store, "SELECT ?; SELECT ?", 1, 2))).message,
      "When executing multiple SQL statements in a single call, only the last statement can have parameters.",
    );
    assert.equal((await failure(one(store, "  -- nothing here\n"))).message, "No SQL statements detected.");
    const params = Array.from({ length: 101 }, (_, i) => i);
    assert.equal((await failure(one(store, `SELECT ${params.map(() => "?").join(",")}`, ...params))).message, "too many SQL variables: SQLITE_ERROR");
  }),
);

test(
  "Cloudflare's restrictions: ATTACH, temp tables, other PRAGMAs, transactions, _cf_ names, unlisted functions",
  withD1Store(async (store) => {
    const denied = "not authorized: SQLITE_AUTH";
    assert.equal((await failure(one(store, "ATTACH DATABASE 'other.sqlite' AS other"))).message, denied);
    assert.equal((await failure(one(store, "DETACH DATABASE other"))).message, denied);
    assert.equal((await failure(one(store, "CREATE TEMP TABLE t (a)"))).message, denied);
    for (const pragma of ["PRAGMA journal_mode = DELETE", "PRAGMA journal_mode", "PRAGMA synchronous = OFF", "PRAGMA writable_schema = 1", "PRAGMA page_size = 512", "PRAGMA foreign_keys = maybe"]) {
      assert.equal((await failure(one(store, pragma))).message, denied, pragma);
    }
    assert.match((await failure(one(store, "BEGIN TRANSACTION"))).message, /^To execute a transaction, please use the state\.storage\.transaction\(\)/);
    assert.match((await failure(one(store, "SAVEPOINT sp"))).message, /^To execute a transaction/);
    assert.equal((await failure(one(store, "CREATE TABLE _cf_mine (a)"))).message, denied);
    assert.match((await failure(one(store, "SELECT * FROM _cf_atoll_meta"))).message, /prohibited: SQLITE_AUTH$/);
    assert.equal((await failure(one(store, "SELECT sqlite_version()"))).message, "not authorized to use function: sqlite_version: SQLITE_ERROR");
    assert.equal((await failure(one(store, "CREATE VIRTUAL TABLE v USING dbstat"))).message, denied);
    // Allowed: the PRAGMAs on Cloudflare's list, table_list/table_info, and their table-valued forms.
    await one(store, "CREATE TABLE t (a INTEGER)");
    for (const pragma of ["PRAGMA foreign_keys = OFF", "PRAGMA defer_foreign_keys = on", "PRAGMA case_sensitive_like = 'true'", "PRAGMA table_list", "PRAGMA table_info(t)", "PRAGMA index_list(t)", "PRAGMA quick_check", "PRAGMA optimize", "PRAGMA foreign_key_check", "PRAGMA data_version"]) {
      await one(store, pragma);
    }
    assert.deepEqual((await one(store, "SELECT name FROM pragma_table_info('t')")).rows, [["a"]]);
  }),
);

test(
  "foreign keys are enforced, and PRAGMA foreign_keys cannot switch them off for later queries",
  withD1Store(async (store) => {
    await store.batch([
      { sql: "CREATE TABLE p (id INTEGER PRIMARY KEY)", params: [] },
      { sql: "CREATE TABLE c (pid INTEGER REFERENCES p(id))", params: [] },
    ]);
    assert.deepEqual((await one(store, "PRAGMA foreign_keys")).rows, [[1]]);
    const message = "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)";
    assert.equal((await failure(one(store, "INSERT INTO c VALUES (1)"))).message, message);
    // Every query runs in a transaction, where SQLite ignores this pragma (as on D1).
    await one(store, "PRAGMA foreign_keys = OFF");
    assert.equal((await failure(one(store, "INSERT INTO c VALUES (1)"))).message, message);
    // defer_foreign_keys postpones the check to the end of the batch.
    await store.batch([
      { sql: "PRAGMA defer_foreign_keys = on", params: [] },
      { sql: "INSERT INTO c VALUES (7)", params: [] },
      { sql: "INSERT INTO p VALUES (7)", params: [] },
    ]);
    assert.deepEqual((await one(store, "SELECT count(*) FROM c")).rows, [[1]]);
  }),
);

test(
  "a batch is atomic: a failing statement leaves nothing of the batch behind",
  withD1Store(async (store) => {
    await one(store, "CREATE TABLE t (v TEXT UNIQUE)");
    const before = await store.bookmark();
    const error = await failure(
      store.batch([
        { sql: "INSERT INTO t VALUES ('a')", params: [] },
        { sql: "CREATE TABLE other (x)", params: [] },
        { sql: "INSERT INTO t VALUES ('a')", params: [] },
        { sql: "INSERT INTO t VALUES ('b')", params: [] },
      ]),
    );
    assert.equal(error.index, 2);
    assert.deepEqual((await one(store, "SELECT count(*) FROM t")).rows, [[0]]);
    assert.equal((await failure(one(store, "SELECT * FROM other"))).message, "no such table: other: SQLITE_ERROR");
    assert.equal(await store.bookmark(), before);
    const ok = await store.batch([
      { sql: "INSERT INTO t VALUES (?)", params: ["x"] },
      { sql: "SELECT v FROM t", params: [] },
    ]);
    assert.deepEqual(ok.results[1].rows, [["x"]]);
  }),
);

test(
  "a statement may hold several SQL statements: they run in order and the last one's result is returned",
  withD1Store(async (store) => {
    const r = await one(store, "CREATE TABLE t (a); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); SELECT sum(a) AS s FROM t WHERE a > ?", 0);
    assert.deepEqual(r.rows, [[3]]);
    await failure(one(store, "INSERT INTO t VALUES (3); INSERT INTO nope VALUES (1)"));
    assert.deepEqual((await one(store, "SELECT count(*) FROM t")).rows, [[2]]);
    const script = await store.script("SELECT 1 AS a; SELECT 'x' AS b; -- trailing comment");
    assert.deepEqual(
      script.results.map((x) => [x.columns, x.rows]),
      [
        [["a"], [[1]]],
        [["b"], [["x"]]],
      ],
    );
    // Named parameters bind by position, as D1 binds them.
    assert.deepEqual((await one(store, "SELECT :a AS a, ? AS b, :a AS c", 1, 2)).rows, [[1, 2, 1]]);
  }),
);

test(
  "scripts run statement by statement, triggers included, and long scripts stay linear",
  withD1Store(async (store) => {
    const script = [
      "CREATE TABLE a (v INTEGER);",
      "CREATE TABLE log (msg TEXT);",
      "CREATE TRIGGER a_log AFTER INSERT ON a BEGIN INSERT INTO log VALUES (CASE WHEN new.v > 1 THEN 'big' ELSE 'small' END); END;",
      ...Array.from({ length: 20000 }, (_, i) => `INSERT INTO a VALUES (${i}); -- row ${i}`),
      "SELECT count(*) AS n FROM a;",
    ].join("\n");
    const { results } = await store.script(script);
    assert.equal(results.length, 20004);
    assert.deepEqual(results.at(-1)!.rows, [[20000]]);
    assert.deepEqual((await one(store, "SELECT msg, count(*) FROM log GROUP BY msg ORDER BY msg")).rows, [
      ["big", 19998],
      ["small", 2],
    ]);
    // One statement longer than D1's 100 000-byte limit is refused.
    const long = `SELECT '${"x".repeat(100_001)}'`;
    assert.equal((await failure(one(store, long))).message, "statement too long: SQLITE_TOOBIG");
  }),
);

test(
  "a cached statement's columns follow schema changes made by another connection",
  withD1Store(async (store, path) => {
    await one(store, "CREATE TABLE t (a INTEGER)");
    await one(store, "INSERT INTO t VALUES (1)");
    assert.deepEqual((await one(store, "SELECT * FROM t")).columns, ["a"]);
    const other = new SqliteD1Store(path);
    await other.script("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'");
    other.close();
    const after = await one(store, "SELECT * FROM t");
    assert.deepEqual([after.columns, after.rows], [["a", "b"], [[1, "x"]]]);
  }),
);

test(
  "JSON functions and FTS5 work",
  withD1Store(async (store) => {
    const json = await one(store, "SELECT json_extract(?, '$.a.b[1]') AS v, json_array_length(?) AS n, ? ->> '$.k' AS k", '{"a":{"b":[1,2]}}', "[1,2,3]", '{"k":"v"}');
    assert.deepEqual(json.rows, [[2, 3, "v"]]);
    assert.deepEqual((await one(store, "SELECT value FROM json_each('[10,20]')")).rows, [[10], [20]]);
    await one(store, "CREATE VIRTUAL TABLE docs USING fts5(title, body)");
    await one(store, "INSERT INTO docs VALUES ('one', 'the quick brown fox'), ('two', 'a lazy dog')");
    const hit = await one(store, "SELECT title, highlight(docs, 1, '[', ']') AS h FROM docs WHERE docs MATCH ? ORDER BY bm25(docs)", "quick");
    assert.deepEqual(hit.rows, [["one", "the [quick] brown fox"]]);
  }),
);

test(
  "ALTER TABLE works under the authorizer (SQLite's internal functions are allowed)",
  withD1Store(async (store) => {
    await one(store, "CREATE TABLE t (a INTEGER, b TEXT)");
    await one(store, "ALTER TABLE t RENAME COLUMN b TO c");
    await one(store, "ALTER TABLE t ADD COLUMN d TEXT");
    await one(store, "ALTER TABLE t DROP COLUMN c");
    await one(store, "ALTER TABLE t RENAME TO t2");
    assert.deepEqual((await one(store, "SELECT name FROM pragma_table_info('t2')")).rows, [["a"], ["d"]]);
  }),
);

test(
  "bookmarks advance with each committed change, persist across restarts, and gate sessions",
  withD1Store(async (store, path) => {
    const b0 = await store.bookmark();
    assert.match(b0, /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
    const created = await store.batch([{ sql: "CREATE TABLE t (a)", params: [] }]);
    const b1 = created.bookmark;
    assert.ok(b1 > b0);
    const read = await store.batch([{ sql: "SELECT * FROM t", params: [] }]);
    assert.equal(read.bookmark, b1, "reads do not move the position");
    const b2 = (await store.batch([{ sql: "INSERT INTO t VALUES (1)", params: [] }])).bookmark;
    assert.ok(b2 > b1 && b1.localeCompare(b2) < 0);
    assert.equal(parseBookmark(b2)!.sequence, parseBookmark(b1)!.sequence + 1);

    await store.waitForBookmark(b1, 0);
    await store.waitForBookmark(b2, 0);
    const ahead = b2.replace(/^(\w{8}-\w{8}-)\w{8}/, (_, p) => `${p}${"f".repeat(8)}`);
    await assert.rejects(store.waitForBookmark(ahead, 30), (e: Error) => e instanceof D1BookmarkError && /is ahead of the database's latest commit/.test(e.message));
    await assert.rejects(store.waitForBookmark("nonsense", 0), (e: Error) => e instanceof D1BookmarkError && e.message === 'Invalid bookmark "nonsense"');
    const foreign = b2.replace(/[0-9a-f]{32}$/, "0".repeat(32));
    await assert.rejects(store.waitForBookmark(foreign, 0), /belongs to another database/);

    store.close();
    const again = new SqliteD1Store(path);
    try {
      assert.equal(await again.bookmark(), b2);
      assert.deepEqual((await again.batch([{ sql: "SELECT a FROM t", params: [] }])).results[0].rows, [[1]]);
      // Another connection's commit (e.g. `atoll d1 execute` while dev runs) is seen at once.
      const other = new SqliteD1Store(path);
      const b3 = (await other.batch([{ sql: "INSERT INTO t VALUES (2)", params: [] }])).bookmark;
      other.close();
      await again.waitForBookmark(b3, 0);
      assert.equal(await again.bookmark(), b3);
    } finally {
      again.close();
    }
  }),
);

test(
  "dump() is a self-contained SQLite file image",
  withD1Store(async (store) => {
    await one(store, "CREATE TABLE t (a TEXT)");
    await one(store, "INSERT INTO t VALUES ('kept')");
    const image = await store.dump();
    const dir = mkdtempSync(join(tmpdir(), "atoll-d1-dump-"));
    try {
      writeFileSync(join(dir, "copy.sqlite"), image);
      const copy = new DatabaseSync(join(dir, "copy.sqlite"), { readOnly: true });
      assert.deepEqual(copy.prepare("SELECT a FROM t").all().map((row) => ({ ...row })), [{ a: "kept" }]);
      copy.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }),
);

test("a corrupted database file is a StorageError naming the file, and is left as it was", () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-d1-corrupt-"));
  try {
    const path = join(dir, "db.sqlite");
    writeFileSync(path, "this is not a database, just some text that is long enough ".repeat(100));
    assert.throws(
      () => new SqliteD1Store(path),
      (e: Error) => e instanceof StorageError && e.message.includes(path) && /not a valid SQLite database/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
