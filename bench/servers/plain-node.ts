// The baseline: a plain Node `http` server answering every request with the same response the
// hello worker gives through Atoll (same status, headers and body). Prints `Ready on URL`.
//
//   node bench/servers/plain-node.ts [--port 0] [--ip 127.0.0.1]
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { HELLO_BODY, HELLO_CONTENT_TYPE } from "../hello-response.ts";
import { serve } from "./serve.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, ip: { type: "string", default: "127.0.0.1" } } });
const body = Buffer.from(HELLO_BODY);
const server = createServer({ keepAliveTimeout: 5000, requestTimeout: 0 }, (_req, res) => {
  res.writeHead(200, { "content-type": HELLO_CONTENT_TYPE, "content-length": body.byteLength });
  res.end(body);
});
serve(server, Number(values.port), values.ip);
