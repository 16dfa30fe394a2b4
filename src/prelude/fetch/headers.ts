// Headers (WHATWG Fetch, with workerd's behaviour and messages): case-insensitive, iterated
// lower-cased in sorted order with values combined by ", " except set-cookie, immutable guard.
import type { HeaderList } from "../../protocol/bridge.ts";
import { fixName } from "./util.ts";

export type HeadersInit = Headers | Iterable<Iterable<string>> | Record<string, string>;
export type HeadersGuard = "none" | "immutable";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LOWER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const BAD_VALUE = /[\0\r\n]/;

function isHttpWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

export function normalizeName(name: unknown): string {
  const s = typeof name === "string" ? name : String(name);
  if (LOWER_TOKEN.test(s)) return s;
  if (!TOKEN.test(s)) throw new TypeError("Invalid header name.");
  return s.toLowerCase();
}

export function normalizeValue(value: unknown): string {
  let s = typeof value === "string" ? value : String(value);
  const n = s.length;
  if (n > 0 && (isHttpWhitespace(s.charCodeAt(0)) || isHttpWhitespace(s.charCodeAt(n - 1)))) {
    let a = 0;
    let b = n;
    while (a < b && isHttpWhitespace(s.charCodeAt(a))) a++;
    while (b > a && isHttpWhitespace(s.charCodeAt(b - 1))) b--;
    s = s.slice(a, b);
  }
  if (BAD_VALUE.test(s)) throw new TypeError("Invalid header value.");
  return s;
}

type Entry = [name: string, value: string];

export let headerMap: (h: Headers) => Map<string, string[]>;
export let setGuard: (h: Headers, guard: HeadersGuard) => void;
export let getGuard: (h: Headers) => HeadersGuard;

export class Headers {
  #map = new Map<string, string[]>();
  #guard: HeadersGuard = "none";

  static {
    headerMap = (h) => h.#map;
    setGuard = (h, g) => {
      h.#guard = g;
    };
    getGuard = (h) => h.#guard;
  }

  constructor(init?: HeadersInit) {
    if (init === undefined) return;
    if (init instanceof Headers) {
      for (const [k, v] of init.#map) this.#map.set(k, v.slice());
      return;
    }
    if (init === null || (typeof init !== "object" && typeof init !== "function")) {
      throw new TypeError(
        "Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.",
      );
    }
    const iterator = (init as { [Symbol.iterator]?: unknown })[Symbol.iterator];
    if (iterator !== undefined && iterator !== null) {
      if (typeof iterator !== "function") throw new TypeError("Headers initializer is not iterable.");
      for (const pair of init as Iterable<Iterable<string>>) {
        if (pair === null || typeof pair !== "object") {
          throw new TypeError(
            "To initialize a Headers object from a sequence, each inner sequence must have exactly two elements.",
          );
        }
        const items = Array.isArray(pair) ? pair : [...pair];
        if (items.length !== 2) {
          throw new TypeError(
            "To initialize a Headers object from a sequence, each inner sequence must have exactly two elements.",
          );
        }
        this.#append(normalizeName(items[0]), normalizeValue(items[1]));
      }
      return;
    }
    const record = init as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      this.#append(normalizeName(key), normalizeValue(record[key]));
    }
  }

  #append(name: string, value: string): void {
    const values = this.#map.get(name);
    if (values) values.push(value);
    else this.#map.set(name, [value]);
  }

  #check(): void {
    if (this.#guard !== "none") throw new TypeError("Can't modify immutable headers.");
  }

  append(name: string, value: string): void {
    requireArgs(arguments.length, 2, "append");
    this.#check();
    this.#append(normalizeName(name), normalizeValue(value));
  }

  set(name: string, value: string): void {
    requireArgs(arguments.length, 2, "set");
    this.#check();
    this.#map.set(normalizeName(name), [normalizeValue(value)]);
  }

  delete(name: string): void {
    requireArgs(arguments.length, 1, "delete");
    this.#check();
    this.#map.delete(normalizeName(name));
  }

  get(name: string): string | null {
    requireArgs(arguments.length, 1, "get");
    const values = this.#map.get(normalizeName(name));
    if (!values) return null;
    return values.length === 1 ? values[0] : values.join(", ");
  }

  has(name: string): boolean {
    requireArgs(arguments.length, 1, "has");
    return this.#map.has(normalizeName(name));
  }

  getSetCookie(): string[] {
    return this.#map.get("set-cookie")?.slice() ?? [];
  }

  /** Cloudflare extension: only for Set-Cookie. */
  getAll(name: string): string[] {
    if (String(name).toLowerCase() !== "set-cookie") {
      throw new TypeError('getAll() can only be used with the header name "Set-Cookie".');
    }
    return this.getSetCookie();
  }

  #entries(): Entry[] {
    const names = [...this.#map.keys()].sort();
    const out: Entry[] = [];
    for (const name of names) {
      const values = this.#map.get(name)!;
      if (name === "set-cookie") for (const v of values) out.push([name, v]);
      else out.push([name, values.length === 1 ? values[0] : values.join(", ")]);
    }
    return out;
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    if (typeof callback !== "function") {
      throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
    }
    for (const [k, v] of this.#entries().slice()) callback.call(thisArg, v, k, this);
  }

  entries(): IterableIterator<[string, string]> {
    return this.#entries()
      .map((e): [string, string] => [e[0], e[1]])
      .values();
  }

  keys(): IterableIterator<string> {
    return this.#entries()
      .map((e) => e[0])
      .values();
  }

  values(): IterableIterator<string> {
    return this.#entries()
      .map((e) => e[1])
      .values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "Headers";
  }
}
fixName(Headers, "Headers");

function requireArgs(got: number, need: number, method: string): void {
  if (got < need) {
    throw new TypeError(
      `Failed to execute '${method}' on 'Headers': ${need} argument${need > 1 ? "s" : ""} required, but only ${got} present.`,
    );
  }
}

/** Builds Headers from pairs the host already validated (incoming requests, fetch responses). */
export function headersFromList(list: HeaderList, guard: HeadersGuard): Headers {
  const h = new Headers();
  const map = headerMap(h);
  for (let i = 0; i < list.length; i++) {
    const name = list[i][0].toLowerCase();
    const values = map.get(name);
    if (values) values.push(list[i][1]);
    else map.set(name, [list[i][1]]);
  }
  setGuard(h, guard);
  return h;
}

/** The header pairs to send, sorted by name, one pair per stored value. */
export function headerList(h: Headers): HeaderList {
  const map = headerMap(h);
  const names = [...map.keys()].sort();
  const out: HeaderList = [];
  for (const name of names) for (const v of map.get(name)!) out.push([name, v]);
  return out;
}

/** Copies headers; `keepGuard` for clone(), otherwise the copy is mutable. */
export function copyHeaders(h: Headers, keepGuard: boolean): Headers {
  const c = new Headers(h);
  if (keepGuard) setGuard(c, getGuard(h));
  return c;
}

/** Sets a header bypassing the guard (body extraction's Content-Type). */
export function setHeaderIfAbsent(h: Headers, name: string, value: string): void {
  const map = headerMap(h);
  if (!map.has(name)) map.set(name, [value]);
}
