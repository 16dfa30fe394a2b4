// Web platform globals that need no host I/O: streams, encoding, events, abort, URL, base64,
// structuredClone, navigator, performance. They are listed once, in globals.ts: each becomes a
// global of that name (`webGlobals`) and is exported by name here for the other prelude modules
// (fetch, crypto), next to a few helpers that are not globals.
import * as globals from "./globals.ts";

export * from "./globals.ts";
export { getExpectedLength } from "./identity-stream.ts";
export { resolveEncodingLabel } from "./encoding.ts";
export { decodeBase64, encodeBase64 } from "./base64.ts";
export { markTrusted, defineEventHandler } from "./events.ts";
export { signalAbort, addAbortAlgorithm } from "./abort.ts";
export type * from "./streams.ts";

export const webGlobals: Record<string, unknown> = { ...globals, self: globalThis };
