// TextEncoder / TextDecoder (WHATWG Encoding). UTF-8, UTF-16LE/BE and windows-1252 are decoded
// here in JS; other legacy encodings go through a synchronous host call (Node's ICU decoder).
import { callHostSync } from "../bridge.ts";

type Decoder = { decode(bytes: Uint8Array, flush: boolean): string; reset(): void };

const utf8Labels = ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"];
const utf16leLabels = ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"];
const utf16beLabels = ["unicodefffe", "utf-16be"];
const win1252Labels = [
  "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100",
  "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252",
];
const localLabels = new Map<string, string>();
for (const l of utf8Labels) localLabels.set(l, "utf-8");
for (const l of utf16leLabels) localLabels.set(l, "utf-16le");
for (const l of utf16beLabels) localLabels.set(l, "utf-16be");
for (const l of win1252Labels) localLabels.set(l, "windows-1252");

/** Encoding-spec label lookup: trims ASCII whitespace, lowercases. Returns the canonical name or null. */
export function resolveEncodingLabel(label: string): string | null {
  const key = label.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase();
  const local = localLabels.get(key);
  if (local) return local;
  if (key === "" || /[^\x21-\x7e]/.test(key)) return null;
  let name: unknown;
  try {
    name = callHostSync("encoding.supports", [key]);
  } catch {
    return null;
  }
  return typeof name === "string" && name !== "replacement" && name !== "x-user-defined" ? name : null;
}

const decodeError = () => new TypeError("Failed to decode input.");

// Builds strings from UTF-16 code units. String.fromCharCode.apply over a plain Array is an
// order of magnitude faster in V8 than over a typed array; chunks stay under argument limits.
const CHUNK = 8192;
// One scratch array for every sink: a sink lives within one synchronous decode call that never
// calls out, so no two sinks fill it at once (allocating 8192 slots per decode cost ~10 µs and
// 64 KB of garbage even for a 16-byte input).
const scratch: number[] = new Array<number>(CHUNK).fill(0);
class CodeUnitSink {
  units: number[] = scratch;
  n = 0;
  parts: string[] = [];
  push(u: number): void {
    this.units[this.n++] = u;
    if (this.n === CHUNK) this.flushPart();
  }
  pushCodePoint(cp: number): void {
    if (cp > 0xffff) {
      cp -= 0x10000;
      this.push(0xd800 + (cp >> 10));
      this.push(0xdc00 + (cp & 0x3ff));
    } else this.push(cp);
  }
  /** Appends bytes[from..to) as code units (all < 0x100). */
  pushBytes(bytes: Uint8Array, from: number, to: number): void {
    const units = this.units;
    let n = this.n;
    for (let i = from; i < to; i++) {
      units[n++] = bytes[i];
      if (n === CHUNK) {
        this.n = n;
        this.flushPart();
        n = 0;
      }
    }
    this.n = n;
  }
  flushPart(): void {
    const n = this.n;
    if (n === CHUNK) this.parts.push(String.fromCharCode.apply(null, this.units));
    else if (n > 0) this.parts.push(String.fromCharCode.apply(null, this.units.slice(0, n)));
    this.n = 0;
  }
  take(): string {
    this.flushPart();
    const s = this.parts.length === 1 ? this.parts[0] : this.parts.join("");
    this.parts = [];
    return s;
  }
}

// The UTF-8 decoder of the Encoding standard, resumable across chunks.
class Utf8Decoder implements Decoder {
  needed = 0;
  seen = 0;
  cp = 0;
  lower = 0x80;
  upper = 0xbf;
  readonly fatal: boolean;
  constructor(fatal: boolean) {
    this.fatal = fatal;
  }
  reset(): void {
    this.needed = this.seen = this.cp = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }
  decode(bytes: Uint8Array, flush: boolean): string {
    const out = new CodeUnitSink();
    const len = bytes.length;
    let i = 0;
    while (i < len) {
      const b = bytes[i];
      if (this.needed === 0) {
        if (b < 0x80) {
          // ASCII run.
          let end = i + 1;
          while (end < len && bytes[end] < 0x80) end++;
          out.pushBytes(bytes, i, end);
          i = end;
          continue;
        }
        if (b >= 0xc2 && b <= 0xdf) {
          this.needed = 1;
          this.cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) this.lower = 0xa0;
          if (b === 0xed) this.upper = 0x9f;
          this.needed = 2;
          this.cp = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) this.lower = 0x90;
          if (b === 0xf4) this.upper = 0x8f;
          this.needed = 3;
          this.cp = b & 0x7;
        } else {
          if (this.fatal) throw decodeError();
          out.push(0xfffd);
        }
        i++;
        continue;
      }
      if (b < this.lower || b > this.upper) {
        // Invalid continuation: emit U+FFFD and reprocess this byte.
        this.reset();
        if (this.fatal) throw decodeError();
        out.push(0xfffd);
        continue;
      }
      this.lower = 0x80;
      this.upper = 0xbf;
      this.cp = (this.cp << 6) | (b & 0x3f);
      i++;
      if (++this.seen === this.needed) {
        out.pushCodePoint(this.cp);
        this.needed = this.seen = this.cp = 0;
      }
    }
    if (flush && this.needed !== 0) {
      this.reset();
      if (this.fatal) throw decodeError();
      out.push(0xfffd);
    }
    return out.take();
  }
}

