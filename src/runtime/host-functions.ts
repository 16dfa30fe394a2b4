// The host side of bridge calls: each module that serves the isolate (outbound fetch, crypto,
// bindings) exports a table of named functions; the runtime merges them and looks calls up by name.

/** Per-isolate table of host objects the isolate refers to by number (open bodies, crypto keys). */
export class HandleTable {
  #next = 1;
  #items = new Map<number, { value: unknown; close?: () => void }>();
  add(value: unknown, close?: () => void): number {
    const id = this.#next++;
    this.#items.set(id, { value, close });
    return id;
  }
  get<T>(id: number): T | undefined {
    return this.#items.get(id)?.value as T | undefined;
  }
  delete(id: number): void {
    const item = this.#items.get(id);
    this.#items.delete(id);
    item?.close?.();
  }
  /** Closes everything (the isolate was discarded). */
  clear(): void {
    for (const id of [...this.#items.keys()]) this.delete(id);
  }
}

export interface HostCallContext {
  /** The worker's name (from config). */
  worker: string;
  /** The request the call was made for (0 when unknown). */
  requestId: number;
  /** Objects owned by this isolate; closed when it is discarded. */
  handles: HandleTable;
  /** Counts one subrequest against the request's limit; throws the Cloudflare error past it. */
  countSubrequest(): void;
  /** Aborted when the isolate is discarded. */
  signal: AbortSignal;
  /** Connects a host-side WebSocket peer to the isolate's socket `sid` (see WorkerSocket). */
  attachSocket(sid: number, peer: SocketPeer): WorkerSocket;
}

/** The host end of a WebSocket: where frames the worker sends go. */
export interface SocketPeer {
  send(data: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

/** What a host peer uses to send frames into the isolate. */
export interface WorkerSocket {
  message(data: string | Uint8Array): void;
  /** The host peer closed (wasClean false: the connection dropped without a close frame). */
  closed(code: number, reason: string, wasClean: boolean): void;
}

// Args and results are structured-cloneable values (ArrayBuffer for bytes).
export type HostFunction = (ctx: HostCallContext, ...args: any[]) => unknown;
export type HostFunctionTable = Record<string, HostFunction>;

/** Synchronous host functions block the isolate; keep them tiny (randomness, legacy decoding). */
export type HostSyncFunction = (...args: any[]) => unknown;

/** What a synchronous host function that declares `this` gets as `this`: the calling isolate. */
export interface HostSyncContext {
  worker: string;
  /** Objects owned by this isolate; closed when it is discarded. */
  handles: HandleTable;
}
export type HostSyncFunctionTable = Record<string, HostSyncFunction>;

/** Everything the host offers one worker's isolate. */
export interface HostServices {
  functions: HostFunctionTable;
  syncFunctions: HostSyncFunctionTable;
  /** A request finished (response sent, waitUntil settled): release what it still holds open. */
  releaseRequest(handles: HandleTable, requestId: number): void;
}
