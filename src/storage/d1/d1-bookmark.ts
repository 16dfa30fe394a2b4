// Sessions API bookmarks: a database's commit position, written in the shape of Cloudflare's
// bookmarks (`0000000a-00000001-00004f1f-<32 hex>`): an epoch, the 64-bit commit sequence as two
// 8-digit hex groups, and the database's identity. Fixed-width lowercase hex, so bookmarks of one
// database order the same as strings (workerd keeps the greater of two by comparing strings) as
// they do as positions. The embedded engine's epoch is 0 and its sequence counts the transactions
// that changed the database; the cluster engine will put its stream sequence here.

export interface D1Position {
  epoch: number;
  sequence: number;
  /** 32 lowercase hex digits naming the database. */
  database: string;
}

const BOOKMARK = /^([0-9a-f]{8})-([0-9a-f]{8})-([0-9a-f]{8})-([0-9a-f]{32})$/;

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

export function formatBookmark(p: D1Position): string {
  return `${hex8(p.epoch)}-${hex8(Math.floor(p.sequence / 2 ** 32))}-${hex8(p.sequence % 2 ** 32)}-${p.database}`;
}

export function parseBookmark(bookmark: string): D1Position | undefined {
  const m = BOOKMARK.exec(bookmark);
  if (!m) return undefined;
  return { epoch: parseInt(m[1], 16), sequence: parseInt(m[2], 16) * 2 ** 32 + parseInt(m[3], 16), database: m[4] };
}

/** Whether position `a` includes everything `b` does (same database assumed). */
export function reaches(a: D1Position, b: D1Position): boolean {
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.sequence >= b.sequence);
}
