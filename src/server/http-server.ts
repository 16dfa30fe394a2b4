// The HTTP front door: turns Node requests into WorkerRequests and streams WorkerResponses back,
// with backpressure both ways and Cloudflare's request body limit.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import type { HeaderList } from "../protocol/bridge.ts";
import type { Logger } from "../observability/logger.ts";
import type { Worker } from "../runtime/worker.ts";
import type { WorkerRequest, WorkerResponse } from "../runtime/worker-isolate.ts";
import { applyContentEncoding } from "./content-encoding.ts";
import type { RouteTable } from "./route-table.ts";
import { localCf } from "./request-cf.ts";
import { acceptUpgrade, writeRawResponse } from "./websocket-upgrade.ts";

/** Bodies up to this size are read whole and handed over inline; larger ones stream. */
const INLINE_BODY_BYTES = 64 * 1024;
/** Cloudflare's request body limit (Free and Pro plans). */
export const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

export interface HttpServerOptions {
  /** Serves every request no route claims. */
  worker: Worker;
  /** Workers with route patterns (`atoll dev` with several configs): matched by host and path first. */
  routes?: RouteTable<Worker>;
  logger: Logger;
  maxBodyBytes?: number;
}

export function createHttpServer(options: HttpServerOptions): Server {
  const server = createServer({ keepAliveTimeout: 5000, requestTimeout: 0 }, (req, res) => {
    handle(options, req, res).catch((error) => {
      options.logger.error(`request failed: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain; charset=UTF-8" });
        res.end(`Atoll could not run the worker: ${(error as Error).message}`);
      } else res.destroy();
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    handleUpgrade(options, req, socket, head).catch((error) => {
      options.logger.error(`upgrade failed: ${(error as Error).stack ?? error}`);
      socket.destroy();
    });
  });
  return server;
}

/** The worker whose route matches the request's host and path, else the default one. */
function workerFor(options: HttpServerOptions, req: IncomingMessage): Worker {
  if (!options.routes?.size) return options.worker;
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  return options.routes.match(host, req.url ?? "/") ?? options.worker;
}

async function handleUpgrade(options: HttpServerOptions, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const started = performance.now();
  const worker = workerFor(options, req);
  const response = await worker.fetch(toWorkerRequest(req, null));
  if (response.status === 101 && response.webSocket) await acceptUpgrade(req, socket, head, response);
  else await writeRawResponse(socket, response);
  worker.responseSent(response);
  options.logger.request(worker.name, req.method ?? "GET", req.url ?? "/", response.status, response.statusText, performance.now() - started, response.stats.cpuMs);
}

function toWorkerRequest(req: IncomingMessage, body: WorkerRequest["body"]): WorkerRequest {
  const headers: HeaderList = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return { method: req.method ?? "GET", url: `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, headers, cf: localCf(req), body };
}

export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  server.listen(port, host);
  await once(server, "listening");
  return server.address() as AddressInfo;
}

async function handle(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const maxBody = options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES;
  const method = req.method ?? "GET";
  const worker = workerFor(options, req);

  const declared = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
  if (declared !== undefined && declared > maxBody) {
    req.resume();
    res.writeHead(413, { "content-type": "text/plain; charset=UTF-8", connection: "close" });
    res.end("error code: 413");
    options.logger.request(worker.name, method, req.url ?? "/", 413, "Payload Too Large", performance.now() - started, 0);
    return;
  }

  let body: Uint8Array | AsyncIterable<Uint8Array> | null = null;
  const hasBody = method !== "GET" && method !== "HEAD" && (declared !== undefined ? declared > 0 : req.headers["transfer-encoding"] !== undefined);
  if (hasBody) {
    if (declared !== undefined && declared <= INLINE_BODY_BYTES) body = await readWhole(req);
    else body = limitedBody(req, maxBody);
  }

  const response = await worker.fetch(toWorkerRequest(req, body));
  await send(worker, req, res, response, applyContentEncoding(response));
  options.logger.request(worker.name, method, req.url ?? "/", response.status, response.statusText, performance.now() - started, response.stats.cpuMs);
}

async function readWhole(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The request body as chunks, failing past `max` bytes (the worker then sees a stream error). */
async function* limitedBody(req: IncomingMessage, max: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).byteLength;
    if (total > max) {
      req.destroy();
      throw new Error(`Request body exceeds the ${max}-byte limit.`);
    }
    yield chunk as Buffer;
  }
}

/** Sends `encoded` (the response after Content-Encoding); `response` is what the worker knows. */
async function send(worker: Worker, req: IncomingMessage, res: ServerResponse, response: WorkerResponse, encoded: WorkerResponse): Promise<void> {
  const flat: string[] = [];
  let hasLength = false;
  for (const [name, value] of encoded.headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === "content-length") hasLength = true;
    flat.push(name, value);
  }
  // A body known whole goes out with its length, as Cloudflare sends it.
  if (!hasLength && encoded.body instanceof Uint8Array) flat.push("content-length", String(encoded.body.byteLength));
  res.writeHead(response.status, response.statusText, flat);
  const body = encoded.body;
  if (body === null || req.method === "HEAD") {
    res.end();
    if (body && !(body instanceof Uint8Array)) worker.cancel(response);
    worker.responseSent(response);
    return;
  }
  if (body instanceof Uint8Array) {
    res.end(body);
    worker.responseSent(response);
    return;
  }
  let clientGone = false;
  const onClose = () => {
    if (!res.writableFinished) {
      clientGone = true;
      worker.cancel(response);
    }
  };
  res.on("close", onClose);
  try {
    for await (const chunk of body) {
      if (clientGone) break;
      if (!res.write(chunk)) await drained(res);
    }
    res.end();
  } catch (error) {
    // The body failed after the head was sent: all we can do is cut the connection.
    res.destroy(error as Error);
  } finally {
    res.off("close", onClose);
    worker.responseSent(response);
  }
}

/** Resolves when `res` can take more, or is closed; leaves no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
