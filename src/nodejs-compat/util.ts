// node:util. unenv's util mostly defers to the runtime (its inspect is JSON.stringify, its
// isDeepStrictEqual compares JSON), so this one is Atoll's: Node's inspect/format output for the
// common cases, promisify/callbackify with Node's symbols, deep equality as assert uses it.
import { MIMEParams, MIMEType } from "unenv/node/internal/util/mime";
import { notImplemented } from "./unenv-utils.ts";
import types from "./util-types.ts";

export { MIMEParams, MIMEType, types };

// ---- inspect ----

export interface InspectOptions {
  depth?: number | null;
  colors?: boolean;
  customInspect?: boolean;
  showHidden?: boolean;
  maxArrayLength?: number | null;
  maxStringLength?: number | null;
  breakLength?: number;
  compact?: boolean | number;
  sorted?: boolean | ((a: string, b: string) => number);
  getters?: boolean;
}

const customInspectSymbol = Symbol.for("nodejs.util.inspect.custom");
const defaultOptions: Required<Omit<InspectOptions, "sorted">> & { sorted: InspectOptions["sorted"] } = {
  depth: 2,
  colors: false,
  customInspect: true,
  showHidden: false,
  maxArrayLength: 100,
  maxStringLength: 10000,
  breakLength: 80,
  compact: 3,
  sorted: false,
  getters: false,
};

interface Ctx {
  opts: typeof defaultOptions;
  seen: object[];
  circular: Map<object, number>;
  /** Node's bookkeeping for line breaking: depth of the last object expanded, and the indentation. */
  currentDepth: number;
  indentationLvl: number;
}

