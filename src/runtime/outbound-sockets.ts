// Host side of `cloudflare:sockets` (src/prelude/sockets.ts): outbound TCP (and TLS) connections.
//   socket.connect({ hostname, port, tls })   -> handle, once connected (TLS: once secure)
//   socket.read(handle)                       -> ArrayBuffer, or null at the end of the stream
//   socket.write(handle, ab)                  -> once the bytes are handed to the kernel
//   socket.end(handle)                        -> half-close (FIN) after what was written
//   socket.close(handle)                      -> destroy the connection
//   socket.closed(handle)                     -> resolves when the connection is gone (null, or an
//                                                error message); held open for the socket's life
//   socket.startTls(handle, hostname)         -> new handle of the same connection, now TLS
// Certificates are verified against Node's CA store (NODE_EXTRA_CA_CERTS adds to it). A socket
// belongs to the request that opened it and is closed when that request ends, as on Cloudflare.
import net from "node:net";
import tls from "node:tls";
import type { HandleTable, HostCallContext, HostFunctionTable } from "./host-functions.ts";

export interface SocketConnectInit {
  hostname: string;
  port: number;
  tls: boolean;
}

const NETWORK_LOST = "Network connection lost.";

/** A failed handshake, without Node's advice about its own flags. */
function tlsError(e: Error): Error {
  return new Error(`TLS handshake failed: ${e.message.replace(/; if the root CA is installed locally.*$/s, "")}`);
}

function connectError(port: number): Error {
  let message = "proxy request failed, cannot connect to the specified address";
  if (port === 80 || port === 443) {
    message += ". It looks like you might be trying to connect to a HTTP-based service — consider using fetch instead";
  }
  return new Error(message);
}

