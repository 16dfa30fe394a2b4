// FormData: an ordered list of (name, string | File). Blobs are wrapped as Files on insertion.
import { Blob, File, blobBytes, fileFromBytes } from "./blob.ts";
import { fixName } from "./util.ts";

export type FormDataValue = string | File;
export type FormDataEntry = [name: string, value: FormDataValue];

export let formDataEntries: (fd: FormData) => FormDataEntry[];

function toEntryValue(value: unknown, filename: unknown, argc: number, method: string): FormDataValue {
  if (value instanceof Blob) {
    if (value instanceof File && filename === undefined) return value;
    const name = filename !== undefined ? String(filename) : value instanceof File ? value.name : "blob";
    const lastModified = value instanceof File ? value.lastModified : Date.now();
    return fileFromBytes(blobBytes(value), name, value.type, lastModified);
  }
  if (argc > 2 && filename !== undefined) {
    throw new TypeError(`Failed to execute '${method}' on 'FormData': parameter 2 is not of type 'Blob'.`);
  }
  return String(value);
}

function requireArgs(got: number, need: number, method: string): void {
  if (got < need) {
    throw new TypeError(
      `Failed to execute '${method}' on 'FormData': ${need} argument${need > 1 ? "s" : ""} required, but only ${got} present.`,
    );
  }
}

export class FormData {
  #entries: FormDataEntry[] = [];

  static {
    formDataEntries = (fd) => fd.#entries;
  }

  append(name: string, value: string | Blob, filename?: string): void {
    requireArgs(arguments.length, 2, "append");
    this.#entries.push([String(name), toEntryValue(value, filename, arguments.length, "append")]);
  }

  set(name: string, value: string | Blob, filename?: string): void {
    requireArgs(arguments.length, 2, "set");
    const key = String(name);
    const entry: FormDataEntry = [key, toEntryValue(value, filename, arguments.length, "set")];
    const first = this.#entries.findIndex((e) => e[0] === key);
    if (first < 0) {
      this.#entries.push(entry);
      return;
    }
    this.#entries = this.#entries.filter((e, i) => i <= first || e[0] !== key);
    this.#entries[first] = entry;
  }

  delete(name: string): void {
    requireArgs(arguments.length, 1, "delete");
    const key = String(name);
    this.#entries = this.#entries.filter((e) => e[0] !== key);
  }

  get(name: string): FormDataValue | null {
    requireArgs(arguments.length, 1, "get");
    const key = String(name);
    for (const e of this.#entries) if (e[0] === key) return e[1];
    return null;
  }

  getAll(name: string): FormDataValue[] {
    requireArgs(arguments.length, 1, "getAll");
    const key = String(name);
    return this.#entries.filter((e) => e[0] === key).map((e) => e[1]);
  }

  has(name: string): boolean {
    requireArgs(arguments.length, 1, "has");
    const key = String(name);
    return this.#entries.some((e) => e[0] === key);
  }

  forEach(callback: (value: FormDataValue, key: string, parent: FormData) => void, thisArg?: unknown): void {
    if (typeof callback !== "function") {
      throw new TypeError("Failed to execute 'forEach' on 'FormData': parameter 1 is not of type 'Function'.");
    }
    // Entries appended by the callback are visited too, as in workerd.
    for (let i = 0; i < this.#entries.length; i++) {
      const [k, v] = this.#entries[i];
      callback.call(thisArg, v, k, this);
    }
  }

  *entries(): IterableIterator<[string, FormDataValue]> {
    for (let i = 0; i < this.#entries.length; i++) {
      const [k, v] = this.#entries[i];
      yield [k, v];
    }
  }

  *keys(): IterableIterator<string> {
    for (let i = 0; i < this.#entries.length; i++) yield this.#entries[i][0];
  }

  *values(): IterableIterator<FormDataValue> {
    for (let i = 0; i < this.#entries.length; i++) yield this.#entries[i][1];
  }

  [Symbol.iterator](): IterableIterator<[string, FormDataValue]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "FormData";
  }
}
fixName(FormData, "FormData");