function quote(s: string): string {
  const q = !s.includes("'") ? "'" : !s.includes('"') ? '"' : !s.includes("`") ? "`" : "'";
  const escaped = s.replace(/[\\\x00-\x1f\x7f]/g, (c) => {
    const map: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f", "\v": "\\v" };
    return map[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return q + (q === "'" ? escaped.replace(/'/g, "\\'") : escaped) + q;
}

function keyName(key: string | symbol): string {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key);
}

function constructorName(obj: object): string | null {
  let proto = Object.getPrototypeOf(obj);
  while (proto) {
    const desc = Object.getOwnPropertyDescriptor(proto, "constructor");
    if (desc && typeof desc.value === "function" && desc.value.name) return desc.value.name as string;
    proto = Object.getPrototypeOf(proto);
  }
  return null;
}

function formatPrimitive(value: unknown, ctx: Ctx, top: boolean): string | undefined {
  switch (typeof value) {
    case "string": {
      const max = ctx.opts.maxStringLength ?? Infinity;
      const s = value.length > max ? value.slice(0, max) : value;
      const rest = value.length > max ? `... ${value.length - max} more character${value.length - max > 1 ? "s" : ""}` : "";
      void top;
      return quote(s) + rest;
    }
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
      return String(value);
    case "undefined":
      return "undefined";
    case "symbol":
      return value.toString();
  }
  if (value === null) return "null";
  return undefined;
}

function formatValue(value: unknown, ctx: Ctx, depth: number): string {
  const primitive = formatPrimitive(value, ctx, depth === 0);
  if (primitive !== undefined) return primitive;
  const obj = value as Record<string | symbol, unknown>;
  if (ctx.opts.customInspect) {
    const custom = obj[customInspectSymbol];
    if (typeof custom === "function" && custom !== inspect) {
      const remaining = ctx.opts.depth === null ? null : ctx.opts.depth - depth;
      const result = custom.call(obj, remaining, { ...ctx.opts, depth: remaining }, inspect);
      if (result !== obj) return typeof result === "string" ? result : formatValue(result, ctx, depth);
    }
  }
  if (ctx.seen.includes(obj)) {
    let index = ctx.circular.get(obj);
    if (index === undefined) ctx.circular.set(obj, (index = ctx.circular.size + 1));
    return `[Circular *${index}]`;
  }
  return formatObject(obj, ctx, depth);
}

function formatObject(obj: Record<string | symbol, unknown>, ctx: Ctx, depth: number): string {
  const name = constructorName(obj);
  const nullProto = Object.getPrototypeOf(obj) === null;
  let keys: (string | symbol)[] = Object.keys(obj);
  for (const s of Object.getOwnPropertySymbols(obj)) if (Object.prototype.propertyIsEnumerable.call(obj, s)) keys.push(s);
  let braces: [string, string] = ["{", "}"];
  let prefix = name && name !== "Object" ? `${name} ` : nullProto ? "[Object: null prototype] " : "";
  let items: string[] = [];
  let base = "";
  const tooDeep = ctx.opts.depth !== null && depth > ctx.opts.depth;

  if (typeof obj === "function") {
    const fn = obj as unknown as (...a: unknown[]) => unknown;
    const source = Function.prototype.toString.call(fn);
    base = source.startsWith("class") ? `[class ${fn.name || "(anonymous)"}]` : `[${types.isAsyncFunction(fn) ? "AsyncFunction" : types.isGeneratorFunction(fn) ? "GeneratorFunction" : "Function"}: ${fn.name || "(anonymous)"}]`;
    keys = keys.filter((k) => k !== "prototype");
    if (keys.length === 0) return base;
    prefix = "";
  } else if (obj instanceof Error) {
    base = obj.stack ?? `${obj.name}: ${obj.message}`;
    keys = keys.filter((k) => k !== "stack" && k !== "message");
    if (keys.length === 0) return base;
    prefix = "";
  } else if (obj instanceof Date) {
    base = isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
    if (keys.length === 0) return base;
  } else if (obj instanceof RegExp) {
    base = String(obj);
    if (keys.length === 0) return base;
  } else if (types.isBoxedPrimitive(obj)) {
    const inner = formatPrimitive((obj as { valueOf(): unknown }).valueOf(), ctx, false);
    base = `[${name}: ${inner}]`;
    if (keys.length === 0) return base;
  } else if (obj instanceof Promise) {
    return "Promise { <unknown> }";
  } else if (obj instanceof WeakMap || obj instanceof WeakSet) {
    return `${name} { <items unknown> }`;
  }

  if (tooDeep) return Array.isArray(obj) ? "[Array]" : `[${name ?? "Object"}]`;

  ctx.seen.push(obj);
  ctx.currentDepth = depth;
  try {
    const maxItems = ctx.opts.maxArrayLength ?? Infinity;
    if (Array.isArray(obj)) {
      braces = ["[", "]"];
      prefix = name && name !== "Array" ? `${name}(${obj.length}) ` : "";
      let holes = 0;
      for (let i = 0; i < obj.length && items.length < maxItems; i++) {
        if (!Object.hasOwn(obj, i)) {
          holes++;
          continue;
        }
        if (holes) items.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`), (holes = 0);
        items.push(formatValue(obj[i], ctx, depth + 1));
      }
      if (holes) items.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      if (obj.length > maxItems) items.push(`... ${obj.length - maxItems} more item${obj.length - maxItems > 1 ? "s" : ""}`);
      keys = keys.filter((k) => typeof k === "symbol" || !/^(0|[1-9]\d*)$/.test(k));
    } else if (types.isTypedArray(obj)) {
      const arr = obj as unknown as ArrayLike<number | bigint>;
      braces = ["[", "]"];
      prefix = `${name}(${arr.length}) `;
      for (let i = 0; i < arr.length && i < maxItems; i++) items.push(formatPrimitive(arr[i], ctx, false)!);
      if (arr.length > maxItems) items.push(`... ${arr.length - maxItems} more item${arr.length - maxItems > 1 ? "s" : ""}`);
      keys = keys.filter((k) => typeof k === "symbol" || !/^(0|[1-9]\d*)$/.test(k));
    } else if (obj instanceof ArrayBuffer) {
      const bytes = new Uint8Array(obj);
      const hex = [...bytes.subarray(0, 50)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
      items.push(`[Uint8Contents]: <${hex}${bytes.length > 50 ? ` ... ${bytes.length - 50} more bytes` : ""}>`, `byteLength: ${bytes.length}`);
    } else if (obj instanceof Map) {
      prefix = `${name}(${obj.size}) `;
      for (const [k, v] of obj) {
        if (items.length >= maxItems) break;
        items.push(`${formatValue(k, ctx, depth + 1)} => ${formatValue(v, ctx, depth + 1)}`);
      }
      if (obj.size > maxItems) items.push(`... ${obj.size - maxItems} more item${obj.size - maxItems > 1 ? "s" : ""}`);
    } else if (obj instanceof Set) {
      prefix = `${name}(${obj.size}) `;
      for (const v of obj) {
        if (items.length >= maxItems) break;
        items.push(formatValue(v, ctx, depth + 1));
      }
      if (obj.size > maxItems) items.push(`... ${obj.size - maxItems} more item${obj.size - maxItems > 1 ? "s" : ""}`);
    }
    if (ctx.opts.sorted) keys.sort(typeof ctx.opts.sorted === "function" ? (ctx.opts.sorted as (a: unknown, b: unknown) => number) : undefined);
    for (const key of keys) {
      const desc = Object.getOwnPropertyDescriptor(obj, key);
      let shown: string;
      if (desc && !("value" in desc)) shown = desc.get ? (desc.set ? "[Getter/Setter]" : "[Getter]") : "[Setter]";
      else {
        ctx.indentationLvl += 2;
        shown = formatValue(obj[key], ctx, depth + 1);
        ctx.indentationLvl -= 2;
      }
      items.push(`${keyName(key)}: ${shown}`);
    }
  } finally {
    ctx.seen.pop();
  }
  const index = ctx.circular.get(obj);
  if (index !== undefined) prefix = `<ref *${index}> ${prefix}`;
  if (base && items.length === 0) return base;
  if (items.length === 0) return `${prefix}${braces[0]}${braces[1]}`;
  const head = base ? `${base} ` : prefix;
  // Node's rule (reduceToSingleString): an object whose expanded descendants are fewer than
  // `compact` levels deep stays on one line if it fits in breakLength.
  const compact = ctx.opts.compact;
  if (compact === true || (typeof compact === "number" && compact >= 1 && ctx.currentDepth - depth < compact)) {
    const start = items.length + ctx.indentationLvl + braces[0].length + head.length + 10;
    const total = items.reduce((sum, item) => sum + item.length, items.length + start);
    const joined = items.join(", ");
    if ((compact === true || total <= ctx.opts.breakLength) && !joined.includes("\n")) return `${head}${braces[0]} ${joined} ${braces[1]}`;
  }
  const indentation = `\n${" ".repeat(ctx.indentationLvl)}`;
  return `${head}${braces[0]}${indentation}  ${items.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

export function inspect(value: unknown, options?: InspectOptions | boolean, ...legacy: unknown[]): string {
  let opts: InspectOptions = {};
  if (typeof options === "boolean") opts = { showHidden: options, depth: legacy[0] as number | null | undefined, colors: legacy[1] as boolean };
  else if (options) opts = options;
  const merged = { ...defaultOptions, ...inspect.defaultOptions, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  if (merged.depth === Infinity) merged.depth = null;
  return formatValue(value, { opts: merged, seen: [], circular: new Map(), currentDepth: 0, indentationLvl: 0 }, 0);
}
inspect.custom = customInspectSymbol;
inspect.defaultOptions = { ...defaultOptions } as InspectOptions;
inspect.colors = Object.assign(Object.create(null), { bold: [1, 22], italic: [3, 23], underline: [4, 24], red: [31, 39], green: [32, 39], yellow: [33, 39] });
inspect.styles = Object.assign(Object.create(null), { special: "cyan", number: "yellow", string: "green", undefined: "grey", null: "bold" });

// ---- format ----

export function formatWithOptions(options: InspectOptions, ...args: unknown[]): string {
  const first = args[0];
  let i = 0;
  let out = "";
  if (typeof first === "string") {
    i = 1;
    out = first.replace(/%([sdifjoOc%])/g, (match, f: string) => {
      if (f === "%") return "%";
      if (i >= args.length) return match;
      const v = args[i++];
      switch (f) {
        case "s":
          if (typeof v === "bigint") return `${v}n`;
          if (typeof v === "symbol") return v.toString();
          if (typeof v === "object" && v !== null && !(v instanceof Error) && (v as object).toString === Object.prototype.toString) {
            return inspect(v, { ...options, depth: 0 });
          }
          return typeof v === "number" && Object.is(v, -0) ? "-0" : String(v);
        case "d":
          return typeof v === "bigint" ? `${v}n` : typeof v === "symbol" ? "NaN" : formatPrimitive(Number(v), {} as Ctx, false)!;
        case "i":
          return typeof v === "bigint" ? `${v}n` : typeof v === "symbol" ? "NaN" : String(parseInt(String(v), 10));
        case "f":
          return typeof v === "symbol" ? "NaN" : String(parseFloat(String(v)));
        case "j":
          try {
            return JSON.stringify(v);
          } catch {
            return "[Circular]";
          }
        case "o":
          return inspect(v, { ...options, showHidden: true, depth: 4 });
        case "O":
          return inspect(v, options);
        default:
          return "";
      }
    });
  }
  for (; i < args.length; i++) {
    const v = args[i];
    out += (out || i > 0 ? " " : "") + (typeof v === "string" ? v : inspect(v, options));
  }
  return out;
}

export function format(...args: unknown[]): string {
  return formatWithOptions({}, ...args);
}

export function log(...args: unknown[]): void {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  console.log(`${d.getDate()} ${months[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} - ${format(...args)}`);
}

// ---- deep equality (assert.deepStrictEqual / deepEqual) ----

export function isDeepEqual(a: unknown, b: unknown, strict: boolean, memo: [unknown, unknown][] = []): boolean {
  if (strict ? Object.is(a, b) : a == b || (a !== a && b !== b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    if (!strict && (typeof a !== "object" || a === null) && (typeof b !== "object" || b === null)) return a == b;
    return false;
  }
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const tagA = Object.prototype.toString.call(a);
  if (tagA !== Object.prototype.toString.call(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  for (const [x, y] of memo) if (x === a && y === b) return true;
  memo = [...memo, [a, b]];
  if (a instanceof Date) {
    if (a.getTime() !== (b as Date).getTime()) return false;
  } else if (a instanceof RegExp) {
    const rb = b as RegExp;
    if (a.source !== rb.source || a.flags !== rb.flags || a.lastIndex !== rb.lastIndex) return false;
  } else if (a instanceof Error) {
    const eb = b as Error;
    if (a.message !== eb.message || a.name !== eb.name) return false;
  } else if (types.isBoxedPrimitive(a)) {
    if (!Object.is((a as { valueOf(): unknown }).valueOf(), (b as { valueOf(): unknown }).valueOf())) return false;
  } else if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer) {
    const ba = a instanceof ArrayBuffer ? new Uint8Array(a) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const bb = b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array((b as ArrayBufferView).buffer, (b as ArrayBufferView).byteOffset, (b as ArrayBufferView).byteLength);
    if (ba.length !== bb.length) return false;
    if (!types.isFloat32Array(a) && !types.isFloat64Array(a)) {
      for (let i = 0; i < ba.length; i++) if (ba[i] !== bb[i]) return false;
    } else {
      const fa = a as unknown as ArrayLike<number>;
      const fb = b as unknown as ArrayLike<number>;
      for (let i = 0; i < fa.length; i++) if (!(strict ? Object.is(fa[i], fb[i]) : fa[i] === fb[i])) return false;
    }
  } else if (a instanceof Map) {
    const mb = b as Map<unknown, unknown>;
    if (a.size !== mb.size) return false;
    outer: for (const [k, v] of a) {
      if (mb.has(k)) {
        if (!isDeepEqual(v, mb.get(k), strict, memo)) return false;
        continue;
      }
      if (typeof k !== "object" || k === null) return false;
      for (const [k2, v2] of mb) if (isDeepEqual(k, k2, strict, memo) && isDeepEqual(v, v2, strict, memo)) continue outer;
      return false;
    }
  } else if (a instanceof Set) {
    const sb = b as Set<unknown>;
    if (a.size !== sb.size) return false;
    outer: for (const v of a) {
      if (sb.has(v)) continue;
      if (typeof v !== "object" || v === null) return false;
      for (const v2 of sb) if (isDeepEqual(v, v2, strict, memo)) continue outer;
      return false;
    }
  }
  const ownKeys = (o: object) => {
    const keys: (string | symbol)[] = Object.keys(o);
    if (strict) for (const s of Object.getOwnPropertySymbols(o)) if (Object.prototype.propertyIsEnumerable.call(o, s)) keys.push(s);
    return keys;
  };
  const ka = ownKeys(a);
  const kb = ownKeys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false;
    if (!isDeepEqual((a as Record<string | symbol, unknown>)[k], (b as Record<string | symbol, unknown>)[k], strict, memo)) return false;
  }
  return true;
}

export function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return isDeepEqual(a, b, true);
}

// ---- functions ----

const promisifyCustom = Symbol.for("nodejs.util.promisify.custom");

type Callback = (error: unknown, ...values: unknown[]) => void;

export const promisify = Object.assign(
  function promisify(original: (...args: any[]) => unknown): (...args: unknown[]) => Promise<unknown> {
    if (typeof original !== "function") throw new TypeError('The "original" argument must be of type function.');
    const custom = (original as unknown as Record<symbol, unknown>)[promisifyCustom];
    if (typeof custom === "function") return custom as (...args: unknown[]) => Promise<unknown>;
    const names = (original as unknown as Record<symbol, string[] | undefined>)[Symbol.for("nodejs.util.promisify.customArgs")];
    function fn(this: unknown, ...args: unknown[]): Promise<unknown> {
      return new Promise((resolve, reject) => {
        Reflect.apply(original, this, [
          ...args,
          (error: unknown, ...values: unknown[]) => {
            if (error) return reject(error);
            if (names && values.length > 1) {
              const obj: Record<string, unknown> = {};
              names.forEach((n, i) => (obj[n] = values[i]));
              resolve(obj);
            } else resolve(values[0]);
          },
        ]);
      });
    }
    Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
    Object.defineProperty(fn, promisifyCustom, { value: fn, enumerable: false, writable: false, configurable: true });
    return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
  },
  { custom: promisifyCustom },
);

export function callbackify(original: (...args: any[]) => Promise<unknown>): (...args: unknown[]) => void {
  if (typeof original !== "function") throw new TypeError('The "original" argument must be of type function.');
  return function (this: unknown, ...args: unknown[]) {
    const callback = args.pop() as Callback;
    if (typeof callback !== "function") throw new TypeError("The last argument must be of type function.");
    Reflect.apply(original, this, args).then(
      (value: unknown) => queueMicrotask(() => callback(null, value)),
      (reason: unknown) => {
        const error = reason || Object.assign(new Error("Promise was rejected with a falsy value"), { code: "ERR_FALSY_VALUE_REJECTION", reason });
        queueMicrotask(() => callback(error));
      },
    );
  };
}

const warned = new Set<string>();
export function deprecate<F extends (...args: any[]) => unknown>(fn: F, message: string, code?: string): F {
  return function (this: unknown, ...args: unknown[]) {
    const key = code ?? message;
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(`${code ? `[${code}] ` : ""}DeprecationWarning: ${message}`);
    }
    return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
  } as unknown as F;
}

export function inherits(ctor: { prototype: object; super_?: unknown }, superCtor: { prototype: object }): void {
  if (ctor === undefined || ctor === null) throw new TypeError('The "ctor" argument must be of type function.');
  if (superCtor === undefined || superCtor === null) throw new TypeError('The "superCtor" argument must be of type function.');
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

export function debuglog(section: string, callback?: (fn: (...args: unknown[]) => void) => void): ((...args: unknown[]) => void) & { enabled: boolean } {
  const pattern = String((globalThis as { process?: { env?: Record<string, string> } }).process?.env?.NODE_DEBUG ?? "");
  const enabled = pattern
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((p) => new RegExp(`^${p.replace(/[|\\{}()[\]^$+?.]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(section));
  const fn = Object.assign(
    (...args: unknown[]) => {
      if (enabled) console.error(`${section.toUpperCase()}: ${format(...args)}`);
    },
    { enabled },
  );
  callback?.(fn);
  return fn;
}
export const debug = debuglog;

export function stripVTControlCharacters(str: string): string {
  // eslint-disable-next-line no-control-regex
  return str.replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, "");
}

export function toUSVString(str: string): string {
  return String(str).toWellFormed();
}

export function aborted(signal: AbortSignal, _resource: object): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

export function _extend<T extends object>(target: T, source: object | null): T {
  if (source === null || typeof source !== "object") return target;
  for (const key of Object.keys(source)) (target as Record<string, unknown>)[key] = (source as Record<string, unknown>)[key];
  return target;
}

export const isArray = Array.isArray;
export const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
export const isBuffer = (v: unknown): boolean => (globalThis as { Buffer?: { isBuffer(v: unknown): boolean } }).Buffer?.isBuffer(v) ?? false;
export const isDate = types.isDate;
export const isError = (v: unknown): v is Error => types.isNativeError(v);
export const isFunction = (v: unknown): boolean => typeof v === "function";
export const isNull = (v: unknown): v is null => v === null;
export const isNullOrUndefined = (v: unknown): v is null | undefined => v === null || v === undefined;
export const isNumber = (v: unknown): v is number => typeof v === "number";
export const isObject = (v: unknown): boolean => v !== null && typeof v === "object";
export const isPrimitive = (v: unknown): boolean => v === null || (typeof v !== "object" && typeof v !== "function");
export const isRegExp = types.isRegExp;
export const isString = (v: unknown): v is string => typeof v === "string";
export const isSymbol = (v: unknown): v is symbol => typeof v === "symbol";
export const isUndefined = (v: unknown): v is undefined => v === undefined;

export const TextEncoder = globalThis.TextEncoder;
export const TextDecoder = globalThis.TextDecoder;

export const getSystemErrorMap = notImplemented("util.getSystemErrorMap");
export const getSystemErrorName = notImplemented("util.getSystemErrorName");
export const getSystemErrorMessage = notImplemented("util.getSystemErrorMessage");
export const getCallSites = notImplemented("util.getCallSites");
export const parseArgs = notImplemented("util.parseArgs");
export const parseEnv = notImplemented("util.parseEnv");
export const styleText = (_format: string | string[], text: string): string => text;
export const transferableAbortController = notImplemented("util.transferableAbortController");
export const transferableAbortSignal = notImplemented("util.transferableAbortSignal");

export default {
  MIMEParams, MIMEType, types, inspect, format, formatWithOptions, log, isDeepStrictEqual, promisify, callbackify, deprecate,
  inherits, debuglog, debug, stripVTControlCharacters, toUSVString, aborted, _extend, isArray, isBoolean, isBuffer, isDate,
  isError, isFunction, isNull, isNullOrUndefined, isNumber, isObject, isPrimitive, isRegExp, isString, isSymbol, isUndefined,
  TextEncoder, TextDecoder, getSystemErrorMap, getSystemErrorName, getSystemErrorMessage, getCallSites, parseArgs, parseEnv,
  styleText, transferableAbortController, transferableAbortSignal,
};
