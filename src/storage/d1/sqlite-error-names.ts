// SQLite result code names, for D1's error messages ("…: SQLITE_CONSTRAINT (extended:
// SQLITE_CONSTRAINT_UNIQUE)"); node:sqlite reports only the numeric (extended) code.

const PRIMARY: Record<number, string> = {
  1: "ERROR",
  2: "INTERNAL",
  3: "PERM",
  4: "ABORT",
  5: "BUSY",
  6: "LOCKED",
  7: "NOMEM",
  8: "READONLY",
  9: "INTERRUPT",
  10: "IOERR",
  11: "CORRUPT",
  12: "NOTFOUND",
  13: "FULL",
  14: "CANTOPEN",
  15: "PROTOCOL",
  16: "EMPTY",
  17: "SCHEMA",
  18: "TOOBIG",
  19: "CONSTRAINT",
  20: "MISMATCH",
  21: "MISUSE",
  22: "NOLFS",
  23: "AUTH",
  24: "FORMAT",
  25: "RANGE",
  26: "NOTADB",
};

const EXTENDED: Record<number, string> = {
  257: "ERROR_MISSING_COLLSEQ",
  513: "ERROR_RETRY",
  769: "ERROR_SNAPSHOT",
  516: "ABORT_ROLLBACK",
  261: "BUSY_RECOVERY",
  517: "BUSY_SNAPSHOT",
  773: "BUSY_TIMEOUT",
  262: "LOCKED_SHAREDCACHE",
  518: "LOCKED_VTAB",
  264: "READONLY_RECOVERY",
  520: "READONLY_CANTLOCK",
  776: "READONLY_ROLLBACK",
  1032: "READONLY_DBMOVED",
  1288: "READONLY_CANTINIT",
  1544: "READONLY_DIRECTORY",
  267: "CORRUPT_VTAB",
  523: "CORRUPT_SEQUENCE",
  779: "CORRUPT_INDEX",
  275: "CONSTRAINT_CHECK",
  531: "CONSTRAINT_COMMITHOOK",
  787: "CONSTRAINT_FOREIGNKEY",
  1043: "CONSTRAINT_FUNCTION",
  1299: "CONSTRAINT_NOTNULL",
  1555: "CONSTRAINT_PRIMARYKEY",
  1811: "CONSTRAINT_TRIGGER",
  2067: "CONSTRAINT_UNIQUE",
  2323: "CONSTRAINT_VTAB",
  2579: "CONSTRAINT_ROWID",
  2835: "CONSTRAINT_PINNED",
  3091: "CONSTRAINT_DATATYPE",
  279: "AUTH_USER",
};

/** "<message>: SQLITE_<CODE>[ (extended: SQLITE_<CODE>_<DETAIL>)]", as workerd words SQLite errors. */
export function describeSqliteError(message: string, code: number): string {
  const primary = code & 0xff;
  let text = `${message}: SQLITE_${PRIMARY[primary] ?? "ERROR"}`;
  const extended = EXTENDED[code];
  if (code !== primary && extended) text += ` (extended: SQLITE_${extended})`;
  return text;
}
