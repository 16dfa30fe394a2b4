// The `cloudflare:sockets` module: `connect(address, options)` opens an outbound TCP connection
// through the host (src/runtime/outbound-sockets.ts) and returns a Socket at once; the connection
// is made in the background (`opened`). Semantics and messages follow workerd's sockets.c++:
//   - `readable` is a byte stream; `writable` takes bytes (writes wait for the connection);
//   - without `allowHalfOpen`, the end of `readable` closes the write side and settles `closed`;
//   - `close()` flushes pending writes, ends both sides and resolves `closed`;
//   - `secureTransport: "on"` is TLS from the start; "starttls" allows one `startTls()`, which
//     retires this Socket (`upgraded`, `closed` resolves) and returns a new, TLS one.
// The module object is registered under Symbol.for("atoll.cloudflare:sockets") by index.ts.
import { callHost } from "./bridge.ts";
import { ReadableStream, URL, WritableStream } from "./web/index.ts";
import type { ReadableByteStreamController, WritableStreamDefaultController } from "./web/index.ts";

export interface SocketAddress {
  hostname: string;
  port: number;
}

export interface SocketOptions {
  secureTransport?: "off" | "on" | "starttls" | string;
  allowHalfOpen?: boolean;
  highWaterMark?: number | bigint;
}

export interface SocketInfo {
  remoteAddress?: string;
  localAddress?: string;
}

export interface TlsOptions {
  expectedServerHostname?: string;
}

type SecureTransport = "off" | "on" | "starttls";

function noop(): void {}

/** workerd's isValidHost: length and characters only. */
function isValidHost(host: string): boolean {
  return host.length > 0 && host.length <= 255 && /^[A-Za-z0-9\-._[\]:]+$/.test(host);
}

function parseAddress(address: unknown): { hostname: string; port: number; addressStr: string } {
  if (typeof address === "string") {
    let url: URL;
    try {
      url = new URL(`fake://${address}`);
    } catch {
      throw new TypeError("Specified address could not be parsed.");
    }
    if (url.hostname === "") throw new TypeError("Specified address is missing hostname.");
    if (url.port === "") throw new TypeError("Specified address is missing port.");
    if (!isValidHost(address)) {
      throw new TypeError("Specified address is empty string, contains unsupported characters or is too long.");
    }
    return { hostname: url.hostname, port: Number(url.port), addressStr: address };
  }
  if (address === null || typeof address !== "object") {
    throw new TypeError("Failed to execute 'connect': parameter 1 is not of type 'string or SocketAddress'.");
  }
  const { hostname, port } = address as Partial<SocketAddress>;
  if (hostname === undefined || port === undefined) {
    throw new TypeError("Failed to execute 'connect': parameter 1 is not of type 'string or SocketAddress'.");
  }
  const host = String(hostname);
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) {
    throw new TypeError("Failed to execute 'connect': the port is not a valid port number.");
  }
  const addressStr = `${host}:${portNumber}`;
  if (!isValidHost(addressStr)) {
    throw new TypeError("Specified address is empty string, contains unsupported characters or is too long.");
  }
  return { hostname: host, port: portNumber, addressStr };
}

function parseSecureTransport(value: unknown): SecureTransport {
  if (value === undefined) return "off";
  const v = String(value);
  if (v === "off" || v === "on" || v === "starttls") return v;
  throw new TypeError(`Unsupported value in secureTransport socket option: ${v}`);
}

function byteChunk(chunk: unknown): ArrayBuffer {
  if (chunk instanceof ArrayBuffer) return chunk.slice(0);
  if (ArrayBuffer.isView(chunk)) return chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer;
  throw new TypeError("This WritableStream only supports writing byte types.");
}

const CLOSED_WRITE = "This WritableStream has been closed.";

interface Wiring {
  /** The connection: resolves with the host handle, or rejects as `opened` does. */
  connection: Promise<number>;
  hostname: string;
  addressStr: string;
  secureTransport: SecureTransport;
  allowHalfOpen: boolean;
  highWaterMark: number | undefined;
}

let constructing = false;