// UTF-16LE / UTF-16BE decoder, resumable across chunks (odd bytes and split surrogate pairs).
class Utf16Decoder implements Decoder {
  leadByte = -1;
  leadSurrogate = -1;
  readonly fatal: boolean;
  readonly bigEndian: boolean;
  constructor(fatal: boolean, bigEndian: boolean) {
    this.fatal = fatal;
    this.bigEndian = bigEndian;
  }
  reset(): void {
    this.leadByte = this.leadSurrogate = -1;
  }
  decode(bytes: Uint8Array, flush: boolean): string {
    const out = new CodeUnitSink();
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.leadByte < 0) {
        this.leadByte = b;
        continue;
      }
      const unit = this.bigEndian ? (this.leadByte << 8) | b : (b << 8) | this.leadByte;
      this.leadByte = -1;
      if (this.leadSurrogate >= 0) {
        const lead = this.leadSurrogate;
        this.leadSurrogate = -1;
        if (unit >= 0xdc00 && unit <= 0xdfff) {
          out.push(lead);
          out.push(unit);
          continue;
        }
        if (this.fatal) throw decodeError();
        out.push(0xfffd);
        // fall through: process `unit` afresh
      }
      if (unit >= 0xd800 && unit <= 0xdbff) {
        this.leadSurrogate = unit;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        if (this.fatal) throw decodeError();
        out.push(0xfffd);
      } else out.push(unit);
    }
    if (flush && (this.leadByte >= 0 || this.leadSurrogate >= 0)) {
      this.reset();
      if (this.fatal) throw decodeError();
      out.push(0xfffd);
    }
    return out.take();
  }
}

// windows-1252 (also "latin1", "ascii", ...): single byte, stateless.
const win1252High = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d,
  0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d,
  0x17e, 0x178,
];
class Windows1252Decoder implements Decoder {
  reset(): void {}
  decode(bytes: Uint8Array): string {
    const out = new CodeUnitSink();
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      out.push(b >= 0x80 && b < 0xa0 ? win1252High[b - 0x80] : b);
    }
    return out.take();
  }
}

// Other legacy encodings: decoded by the host. Multi-byte sequences split across streamed
// chunks are carried over (the host reports how many trailing bytes it could not finish).
class HostDecoder implements Decoder {
  pending = new Uint8Array(0);
  readonly name: string;
  readonly fatal: boolean;
  constructor(name: string, fatal: boolean) {
    this.name = name;
    this.fatal = fatal;
  }
  reset(): void {
    this.pending = new Uint8Array(0);
  }
  decode(bytes: Uint8Array, flush: boolean): string {
    let input = bytes;
    if (this.pending.length) {
      input = new Uint8Array(this.pending.length + bytes.length);
      input.set(this.pending);
      input.set(bytes, this.pending.length);
    }
    this.pending = new Uint8Array(0);
    if (input.length === 0) return "";
    const buf = input.slice().buffer;
    if (flush) return callHostSync("encoding.decode", [this.name, buf, this.fatal, true]) as string;
    const [text, held] = callHostSync("encoding.decode", [this.name, buf, this.fatal, true, true]) as [string, number];
    if (held > 0) this.pending = input.slice(input.length - held);
    return text;
  }
}

function toBytes(input: unknown): Uint8Array {
  if (input === undefined) return new Uint8Array(0);
  if (input instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && input instanceof SharedArrayBuffer))
    return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(
    "Failed to execute 'decode' on 'TextDecoder': parameter 1 is not of type 'ArrayBuffer or ArrayBufferView'.",
  );
}

