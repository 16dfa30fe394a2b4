// The isolate side of the D1 binding (bundled into the prelude): `env.NAME` is a D1Database.
// The JavaScript surface, argument conversion (bind) and result shapes follow workerd's
// d1-api.ts; queries run on the host: callHost("d1.query" | "d1.exec" | "d1.dump", [binding, …]).
import { callHost } from "../../prelude/bridge.ts";
import { registerBinding } from "../../prelude/env.ts";
import { fixName } from "../../prelude/fetch/util.ts";
import type { D1ExecResponse, D1QueryRequest, D1QueryResponse, D1WireResult, D1WireValue } from "./d1-protocol.ts";

const FIRST_PRIMARY = "first-primary";
const FIRST_UNCONSTRAINED = "first-unconstrained";

type Row = Record<string, unknown>;
interface D1Result {
  success: true;
  meta: Record<string, unknown>;
  results: Row[];
}

/** Host errors arrive as "D1_ERROR: …"; rebuilt here with the `cause` workerd gives them. */
function withCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const m = /^D1_[A-Z_]+: ([\s\S]*)$/.exec(error.message);
  return m ? new Error(error.message, { cause: new Error(m[1]) }) : error;
}

async function call(fn: string, args: unknown[]): Promise<unknown> {
  try {
    return await callHost(fn, args);
  } catch (error) {
    throw withCause(error);
  }
}

/** BLOBs come back as arrays of byte values, as from Cloudflare's D1. */
function cell(value: D1WireValue): unknown {
  return value instanceof ArrayBuffer ? Array.from(new Uint8Array(value)) : value;
}

function rows(result: D1WireResult): unknown[][] {
  return result.rows.map((row) => row.map(cell));
}

function toArrayOfObjects(result: D1WireResult): D1Result {
  const { columns } = result;
  const results = rows(result).map((row) => Object.fromEntries(row.map((value, i) => [columns[i], value])) as Row);
  return { success: true, meta: result.meta, results };
}

/** A bind value as D1 accepts it (workerd's D1PreparedStatement.bind rules). */
function bindValue(value: unknown): unknown {
  const type = typeof value;
  if (type === "number" || type === "string") return value;
  if (type === "boolean") return value ? 1 : 0;
  if (type === "object") {
    if (value === null) return null;
    if (Array.isArray(value) && value.every((b) => typeof b === "number" && b >= 0 && b < 256)) return value;
    if (value instanceof ArrayBuffer) return Array.from(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>);
  }
  const detail = `Type '${type}' not supported for value '${String(value)}'`;
  throw new Error(`D1_TYPE_ERROR: ${detail}`, { cause: new Error(detail) });
}

/** Byte arrays cross the bridge as ArrayBuffers. */
function wireValue(value: unknown): D1WireValue {
  return Array.isArray(value) ? Uint8Array.from(value as number[]).buffer : (value as D1WireValue);
}

export class D1Database {
  readonly #binding: string;
  readonly #primary: D1DatabaseSession;

  constructor(binding: string) {
    this.#binding = binding;
    this.#primary = new D1DatabaseSession(binding, null);
  }

