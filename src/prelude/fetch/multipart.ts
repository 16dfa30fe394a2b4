// Body formats of FormData: multipart/form-data (serialize + parse, following workerd's rules)
// and application/x-www-form-urlencoded (parse), plus the small MIME type parser they need.
import { blobBytes, fileFromBytes } from "./blob.ts";
import { FormData, formDataEntries } from "./form-data.ts";
import { concatBytes, utf8Decode, utf8Encode } from "./util.ts";

export interface MimeType {
  /** "type/subtype", lower-cased. */
  essence: string;
  params: Map<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** WHATWG MIME type parsing (simplified: first value of each parameter wins). */
export function parseMimeType(input: string): MimeType | null {
  const s = input.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  const slash = s.indexOf("/");
  if (slash <= 0) return null;
  const type = s.slice(0, slash);
  let end = s.indexOf(";", slash);
  if (end < 0) end = s.length;
  const subtype = s.slice(slash + 1, end).replace(/[\t\n\r ]+$/, "");
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  const params = new Map<string, string>();
  let i = end;
  while (i < s.length) {
    i++; // skip ';'
    while (i < s.length && /[\t\n\r ]/.test(s[i])) i++;
    let eq = i;
    while (eq < s.length && s[eq] !== ";" && s[eq] !== "=") eq++;
    const name = s.slice(i, eq).toLowerCase();
    i = eq;
    if (i >= s.length || s[i] === ";") continue;
    i++; // skip '='
    let value = "";
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === "\\" && i + 1 < s.length) i++;
        value += s[i++];
      }
      while (i < s.length && s[i] !== ";") i++;
    } else {
      let semi = s.indexOf(";", i);
      if (semi < 0) semi = s.length;
      value = s.slice(i, semi).replace(/[\t\n\r ]+$/, "");
      i = semi;
      if (value === "") continue;
    }
    if (name && TOKEN.test(name) && !params.has(name)) params.set(name, value);
  }
  return { essence: `${type}/${subtype}`.toLowerCase(), params };
}

// ---- serialization -------------------------------------------------------------------------

/** A random 32-hex-digit boundary, as workerd makes. */
export function makeBoundary(): string {
  let s = "";
  for (let i = 0; i < 4; i++) s += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, "0");
  return s;
}

/** Escapes a name or filename for a quoted Content-Disposition parameter (as Chrome/workerd). */
function escapeQuoted(value: string): string {
  return value.replace(/["\n\r\\]/g, (c) => (c === '"' ? "%22" : c === "\n" ? "%0A" : c === "\r" ? "%0D" : "\\\\"));
}

export function serializeMultipart(fd: FormData, boundary: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    total += b.byteLength;
  };
  for (const [name, value] of formDataEntries(fd)) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(name)}"`;
    if (typeof value === "string") {
      push(utf8Encode(`${head}\r\n\r\n${value}\r\n`));
    } else {
      head += `; filename="${escapeQuoted(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`;
      push(utf8Encode(head));
      push(blobBytes(value));
      push(utf8Encode("\r\n"));
    }
  }
  push(utf8Encode(`--${boundary}--`));
  return concatBytes(parts, total);
}

// ---- parsing -------------------------------------------------------------------------------

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const n = needle.byteLength;
  const first = needle[0];
  const last = hay.byteLength - n;
  for (let i = hay.indexOf(first, from); i >= 0 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < n && hay[i + j] === needle[j]) j++;
    if (j === n) return i;
  }
  return -1;
}

/** Finds the end of a part's header block: "\r?\n\r?\n". Returns [headersEnd, bodyStart]. */
function findHeaderEnd(b: Uint8Array, from: number): [number, number] | null {
  for (let i = b.indexOf(0x0a, from); i >= 0; i = b.indexOf(0x0a, i + 1)) {
    let k = i + 1;
    if (b[k] === 0x0d) k++;
    if (b[k] === 0x0a) return [i, k + 1];
  }
  return null;
}

interface Disposition {
  type: string;
  params: Map<string, string>;
}

function parseDisposition(value: string): Disposition | null {
  const m = /^[\t ]*([A-Za-z0-9_.-]+)[\t ]*/.exec(value);
  if (!m) return null;
  const params = new Map<string, string>();
  let i = m[0].length;
  const re = /;[\t ]*([A-Za-z0-9_.*-]+)[\t ]*=[\t ]*(?:"((?:[^"\\\n]|\\[^\n])*)"|([^;\t ]*))[\t ]*/y;
  while (i < value.length) {
    re.lastIndex = i;
    const p = re.exec(value);
    if (!p) return null;
    const raw = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
    const key = p[1].toLowerCase();
    if (!params.has(key)) params.set(key, raw);
    i = re.lastIndex;
  }
  return { type: m[1].toLowerCase(), params };
}

