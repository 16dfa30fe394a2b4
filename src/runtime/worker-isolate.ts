// One V8 isolate running one worker version. The host drives it like an event loop: events
// (requests, body chunks, host-call results, timers) queue up and enter the isolate together in
// one asynchronous call, under a CPU timeout; the call returns everything the isolate wants from
// the host. User code therefore never runs on the host's event loop thread.
import ivm from "isolated-vm";
import { posix } from "node:path";
import { READY_SYMBOL, type HeaderList, type InboundEvent, type OutboundMessage, type SerializedError } from "../protocol/bridge.ts";
import { HandleTable, type HostCallContext, type HostServices, type HostSyncContext, type SocketPeer, type WorkerSocket } from "./host-functions.ts";
import { takeIsolate } from "./isolate-pool.ts";
import { serializeHostError } from "./serialize-error.ts";
import { errorResponse } from "./error-response.ts";
import { ResponseBody } from "./response-body.ts";
import { StackMapper } from "./source-maps.ts";
import { BUILTIN_MODULES, isBuiltinModule, type WorkerBundle } from "./worker-bundle.ts";

export interface WorkerLimits {
  /** CPU time per request, ms (Cloudflare default 30000). */
  cpuMs: number;
  /** Isolate heap, MB (Cloudflare: 128). */
  memoryMb: number;
  /** Subrequests per request (Cloudflare: 1000 on paid plans). */
  subrequests: number;
}

export interface IsolateOptions {
  name: string;
  bundle: WorkerBundle;
  /** Binding descriptors for `env` (see src/prelude/env.ts). */
  bindings: unknown[];
  limits: WorkerLimits;
  host: HostServices;
  log: WorkerLog;
}

export interface WorkerLog {
  /** Console output of the worker; `request` tags it with the request it belongs to. */
  console(level: string, text: string, request: RequestTag | undefined): void;
  /** An error the runtime reports about the worker (uncaught exception, limit exceeded). */
  error(text: string, request: RequestTag | undefined): void;
}

export interface RequestTag {
  method: string;
  url: string;
}

export interface WorkerRequest {
  method: string;
  url: string;
  headers: HeaderList;
  cf: Record<string, unknown>;
  /** Complete bytes, or a source read on demand (e.g. the Node request stream). */
  body: null | Uint8Array | AsyncIterable<Uint8Array>;
}

export interface WorkerResponse {
  status: number;
  statusText: string;
  headers: HeaderList;
  body: null | Uint8Array | AsyncIterable<Uint8Array>;
  /** "automatic": the server must apply the Content-Encoding named in `headers`. */
  encodeBody: "automatic" | "manual";
  /** A 101 response's WebSocket: the server accepts the client's upgrade, then connects it here. */
  webSocket?: { connect(peer: SocketPeer): WorkerSocket };
  /** Filled as the request runs: CPU time charged to it, in ms. */
  stats: { cpuMs: number };
}

/** Why an isolate was discarded. */
export type DiscardReason = "cpu" | "memory" | "crash" | "reload";

interface PendingRequest {
  id: number;
  tag: RequestTag;
  cpuMs: number;
  subrequests: number;
  stats: { cpuMs: number };
  respond(response: WorkerResponse): void;
  headSent: boolean;
  bodySource?: AsyncIterator<Uint8Array>;
  responseBody?: ResponseBody;
  graceTimer?: NodeJS.Timeout;
  settled: boolean;
  /** Open WebSockets this request owns: it is not finished while any is open. */
  sockets: number;
}

interface SocketState {
  peer: SocketPeer;
  requestId: number;
  workerClosed: boolean;
  peerClosed: boolean;
}

/** Cloudflare's limit for work after the response (ctx.waitUntil). */
const WAIT_UNTIL_GRACE_MS = 30_000;

