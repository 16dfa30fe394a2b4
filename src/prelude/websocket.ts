// WebSocket and WebSocketPair as workerd has them. Each socket's peer is either the other end of a
// local WebSocketPair or a connection on the host (a client that connected to this worker, or a
// server this worker connected to), known by a socket id. Frames to a host peer leave as
// `wsSend`/`wsClose` messages; frames from it arrive as `wsMessage`/`wsClose` events.
import type { InboundEvent, WebSocketConnectInit } from "../protocol/bridge.ts";
import { attributedRequestId, callHost, emit, setCurrentRequest } from "./bridge.ts";
import { Blob } from "./fetch/blob.ts";
import { CloseEvent, defineEventHandler, DOMException, ErrorEvent, Event, EventTarget, MessageEvent } from "./web/index.ts";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type Data = string | ArrayBuffer;
type Frame = { kind: "message"; data: Data } | { kind: "close"; code: number; reason: string; wasClean: boolean };

interface HostPeer {
  sid: number;
  requestId: number;
}

const hostSockets = new Map<number, WebSocket>();
let nextSocketId = 1;
const INTERNAL = Symbol("atoll.websocket");

function isHostPeer(peer: WebSocket | HostPeer | null): peer is HostPeer {
  return peer !== null && !(peer instanceof WebSocket);
}

function validCloseCode(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999) || (code >= 1001 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006);
}

