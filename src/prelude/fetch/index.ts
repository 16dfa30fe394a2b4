// Fetch API globals: Headers, Request, Response, Blob, File, FormData, fetch; plus the runtime's
// entry points for requests it receives (createIncomingRequest) and responses it sends
// (bodyForTransmit). See README.md.
import type { ReadableStream } from "../web/index.ts";
import { Blob, File } from "./blob.ts";
import { bodyState, transmitBody } from "./body.ts";
import { fetch } from "./fetch.ts";
import { FormData } from "./form-data.ts";
import { Headers, headerList } from "./headers.ts";
import { Request, createIncomingRequest } from "./request.ts";
import { Response, responseData } from "./response.ts";

export { Blob, File, FormData, Headers, Request, Response, fetch, createIncomingRequest, headerList };
export type { IncomingRequestInit } from "./request.ts";

export const fetchGlobals: Record<string, unknown> = {
  Headers,
  Request,
  Response,
  Blob,
  File,
  FormData,
  fetch,
};

/**
 * The body to send for a Request/Response: null (no body), `bytes` for an untouched
 * string/buffer/Blob/FormData/URLSearchParams body (no stream is created; the Uint8Array is
 * exactly sized and exclusively the caller's, safe to transfer), else the stream to pump.
 * Marks the body used; throws TypeError if it was already used.
 */
export function bodyForTransmit(
  r: Request | Response | object,
): null | { bytes: Uint8Array } | { stream: ReadableStream<Uint8Array> } {
  if (!(r instanceof Request) && !(r instanceof Response)) throw new TypeError("Not a Request or Response.");
  return transmitBody(bodyState(r));
}

/** What the runtime needs to send a Response head (status, text, header pairs, encodeBody). */
export function responseHead(r: Response | object): {
  status: number;
  statusText: string;
  headers: [string, string][];
  encodeBody: "automatic" | "manual";
  webSocket: unknown;
} {
  if (!(r instanceof Response)) throw new TypeError("Not a Response.");
  const d = responseData(r);
  return {
    status: d.status,
    statusText: r.statusText,
    headers: headerList(d.headers),
    encodeBody: d.encodeBody,
    webSocket: d.webSocket,
  };
}
