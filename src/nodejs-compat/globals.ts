// Injected into every nodejs_compat (v2) worker by esbuild `inject`: references to these free
// names in the worker's code become these bindings, and they are set on globalThis too, as
// workerd does, for code that looks them up there (`globalThis.Buffer`, `typeof process`).
import { Buffer } from "node:buffer";
import process from "node:process";
import { setImmediate, clearImmediate } from "node:timers";

const global = globalThis;
const target = globalThis as unknown as Record<string, unknown>;
for (const [name, value] of Object.entries({ Buffer, process, global, setImmediate, clearImmediate })) {
  if (!(name in target)) Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

export { Buffer, process, global, setImmediate, clearImmediate };
