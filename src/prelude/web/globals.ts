// The web globals, listed once: every export of this module becomes a global of that name
// (webGlobals in index.ts), and index.ts re-exports them by name for the other prelude modules.
// Every class of the WHATWG Streams standard (streams.ts exports exactly those, plus types).
export * from "./streams.ts";
export { IdentityTransformStream, FixedLengthStream } from "./identity-stream.ts";
export { TextEncoderStream, TextDecoderStream } from "./text-streams.ts";
export { CompressionStream, DecompressionStream } from "./compression.ts";
export { TextEncoder, TextDecoder } from "./encoding.ts";
export { DOMException } from "./dom-exception.ts";
export { atob, btoa } from "./base64.ts";
export { Event, EventTarget, CustomEvent, ErrorEvent, MessageEvent, CloseEvent, PromiseRejectionEvent } from "./events.ts";
export { Scheduler, scheduler, origin } from "./scheduler.ts";
export { AbortController, AbortSignal } from "./abort.ts";
export { URL, URLSearchParams, URLPattern } from "./url.ts";
export { queueMicrotask, reportError } from "./microtask.ts";
export { structuredClone } from "./structured-clone.ts";
export { Navigator, navigator, Performance, PerformanceEntry, performance } from "./navigator.ts";