/** One connection: pull-based reads (paused mode, nothing read ahead of the isolate). */
class Channel {
  readonly socket: net.Socket;
  #ended = false;
  #error: Error | null = null;
  #detached = false;
  #wake: (() => void) | null = null;
  #closedWaiters: Array<(error: string | null) => void> = [];
  #closedResult: string | null | undefined;
  #onReadable = () => this.#poke();
  #onEnd = () => {
    this.#ended = true;
    this.#poke();
  };
  #onError = (e: Error) => {
    this.#error ??= e;
    this.#poke();
  };
  #onClose = () => {
    if (!this.#ended && !this.#error) this.#error = new Error("closed");
    this.#poke();
    this.#settleClosed(this.#error && !this.#ended ? NETWORK_LOST : null);
  };

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("readable", this.#onReadable);
    socket.on("end", this.#onEnd);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
  }

  #poke(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  #settleClosed(result: string | null): void {
    if (this.#closedResult !== undefined) return;
    this.#closedResult = result;
    for (const w of this.#closedWaiters.splice(0)) w(result);
  }

  async read(): Promise<ArrayBuffer | null> {
    for (;;) {
      if (this.#detached) return null;
      const chunk = this.socket.read() as Buffer | null;
      if (chunk !== null && chunk.byteLength > 0) {
        return chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer;
      }
      if (this.#ended || this.socket.readableEnded) return null;
      if (this.#error) throw new Error(NETWORK_LOST);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  write(bytes: Buffer): Promise<void> {
    if (this.#detached || this.socket.destroyed || this.socket.writableEnded) {
      return Promise.reject(new Error(NETWORK_LOST));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (error) => (error ? reject(new Error(NETWORK_LOST)) : resolve()));
    });
  }

  end(): Promise<void> {
    if (this.socket.writableEnded || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.end(() => resolve()));
  }

  closed(): Promise<string | null> {
    if (this.#closedResult !== undefined) return Promise.resolve(this.#closedResult);
    return new Promise((resolve) => this.#closedWaiters.push(resolve));
  }

  /** Stops using the socket (it goes on under TLS): pending and later reads end, closed() resolves. */
  detach(): void {
    this.#detached = true;
    this.socket.off("readable", this.#onReadable);
    this.socket.off("end", this.#onEnd);
    this.socket.off("error", this.#onError);
    this.socket.off("close", this.#onClose);
    this.#poke();
    this.#settleClosed(null);
  }

  get detached(): boolean {
    return this.#detached;
  }

  destroy(): void {
    if (!this.#detached && !this.socket.destroyed) this.socket.destroy();
    this.#settleClosed(null);
  }
}

// ---- per-request bookkeeping: a request's sockets close when it ends ----

const byRequest = new WeakMap<HandleTable, Map<number, Set<number>>>();

function register(ctx: HostCallContext, requestId: number, channel: Channel): number {
  const handles = ctx.handles;
  const handle: number = handles.add(channel, () => {
    channel.destroy();
    const set = byRequest.get(handles)?.get(requestId);
    set?.delete(handle);
    if (set && set.size === 0) byRequest.get(handles)!.delete(requestId);
  });
  let m = byRequest.get(handles);
  if (!m) byRequest.set(handles, (m = new Map()));
  let set = m.get(requestId);
  if (!set) m.set(requestId, (set = new Set()));
  set.add(handle);
  return handle;
}

/** Closes every socket a finished request left open. */
export function releaseRequestSockets(handles: HandleTable, requestId: number): void {
  const set = byRequest.get(handles)?.get(requestId);
  if (!set) return;
  byRequest.get(handles)!.delete(requestId);
  for (const h of set) handles.delete(h);
}

function channelOf(ctx: HostCallContext, handle: unknown): Channel {
  const c = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
  if (!(c instanceof Channel)) throw new Error(NETWORK_LOST);
  return c;
}

/** Resolves once `socket` is connected (or secure); rejects with `failure` otherwise. */
function whenOpen(socket: net.Socket, event: "connect" | "secureConnect", signal: AbortSignal, failure: (e: Error) => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off(event, onOpen);
      socket.off("error", onError);
      socket.off("close", onClose);
      signal.removeEventListener("abort", onAbort);
    };
    const onOpen = () => {
      cleanup();
      resolve();
    };
    const onError = (e: Error) => {
      cleanup();
      socket.destroy();
      reject(failure(e));
    };
    const onClose = () => onError(new Error("closed"));
    const onAbort = () => onError(new Error("aborted"));
    socket.once(event, onOpen);
    socket.once("error", onError);
    socket.once("close", onClose);
    signal.addEventListener("abort", onAbort);
  });
}

function validateInit(init: unknown): SocketConnectInit {
  const i = init as Partial<SocketConnectInit> | null;
  if (!i || typeof i.hostname !== "string" || typeof i.port !== "number" || !Number.isInteger(i.port) || i.port < 0 || i.port > 65535) {
    throw new TypeError("socket.connect: invalid address.");
  }
  return { hostname: i.hostname, port: i.port, tls: i.tls === true };
}

/** The name to present with SNI and check the certificate against (none for an IP address). */
function hostOf(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

export const outboundSocketFunctions: HostFunctionTable = {
  async "socket.connect"(ctx, rawInit: unknown): Promise<number> {
    const init = validateInit(rawInit);
    ctx.countSubrequest();
    const requestId = ctx.requestId;
    const host = hostOf(init.hostname);
    let socket: net.Socket;
    if (init.tls) {
      socket = tls.connect({ host, port: init.port, servername: net.isIP(host) ? undefined : host });
      await whenOpen(socket, "connect", ctx.signal, () => connectError(init.port));
      await whenOpen(socket, "secureConnect", ctx.signal, tlsError);
    } else {
      socket = net.connect({ host, port: init.port, allowHalfOpen: true });
      await whenOpen(socket, "connect", ctx.signal, () => connectError(init.port));
    }
    socket.setNoDelay(true);
    return register(ctx, requestId, new Channel(socket));
  },

  "socket.read"(ctx, handle: unknown): Promise<ArrayBuffer | null> {
    return channelOf(ctx, handle).read();
  },

  async "socket.write"(ctx, handle: unknown, chunk: unknown): Promise<void> {
    if (!(chunk instanceof ArrayBuffer)) throw new TypeError("socket.write: chunk must be an ArrayBuffer.");
    if (chunk.byteLength === 0) return;
    await channelOf(ctx, handle).write(Buffer.from(chunk));
  },

  async "socket.end"(ctx, handle: unknown): Promise<void> {
    const c = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
    if (c instanceof Channel) await c.end();
  },

  "socket.close"(ctx, handle: unknown): void {
    if (typeof handle === "number" && ctx.handles.get(handle) instanceof Channel) ctx.handles.delete(handle);
  },

  "socket.closed"(ctx, handle: unknown): Promise<string | null> {
    const c = typeof handle === "number" ? ctx.handles.get(handle) : undefined;
    return c instanceof Channel ? c.closed() : Promise.resolve(null);
  },

  async "socket.startTls"(ctx, handle: unknown, hostname: unknown): Promise<number> {
    const plain = channelOf(ctx, handle);
    if (typeof hostname !== "string") throw new TypeError("socket.startTls: invalid hostname.");
    const host = hostOf(hostname);
    // Find the request that owns the plain socket: the TLS one belongs to it too.
    let owner = ctx.requestId;
    for (const [requestId, set] of byRequest.get(ctx.handles) ?? []) if (set.has(handle as number)) owner = requestId;
    plain.detach();
    ctx.handles.delete(handle as number);
    const secure = tls.connect({ socket: plain.socket, servername: net.isIP(host) ? undefined : host, host });
    const channel = new Channel(secure);
    const secureHandle = register(ctx, owner, channel);
    try {
      await whenOpen(secure, "secureConnect", ctx.signal, tlsError);
    } catch (e) {
      ctx.handles.delete(secureHandle);
      throw e;
    }
    return secureHandle;
  },
};