export class Socket {
  #wiring: Wiring;
  #handle = 0;
  #readable: ReadableStream<Uint8Array>;
  #writable: WritableStream<BufferSource>;
  #readController: ReadableByteStreamController | null = null;
  #writeController: WritableStreamDefaultController | null = null;
  #opened: Promise<SocketInfo>;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  #rejectClosed!: (e: unknown) => void;
  #settled = false;
  #closing = false;
  #upgraded = false;
  #tlsStarted = false;
  #readEnded = false;
  #writeEnded = false;
  /** The last write in flight (close() and startTls() flush it first). */
  #lastWrite: Promise<unknown> = Promise.resolve();

  constructor(wiring: Wiring) {
    if (!constructing) throw new TypeError("Illegal constructor");
    constructing = false;
    this.#wiring = wiring;
    this.#closed = new Promise<void>((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
    this.#closed.catch(noop);
    this.#opened = wiring.connection.then(
      (handle) => {
        this.#handle = handle;
        this.#watchClosed(handle);
        return { remoteAddress: wiring.addressStr } as SocketInfo;
      },
      (error) => {
        this.#fail(error);
        throw error;
      },
    );
    this.#opened.catch(noop);
    this.#readable = this.#makeReadable();
    this.#writable = this.#makeWritable();
  }

  get readable(): ReadableStream<Uint8Array> {
    return this.#readable;
  }
  get writable(): WritableStream<BufferSource> {
    return this.#writable;
  }
  get opened(): Promise<SocketInfo> {
    return this.#opened;
  }
  get closed(): Promise<void> {
    return this.#closed;
  }
  get upgraded(): boolean {
    return this.#upgraded;
  }
  get secureTransport(): SecureTransport {
    return this.#wiring.secureTransport;
  }

  close(): Promise<void> {
    if (this.#closing || this.#settled) return this.#closed;
    this.#closing = true;
    void (async () => {
      try {
        await this.#opened;
      } catch {
        return; // the failure already settled `closed`
      }
      await this.#lastWrite.catch(noop);
      this.#endReadable();
      this.#errorWritable(new TypeError(CLOSED_WRITE));
      await callHost("socket.close", [this.#handle]).catch(noop);
      this.#settle();
    })();
    return this.#closed;
  }

  startTls(options?: TlsOptions): Socket {
    const w = this.#wiring;
    if (w.secureTransport === "on") throw new TypeError("Cannot startTls on a TLS socket.");
    if (this.#closing || this.#settled) throw new TypeError("The connection was closed before startTls could be started.");
    if (w.secureTransport !== "starttls") {
      throw new TypeError("The `secureTransport` socket option must be set to 'starttls' for startTls to be used.");
    }
    if (this.#tlsStarted) {
      throw new TypeError("startTls has already been called on this socket, or the socket was transferred over RPC.");
    }
    this.#tlsStarted = true;
    const expected = options?.expectedServerHostname;
    const servername = expected === undefined || expected === null ? w.hostname : String(expected);
    const connection = (async () => {
      await this.#opened;
      await this.#lastWrite.catch(noop);
      // This socket's streams are retired; its `closed` resolves (after `upgraded` is set).
      this.#upgraded = true;
      this.#endReadable();
      this.#errorWritable(new TypeError("The socket was upgraded to TLS with startTls()."));
      this.#settle();
      return (await callHost("socket.startTls", [this.#handle, servername])) as number;
    })();
    return makeSocket({ ...w, connection, secureTransport: "on" });
  }

  #makeReadable(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        type: "bytes",
        start: (controller) => {
          this.#readController = controller;
        },
        pull: async (controller) => {
          let chunk: ArrayBuffer | null;
          try {
            const handle = await this.#wiring.connection;
            if (this.#readEnded) return;
            chunk = (await callHost("socket.read", [handle])) as ArrayBuffer | null;
          } catch (error) {
            if (this.#readEnded) return;
            this.#readEnded = true;
            throw error;
          }
          if (this.#readEnded) return;
          if (chunk === null) {
            this.#readEnded = true;
            controller.close();
            controller.byobRequest?.respond(0);
            this.#onReadEof();
            return;
          }
          controller.enqueue(new Uint8Array(chunk));
        },
        cancel: () => {
          this.#readEnded = true;
        },
      },
      { highWaterMark: 0 },
    ) as ReadableStream<Uint8Array>;
  }

  #makeWritable(): WritableStream<BufferSource> {
    const hwm = this.#wiring.highWaterMark;
    return new WritableStream<BufferSource>(
      {
        start: (controller) => {
          this.#writeController = controller;
        },
        write: (chunk) => {
          const bytes = byteChunk(chunk);
          const write = (async () => {
            const handle = await this.#wiring.connection;
            if (this.#writeEnded) throw new TypeError(CLOSED_WRITE);
            if (bytes.byteLength > 0) await callHost("socket.write", [handle, bytes]);
          })();
          this.#lastWrite = write;
          return write;
        },
        close: async () => {
          const handle = await this.#wiring.connection;
          if (!this.#writeEnded) {
            this.#writeEnded = true;
            await callHost("socket.end", [handle]);
          }
          this.#maybeHalfClosed();
        },
        abort: async () => {
          this.#writeEnded = true;
          const handle = await this.#wiring.connection.catch(() => 0);
          if (handle) await callHost("socket.end", [handle]).catch(noop);
        },
      },
      hwm === undefined ? undefined : { highWaterMark: hwm, size: (c: BufferSource) => c.byteLength },
    ) as WritableStream<BufferSource>;
  }

  /** The peer ended its side: without allowHalfOpen, ours ends too (after pending writes). */
  #onReadEof(): void {
    if (this.#wiring.allowHalfOpen) {
      this.#maybeHalfClosed();
      return;
    }
    void (async () => {
      await this.#lastWrite.catch(noop);
      if (!this.#writeEnded) {
        this.#writeEnded = true;
        this.#errorWritable(new TypeError(CLOSED_WRITE));
        await callHost("socket.end", [this.#handle]).catch(noop);
      }
      this.#settle();
    })();
  }

  /** Both directions are done. */
  #maybeHalfClosed(): void {
    if (this.#readEnded && this.#writeEnded) this.#settle();
  }

  /** The host says the connection is gone. */
  #watchClosed(handle: number): void {
    callHost("socket.closed", [handle]).then(
      (error) => {
        if (this.#upgraded) return;
        if (error === null) this.#settle();
        else this.#fail(new Error(String(error)));
      },
      noop,
    );
  }

  #endReadable(): void {
    if (this.#readEnded) return;
    this.#readEnded = true;
    try {
      this.#readController?.close();
      this.#readController?.byobRequest?.respond(0);
    } catch {
      // already closed or errored
    }
  }

  #errorWritable(error: Error): void {
    this.#writeEnded = true;
    try {
      this.#writeController?.error(error);
    } catch {
      // already closed
    }
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolveClosed();
  }

  #fail(error: unknown): void {
    this.#readEnded = true;
    try {
      this.#readController?.error(error);
    } catch {
      // already closed
    }
    this.#errorWritable(error instanceof Error ? error : new Error(String(error)));
    if (this.#settled) return;
    this.#settled = true;
    this.#rejectClosed(error);
  }

  get [Symbol.toStringTag](): string {
    return "Socket";
  }
}

function makeSocket(wiring: Wiring): Socket {
  constructing = true;
  return new Socket(wiring);
}

export function connect(address: string | SocketAddress, options?: SocketOptions): Socket {
  const { hostname, port, addressStr } = parseAddress(address);
  const secureTransport = parseSecureTransport(options?.secureTransport);
  const allowHalfOpen = Boolean(options?.allowHalfOpen);
  const hwm = options?.highWaterMark;
  const connection = callHost("socket.connect", [{ hostname, port, tls: secureTransport === "on" }]) as Promise<number>;
  connection.catch(noop);
  return makeSocket({
    connection,
    hostname,
    addressStr,
    secureTransport,
    allowHalfOpen,
    highWaterMark: hwm === undefined ? undefined : Number(hwm),
  });
}

/** What `import ... from "cloudflare:sockets"` sees. */
export const socketsModule = { connect };
