// atob / btoa (HTML "forgiving-base64"); errors as in workerd.
import { DOMException } from "./dom-exception.ts";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const lookup = new Int16Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i;

const atobError = () =>
  new DOMException(
    "atob() called with invalid base64-encoded data. (Only whitespace, '+', '/', alphanumeric ASCII, and up to two terminal '=' signs when the input data length is divisible by 4 are allowed.)",
    "InvalidCharacterError",
  );

// String.fromCharCode.apply is faster over a (reused) plain Array than over a typed array.
function joinCodes(codes: Uint8Array, n: number): string {
  const parts: string[] = [];
  const chunk = new Array<number>(Math.min(n, 8192)).fill(0);
  for (let i = 0; i < n; i += 8192) {
    const end = Math.min(n, i + 8192);
    for (let j = i; j < end; j++) chunk[j - i] = codes[j];
    parts.push(String.fromCharCode.apply(null, end - i === chunk.length ? chunk : chunk.slice(0, end - i)));
  }
  return parts.join("");
}

/** Decodes forgiving-base64 into bytes; returns null on failure. */
export function decodeBase64(input: string): Uint8Array | null {
  let s = input;
  if (/[\t\n\f\r ]/.test(s)) s = s.replace(/[\t\n\f\r ]+/g, "");
  if (s.length % 4 === 0) {
    if (s.endsWith("==")) s = s.slice(0, -2);
    else if (s.endsWith("=")) s = s.slice(0, -1);
  }
  if (s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? lookup[c] : -1;
    if (v < 0) return null;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[w++] = (buffer >> bits) & 0xff;
    }
  }
  return w === out.length ? out : out.subarray(0, w);
}

/** Encodes bytes as standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const codes = new Uint8Array(Math.ceil(n / 3) * 4);
  let w = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const t = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    codes[w++] = alphabet.charCodeAt(t >> 18);
    codes[w++] = alphabet.charCodeAt((t >> 12) & 63);
    codes[w++] = alphabet.charCodeAt((t >> 6) & 63);
    codes[w++] = alphabet.charCodeAt(t & 63);
  }
  if (i < n) {
    const t = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    codes[w++] = alphabet.charCodeAt(t >> 18);
    codes[w++] = alphabet.charCodeAt((t >> 12) & 63);
    codes[w++] = i + 1 < n ? alphabet.charCodeAt((t >> 6) & 63) : 61;
    codes[w++] = 61;
  }
  return joinCodes(codes, w);
}

export function atob(data: string): string {
  if (arguments.length === 0)
    throw new TypeError("Failed to execute 'atob' on 'ServiceWorkerGlobalScope': 1 argument required, but only 0 present.");
  const bytes = decodeBase64(String(data));
  if (!bytes) throw atobError();
  return joinCodes(bytes, bytes.length);
}

export function btoa(data: string): string {
  if (arguments.length === 0)
    throw new TypeError("Failed to execute 'btoa' on 'ServiceWorkerGlobalScope': 1 argument required, but only 0 present.");
  const s = String(data);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff)
      throw new DOMException("btoa() can only operate on characters in the Latin1 (ISO/IEC 8859-1) range.", "InvalidCharacterError");
    bytes[i] = c;
  }
  return encodeBase64(bytes);
}
