// Checks on what the isolate sends the D1 host functions. The isolate side already converts
// arguments as workerd does (D1_TYPE_ERROR for unsupported bind values); these checks keep the
// host safe from anything else that reaches it, and read as D1 errors when they fire.
import type { D1Statement, D1Value } from "../../storage/d1/d1-store.ts";
import type { D1QueryRequest } from "./d1-protocol.ts";

export const FIRST_PRIMARY = "first-primary";
export const FIRST_UNCONSTRAINED = "first-unconstrained";

/** Thrown with Cloudflare's message prefix (D1_ERROR, D1_EXEC_ERROR, …) already applied. */
export function d1Failure(prefix: string, message: string): Error {
  return new Error(`${prefix}: ${message}`);
}

function toValue(value: unknown): D1Value {
  if (value === null || typeof value === "number" || typeof value === "string") return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw d1Failure("D1_TYPE_ERROR", `Type '${typeof value}' not supported for value '${String(value)}'`);
}

export interface ParsedQuery {
  statements: D1Statement[];
  session: string | null;
}

export function parseQueryRequest(request: unknown): ParsedQuery {
  const r = request as Partial<D1QueryRequest> | null;
  if (typeof r !== "object" || r === null || !Array.isArray(r.statements)) throw d1Failure("D1_ERROR", "Invalid query request.");
  const statements = r.statements.map((s): D1Statement => {
    if (typeof s !== "object" || s === null || typeof s.sql !== "string") throw d1Failure("D1_ERROR", "Invalid statement: its SQL must be a string.");
    if (!Array.isArray(s.params)) throw d1Failure("D1_ERROR", "Invalid statement parameters.");
    return { sql: s.sql, params: s.params.map(toValue) };
  });
  const session = r.session ?? null;
  if (session !== null && (typeof session !== "string" || session.trim() === "")) {
    throw d1Failure("D1_SESSION_ERROR", "invalid bookmark or constraint");
  }
  return { statements, session: session === null ? null : session.trim() };
}

/** A session's bookmark, or undefined for a constraint (or no session). */
export function sessionBookmark(session: string | null): string | undefined {
  return session === null || session === FIRST_PRIMARY || session === FIRST_UNCONSTRAINED ? undefined : session;
}

export function parseSql(sql: unknown): string {
  if (typeof sql !== "string") throw d1Failure("D1_EXEC_ERROR", "Invalid query: expected a string.");
  return sql;
}
