// WebSocket upgrades: the request goes to the worker like any other; when it answers 101 with a
// webSocket, the handshake is completed with `ws` and frames flow between the client and the
// worker's socket. Any other answer is written back as a plain HTTP response.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { SocketPeer } from "../runtime/host-functions.ts";
import type { WorkerResponse } from "../runtime/worker-isolate.ts";

const chosenProtocol = new WeakMap<IncomingMessage, string>();
const handshakes = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  // Cloudflare's limit for a WebSocket message.
  maxPayload: 32 * 1024 * 1024,
  handleProtocols: (_offered, req) => chosenProtocol.get(req) ?? false,
});

/** Completes the handshake the worker accepted and connects the client to the worker's socket. */
export function acceptUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, response: WorkerResponse): Promise<void> {
  const protocol = response.headers.find(([k]) => k.toLowerCase() === "sec-websocket-protocol")?.[1];
  if (protocol) chosenProtocol.set(req, protocol.trim());
  return new Promise((resolve) => {
    handshakes.handleUpgrade(req, socket, head, (ws) => {
      const worker = response.webSocket!.connect(peerFor(ws));
      ws.on("message", (data, isBinary) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        worker.message(isBinary ? bytes : bytes.toString("utf8"));
      });
      ws.on("close", (code, reason) => worker.closed(code, reason.toString("utf8"), code !== 1006));
      ws.on("error", () => {});
      resolve();
    });
  });
}

function peerFor(ws: WebSocket): SocketPeer {
  return {
    send: (data) => ws.send(data),
    close: (code, reason) => {
      // 1005/1006 are never sent on the wire: they mean "no code" and "dropped".
      if (code === 1006) ws.terminate();
      else if (code === 1005) ws.close();
      else ws.close(code, reason);
    },
  };
}

/** Writes a non-101 answer to an upgrade request straight onto the socket. */
export async function writeRawResponse(socket: Duplex, response: WorkerResponse): Promise<void> {
  const chunks: Uint8Array[] = [];
  if (response.body instanceof Uint8Array) chunks.push(response.body);
  else if (response.body) for await (const chunk of response.body) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText}`];
  for (const [name, value] of response.headers) {
    if (!/^(content-length|transfer-encoding|connection)$/i.test(name)) lines.push(`${name}: ${value}`);
  }
  lines.push(`content-length: ${body.byteLength}`, "connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), body]));
}
