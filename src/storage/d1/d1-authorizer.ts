// What SQL a D1 database accepts, as Cloudflare's SQLite layer (workerd's SqliteDatabase
// authorizer) decides it: no ATTACH/DETACH, no temporary objects, no transaction statements, a
// short list of PRAGMAs, an allowlist of functions, FTS5 and R*Tree as the only virtual tables, and
// names beginning with `_cf_` reserved. A denied statement fails to prepare with SQLITE_AUTH
// ("not authorized"); BEGIN/SAVEPOINT fail with Cloudflare's own explanation instead.
import { constants } from "node:sqlite";

export const TRANSACTION_DENIED =
  "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.";

const ALLOWED_FUNCTIONS = new Set(
  [
    // core
    "abs changes char coalesce concat concat_ws format glob hex ifnull iif instr last_insert_rowid length like likelihood likely",
    "load_extension lower ltrim max_scalar min_scalar nullif octet_length printf quote random randomblob replace round rtrim sign",
    "soundex substr substring total_changes trim typeof unhex unicode unlikely upper zeroblob",
    // date and time
    "date time datetime julianday unixepoch strftime timediff current_date current_time current_timestamp",
    // aggregates and window functions
    "avg count group_concat max min string_agg sum total row_number rank dense_rank percent_rank cume_dist ntile lag lead",
    "first_value last_value nth_value",
    // math
    "acos acosh asin asinh atan atan2 atanh ceil cos cosh degrees exp floor ln log log2 mod pi pow radians sin sinh sqrt tan tanh trunc",
    // JSON
    "json jsonb json_array jsonb_array json_array_length json_extract jsonb_extract -> ->> json_insert jsonb_insert json_object",
    "jsonb_object json_patch jsonb_patch json_remove jsonb_remove json_replace jsonb_replace json_set jsonb_set json_type json_valid",
    "json_quote json_group_array jsonb_group_array json_group_object jsonb_group_object json_each json_tree",
    // FTS5, R*Tree
    "match highlight bm25 snippet rtreecheck",
    // used internally by ALTER TABLE
    "sqlite_rename_column sqlite_rename_table sqlite_rename_test sqlite_drop_column sqlite_rename_quotefix",
  ]
    .join(" ")
    .split(" "),
);

type PragmaArgument = "none" | "boolean" | "object" | "optional-object" | "optional-number" | "optional-number-or-object";

const ALLOWED_PRAGMAS = new Map<string, PragmaArgument>([
  ["data_version", "none"],
  ["page_size", "none"],
  ["case_sensitive_like", "boolean"],
  ["foreign_keys", "boolean"],
  ["defer_foreign_keys", "boolean"],
  ["ignore_check_constraints", "boolean"],
  ["legacy_alter_table", "boolean"],
  ["recursive_triggers", "boolean"],
  ["reverse_unordered_selects", "boolean"],
  ["foreign_key_check", "optional-object"],
  ["foreign_key_list", "object"],
  ["index_info", "object"],
  ["index_list", "object"],
  ["index_xinfo", "object"],
  ["quick_check", "optional-number-or-object"],
  ["optimize", "optional-number"],
]);

const VIRTUAL_TABLE_MODULES = new Set(["fts5", "fts5vocab", "rtree", "rtree_i32"]);

const isAllowedName = (name: string | null) => name === null || !name.toLowerCase().startsWith("_cf_");

function pragmaAllowed(pragma: string, arg: string | null): boolean {
  if (pragma === "table_list") return true;
  if (pragma === "table_info" || pragma === "table_xinfo") return arg !== null && isAllowedName(arg);
  const kind = ALLOWED_PRAGMAS.get(pragma);
  switch (kind) {
    case undefined:
      return false;
    case "none":
      return arg === null;
    case "boolean": {
      if (arg === null) return true;
      const value = arg.replace(/^(['"])(.*)\1$/, "$2").toLowerCase();
      return ["true", "false", "yes", "no", "on", "off", "1", "0"].includes(value);
    }
    case "object":
      return arg !== null && isAllowedName(arg);
    case "optional-object":
      return isAllowedName(arg);
    case "optional-number":
      return arg === null || /^[+-]?\d+$/.test(arg);
    case "optional-number-or-object":
      return arg === null || /^\d+$/.test(arg) || isAllowedName(arg);
  }
}

export interface AuthorizerVerdict {
  allowed: boolean;
  /** Replaces SQLite's "not authorized" when set. */
  message?: string;
}

const ALLOW: AuthorizerVerdict = { allowed: true };
const DENY: AuthorizerVerdict = { allowed: false };

/** Decides one sqlite3_set_authorizer callback for user SQL. */
export function authorizeD1(action: number, param1: string | null, param2: string | null, dbName: string | null): AuthorizerVerdict {
  const c = constants;
  // For these two SQLite passes the database name first (see sqlite3_set_authorizer's quirks).
  if (action === c.SQLITE_ALTER_TABLE || action === c.SQLITE_DETACH) [param1, param2, dbName] = [param2, null, param1];
  if (dbName === "temp") {
    // SQLite reads and rewrites its temp schema while altering tables; nothing else may touch it.
    return (action === c.SQLITE_READ || action === c.SQLITE_UPDATE) && isAllowedName(param1) ? ALLOW : DENY;
  }
  if (dbName !== null && dbName !== "main") return DENY;
  switch (action) {
    case c.SQLITE_SELECT:
    case c.SQLITE_RECURSIVE:
    case c.SQLITE_ANALYZE:
      return ALLOW;
    case c.SQLITE_CREATE_TABLE:
    case c.SQLITE_DELETE:
    case c.SQLITE_DROP_TABLE:
    case c.SQLITE_INSERT:
    case c.SQLITE_CREATE_VIEW:
    case c.SQLITE_DROP_VIEW:
    case c.SQLITE_REINDEX:
    case c.SQLITE_READ:
    case c.SQLITE_UPDATE:
    case c.SQLITE_ALTER_TABLE:
      return isAllowedName(param1) ? ALLOW : DENY;
    case c.SQLITE_CREATE_INDEX:
    case c.SQLITE_DROP_INDEX:
    case c.SQLITE_CREATE_TRIGGER:
    case c.SQLITE_DROP_TRIGGER:
      return isAllowedName(param1) && isAllowedName(param2) ? ALLOW : DENY;
    case c.SQLITE_TRANSACTION:
    case c.SQLITE_SAVEPOINT:
      return { allowed: false, message: TRANSACTION_DENIED };
    case c.SQLITE_PRAGMA:
      return param1 !== null && pragmaAllowed(param1.toLowerCase(), param2) ? ALLOW : DENY;
    case c.SQLITE_FUNCTION:
      return param2 !== null && ALLOWED_FUNCTIONS.has(param2.toLowerCase()) ? ALLOW : DENY;
    case c.SQLITE_CREATE_VTABLE:
    case c.SQLITE_DROP_VTABLE:
      return param2 !== null && VIRTUAL_TABLE_MODULES.has(param2.toLowerCase()) && isAllowedName(param1) ? ALLOW : DENY;
    default:
      // ATTACH, DETACH, temporary tables/indexes/triggers/views, and anything unknown.
      return DENY;
  }
}
