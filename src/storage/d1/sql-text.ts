// Lexical facts about SQL text that node:sqlite does not expose: how many parameters a statement
// has (sqlite3_bind_parameter_count) and their names, whether text holds any statement at all,
// and the statement's leading keyword. One pass of SQLite's own token rules: quotes '…' "…" `…`
// […], comments -- and /* */, parameters ?, ?NNN, :name, @name, $name.

export interface SqlParameters {
  /** sqlite3_bind_parameter_count: the largest parameter index. */
  count: number;
  /** Named parameters (":id", "@id", "$id") by index (1-based); empty when there are none. */
  named: Map<number, string>;
}

const isIdentChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;

/** Index just past a quoted token starting at `i` (whose closing quote is `close`; doubled = escaped). */
function skipQuoted(sql: string, i: number, close: string): number {
  let j = i + 1;
  for (;;) {
    const k = sql.indexOf(close, j);
    if (k === -1) return sql.length;
    if (close !== "]" && sql[k + 1] === close) {
      j = k + 2;
      continue;
    }
    return k + 1;
  }
}

/**
 * Index just past the token at `i` (not whitespace or a comment): a quoted string or identifier,
 * a word (keyword, name, number), or else one character. Both scanners below step through SQL
 * with it, so that they agree on what is quoted.
 */
function skipToken(sql: string, i: number): number {
  const ch = sql[i];
  if (ch === "'" || ch === '"' || ch === "`") return skipQuoted(sql, i, ch);
  if (ch === "[") return skipQuoted(sql, i, "]");
  if (!isIdentChar(sql.charCodeAt(i))) return i + 1;
  let j = i + 1;
  while (j < sql.length && isIdentChar(sql.charCodeAt(j))) j++;
  return j;
}

/** Index just past whitespace and comments starting at `i`. */
function skipSpace(sql: string, i: number): number {
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) i++;
    else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else break;
  }
  return i;
}

export function scanParameters(sql: string): SqlParameters {
  let max = 0;
  const named = new Map<number, string>();
  const byName = new Map<string, number>();
  let i = 0;
  while (i < sql.length) {
    i = skipSpace(sql, i);
    if (i >= sql.length) break;
    const ch = sql[i];
    if (ch === "?") {
      let j = i + 1;
      while (j < sql.length && sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 57) j++;
      max = j > i + 1 ? Math.max(max, Number(sql.slice(i + 1, j))) : max + 1;
      i = j;
    } else if (ch === ":" || ch === "@" || ch === "$") {
      let j = i + 1;
      while (j < sql.length && isIdentChar(sql.charCodeAt(j))) j++;
      if (j > i + 1) {
        const name = sql.slice(i, j);
        if (!byName.has(name)) {
          byName.set(name, ++max);
          named.set(max, name);
        }
      }
      i = Math.max(j, i + 1);
    } else {
      // x'…' blob literals: the word x, then the quote is skipped as a string next round.
      i = skipToken(sql, i);
    }
  }
  return { count: max, named };
}

/**
 * Index just past the `;` that ends the first statement (or sql.length): a hint that lets a long
 * script be prepared one statement at a time. Semicolons inside quotes, comments and the
 * BEGIN … END body of CREATE TRIGGER (with CASE … END inside it) do not end a statement.
 */
export function firstStatementEnd(sql: string): number {
  let i = 0;
  let words = 0;
  let trigger = false;
  let depth = 0;
  while (i < sql.length) {
    i = skipSpace(sql, i);
    if (i >= sql.length) break;
    if (sql[i] === ";") {
      if (depth === 0 && words > 0) return i + 1;
      i++;
      continue;
    }
    const j = skipToken(sql, i);
    if (isIdentChar(sql.charCodeAt(i))) {
      const word = j - i <= 9 ? sql.slice(i, j).toUpperCase() : "";
      words++;
      // CREATE [TEMP|TEMPORARY] TRIGGER
      if (words <= 3 && word === "TRIGGER") trigger = true;
      else if (trigger && word === "BEGIN" && depth === 0) depth = 1;
      else if (depth > 0 && word === "CASE") depth++;
      else if (depth > 0 && word === "END") depth--;
    }
    i = j;
  }
  return sql.length;
}

/** True when `sql` holds no statement: only whitespace, comments and semicolons. */
export function isBlankSql(sql: string): boolean {
  let i = 0;
  for (;;) {
    i = skipSpace(sql, i);
    if (i >= sql.length) return true;
    if (sql[i] !== ";") return false;
    i++;
  }
}

/** The first keyword of the first statement, upper-cased ("SELECT", "INSERT", …), or "". */
export function leadingKeyword(sql: string): string {
  let i = 0;
  for (;;) {
    i = skipSpace(sql, i);
    if (sql[i] === ";") i++;
    else break;
  }
  let j = i;
  while (j < sql.length && isIdentChar(sql.charCodeAt(j))) j++;
  return sql.slice(i, j).toUpperCase();
}

export type StatementKind = "read" | "write" | "schema" | "other";

/** What a statement does, from its first keyword (conservative: unknown counts as a write). */
export function statementKind(sql: string): StatementKind {
  switch (leadingKeyword(sql)) {
    case "SELECT":
    case "VALUES":
    case "EXPLAIN":
      return "read";
    case "CREATE":
    case "DROP":
    case "ALTER":
    case "REINDEX":
    case "ANALYZE":
    case "VACUUM":
      return "schema";
    case "PRAGMA":
    case "BEGIN":
    case "COMMIT":
    case "END":
    case "ROLLBACK":
    case "SAVEPOINT":
    case "RELEASE":
    case "ATTACH":
    case "DETACH":
      return "other";
    default:
      return "write";
  }
}
