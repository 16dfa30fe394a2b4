// CryptoKey inside the isolate: a handle to the real key the host keeps (ctx.handles), plus copies
// of its type, extractable flag, algorithm and usages. User code cannot construct one.
import type { KeyDescriptor } from "../../protocol/bridge.ts";
import { callHost } from "../bridge.ts";

export type { KeyDescriptor };

interface KeyState {
  handle: number;
  type: KeyDescriptor["type"];
  extractable: boolean;
  algorithm: Record<string, unknown>;
  usages: string[];
}

const INTERNAL = Symbol("CryptoKey.internal");
const states = new WeakMap<object, KeyState>();

function state(key: unknown): KeyState {
  const s = typeof key === "object" && key !== null ? states.get(key) : undefined;
  if (!s) throw new TypeError("Illegal invocation");
  return s;
}

export class CryptoKey {
  constructor(token?: unknown) {
    if (token !== INTERNAL) throw new TypeError("Illegal constructor");
  }
  get type(): string {
    return state(this).type;
  }
  get extractable(): boolean {
    return state(this).extractable;
  }
  get algorithm(): Record<string, unknown> {
    return state(this).algorithm;
  }
  get usages(): string[] {
    return state(this).usages;
  }
}
Object.defineProperty(CryptoKey.prototype, Symbol.toStringTag, { value: "CryptoKey", configurable: true });

export function isCryptoKey(v: unknown): v is CryptoKey {
  return typeof v === "object" && v !== null && states.has(v);
}

/** The host handle of a key; TypeError naming `what` if `v` is not a CryptoKey. */
export function keyHandle(v: unknown, what: string): number {
  const s = typeof v === "object" && v !== null ? states.get(v) : undefined;
  if (!s) throw new TypeError(`${what} must be a CryptoKey.`);
  return s.handle;
}

/** The isolate's copy of a key's algorithm name, type and usages (for checks before the host call). */
export function keyInfo(key: CryptoKey): { name: string; type: string; usages: readonly string[]; extractable: boolean } {
  const s = state(key);
  return { name: String(s.algorithm.name), type: s.type, usages: s.usages, extractable: s.extractable };
}

function algorithmFromHost(a: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (k === "publicExponent" && v instanceof ArrayBuffer) out[k] = new Uint8Array(v);
    else if (k === "hash" && typeof v === "object" && v !== null) out[k] = { name: (v as { name: unknown }).name };
    else out[k] = v;
  }
  return out;
}

// Keys the isolate drops are released on the host (best effort: when V8 runs finalizers).
let registry: FinalizationRegistry<number> | undefined;
function releaseLater(key: CryptoKey, handle: number): void {
  if (typeof FinalizationRegistry !== "function") return;
  registry ??= new FinalizationRegistry((h: number) => {
    callHost("crypto.releaseKey", [h], 0).catch(() => {});
  });
  registry.register(key, handle);
}

export function keyFromDescriptor(d: KeyDescriptor): CryptoKey {
  const key = new CryptoKey(INTERNAL);
  states.set(key, {
    handle: d.handle,
    type: d.type,
    extractable: d.extractable,
    algorithm: algorithmFromHost(d.algorithm),
    usages: [...d.usages],
  });
  releaseLater(key, d.handle);
  return key;
}

/** Makes a CryptoKey or a CryptoKeyPair from what the host returned. */
export function keyOrPairFromHost(v: unknown): CryptoKey | { publicKey: CryptoKey; privateKey: CryptoKey } {
  const r = v as KeyDescriptor | { publicKey: KeyDescriptor; privateKey: KeyDescriptor };
  if ("privateKey" in r) {
    return { publicKey: keyFromDescriptor(r.publicKey), privateKey: keyFromDescriptor(r.privateKey) };
  }
  return keyFromDescriptor(r);
}

/** Keeps `values` reachable until this call (so a key is not released while the host uses it). */
export function keepAlive(...values: unknown[]): void {
  void values;
}