export class WorkerIsolate {
  readonly options: IsolateOptions;
  #isolate!: ivm.Isolate;
  #context!: ivm.Context;
  #dispatch!: ivm.Reference<(events: ivm.Transferable) => OutboundMessage[]>;
  #recover!: ivm.Reference<() => OutboundMessage[]>;
  #queue: InboundEvent[] = [];
  #running = false;
  #kickScheduled = false;
  #requests = new Map<number, PendingRequest>();
  #timers = new Map<number, NodeJS.Timeout>();
  /** Which request made each host call still waiting for its result. */
  #callOwners = new Map<number, number>();
  /** WebSockets whose peer is on the host, by socket id. */
  #sockets = new Map<number, SocketState>();
  #handles = new HandleTable();
  /** `this` of synchronous host functions (see HostSyncFunction). */
  #syncContext: HostSyncContext = { worker: "", handles: this.#handles };
  #abort = new AbortController();
  #nextRequestId = 1;
  #stackMapper: StackMapper;
  #discarded: DiscardReason | undefined;
  /** Called once when the isolate is discarded (limits, crash); the owner replaces it. */
  onDiscard: ((reason: DiscardReason) => void) | undefined;

  constructor(options: IsolateOptions) {
    this.options = options;
    this.#syncContext.worker = options.name;
    this.#stackMapper = new StackMapper(options.bundle);
  }

  get discarded(): boolean {
    return this.#discarded !== undefined;
  }

  /** Requests that have not finished (response sent and waitUntil settled). */
  get inFlight(): number {
    return this.#requests.size;
  }

