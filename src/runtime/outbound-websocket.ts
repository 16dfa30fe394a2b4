// The host side of WebSockets a worker opens (`new WebSocket(url)`, `fetch` with Upgrade):
// a `ws` client on the host, connected to the isolate's socket. Each connection is a subrequest.
import WebSocket from "ws";
import type { WebSocketConnectInit } from "../protocol/bridge.ts";
import type { HostCallContext, HostFunctionTable } from "./host-functions.ts";

async function connect(ctx: HostCallContext, init: WebSocketConnectInit): Promise<{ protocol: string }> {
  ctx.countSubrequest();
  const headers: Record<string, string> = {};
  for (const [name, value] of init.headers) headers[name] = value;
  const client = new WebSocket(init.url, init.protocols, { headers, perMessageDeflate: false });
  const handle = ctx.handles.add(client, () => client.terminate());
  await new Promise<void>((resolve, reject) => {
    client.once("open", () => resolve());
    client.once("error", (error) => {
      ctx.handles.delete(handle);
      reject(new Error(`WebSocket connection to ${init.url} failed: ${error.message}`));
    });
    client.once("unexpected-response", (_req, res) => {
      ctx.handles.delete(handle);
      reject(new Error(`WebSocket connection to ${init.url} failed: the server answered ${res.statusCode} instead of 101.`));
    });
  });
  const socket = ctx.attachSocket(init.sid, {
    send: (data) => client.send(data),
    close: (code, reason) => client.close(code, reason),
  });
  client.on("message", (data, isBinary) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    socket.message(isBinary ? bytes : bytes.toString("utf8"));
  });
  client.on("close", (code, reason) => {
    ctx.handles.delete(handle);
    socket.closed(code, reason.toString("utf8"), code !== 1006);
  });
  return { protocol: client.protocol };
}

export const outboundWebSocketFunctions: HostFunctionTable = {
  "ws.connect": connect,
};