/** Parses a multipart/form-data body with workerd's rules and messages. */
export function parseMultipart(body: Uint8Array, boundary: string, into: FormData): void {
  const entries = formDataEntries(into);
  const delimiter = utf8Encode(`\n--${boundary}`);
  // The first delimiter needs no preceding newline.
  let at = indexOfBytes(body, delimiter.subarray(1), 0);
  if (at < 0) throw new TypeError("No initial boundary string (or you have a truncated message).");
  at += delimiter.byteLength - 1;
  for (;;) {
    if (body[at] === 0x0a) at += 1;
    else if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    else if (body[at] === 0x2d && body[at + 1] === 0x2d) return;
    else throw new TypeError("Boundary string was not succeeded by CRLF, LF, or '--'.");

    const headerEnd = findHeaderEnd(body, at);
    if (!headerEnd) throw new TypeError("No multipart message header termination found.");
    const headerText = utf8Decode(body.subarray(at, headerEnd[0]));
    at = headerEnd[1];

    let disposition: string | null = null;
    let contentType: string | null = null;
    for (const line of headerText.split(/\r?\n/)) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new TypeError("FormData part had invalid headers.");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-disposition") disposition = value;
      else if (name === "content-type") contentType = value;
    }
    if (disposition === null) throw new TypeError("No valid Content-Disposition header found in FormData part.");
    const parsed = parseDisposition(disposition);
    if (!parsed) throw new TypeError("Invalid Content-Disposition header found in FormData part.");
    if (parsed.type !== "form-data") {
      throw new TypeError(
        `Content-Disposition header for FormData part must have the value "form-data", possibly followed by parameters. Got: "${parsed.type}"`,
      );
    }
    const name = parsed.params.get("name");
    if (name === undefined) throw new TypeError("Content-Disposition header in FormData part is missing a name.");
    const filename = parsed.params.get("filename");

    const next = indexOfBytes(body, delimiter, at);
    if (next < 0) throw new TypeError("No subsequent boundary string after multipart message.");
    let dataEnd = next;
    if (dataEnd > at && body[dataEnd - 1] === 0x0d) dataEnd--;
    const data = body.subarray(at, dataEnd);
    at = next + delimiter.byteLength;

    if (filename !== undefined) entries.push([name, fileFromBytes(data.slice(), filename, contentType ?? "")]);
    else entries.push([name, utf8Decode(data)]);
  }
}

export function percentDecode(bytes: Uint8Array): Uint8Array {
  if (bytes.indexOf(0x25) < 0) return bytes;
  const out = new Uint8Array(bytes.byteLength);
  let n = 0;
  const hex = (c: number) =>
    c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
  for (let i = 0; i < bytes.byteLength; i++) {
    const c = bytes[i];
    if (c === 0x25 && i + 2 < bytes.byteLength && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
      out[n++] = hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]);
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** The application/x-www-form-urlencoded parser (WHATWG URL), on bytes. */
export function parseUrlEncoded(body: Uint8Array): [string, string][] {
  const out: [string, string][] = [];
  let start = 0;
  while (start <= body.byteLength) {
    let end = body.indexOf(0x26, start);
    if (end < 0) end = body.byteLength;
    if (end > start) {
      const seq = body.slice(start, end);
      for (let i = 0; i < seq.byteLength; i++) if (seq[i] === 0x2b) seq[i] = 0x20;
      const eq = seq.indexOf(0x3d);
      const name = eq < 0 ? seq : seq.subarray(0, eq);
      const value = eq < 0 ? seq.subarray(seq.byteLength) : seq.subarray(eq + 1);
      out.push([utf8Decode(percentDecode(name)), utf8Decode(percentDecode(value))]);
    }
    start = end + 1;
  }
  return out;
}

/** Parses a body into FormData by its Content-Type (Body.formData()). */
export function parseFormData(body: Uint8Array, contentType: string): FormData {
  const fd = new FormData();
  const mime = parseMimeType(contentType);
  if (mime?.essence === "multipart/form-data") {
    const boundary = mime.params.get("boundary");
    if (boundary === undefined) {
      throw new TypeError(
        "No boundary string in Content-Type header. The multipart/form-data MIME type requires a boundary parameter, e.g. 'Content-Type: multipart/form-data; boundary=\"abcd\"'. See RFC 7578, section 4.",
      );
    }
    parseMultipart(body, boundary, fd);
    return fd;
  }
  if (mime?.essence === "application/x-www-form-urlencoded") {
    const charset = mime.params.get("charset")?.toLowerCase();
    if (charset !== undefined && charset !== "utf-8" && charset !== "utf8" && charset !== "unicode-1-1-utf-8") {
      throw new TypeError("Non-utf-8 application/x-www-form-urlencoded body.");
    }
    const entries = formDataEntries(fd);
    for (const pair of parseUrlEncoded(body)) entries.push(pair);
    return fd;
  }
  throw new TypeError(
    "Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded",
  );
}
