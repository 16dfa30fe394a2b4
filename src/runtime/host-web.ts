// Host side of the prelude's web module: legacy text decoding (Node's full-ICU TextDecoder) and
// structuredClone (the value is already a structured copy when it arrives; returning it copies
// it back). Errors are encoded so the isolate re-raises them with the right type.
import { domainToASCII, domainToUnicode, fileURLToPath } from "node:url";
import type { HostSyncFunctionTable } from "./host-functions.ts";

function hostError(name: string, message: string): Error {
  return new Error("__atoll:" + JSON.stringify({ name, message }));
}

function toBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw hostError("TypeError", "encoding.decode: bytes must be an ArrayBuffer");
}

function supports(label: unknown): string | null {
  try {
    const name = new TextDecoder(String(label)).encoding;
    return name === "replacement" ? null : name;
  } catch {
    return null;
  }
}

/**
 * Decodes `bytes` in encoding `label`. With `stream`, returns [text, heldBytes]: the text of the
 * complete characters and how many trailing bytes start an unfinished character (the isolate
 * prepends them to the next chunk).
 */
function decode(label: unknown, bytes: unknown, fatal?: unknown, ignoreBOM?: unknown, stream?: unknown): string | [string, number] {
  const name = supports(label);
  if (!name) throw hostError("RangeError", `"${String(label)}" is not a valid encoding.`);
  const input = toBytes(bytes);
  const options = { fatal: Boolean(fatal), ignoreBOM: Boolean(ignoreBOM) };
  try {
    if (!stream) return new TextDecoder(name, options).decode(input);
    const text = new TextDecoder(name, options).decode(input, { stream: true });
    // Find the shortest tail whose removal yields the same complete text.
    const probe = new TextDecoder(name, { ignoreBOM: options.ignoreBOM });
    for (let held = 0; held <= Math.min(4, input.length); held++) {
      if (probe.decode(input.subarray(0, input.length - held)) === text) return [text, held];
    }
    return [text, 0];
  } catch (e) {
    if (e instanceof RangeError) throw hostError("RangeError", `"${String(label)}" is not a valid encoding.`);
    throw hostError("TypeError", "Failed to decode input.");
  }
}

export const webHostSyncFunctions: HostSyncFunctionTable = {
  "encoding.supports": (label: unknown) => supports(label),
  "encoding.decode": decode,
  structuredClone: (value: unknown) => value,
  // WHATWG "domain to ASCII" for non-ASCII hostnames (used by the tr46 stand-in); "" = invalid.
  "url.domainToASCII": (domain: unknown) => domainToASCII(String(domain)),
  "url.domainToUnicode": (domain: unknown) => domainToUnicode(String(domain)),
};

/**
 * esbuild `alias` entries for bundling the prelude. whatwg-url pulls @exodus/bytes' legacy
 * encoding tables (≈470 KB of code) although the URL API only percent-encodes UTF-8, and tr46's
 * IDNA table (≈2.2 MB of heap per isolate) although hostnames are nearly always ASCII; these
 * swap in the small stand-ins of src/prelude/web/url-shims/ (non-ASCII hosts then go through the
 * "url.domainToASCII" host function). Without the aliases everything still works, heavier.
 */
export const webPreludeAliases: Record<string, string> = {
  "@exodus/bytes/whatwg.js": fileURLToPath(new URL("../prelude/web/url-shims/whatwg-percent-encode.ts", import.meta.url)),
  "@exodus/bytes/encoding.js": fileURLToPath(new URL("../prelude/web/url-shims/empty.ts", import.meta.url)),
  tr46: fileURLToPath(new URL("../prelude/web/url-shims/tr46.ts", import.meta.url)),
};
