// A small util.inspect for console output: readable, bounded (depth, length), cycle-safe.

const MAX_DEPTH = 3;
const MAX_ITEMS = 100;

export function inspect(value: unknown, depth = 0, seen: Set<object> = new Set()): string {
  switch (typeof value) {
    case "string":
      return depth === 0 ? value : JSON.stringify(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "undefined";
    case "boolean":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return `[Function: ${value.name || "(anonymous)"}]`;
  }
  if (value === null) return "null";
  const obj = value as object;
  if (seen.has(obj)) return "[Circular]";
  if (obj instanceof Error) return obj.stack ?? `${obj.name}: ${obj.message}`;
  if (obj instanceof Date) return isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (obj instanceof RegExp) return String(obj);
  if (depth > MAX_DEPTH) return Array.isArray(obj) ? "[Array]" : "[Object]";
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return list("[", obj.slice(0, MAX_ITEMS).map((v) => inspect(v, depth + 1, seen)), obj.length, "]");
    if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) {
      const items = Array.from(obj as unknown as ArrayLike<number>).slice(0, MAX_ITEMS).map(String);
      return `${obj.constructor.name}(${(obj as unknown as ArrayLike<number>).length}) ` + list("[", items, (obj as unknown as ArrayLike<number>).length, "]");
    }
    if (obj instanceof ArrayBuffer) return `ArrayBuffer { byteLength: ${obj.byteLength} }`;
    if (obj instanceof Map) {
      const items = [...obj].slice(0, MAX_ITEMS).map(([k, v]) => `${inspect(k, depth + 1, seen)} => ${inspect(v, depth + 1, seen)}`);
      return `Map(${obj.size}) ` + list("{", items, obj.size, "}");
    }
    if (obj instanceof Set) {
      const items = [...obj].slice(0, MAX_ITEMS).map((v) => inspect(v, depth + 1, seen));
      return `Set(${obj.size}) ` + list("{", items, obj.size, "}");
    }
    if (obj instanceof Promise) return "Promise { <pending> }";
    const keys = Object.keys(obj);
    const items = keys.slice(0, MAX_ITEMS).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inspect((obj as Record<string, unknown>)[k], depth + 1, seen)}`);
    const ctor = (Object.getPrototypeOf(obj) as { constructor?: { name?: string } } | null)?.constructor?.name;
    const prefix = ctor && ctor !== "Object" ? `${ctor} ` : "";
    return prefix + list("{", items, keys.length, "}");
  } catch {
    return "[object]";
  } finally {
    seen.delete(obj);
  }
}

function list(open: string, items: string[], total: number, close: string): string {
  if (total > items.length) items.push(`... ${total - items.length} more items`);
  if (items.length === 0) return open + close;
  const oneLine = `${open} ${items.join(", ")} ${close}`;
  return oneLine.length <= 72 ? oneLine : `${open}\n  ${items.join(",\n").replace(/\n/g, "\n  ")}\n${close}`;
}

/** console.log's format: printf-style %s %d %i %f %o %O %j %c in the first string argument. */
export function formatLogArgs(args: unknown[]): string {
  if (typeof args[0] !== "string" || !args[0].includes("%")) return args.map((a) => inspect(a)).join(" ");
  let rest = args.slice(1);
  const first = (args[0] as string).replace(/%([sdifoOjc%])/g, (m, f: string) => {
    if (f === "%") return "%";
    if (rest.length === 0) return m;
    const v = rest[0];
    rest = rest.slice(1);
    switch (f) {
      case "s": return typeof v === "string" ? v : inspect(v, 1);
      case "d": case "i": return typeof v === "bigint" ? `${v}n` : String(f === "i" ? Math.trunc(Number(v)) : Number(v));
      case "f": return String(Number(v));
      case "j": try { return JSON.stringify(v); } catch { return "[Circular]"; }
      case "c": return "";
      default: return inspect(v, 1);
    }
  });
  return [first, ...rest.map((a) => inspect(a))].join(" ");
}
