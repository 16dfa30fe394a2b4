// whatwg-url and its dependencies touch globals while their modules initialize, before the
// prelude installs its globals: whatwg-url builds a TextEncoder/TextDecoder, and
// webidl-conversions reads SharedArrayBuffer.prototype (absent while V8 builds the startup
// snapshot). Imported by url.ts before whatwg-url; url.ts calls restoreUrlEnv() afterwards.
import { TextDecoder, TextEncoder } from "./encoding.ts";

const g = globalThis as Record<string, unknown>;
const added: string[] = [];

function provide(name: string, value: unknown): void {
  if (name in g) return;
  Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  added.push(name);
}

provide("TextEncoder", TextEncoder);
provide("TextDecoder", TextDecoder);
// A stand-in whose getters reject everything: without a real SharedArrayBuffer nothing is one.
provide(
  "SharedArrayBuffer",
  class SharedArrayBuffer {
    get byteLength(): number {
      throw new TypeError("not a SharedArrayBuffer");
    }
    get growable(): boolean {
      throw new TypeError("not a SharedArrayBuffer");
    }
  },
);

/** Removes the stand-ins again (the prelude index installs the real globals). */
export function restoreUrlEnv(): void {
  for (const name of added.splice(0)) delete g[name];
}
