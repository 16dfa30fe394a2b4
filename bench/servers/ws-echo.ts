// The WebSocket baseline: a plain Node `http` server with the `ws` package (the root's, the one
// Atoll itself uses) echoing every message back as it came (text as text, binary as binary), no
// compression. Prints `Ready on URL`.
//
//   node bench/servers/ws-echo.ts [--port 0] [--ip 127.0.0.1]
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { WebSocketServer } from "ws";
import { serve } from "./serve.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, ip: { type: "string", default: "127.0.0.1" } } });
const server = createServer((_req, res) => {
  res.writeHead(426, { "content-type": "text/plain" });
  res.end("expected a websocket");
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
serve(server, Number(values.port), values.ip, () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close();
});
