// whatwg-url creates a TextEncoder/TextDecoder when its module initializes, before the prelude
// installs globals: make ours visible first (the prelude index defines the same values again).
import { TextDecoder, TextEncoder } from "./encoding.ts";

for (const [k, v] of [
  ["TextEncoder", TextEncoder],
  ["TextDecoder", TextDecoder],
] as const) {
  if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true, enumerable: false });
}
