// The isolate side of the bridge: collects outbound messages during one entry, routes inbound
// events, and turns host calls into promises. See src/protocol/bridge.ts.
import type { InboundEvent, OutboundMessage, SerializedError } from "../protocol/bridge.ts";

type SyncHost = (fn: string, args: unknown[]) => unknown;

let outbox: OutboundMessage[] = [];
let nextCallId = 1;
const pendingCalls = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
let hostSync: SyncHost | undefined;

/**
 * The request whose event is being handled now; 0 when unknown. V8 gives the prelude no way to
 * follow a request across `await`, so this is best effort: it is right while an event is handled
 * and in continuations of an entry whose events all belong to one request.
 */
export let currentRequestId = 0;
export function setCurrentRequest(id: number): void {
  currentRequestId = id;
}

const inFlightRequests = new Set<number>();
export function requestStarted(id: number): void {
  inFlightRequests.add(id);
}
export function requestEnded(id: number): void {
  inFlightRequests.delete(id);
}

/** The request to attribute work to: the current one, else the only request in flight, else 0. */
export function attributedRequestId(): number {
  if (currentRequestId !== 0) return currentRequestId;
  if (inFlightRequests.size === 1) for (const id of inFlightRequests) return id;
  return 0;
}

export function installHostSync(fn: SyncHost): void {
  hostSync = fn;
}

export function emit(message: OutboundMessage): void {
  outbox.push(message);
}

/**
 * Starts a new outbox for one entry into the isolate and returns it. The host copies the
 * returned array only after the entry's microtasks have run, so messages emitted by promise
 * continuations during this entry still land in it.
 */
export function beginEntry(): OutboundMessage[] {
  // Messages emitted outside any entry (while modules evaluate) wait in the current outbox and
  // go out with the first entry; an outbox already handed to the host is never reused.
  if (handedOut) outbox = [];
  handedOut = true;
  return outbox;
}
let handedOut = false;

/** Takes the messages emitted so far (for harnesses that drive the isolate step by step). */
export function drainOutbox(): OutboundMessage[] {
  const out = outbox;
  outbox = [];
  handedOut = false;
  return out;
}

/** Calls an asynchronous host function; args and result cross by structured copy. */
export function callHost(fn: string, args: unknown[], requestId = attributedRequestId()): Promise<unknown> {
  const cid = nextCallId++;
  return new Promise((resolve, reject) => {
    pendingCalls.set(cid, { resolve, reject });
    emit({ t: "call", cid, id: requestId, fn, args });
  });
}

/** Calls a synchronous host function (blocks the isolate until it returns). */
export function callHostSync(fn: string, args: unknown[]): unknown {
  if (!hostSync) throw new Error("host bridge not installed");
  try {
    return hostSync(fn, args);
  } catch (e) {
    throw reviveHostError(e);
  }
}

export function settleCall(event: Extract<InboundEvent, { t: "ret" }>): void {
  const pending = pendingCalls.get(event.cid);
  if (!pending) return;
  pendingCalls.delete(event.cid);
  if (event.ok) pending.resolve(event.value);
  else pending.reject(deserializeError(event.error));
}

const errorConstructors: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds an error thrown by the host inside the isolate, keeping its type and message. */
export function deserializeError(s: SerializedError): Error {
  const DOMExceptionCtor = (globalThis as { DOMException?: new (m: string, n: string) => Error }).DOMException;
  let err: Error;
  // DOMException first: WebCrypto throws DOMExceptions named like builtins ("SyntaxError").
  if (DOMExceptionCtor && s.props?.domException) err = new DOMExceptionCtor(s.message, s.name);
  else if (errorConstructors[s.name]) err = new errorConstructors[s.name](s.message);
  else {
    err = new Error(s.message);
    err.name = s.name;
  }
  if (s.props) for (const [k, v] of Object.entries(s.props)) if (k !== "domException") (err as unknown as Record<string, unknown>)[k] = v;
  return err;
}

// Sync callbacks throw a plain Error whose message is "<name>: <message>" when the host encodes it so.
function reviveHostError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const m = /^__atoll:(\{.*\})$/s.exec(e.message);
  if (!m) return e;
  try {
    return deserializeError(JSON.parse(m[1]) as SerializedError);
  } catch {
    return e;
  }
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: "Error", message: String(e) };
}