  /**
   * Creates the isolate from the prelude snapshot, then loads and evaluates the worker's modules,
   * running the event loop until they are done: top-level `await` may wait on host calls.
   */
  async start(): Promise<void> {
    const { limits } = this.options;
    const fresh = await takeIsolate(limits.memoryMb);
    this.#isolate = fresh.isolate;
    this.#context = fresh.context;
    this.#dispatch = fresh.dispatch as ivm.Reference<(events: ivm.Transferable) => OutboundMessage[]>;
    this.#recover = fresh.recover as ivm.Reference<() => OutboundMessage[]>;
    const init = fresh.init;
    const hostSync = new ivm.Callback((fn: string, args: unknown[]) => this.#callSync(fn, args));
    const setup = {
      bindings: this.options.bindings,
      serviceWorker: this.options.bundle.format === "service-worker",
      nodejsCompat: this.options.bundle.nodejsCompat ?? null,
    };
    await init.apply(undefined, [hostSync, new ivm.ExternalCopy(setup).copyInto()], { timeout: limits.cpuMs });
    const ready = new Promise<void>((resolve, reject) => (this.#startup = { resolve, reject }));
    try {
      await this.#evaluateModules(limits.cpuMs);
    } catch (error) {
      this.#startup = undefined;
      throw this.#startupError(error);
    }
    // Whatever module evaluation emitted (logs, host calls of a top-level await) goes out now.
    this.#flush = true;
    this.#kick();
    await ready;
  }

  #startup: { resolve(): void; reject(error: Error): void } | undefined;
  /** Enter the isolate even with no events, to collect what it emitted outside an entry. */
  #flush = false;
  #pendingCalls = 0;

  #startupError(error: unknown): Error {
    const raw = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    return new WorkerStartupError(`Uncaught ${this.#stackMapper.mapStack(raw)}`);
  }

  /** Compiles every module the entry needs, then evaluates a loader that hands its namespace to the prelude. */
  async #evaluateModules(timeout: number): Promise<void> {
    const { bundle } = this.options;
    const compiled = new Map<string, ivm.Module>();
    const names = new Map<ivm.Module, string>();
    const compile = async (name: string): Promise<ivm.Module> => {
      let module = compiled.get(name);
      if (module) return module;
      const source = bundle.modules.get(name);
      if (!source) throw new Error(`No such module "${name}".`);
      // No V8 code cache: measured on 240-310 KB bundles, consuming one costs about what compiling
      // does (most of the time is creating the literals and strings either way), and hashing the
      // source to find it costs more than it saves.
      module = await this.#isolate.compileModule(await this.#moduleCode(source), { filename: name });
      compiled.set(name, module);
      names.set(module, name);
      return module;
    };
    const loaderName = "atoll:loader";
    const loader = await this.#isolate.compileModule(
      `import * as worker from ${JSON.stringify("./" + bundle.main)};\nglobalThis[Symbol.for(${JSON.stringify(READY_SYMBOL)})](worker);\n`,
      { filename: loaderName },
    );
    names.set(loader, loaderName);
    await loader.instantiate(this.#context, async (specifier, referrer) => {
      const from = names.get(referrer) ?? bundle.main;
      const name = this.#resolve(specifier, from);
      return isBuiltinModule(name) ? await this.#builtinModule(name) : await compile(name);
    });
    await loader.evaluate({ timeout });
  }

  #resolve(specifier: string, from: string): string {
    if (isBuiltinModule(specifier)) return specifier;
    if (specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/")) {
      const name = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/^\/+/, "");
      if (this.options.bundle.modules.has(name)) return name;
    } else if (this.options.bundle.modules.has(specifier)) {
      return specifier;
    }
    throw new Error(`No such module "${specifier}".\n  imported from "${from}"`);
  }

  #builtins = new Map<string, Promise<ivm.Module>>();
  /** A `cloudflare:*` module (see BUILTIN_MODULES), compiled once per isolate. */
  #builtinModule(name: string): Promise<ivm.Module> {
    let module = this.#builtins.get(name);
    if (!module) {
      module = (async () => {
        const compiled = await this.#isolate.compileModule(BUILTIN_MODULES[name].source, { filename: name });
        await compiled.instantiate(this.#context, () => {
          throw new Error(`${name} imports nothing`);
        });
        return compiled;
      })();
      this.#builtins.set(name, module);
    }
    return module;
  }

  /** Text, data and wasm modules become a module that exports the value placed in a hidden table. */
  async #moduleCode(source: WorkerBundle["modules"] extends Map<string, infer M> ? M : never): Promise<string> {
    if (source.type === "esm") return source.code;
    const key = JSON.stringify(source.name);
    const value =
      source.type === "text"
        ? new ivm.ExternalCopy(source.text).copyInto()
        : new ivm.ExternalCopy(source.bytes.buffer.slice(source.bytes.byteOffset, source.bytes.byteOffset + source.bytes.byteLength)).copyInto();
    const make = source.type === "wasm" ? "new WebAssembly.Module($1)" : "$1";
    await this.#context.evalClosure(
      `const t = (globalThis[Symbol.for("atoll.moduleData")] ??= new Map()); t.set($0, ${make});`,
      [source.name, value],
      { arguments: { copy: true } },
    );
    return `const t = globalThis[Symbol.for("atoll.moduleData")]; const v = t.get(${key}); t.delete(${key}); export default v;`;
  }

  // ---- requests ----

  fetch(request: WorkerRequest): Promise<WorkerResponse> {
    return new Promise((resolve) => {
      const id = this.#nextRequestId++;
      const stats = { cpuMs: 0 };
      const pending: PendingRequest = {
        id,
        tag: { method: request.method, url: request.url },
        cpuMs: 0,
        subrequests: 0,
        stats,
        headSent: false,
        settled: false,
        sockets: 0,
        respond: (response) => {
          pending.headSent = true;
          resolve(response);
        },
      };
      if (this.#discarded) {
        pending.respond(errorResponse(this.#discarded === "crash" ? 1101 : 1102, stats));
        return;
      }
      this.#requests.set(id, pending);
      let body: ArrayBuffer | "stream" | null = null;
      if (request.body instanceof Uint8Array) body = toArrayBuffer(request.body);
      else if (request.body) {
        pending.bodySource = request.body[Symbol.asyncIterator]();
        body = "stream";
      }
      this.#enqueue({ t: "request", id, method: request.method, url: request.url, headers: request.headers, cf: request.cf, body });
    });
  }

  /** The client went away before the response finished. */
  cancel(response: WorkerResponse): void {
    for (const req of this.#requests.values()) {
      if (req.stats === response.stats) {
        this.#enqueue({ t: "cancel", id: req.id });
        req.responseBody?.finish(null);
      }
    }
  }

  #enqueue(event: InboundEvent): void {
    if (this.#discarded) return;
    this.#queue.push(event);
    this.#kick();
  }

  #kick(): void {
    if (this.#running || this.#kickScheduled || (this.#queue.length === 0 && !this.#flush) || this.#discarded) return;
    this.#kickScheduled = true;
    // setImmediate lets every event that arrives in this turn of the host loop join the batch.
    setImmediate(() => {
      this.#kickScheduled = false;
      void this.#runEntry();
    });
  }

  async #runEntry(): Promise<void> {
    if (this.#running || this.#discarded) return;
    const events = this.#queue;
    this.#queue = [];
    if (events.length === 0 && !this.#flush) return;
    this.#flush = false;
    this.#running = true;
    const charged = this.#chargedFor(events);
    let timeout = this.options.limits.cpuMs;
    for (const req of charged) timeout = Math.min(timeout, this.options.limits.cpuMs - req.cpuMs);
    const before = this.#isolate.cpuTime;
    let out: OutboundMessage[];
    try {
      out = (await this.#dispatch.apply(undefined, [eventsArgument(events)], {
        result: { copy: true },
        timeout: Math.max(1, Math.ceil(timeout)),
      })) as OutboundMessage[];
    } catch (error) {
      if (this.#startup) {
        this.#running = false;
        // A top-level await rejected or ran past the limit: the version fails to load.
        this.#startup.reject(this.#startupError(error));
        this.#startup = undefined;
        this.discard("reload");
        return;
      }
      const message = (error as Error).message ?? String(error);
      const reason: DiscardReason = /timed out/i.test(message) ? "cpu" : /memory limit|disposed/i.test(message) ? "memory" : "crash";
      if (reason === "crash" && !this.#isolate.isDisposed) {
        // An unhandled promise rejection (or a throw out of the prelude): as on Cloudflare it is
        // logged, and the isolate goes on. The entry's messages are still in its outbox.
        const owner = charged.size === 1 ? [...charged][0].tag : undefined;
        this.options.log.error(`Uncaught (in promise) ${this.#stackMapper.mapStack((error as Error).stack ?? message)}`, owner);
        try {
          const recovered = (await this.#recover.apply(undefined, [], { result: { copy: true }, timeout: 1000 })) as OutboundMessage[];
          this.#afterEntry(events, charged, before, recovered);
          return;
        } catch (recoverError) {
          this.#running = false;
          this.discard("crash", [...charged][0], (recoverError as Error).message);
          return;
        }
      }
      this.#running = false;
      const culprit = [...charged].find((r) => r.cpuMs + timeout >= this.options.limits.cpuMs) ?? [...charged][0];
      this.discard(reason, culprit, message);
      return;
    }
    this.#afterEntry(events, charged, before, out);
  }

  /** Charges an entry's CPU time, then handles what it returned. */
  #afterEntry(events: InboundEvent[], charged: Set<PendingRequest>, before: bigint, out: OutboundMessage[]): void {
    if (this.#discarded) {
      // Discarded while the entry ran (shutdown, or a limit hit elsewhere): nothing to deliver to.
      this.#running = false;
      return;
    }
    this.#forgetCalls(events);
    const spentMs = Number(this.#isolate.cpuTime - before) / 1e6;
    for (const req of charged) {
      req.cpuMs += spentMs;
      req.stats.cpuMs = req.cpuMs;
    }
    this.#running = false;
    this.#process(out);
    this.#kick();
    if (this.#startup && !this.#kickScheduled && this.#pendingCalls === 0 && this.#timers.size === 0) {
      this.#startup.reject(new WorkerStartupError("The worker's top-level await never settled: it waits on nothing the runtime can complete."));
      this.#startup = undefined;
      this.discard("reload");
    }
  }

  /**
   * The requests an entry's CPU time is charged to: those its events belong to. An event the
   * isolate could not attribute (work after an `await` while several requests interleave) makes
   * the entry count against every request in flight: the limit may fire early, never late.
   */
  #chargedFor(events: InboundEvent[]): Set<PendingRequest> {
    const charged = new Set<PendingRequest>();
    for (const ev of events) {
      const req = "id" in ev ? this.#requests.get(ev.id) : undefined;
      if (req) charged.add(req);
      else if (ev.t !== "ret" || this.#callOwners.get(ev.cid) === undefined) return new Set(this.#requests.values());
      else {
        const owner = this.#requests.get(this.#callOwners.get(ev.cid)!);
        if (owner) charged.add(owner);
        else return new Set(this.#requests.values());
      }
    }
    return charged;
  }

  #process(out: OutboundMessage[]): void {
    for (const message of out) {
      try {
        this.#handleMessage(message);
      } catch (error) {
        this.options.log.error(`internal error handling ${message.t}: ${(error as Error).stack}`, undefined);
      }
    }
  }

  #handleMessage(m: OutboundMessage): void {
    switch (m.t) {
      case "head": {
        const req = this.#requests.get(m.id);
        if (!req || req.headSent) return;
        let body: WorkerResponse["body"] = null;
        if (m.body instanceof ArrayBuffer) body = new Uint8Array(m.body);
        else if (m.body === "stream") {
          req.responseBody = new ResponseBody(() => this.#enqueue({ t: "pull", id: m.id }));
          body = req.responseBody;
        }
        const sid = m.webSocket;
        const webSocket = sid === undefined ? undefined : { connect: (peer: SocketPeer) => this.#attachSocket(sid, m.id, peer) };
        req.respond({ status: m.status, statusText: m.statusText, headers: m.headers, body, encodeBody: m.encodeBody, webSocket, stats: req.stats });
        return;
      }
      case "wsSend": {
        const socket = this.#sockets.get(m.sid);
        if (socket && !socket.peerClosed) socket.peer.send(typeof m.data === "string" ? m.data : new Uint8Array(m.data));
        return;
      }
      case "wsClose": {
        const socket = this.#sockets.get(m.sid);
        if (!socket) return;
        socket.workerClosed = true;
        if (!socket.peerClosed) socket.peer.close(m.code, m.reason);
        else this.#socketDone(m.sid, socket);
        return;
      }
      case "chunk":
        this.#requests.get(m.id)?.responseBody?.push(new Uint8Array(m.chunk));
        return;
      case "end":
        this.#requests.get(m.id)?.responseBody?.finish(null);
        return;
      case "fail": {
        const req = this.#requests.get(m.id);
        if (!req) return;
        const stack = this.#stackMapper.mapStack(m.error.stack ?? `${m.error.name}: ${m.error.message}`);
        this.options.log.error(m.kind === "exception" ? `Uncaught ${stack}` : stack, req.tag);
        if (!req.headSent) req.respond(errorResponse(1101, req.stats));
        else req.responseBody?.finish(new Error(`${m.error.name}: ${m.error.message}`));
        return;
      }
      case "read":
        void this.#readRequestBody(m.id);
        return;
      case "cancelRead": {
        const req = this.#requests.get(m.id);
        void req?.bodySource?.return?.();
        return;
      }
      case "call":
        void this.#callHost(m);
        return;
      case "timer": {
        const existing = this.#timers.get(m.tid);
        if (existing) clearTimeout(existing);
        this.#timers.delete(m.tid);
        if (m.ms >= 0) {
          this.#timers.set(
            m.tid,
            setTimeout(() => {
              this.#timers.delete(m.tid);
              this.#enqueue({ t: "timer", tid: m.tid, id: m.id });
            }, m.ms),
          );
        }
        return;
      }
      case "log": {
        const req = this.#requests.get(m.id);
        this.options.log.console(m.level, m.level === "error" ? this.#stackMapper.mapStack(m.text) : m.text, req?.tag);
        return;
      }
      case "ready":
        this.#startup?.resolve();
        this.#startup = undefined;
        return;
      case "settled": {
        const req = this.#requests.get(m.id);
        if (!req) return;
        for (const e of m.errors) this.options.log.error(`Uncaught (in waitUntil) ${this.#stackMapper.mapStack(e.stack ?? e.message)}`, req.tag);
        req.settled = true;
        this.#finishIfDone(req);
        return;
      }
    }
  }

  /** Connects socket `sid` of the isolate to a host peer; frames from the peer enter as events. */
  #attachSocket(sid: number, requestId: number, peer: SocketPeer): WorkerSocket {
    const state: SocketState = { peer, requestId, workerClosed: false, peerClosed: false };
    this.#sockets.set(sid, state);
    const req = this.#requests.get(requestId);
    if (req) req.sockets++;
    return {
      message: (data) => {
        if (state.peerClosed || this.#discarded) return;
        // Each message is a new event with its own CPU budget, as for a new request.
        const owner = this.#requests.get(requestId);
        if (owner) owner.cpuMs = 0;
        this.#enqueue({ t: "wsMessage", sid, id: requestId, data: typeof data === "string" ? data : toArrayBuffer(data) });
      },
      closed: (code, reason, wasClean) => {
        if (state.peerClosed) return;
        state.peerClosed = true;
        this.#enqueue({ t: "wsClosed", sid, id: requestId, code, reason, wasClean });
        if (state.workerClosed || !wasClean) this.#socketDone(sid, state);
      },
    };
  }

  #socketDone(sid: number, state: SocketState): void {
    if (!this.#sockets.delete(sid)) return;
    const req = this.#requests.get(state.requestId);
    if (req) {
      req.sockets--;
      this.#finishIfDone(req);
    }
  }

  #finishIfDone(req: PendingRequest): void {
    if (!req.settled || req.sockets > 0) return;
    if (req.responseBody && !req.responseBody.finished) return;
    clearTimeout(req.graceTimer);
    this.#requests.delete(req.id);
    this.options.host.releaseRequest(this.#handles, req.id);
  }

  async #readRequestBody(id: number): Promise<void> {
    const req = this.#requests.get(id);
    if (!req?.bodySource) {
      this.#enqueue({ t: "body", id, chunk: null });
      return;
    }
    try {
      const { done, value } = await req.bodySource.next();
      this.#enqueue({ t: "body", id, chunk: done ? null : toArrayBuffer(value) });
    } catch (error) {
      this.#enqueue({ t: "body", id, chunk: null, error: (error as Error).message });
    }
  }

  async #callHost(m: Extract<OutboundMessage, { t: "call" }>): Promise<void> {
    const fn = this.options.host.functions[m.fn];
    const req = this.#requests.get(m.id);
    if (req) this.#callOwners.set(m.cid, m.id);
    this.#pendingCalls++;
    const ctx: HostCallContext = {
      worker: this.options.name,
      requestId: m.id,
      handles: this.#handles,
      signal: this.#abort.signal,
      attachSocket: (sid, peer) => this.#attachSocket(sid, m.id, peer),
      countSubrequest: () => {
        // Unattributed calls count against every request in flight (over-count, never under).
        const counted = req ? [req] : [...this.#requests.values()];
        for (const r of counted) r.subrequests++;
        if (counted.some((r) => r.subrequests > this.options.limits.subrequests)) throw new Error("Too many subrequests.");
      },
    };
    try {
      if (!fn) throw new TypeError(`Atoll host function "${m.fn}" is not available.`);
      const value = await fn(ctx, ...m.args);
      this.#pendingCalls--;
      this.#enqueue({ t: "ret", cid: m.cid, ok: true, value });
    } catch (error) {
      this.#pendingCalls--;
      this.#enqueue({ t: "ret", cid: m.cid, ok: false, error: serializeHostError(error) });
    }
  }

  /** Forgets which request made a call once its result has entered the isolate. */
  #forgetCalls(events: InboundEvent[]): void {
    for (const ev of events) if (ev.t === "ret") this.#callOwners.delete(ev.cid);
  }

  #callSync(fn: string, args: unknown[]): unknown {
    const f = this.options.host.syncFunctions[fn];
    try {
      if (!f) throw new TypeError(`Atoll host function "${fn}" is not available.`);
      return f.apply(this.#syncContext, args);
    } catch (error) {
      throw new Error("__atoll:" + JSON.stringify(serializeHostError(error)));
    }
  }

  /**
   * Ends the isolate: every request still waiting gets Cloudflare's error (1102 for limits,
   * 1101 for a crash), timers and host handles are released, and the owner is told.
   */
  discard(reason: DiscardReason, culprit?: PendingRequest, detail?: string): void {
    if (this.#discarded) return;
    this.#discarded = reason;
    if (reason === "cpu") this.options.log.error("Worker exceeded CPU time limit.", culprit?.tag);
    else if (reason === "memory") this.options.log.error("Worker exceeded memory limit.", culprit?.tag);
    else if (reason === "crash") this.options.log.error(`Worker crashed: ${detail ?? "unknown error"}`, culprit?.tag);
    const code = reason === "crash" ? 1101 : 1102;
    for (const req of this.#requests.values()) {
      if (!req.headSent) req.respond(errorResponse(code, req.stats));
      req.responseBody?.finish(new Error("The worker's isolate was discarded."));
      clearTimeout(req.graceTimer);
    }
    this.#requests.clear();
    this.#closeSockets(1011, "The worker's isolate was discarded.");
    this.#queue = [];
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#abort.abort();
    this.#handles.clear();
    if (this.#isolate && !this.#isolate.isDisposed) this.#isolate.dispose();
    this.onDiscard?.(reason);
  }

  #closeSockets(code: number, reason: string): void {
    for (const socket of this.#sockets.values()) if (!socket.peerClosed) socket.peer.close(code, reason);
    this.#sockets.clear();
  }

  /** Stops the isolate once its in-flight requests are done (used when a new version replaces it). */
  retire(): void {
    const check = () => {
      if (this.#requests.size === 0 || this.#discarded) {
        if (!this.#discarded) {
          this.#discarded = "reload";
          for (const t of this.#timers.values()) clearTimeout(t);
          this.#abort.abort();
          this.#handles.clear();
          if (!this.#isolate.isDisposed) this.#isolate.dispose();
        }
        return;
      }
      setTimeout(check, 50).unref();
    };
    check();
  }

  /** Marks the response as sent: starts the waitUntil grace period. */
  responseSent(response: WorkerResponse): void {
    for (const req of this.#requests.values()) {
      if (req.stats !== response.stats) continue;
      this.#finishIfDone(req);
      if (this.#requests.has(req.id)) {
        req.graceTimer = setTimeout(() => {
          this.options.log.error("waitUntil() tasks did not complete within the allowed time after invocation end and have been cancelled.", req.tag);
          this.#requests.delete(req.id);
          this.options.host.releaseRequest(this.#handles, req.id);
        }, WAIT_UNTIL_GRACE_MS);
        req.graceTimer.unref();
      }
    }
  }

  get cpuTimeMs(): number {
    return Number(this.#isolate.cpuTime) / 1e6;
  }
}

/** The worker's modules could not be loaded: the message is the (source-mapped) reason. */
export class WorkerStartupError extends Error {}

/** The bytes as an ArrayBuffer the runtime may give away: the view's own buffer when it spans all of it. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = bytes.buffer as ArrayBuffer;
  // Node pools small Buffers in a shared ArrayBuffer: only a buffer the view fills alone is ours.
  if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && !(buffer as { resizable?: boolean }).resizable) return buffer;
  return buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/**
 * The events as the dispatch argument. Body bytes are transferred into the isolate rather than
 * copied, so a streamed body leaves no garbage on the host side.
 */
function eventsArgument(events: InboundEvent[]): ivm.Transferable {
  const transferList: ArrayBuffer[] = [];
  for (const ev of events) {
    if (ev.t === "body" && ev.chunk) transferList.push(ev.chunk);
    else if (ev.t === "request" && ev.body instanceof ArrayBuffer) transferList.push(ev.body);
  }
  if (transferList.length === 0) return new ivm.ExternalCopy(events).copyInto({ release: true });
  return new ivm.ExternalCopy(events, { transferList }).copyInto({ release: true, transferIn: true });
}

export type { SerializedError };
export { errorResponse };