  prepare(query: string): D1PreparedStatement {
    return new D1PreparedStatement(this.#primary, query);
  }

  batch(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    return this.#primary.batch(statements);
  }

  async exec(query: string): Promise<D1ExecResponse> {
    return (await call("d1.exec", [this.#binding, query])) as D1ExecResponse;
  }

  withSession(constraintOrBookmark?: string): D1DatabaseSession {
    let c = constraintOrBookmark?.trim();
    if (c == null || c === "") c = FIRST_UNCONSTRAINED;
    return new D1DatabaseSession(this.#binding, c);
  }

  /** @deprecated as on Cloudflare (alpha databases only there); here it returns the database file. */
  async dump(): Promise<ArrayBuffer> {
    return (await call("d1.dump", [this.#binding])) as ArrayBuffer;
  }

  /** Needs the d1_binding_jsrpc compatibility flag on Cloudflare; Atoll does not implement it. */
  async query(_request: unknown): Promise<never> {
    throw new Error(
      "D1_ERROR: D1Database.query() requires the d1_binding_jsrpc compatibility flag. Enable d1_binding_jsrpc before calling query().",
    );
  }
}

export class D1DatabaseSession {
  readonly #binding: string;
  /** null: the D1Database's own always-primary session, which never holds a bookmark. */
  #bookmarkOrConstraint: string | null;

  constructor(binding: string, bookmarkOrConstraint: string | null) {
    this.#binding = binding;
    if (bookmarkOrConstraint === null) this.#bookmarkOrConstraint = null;
    else {
      this.#bookmarkOrConstraint = bookmarkOrConstraint.trim();
      if (!this.#bookmarkOrConstraint) throw new Error("D1_SESSION_ERROR: invalid bookmark or constraint");
    }
  }

  prepare(query: string): D1PreparedStatement {
    return new D1PreparedStatement(this, query);
  }

  async batch(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    const results = await this._query(statements.map((s) => s._wire()));
    return results.map(toArrayOfObjects);
  }

  /** The latest bookmark this session has seen (never a constraint), or null. */
  getBookmark(): string | null {
    const b = this.#bookmarkOrConstraint;
    return b === FIRST_PRIMARY || b === FIRST_UNCONSTRAINED ? null : b;
  }

  /** Internal: runs statements on the host and keeps the newer bookmark. */
  async _query(statements: D1QueryRequest["statements"]): Promise<D1WireResult[]> {
    const request: D1QueryRequest = { statements, session: this.#bookmarkOrConstraint };
    const response = (await call("d1.query", [this.#binding, request])) as D1QueryResponse;
    if (this.#bookmarkOrConstraint !== null && response.bookmark) {
      const current = this.getBookmark();
      // Queries of one session may overlap: keep the latest bookmark seen.
      if (current === null || current.localeCompare(response.bookmark) < 0) this.#bookmarkOrConstraint = response.bookmark;
    }
    return response.results;
  }
}

export class D1PreparedStatement {
  readonly #session: D1DatabaseSession;
  readonly statement: string;
  readonly params: unknown[];

  constructor(session: D1DatabaseSession, statement: string, values?: unknown[]) {
    this.#session = session;
    this.statement = statement;
    this.params = values ?? [];
  }

  bind(...values: unknown[]): D1PreparedStatement {
    return new D1PreparedStatement(this.#session, this.statement, values.map(bindValue));
  }

  /** Internal: the statement as it crosses the bridge. */
  _wire(): D1QueryRequest["statements"][number] {
    return { sql: this.statement, params: this.params.map(wireValue) };
  }

  async #one(): Promise<D1WireResult> {
    const [result] = await this.#session._query([this._wire()]);
    return result;
  }

  async first(colName?: string): Promise<unknown> {
    const results = toArrayOfObjects(await this.#one()).results;
    if (results.length === 0) return null;
    const first = results[0];
    if (colName !== undefined) {
      if (first[colName] === undefined) {
        throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`, { cause: new Error("Column not found") });
      }
      return first[colName];
    }
    return first;
  }

  async run(): Promise<D1Result> {
    return toArrayOfObjects(await this.#one());
  }

  async all(): Promise<D1Result> {
    return toArrayOfObjects(await this.#one());
  }

  async raw(options?: { columnNames?: boolean }): Promise<unknown[][]> {
    const result = await this.#one();
    return [...(options?.columnNames ? [result.columns] : []), ...rows(result)];
  }
}

// The bundler may rename classes that refer to themselves; user code sees Cloudflare's names.
fixName(D1Database, "D1Database");
fixName(D1DatabaseSession, "D1DatabaseSession");
fixName(D1PreparedStatement, "D1PreparedStatement");

registerBinding("d1", (descriptor) => new D1Database(descriptor.name));
