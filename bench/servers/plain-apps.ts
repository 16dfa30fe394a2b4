// The plain Node baseline of `json`, `big`, `cpu` and `noisy`: the routes of APPS_WORKER
// (bench/apps.ts) with the same handler functions, on a node:http server; the upload is hashed with
// node:crypto as it streams in. Prints `Ready on URL`.
//
//   node bench/servers/plain-apps.ts [--port 0] [--ip 127.0.0.1]
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { bigBody, jsonPayload, spin } from "../apps.ts";
import { serve } from "./serve.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, ip: { type: "string", default: "127.0.0.1" } } });
const big = Buffer.from(bigBody());
const hello = Buffer.from("Hello World!");
const send = (res: import("node:http").ServerResponse, type: string, body: Buffer) => {
  res.writeHead(200, { "content-type": type, "content-length": body.byteLength });
  res.end(body);
};
const server = createServer({ keepAliveTimeout: 5000, requestTimeout: 0 }, (req, res) => {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  switch (url.pathname) {
    case "/json":
      return send(res, "application/json", Buffer.from(jsonPayload(url.href, req.headers["user-agent"] ?? "", req.headers.accept ?? "")));
    case "/big":
      return send(res, "application/octet-stream", big);
    case "/upload": {
      const hash = createHash("sha256");
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.byteLength;
      });
      req.on("end", () => send(res, "text/plain;charset=UTF-8", Buffer.from(`${size} ${hash.digest("hex")}`)));
      return;
    }
    case "/cpu":
    case "/noisy":
      return send(res, "text/plain;charset=UTF-8", Buffer.from(String(spin(Number(url.searchParams.get("n"))))));
    default:
      return send(res, "text/plain;charset=UTF-8", hello);
  }
});
serve(server, Number(values.port), values.ip);
