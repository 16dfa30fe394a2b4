// What crosses the bridge for the D1 binding: the only types isolate.ts (prelude) and the host
// service share. Values cross by structured copy; BLOBs as ArrayBuffers.

/** A bound value or a result cell: NULL, INTEGER/REAL, TEXT, BLOB. */
export type D1WireValue = null | number | string | ArrayBuffer;

export interface D1WireStatement {
  sql: string;
  params: D1WireValue[];
}

/** "d1.query": [bindingName, D1QueryRequest] → D1QueryResponse. */
export interface D1QueryRequest {
  statements: D1WireStatement[];
  /**
   * null for calls on the D1Database itself (always the primary, no bookmark); for a
   * D1DatabaseSession its constraint ("first-primary", "first-unconstrained") or its latest bookmark.
   */
  session: string | null;
}

export interface D1WireResult {
  columns: string[];
  rows: D1WireValue[][];
  meta: Record<string, unknown>;
}

export interface D1QueryResponse {
  /** One per statement, in order. */
  results: D1WireResult[];
  /** The commit position after the query (null for session-less calls). */
  bookmark: string | null;
}

/** "d1.exec": [bindingName, sql] → D1ExecResponse. */
export interface D1ExecResponse {
  count: number;
  duration: number;
}

/** "d1.dump": [bindingName] → ArrayBuffer (the database file). */
