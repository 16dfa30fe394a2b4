// Turns a stored entry into the response a match gets: the whole body, a 304 for a satisfied
// conditional request, a 206 with one range (Content-Range) or several (multipart/byteranges),
// or a 416. Every response served from the cache carries `cf-cache-status: HIT`.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { CacheEntry } from "../../storage/cache/cache-store.ts";
import { getHeader, planMatch, withoutHeaders } from "./cache-rules.ts";
import type { ByteRange, HeaderList, MatchConditions } from "./cache-rules.ts";

export interface CachedResponse {
  status: number;
  statusText: string;
  headers: HeaderList;
  /** The body to send, or null; `size` is its length in bytes. */
  body: Readable | null;
  size: number;
}

const HIT: [string, string] = ["cf-cache-status", "HIT"];
const REPLACED = new Set(["cf-cache-status", "content-length", "content-range"]);
const CRLF = Buffer.from("\r\n");

function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}

/**
 * The response for `entry` given the request's conditional and range headers. Takes ownership of
 * the entry's body: it is closed once the returned body (if any) has been read or destroyed.
 */
export function cachedResponse(entry: CacheEntry, conditions: MatchConditions, withBody = true): CachedResponse {
  const plan = planMatch(entry, conditions);
  const base = withoutHeaders(entry.headers, REPLACED);
  const { size } = entry;
  let out: CachedResponse;
  switch (plan.kind) {
    case "not-modified":
      out = { status: 304, statusText: "Not Modified", headers: [...base, HIT], body: null, size: 0 };
      break;
    case "unsatisfiable":
      out = { status: 416, statusText: "Range Not Satisfiable", headers: [["content-range", `bytes */${size}`], HIT], body: null, size: 0 };
      break;
    case "full": {
      const empty = isNullBodyStatus(entry.status);
      out = {
        status: entry.status,
        statusText: entry.statusText,
        headers: empty ? [...base, HIT] : [...base, ["content-length", String(size)], HIT],
        body: empty || !withBody ? null : entry.body.stream(),
        size: empty ? 0 : size,
      };
      break;
    }
    case "partial":
      out = plan.ranges.length === 1 ? singleRange(entry, base, plan.ranges[0], withBody) : multipleRanges(entry, base, plan.ranges, withBody);
      break;
  }
  // Streams made above keep the stored body open until they finish.
  entry.body.close();
  return out;
}

function singleRange(entry: CacheEntry, base: HeaderList, r: ByteRange, withBody: boolean): CachedResponse {
  const length = r.end - r.start;
  return {
    status: 206,
    statusText: "Partial Content",
    headers: [...base, ["content-range", `bytes ${r.start}-${r.end - 1}/${entry.size}`], ["content-length", String(length)], HIT],
    body: withBody ? entry.body.stream(r.start, r.end) : null,
    size: length,
  };
}

function multipleRanges(entry: CacheEntry, base: HeaderList, ranges: ByteRange[], withBody: boolean): CachedResponse {
  const boundary = randomBytes(16).toString("hex");
  const contentType = getHeader(entry.headers, "content-type");
  const heads = ranges.map((r) =>
    Buffer.from(
      `--${boundary}\r\n${contentType !== null ? `Content-Type: ${contentType}\r\n` : ""}` +
        `Content-Range: bytes ${r.start}-${r.end - 1}/${entry.size}\r\n\r\n`,
      "latin1",
    ),
  );
  const closing = Buffer.from(`--${boundary}--\r\n`);
  let size = closing.byteLength;
  ranges.forEach((r, i) => (size += heads[i].byteLength + (r.end - r.start) + CRLF.byteLength));
  let body: Readable | null = null;
  if (withBody) {
    const parts = ranges.map((r) => entry.body.stream(r.start, r.end));
    async function* multipart(): AsyncGenerator<Buffer> {
      for (let i = 0; i < parts.length; i++) {
        yield heads[i];
        for await (const chunk of parts[i]) yield chunk as Buffer;
        yield CRLF;
      }
      yield closing;
    }
    body = Readable.from(multipart(), { objectMode: false });
    // Also when destroyed before it was read at all: every part releases the stored body.
    body.once("close", () => {
      for (const p of parts) p.destroy();
    });
  }
  return {
    status: 206,
    statusText: "Partial Content",
    headers: [
      ...withoutHeaders(base, new Set(["content-type"])),
      ["content-type", `multipart/byteranges; boundary=${boundary}`],
      ["content-length", String(size)],
      HIT,
    ],
    body,
    size,
  };
}
