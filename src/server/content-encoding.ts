// Cloudflare applies the Content-Encoding a response names (gzip, deflate, br) unless the worker
// says the body is already encoded (`encodeBody: "manual"`): a worker that proxies `fetch()` gets
// a decoded body with the upstream's Content-Encoding header, and the client must still get it
// encoded.
import { Readable } from "node:stream";
import { createBrotliCompress, createDeflate, createGzip } from "node:zlib";
import type { WorkerResponse } from "../runtime/worker-isolate.ts";

const encoders = {
  gzip: createGzip,
  deflate: createDeflate,
  br: createBrotliCompress,
} as const;

/** The response with its body encoded as its headers say, or unchanged. */
export function applyContentEncoding(response: WorkerResponse): WorkerResponse {
  if (response.encodeBody === "manual" || response.body === null) return response;
  const header = response.headers.find(([name]) => name.toLowerCase() === "content-encoding");
  const coding = header?.[1].trim().toLowerCase();
  if (!coding || !(coding in encoders)) return response;
  const encoder = encoders[coding as keyof typeof encoders]();
  const source = response.body instanceof Uint8Array ? Readable.from([response.body]) : Readable.from(response.body);
  source.on("error", (error) => encoder.destroy(error));
  source.pipe(encoder);
  return {
    ...response,
    // The encoded length is unknown until the end: send it chunked.
    headers: response.headers.filter(([name]) => name.toLowerCase() !== "content-length"),
    body: encoder,
  };
}