interface DecoderState {
  encoding: string;
  fatal: boolean;
  ignoreBOM: boolean;
  impl: Decoder;
  bomSeen: boolean;
  streaming: boolean;
}
const decoders = new WeakMap<object, DecoderState>();
function decoderState(self: unknown): DecoderState {
  const s = typeof self === "object" && self !== null ? decoders.get(self) : undefined;
  if (!s) throw new TypeError("Illegal invocation");
  return s;
}

export class TextDecoder {
  constructor(label: unknown = "utf-8", options: unknown = {}) {
    const labelStr = String(label);
    const encoding = resolveEncodingLabel(labelStr);
    if (!encoding) throw new RangeError(`"${labelStr}" is not a valid encoding.`);
    if (options !== undefined && options !== null && typeof options !== "object")
      throw new TypeError("Failed to construct 'TextDecoder': The provided value is not of type 'TextDecoderOptions'.");
    const o = (options ?? {}) as { fatal?: unknown; ignoreBOM?: unknown };
    const fatal = Boolean(o.fatal);
    const ignoreBOM = Boolean(o.ignoreBOM);
    let impl: Decoder;
    if (encoding === "utf-8") impl = new Utf8Decoder(fatal);
    else if (encoding === "utf-16le" || encoding === "utf-16be") impl = new Utf16Decoder(fatal, encoding === "utf-16be");
    else if (encoding === "windows-1252") impl = new Windows1252Decoder();
    else impl = new HostDecoder(encoding, fatal);
    decoders.set(this, { encoding, fatal, ignoreBOM, impl, bomSeen: false, streaming: false });
  }
  get encoding(): string {
    return decoderState(this).encoding;
  }
  get fatal(): boolean {
    return decoderState(this).fatal;
  }
  get ignoreBOM(): boolean {
    return decoderState(this).ignoreBOM;
  }
  decode(input?: AllowSharedBufferSource, options?: { stream?: boolean }): string {
    const s = decoderState(this);
    const bytes = toBytes(input);
    const stream = Boolean(options?.stream);
    if (!s.streaming) {
      s.impl.reset();
      s.bomSeen = false;
    }
    s.streaming = stream;
    let text: string;
    try {
      text = s.impl.decode(bytes, !stream);
    } catch (e) {
      s.impl.reset();
      s.streaming = false;
      throw e;
    }
    const unicode = s.encoding === "utf-8" || s.encoding === "utf-16le" || s.encoding === "utf-16be";
    if (unicode && !s.ignoreBOM && !s.bomSeen && text.length > 0) {
      s.bomSeen = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }
}

// Counts the UTF-8 length of s[from..] (lone surrogates count as U+FFFD, 3 bytes).
function utf8Length(s: string, from: number): number {
  let n = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

// Writes as much of s[from..] as fits in dest[at..] without splitting a character.
function utf8Write(s: string, dest: Uint8Array, from = 0, at = 0): { read: number; written: number } {
  let w = at;
  let i = from;
  const cap = dest.length;
  const n = s.length;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (w >= cap) break;
      dest[w++] = c;
      continue;
    }
    if (c < 0x800) {
      if (w + 2 > cap) break;
      dest[w++] = 0xc0 | (c >> 6);
      dest[w++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        if (w + 4 > cap) break;
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        dest[w++] = 0xf0 | (cp >> 18);
        dest[w++] = 0x80 | ((cp >> 12) & 0x3f);
        dest[w++] = 0x80 | ((cp >> 6) & 0x3f);
        dest[w++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
      c = 0xfffd;
    }
    if (w + 3 > cap) break;
    dest[w++] = 0xe0 | (c >> 12);
    dest[w++] = 0x80 | ((c >> 6) & 0x3f);
    dest[w++] = 0x80 | (c & 0x3f);
  }
  return { read: i, written: w };
}

/** UTF-8 encodes a string: one pass while it is ASCII, exact-size allocation otherwise. */
export function utf8Encode(s: string): Uint8Array<ArrayBuffer> {
  const n = s.length;
  let out = new Uint8Array(n);
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    out[i] = c;
  }
  if (i === n) return out;
  const prefix = out.subarray(0, i);
  out = new Uint8Array(i + utf8Length(s, i));
  out.set(prefix);
  utf8Write(s, out, i, i);
  return out;
}

export class TextEncoder {
  get encoding(): string {
    return "utf-8";
  }
  encode(input: unknown = ""): Uint8Array<ArrayBuffer> {
    return utf8Encode(String(input));
  }
  encodeInto(source: unknown, destination: Uint8Array): { read: number; written: number } {
    if (!(destination instanceof Uint8Array))
      throw new TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
    return utf8Write(String(source), destination);
  }
}

for (const C of [TextEncoder, TextDecoder]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
}
