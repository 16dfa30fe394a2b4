// Runs one fetch event: builds the Request, calls the worker's handler, ships the Response.
import type { InboundEvent, SerializedError } from "../protocol/bridge.ts";
import { emit, requestEnded, requestStarted, serializeError, setCurrentRequest } from "./bridge.ts";
import { bodyForTransmit, createIncomingRequest, Response, responseHead } from "./fetch/index.ts";
import { AbortController, DOMException, ReadableStream } from "./web/index.ts";
import type { WorkerHandlers } from "./handlers.ts";
import { bindResponseSocket } from "./websocket.ts";

interface InFlight {
  bodyReads: Array<(e: Extract<InboundEvent, { t: "body" }>) => void>;
  responseReader?: ReadableStreamDefaultReader<unknown>;
  waitUntil: Promise<unknown>[];
  responded: boolean;
  abort?: AbortController;
}

const inFlight = new Map<number, InFlight>();

export class ExecutionContext {
  #state: InFlight;
  props: Record<string, unknown> = {};
  constructor(state: InFlight) {
    this.#state = state;
  }
  waitUntil(promise: unknown): void {
    this.#state.waitUntil.push(Promise.resolve(promise));
  }
  passThroughOnException(): void {
    // There is no origin behind a local worker: an exception still answers 1101.
  }
}

function requestBodyStream(id: number, state: InFlight): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        return new Promise<void>((resolve, reject) => {
          state.bodyReads.push((ev) => {
            if (ev.error) reject(new TypeError(ev.error));
            else if (ev.chunk === null) controller.close();
            else controller.enqueue(new Uint8Array(ev.chunk));
            resolve();
          });
          emit({ t: "read", id });
        });
      },
      cancel() {
        emit({ t: "cancelRead", id });
      },
    },
    { highWaterMark: 0 },
  ) as ReadableStream<Uint8Array>;
}

export function startFetch(ev: Extract<InboundEvent, { t: "request" }>, handlers: WorkerHandlers): void {
  const state: InFlight = { bodyReads: [], waitUntil: [], responded: false, abort: new AbortController() };
  inFlight.set(ev.id, state);
  requestStarted(ev.id);
  setCurrentRequest(ev.id);
  const ctx = new ExecutionContext(state);
  const run = async () => {
    const body = ev.body === null ? null : ev.body === "stream" ? requestBodyStream(ev.id, state) : new Uint8Array(ev.body);
    const request = createIncomingRequest({ method: ev.method, url: ev.url, headers: ev.headers, body, cf: ev.cf, signal: state.abort!.signal });
    return handlers.fetch(request as unknown as globalThis.Request, ctx);
  };
  run().then(
    (response) => respond(ev.id, state, response),
    (error) => fail(ev.id, state, "exception", serializeError(error)),
  );
}

function fail(id: number, state: InFlight, kind: "exception" | "bad-result" | "no-handler", error: SerializedError): void {
  state.responded = true;
  emit({ t: "fail", id, kind, error });
  settleWhenDone(id, state);
}

function respond(id: number, state: InFlight, response: unknown): void {
  if (!(response instanceof Response)) {
    const found = response === undefined ? "undefined" : response === null ? "null" : typeof response === "object" ? `an object (${(response as object).constructor?.name ?? "Object"})` : typeof response;
    fail(id, state, "bad-result", {
      name: "TypeError",
      message: `Incorrect type for Promise: the Promise did not resolve to 'Response' (the fetch handler returned ${found}).`,
    });
    return;
  }
  let body;
  try {
    body = bodyForTransmit(response);
  } catch (error) {
    fail(id, state, "exception", serializeError(error));
    return;
  }
  const { status, statusText, headers, encodeBody, webSocket } = responseHead(response);
  state.responded = true;
  if (webSocket) {
    let sid: number;
    try {
      sid = bindResponseSocket(webSocket, id);
    } catch (error) {
      fail(id, state, "exception", serializeError(error));
      return;
    }
    emit({ t: "head", id, status, statusText, headers, body: null, encodeBody, webSocket: sid });
    settleWhenDone(id, state);
  } else if (body === null) {
    emit({ t: "head", id, status, statusText, headers, body: null, encodeBody });
    settleWhenDone(id, state);
  } else if ("bytes" in body) {
    emit({ t: "head", id, status, statusText, headers, body: toArrayBuffer(body.bytes), encodeBody });
    settleWhenDone(id, state);
  } else {
    state.responseReader = body.stream.getReader() as unknown as ReadableStreamDefaultReader<unknown>;
    emit({ t: "head", id, status, statusText, headers, body: "stream", encodeBody });
  }
}

function toArrayBuffer(view: ArrayBufferView): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = view;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  return (buffer as ArrayBuffer).slice(byteOffset, byteOffset + byteLength);
}

/** The host wants the next response chunk. */
export function pullResponse(id: number): void {
  const state = inFlight.get(id);
  const reader = state?.responseReader;
  if (!state || !reader) return;
  setCurrentRequest(id);
  reader.read().then(
    ({ done, value }) => {
      if (done) {
        state.responseReader = undefined;
        emit({ t: "end", id });
        settleWhenDone(id, state);
      } else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const chunk = value instanceof ArrayBuffer ? value.slice(0) : toArrayBuffer(value);
        emit({ t: "chunk", id, chunk });
      } else {
        const error = new TypeError("This ReadableStream did not return bytes.");
        reader.cancel(error).catch(() => {});
        state.responseReader = undefined;
        emit({ t: "fail", id, kind: "exception", error: serializeError(error) });
        settleWhenDone(id, state);
      }
    },
    (error) => {
      state.responseReader = undefined;
      emit({ t: "fail", id, kind: "exception", error: serializeError(error) });
      settleWhenDone(id, state);
    },
  );
}

export function deliverBody(ev: Extract<InboundEvent, { t: "body" }>): void {
  const state = inFlight.get(ev.id);
  const next = state?.bodyReads.shift();
  if (next) {
    setCurrentRequest(ev.id);
    next(ev);
  }
}

/** The client went away. */
export function cancelRequest(id: number): void {
  const state = inFlight.get(id);
  if (!state) return;
  state.abort?.abort(new DOMException("The client disconnected.", "AbortError"));
  state.responseReader?.cancel(new Error("The client disconnected.")).catch(() => {});
  state.responseReader = undefined;
  for (const read of state.bodyReads.splice(0)) read({ t: "body", id, chunk: null, error: "The client disconnected." });
  settleWhenDone(id, state);
}

function settleWhenDone(id: number, state: InFlight): void {
  if (state.responseReader) return;
  // waitUntil may be called again while earlier promises settle; wait until the list is stable.
  const wait = async (): Promise<SerializedError[]> => {
    const errors: SerializedError[] = [];
    let seen = 0;
    while (seen < state.waitUntil.length) {
      const batch = state.waitUntil.slice(seen);
      seen = state.waitUntil.length;
      for (const r of await Promise.allSettled(batch)) if (r.status === "rejected") errors.push(serializeError(r.reason));
    }
    return errors;
  };
  wait().then((errors) => {
    if (!inFlight.has(id)) return;
    inFlight.delete(id);
    requestEnded(id);
    emit({ t: "settled", id, errors });
  });
}
