// The JSON files of `atoll kv bulk put` and `atoll kv bulk delete`, in wrangler's format:
//   put:    [{ "key": "k", "value": "v", "base64"?: true, "expiration"?: N, "expiration_ttl"?: N, "metadata"?: {...} }]
//   delete: ["k1", "k2"]
import { readFileSync } from "node:fs";
import type { KvPutOptions, KvPutValue } from "../bindings/kv/kv-service.ts";
import { KvCommandError } from "./kv-namespace.ts";

export interface BulkPutItem {
  key: string;
  value: KvPutValue;
  options: KvPutOptions;
}

const PUT_FIELDS = ["key", "value", "base64", "expiration", "expiration_ttl", "metadata"];
const PUT_SHAPE =
  '{ "key": string, "value": string, "base64"?: boolean, "expiration"?: number, "expiration_ttl"?: number, "metadata"?: any JSON }';

/** The items to put; `warnings` name properties that were ignored. */
export function readBulkPutFile(file: string): { items: BulkPutItem[]; warnings: string[] } {
  const content = readJsonArray(file);
  const problems: string[] = [];
  const warnings: string[] = [];
  const items: BulkPutItem[] = [];
  content.forEach((item: unknown, index) => {
    const kv = item as Record<string, unknown>;
    const ok =
      typeof item === "object" &&
      item !== null &&
      !Array.isArray(item) &&
      typeof kv.key === "string" &&
      typeof kv.value === "string" &&
      (kv.base64 === undefined || typeof kv.base64 === "boolean") &&
      (kv.expiration === undefined || typeof kv.expiration === "number") &&
      (kv.expiration_ttl === undefined || typeof kv.expiration_ttl === "number");
    if (!ok) {
      problems.push(`the item at index ${index} is ${JSON.stringify(item)}`);
      return;
    }
    const extra = Object.keys(kv).filter((k) => !PUT_FIELDS.includes(k));
    if (extra.length) warnings.push(`${file}: the item at index ${index} has unexpected properties (ignored): ${extra.join(", ")}`);
    const value = kv.value as string;
    items.push({
      key: kv.key as string,
      value: kv.base64 ? Buffer.from(value, "base64") : value,
      options: {
        ...(kv.expiration !== undefined && { expiration: kv.expiration as number }),
        ...(kv.expiration_ttl !== undefined && { expirationTtl: kv.expiration_ttl as number }),
        ...(kv.metadata !== undefined && kv.metadata !== null && { metadata: JSON.stringify(kv.metadata) }),
      },
    });
  });
  if (problems.length) throw new KvCommandError(`${file}: each item must be ${PUT_SHAPE}; ${problems.join("; ")}`);
  return { items, warnings };
}

export function readBulkDeleteFile(file: string): string[] {
  const content = readJsonArray(file);
  const problems = content.flatMap((key: unknown, index) => (typeof key === "string" ? [] : [`the item at index ${index} is ${JSON.stringify(key)}`]));
  if (problems.length) throw new KvCommandError(`${file}: expected an array of key names (strings); ${problems.join("; ")}`);
  return content as string[];
}

function readJsonArray(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new KvCommandError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new KvCommandError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(content)) throw new KvCommandError(`${file}: expected a JSON array, found ${content === null ? "null" : typeof content}.`);
  return content;
}