export class WebSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;

  #state = OPEN;
  #accepted = false;
  #usedInResponse = false;
  #peer: WebSocket | HostPeer | null = null;
  #pending: Frame[] = [];
  #closeSent = false;
  #url: string | null = null;
  #protocol: string | null = null;
  binaryType: "arraybuffer" | "blob" = "arraybuffer";

  /** `new WebSocket(url, protocols)`: an outbound connection made through the host. */
  constructor(url: string | URL | typeof INTERNAL, protocols?: string | string[]) {
    super();
    if (url === INTERNAL) return;
    const href = new URL(String(url)).href;
    if (!/^wss?:/.test(href) && !/^https?:/.test(href)) {
      throw new SyntaxError(`Failed to construct 'WebSocket': The URL's scheme must be either 'http', 'https', 'ws', or 'wss'. '${href}' is not allowed.`);
    }
    this.#url = href;
    this.#state = CONNECTING;
    this.#accepted = true;
    const list = protocols === undefined ? [] : Array.isArray(protocols) ? protocols.map(String) : [String(protocols)];
    connectThroughHost(this, href.replace(/^http/, "ws"), [], list).then(
      (protocol) => {
        this.#protocol = protocol;
        this.#state = OPEN;
        this.dispatchEvent(new Event("open"));
      },
      (error: Error) => {
        this.#state = CLOSED;
        this.dispatchEvent(new ErrorEvent("error", { message: error.message, error }));
        this.dispatchEvent(new CloseEvent("close", { code: 1006, reason: "", wasClean: false }));
      },
    );
  }

  get readyState(): number {
    return this.#state;
  }
  get url(): string | null {
    return this.#url;
  }
  get protocol(): string | null {
    return this.#protocol;
  }
  get extensions(): string | null {
    return null;
  }

  /** Starts delivery of events (workerd's server-side sockets need it). */
  accept(): void {
    if (this.#usedInResponse) throw new TypeError("Can't accept() WebSocket that was already used in a response.");
    if (this.#accepted) return;
    this.#accepted = true;
    const pending = this.#pending.splice(0);
    for (const frame of pending) this.#receive(frame);
  }

  send(message: string | ArrayBuffer | ArrayBufferView | Blob): void {
    if (!this.#accepted) {
      throw new TypeError("You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.");
    }
    if (this.#closeSent) throw new TypeError("Can't call WebSocket send() after close().");
    if (this.#state === CONNECTING) throw new DOMException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", "InvalidStateError");
    let data: Data;
    if (typeof message === "string") data = message;
    else if (message instanceof ArrayBuffer) data = message.slice(0);
    else if (ArrayBuffer.isView(message)) data = (message.buffer as ArrayBuffer).slice(message.byteOffset, message.byteOffset + message.byteLength);
    else throw new TypeError("Failed to execute 'send' on 'WebSocket': The message must be a string, ArrayBuffer or ArrayBufferView.");
    this.#transmit({ kind: "message", data });
  }

  close(code?: number, reason?: string): void {
    if (!this.#accepted) {
      throw new TypeError("You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.");
    }
    if (code !== undefined && !validCloseCode(Number(code))) throw new TypeError(`Invalid WebSocket close code: ${code}.`);
    const text = reason === undefined ? "" : String(reason);
    if (new TextEncoder().encode(text).byteLength > 123) throw new TypeError("Invalid WebSocket close reason: it must be at most 123 bytes long.");
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#state = this.#state === CLOSED ? CLOSED : CLOSING;
    this.#transmit({ kind: "close", code: code === undefined ? 1005 : Number(code), reason: text, wasClean: true });
    if (this.#state === CLOSING && this.#peerClosed) this.#state = CLOSED;
  }

  #peerClosed = false;

  /** A frame this socket sends: to the local peer, or out to the host. */
  #transmit(frame: Frame): void {
    const peer = this.#peer;
    if (peer === null) return;
    if (isHostPeer(peer)) {
      if (frame.kind === "message") emit({ t: "wsSend", sid: peer.sid, data: frame.data });
      else emit({ t: "wsClose", sid: peer.sid, code: frame.code === 1005 ? 1000 : frame.code, reason: frame.reason });
      if (frame.kind === "close" && this.#peerClosed) hostSockets.delete(peer.sid);
      return;
    }
    // workerd delivers asynchronously, never inside the sender's call.
    queueMicrotask(() => peer.#receive(frame));
  }

  /** A frame arriving at this socket. */
  #receive(frame: Frame): void {
    if (!this.#accepted) {
      this.#pending.push(frame);
      return;
    }
    if (frame.kind === "message") {
      const data = typeof frame.data === "string" || this.binaryType === "arraybuffer" ? frame.data : new Blob([frame.data]);
      this.dispatchEvent(new MessageEvent("message", { data }));
      return;
    }
    this.#peerClosed = true;
    this.#state = this.#closeSent ? CLOSED : CLOSING;
    if (this.#closeSent && isHostPeer(this.#peer)) hostSockets.delete(this.#peer.sid);
    if (!frame.wasClean) this.dispatchEvent(new ErrorEvent("error", { message: "WebSocket disconnected without sending Close frame." }));
    this.dispatchEvent(new CloseEvent("close", { code: frame.code, reason: frame.reason, wasClean: frame.wasClean }));
  }

  static [INTERNAL] = {
    create: () => new WebSocket(INTERNAL),
    link(a: WebSocket, b: WebSocket) {
      a.#peer = b;
      b.#peer = a;
    },
    /**
     * `client` is leaving in a 101 response: its peer now talks to a host connection. Returns the
     * socket id the host uses for that connection.
     */
    bindResponse(client: WebSocket, requestId: number): number {
      if (client.#usedInResponse) throw new TypeError("Can't return WebSocket in a Response that was already used in a response.");
      if (client.#accepted) throw new TypeError("Can't return WebSocket in a Response after calling accept().");
      client.#usedInResponse = true;
      const server = client.#peer;
      const sid = nextSocketId++;
      if (server instanceof WebSocket) {
        server.#peer = { sid, requestId };
        hostSockets.set(sid, server);
        // Frames the server sent before the response left wait in the client's queue: send them on.
        for (const frame of client.#pending.splice(0)) server.#transmit(frame);
      }
      return sid;
    },
    attachHost(socket: WebSocket, sid: number, requestId: number) {
      socket.#peer = { sid, requestId };
      hostSockets.set(sid, socket);
    },
    deliver(sid: number, frame: Frame) {
      const socket = hostSockets.get(sid);
      if (socket) socket.#receive(frame);
    },
    markConnecting(socket: WebSocket) {
      socket.#state = CONNECTING;
    },
    open(socket: WebSocket, protocol: string) {
      socket.#protocol = protocol;
      socket.#state = OPEN;
    },
  };
}

for (const type of ["open", "message", "close", "error"]) defineEventHandler(WebSocket.prototype, type);

const internals = WebSocket[INTERNAL];
delete (WebSocket as unknown as Record<symbol, unknown>)[INTERNAL];

export class WebSocketPair {
  0: WebSocket;
  1: WebSocket;
  constructor() {
    const client = internals.create();
    const server = internals.create();
    internals.link(client, server);
    this[0] = client;
    this[1] = server;
  }
}

/** The socket id for a WebSocket leaving in a 101 response (see fetch-event.ts). */
export function bindResponseSocket(client: unknown, requestId: number): number {
  if (!(client instanceof WebSocket)) throw new TypeError("Response.webSocket must be a WebSocket.");
  return internals.bindResponse(client, requestId);
}

/** Opens an outbound connection for `socket`; resolves with the negotiated subprotocol. */
async function connectThroughHost(socket: WebSocket, url: string, headers: [string, string][], protocols: string[]): Promise<string> {
  const sid = nextSocketId++;
  const requestId = attributedRequestId();
  internals.attachHost(socket, sid, requestId);
  const init: WebSocketConnectInit = { sid, url, headers, protocols };
  const result = (await callHost("ws.connect", [init])) as { protocol: string };
  return result.protocol;
}

/** `fetch(url, { headers: { Upgrade: "websocket" } })`: a 101 response whose webSocket must be accepted. */
export async function fetchWebSocket(url: string, headers: [string, string][]): Promise<{ socket: WebSocket; protocol: string }> {
  const socket = internals.create();
  internals.markConnecting(socket);
  const protocols = headers.filter(([k]) => k.toLowerCase() === "sec-websocket-protocol").flatMap(([, v]) => v.split(",").map((p) => p.trim()));
  const rest = headers.filter(([k]) => !/^(upgrade|connection|sec-websocket-(key|version|extensions|protocol))$/i.test(k));
  const protocol = await connectThroughHost(socket, url.replace(/^http/, "ws"), rest, protocols);
  internals.open(socket, protocol);
  return { socket, protocol };
}

/** Host events for sockets. */
export function handleSocketEvent(ev: Extract<InboundEvent, { t: "wsMessage" | "wsClosed" }>): void {
  setCurrentRequest(ev.id);
  if (ev.t === "wsMessage") internals.deliver(ev.sid, { kind: "message", data: ev.data });
  else internals.deliver(ev.sid, { kind: "close", code: ev.code, reason: ev.reason, wasClean: ev.wasClean });
}
