// A small hand-written validator: every check knows the exact key path of the value it looks
// at, so each message says where (file and key path), what was expected and what was found.
import { TomlDate } from "smol-toml";

export type Table = Record<string, unknown>;

/** Collects the problems of one config file; errors are thrown together by the loader. */
export class Report {
  readonly file: string;
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  /** "table" in TOML files, "object" in JSON ones: the word the user knows. */
  readonly tableWord: string;

  constructor(file: string) {
    this.file = file;
    this.tableWord = file.endsWith(".toml") ? "table" : "object";
  }

  error(path: string, message: string): void {
    this.errors.push(path ? `${this.file}: ${path}: ${message}` : `${this.file}: ${message}`);
  }

  wrongType(path: string, expected: string, found: unknown): void {
    this.error(path, `expected ${expected}, found ${describe(found, this.tableWord)}`);
  }

  missing(path: string, expected: string): void {
    this.error(path, `expected ${expected}, but the key is missing`);
  }

  warn(message: string): void {
    this.warnings.push(`${this.file}: ${message}`);
  }

  unknownKey(path: string): void {
    this.warn(`unknown key "${path}" (ignored)`);
  }

  /** "a table" / "an object" */
  get aTable(): string {
    return this.tableWord === "object" ? "an object" : "a table";
  }
}

/** `base.key`, `base[3]`, or `base["odd key"]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/** How a found value is named in messages: `number 5`, `string "x"`, `array [1,2]`. */
export function describe(value: unknown, tableWord = "object"): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (value instanceof TomlDate) return `date-time ${value.toISOString()}`;
  if (value instanceof Date) return `date-time ${value.toISOString()}`;
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "bigint":
      return `integer ${String(value)}`;
  }
  return `${Array.isArray(value) ? "array" : tableWord} ${preview(value)}`;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) ?? "";
  } catch {
    text = "";
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A kind of scalar value: what a check accepts and how it is described when it doesn't. */
export interface Kind<T> {
  expected: string;
  accepts(value: unknown): value is T;
}

export const STRING: Kind<string> = {
  expected: "a string",
  accepts: (v): v is string => typeof v === "string",
};
export const NON_EMPTY_STRING: Kind<string> = {
  expected: "a non-empty string",
  accepts: (v): v is string => typeof v === "string" && v.length > 0,
};
export const BOOLEAN: Kind<boolean> = {
  expected: "a boolean (true or false)",
  accepts: (v): v is boolean => typeof v === "boolean",
};
export const NUMBER: Kind<number> = {
  expected: "a number",
  accepts: (v): v is number => typeof v === "number" && Number.isFinite(v),
};
export function integerIn(min: number, max: number): Kind<number> {
  return {
    expected: `an integer from ${min} to ${max}`,
    accepts: (v): v is number => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max,
  };
}
export function numberIn(min: number, max: number): Kind<number> {
  return {
    expected: `a number from ${min} to ${max}`,
    accepts: (v): v is number => typeof v === "number" && v >= min && v <= max,
  };
}
export function oneOf<const T extends string>(values: readonly T[]): Kind<T> {
  return {
    expected: `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
    accepts: (v): v is T => typeof v === "string" && (values as readonly string[]).includes(v),
  };
}

/**
 * `table[key]` if it is of `kind`; otherwise records an error and returns undefined.
 * An absent key is fine unless `required`.
 */
export function read<T>(r: Report, table: Table, key: string, base: string, kind: Kind<T>, required = false): T | undefined {
  const value = table[key];
  const path = joinPath(base, key);
  if (value === undefined) {
    if (required) r.missing(path, kind.expected);
    return undefined;
  }
  if (!kind.accepts(value)) {
    r.wrongType(path, kind.expected, value);
    return undefined;
  }
  return value;
}

/** Checks `value` (already at `path`) is of `kind`. */
export function check<T>(r: Report, value: unknown, path: string, kind: Kind<T>): T | undefined {
  if (kind.accepts(value)) return value;
  r.wrongType(path, kind.expected, value);
  return undefined;
}

export function readTable(r: Report, value: unknown, path: string): Table | undefined {
  if (value === undefined) return undefined;
  if (isTable(value)) return value;
  r.wrongType(path, r.aTable, value);
  return undefined;
}

export function readArray(r: Report, value: unknown, path: string, expected = "an array"): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value;
  r.wrongType(path, expected, value);
  return undefined;
}

/** An array of strings; each bad element is reported at its own index. */
export function readStringArray(r: Report, value: unknown, path: string): string[] | undefined {
  const items = readArray(r, value, path, "an array of strings");
  if (!items) return undefined;
  const out: string[] = [];
  items.forEach((item, i) => {
    if (typeof item === "string") out.push(item);
    else r.wrongType(joinPath(path, i), "a string", item);
  });
  return out.length === items.length ? out : undefined;
}

/** Warns about keys of `table` not in `known` (and not in `ignored`, which are accepted silently). */
export function warnUnknownKeys(r: Report, table: Table, base: string, known: readonly string[], ignored: readonly string[] = []): void {
  for (const key of Object.keys(table)) {
    if (!known.includes(key) && !ignored.includes(key)) r.unknownKey(joinPath(base, key));
  }
}

/**
 * The tables of an array-of-tables value (`[[kv_namespaces]]`), each with its key path.
 * Elements that aren't tables are reported and skipped.
 */
export function tablesIn(r: Report, f: { value: unknown; path: string } | undefined): { entry: Table; at: string }[] {
  if (!f || f.value === undefined) return [];
  const items = readArray(r, f.value, f.path, `an array of ${r.tableWord}s`);
  if (!items) return [];
  const out: { entry: Table; at: string }[] = [];
  items.forEach((item, i) => {
    const at = joinPath(f.path, i);
    if (isTable(item)) out.push({ entry: item, at });
    else r.wrongType(at, r.aTable, item);
  });
  return out;
}
