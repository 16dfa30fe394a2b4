// WebSockets through `atoll dev`, with a real `ws` client over loopback.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import WebSocket, { WebSocketServer } from "ws";
import { startWorker, type RunningDev } from "../support/worker.ts";

const worker = `
const sockets = new Set();
let lastClose = null;
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/last-close") return Response.json(lastClose);
    if (url.pathname === "/count") return new Response(String(sockets.size));
    if (url.pathname === "/no-accept") {
      const [client, server] = Object.values(new WebSocketPair());
      try { server.send("x"); } catch (e) { return new Response(e.name + ": " + e.message); }
      return new Response("sent");
    }
    if (url.pathname === "/101-without-socket") return new Response(null, { status: 101 });
    if (url.pathname === "/socket-without-101") {
      const [client] = Object.values(new WebSocketPair());
      try { return new Response(null, { status: 200, webSocket: client }); } catch (e) { return new Response(e.name + ": " + e.message); }
    }
    if (url.pathname === "/outbound") {
      const ws = new WebSocket(url.searchParams.get("target"));
      const reply = await new Promise((resolve, reject) => {
        ws.addEventListener("open", () => ws.send("hello upstream"));
        ws.addEventListener("message", (e) => resolve(e.data));
        ws.addEventListener("error", (e) => reject(new Error(e.message)));
      });
      ws.close(1000, "done");
      return new Response("upstream said: " + reply);
    }
    if (url.pathname === "/fetch-upgrade") {
      const res = await fetch(url.searchParams.get("target"), { headers: { Upgrade: "websocket" } });
      const ws = res.webSocket;
      ws.accept();
      const reply = new Promise((resolve) => ws.addEventListener("message", (e) => resolve(e.data)));
      ws.send("via fetch");
      const text = await reply;
      ws.close();
      return new Response(res.status + " " + text);
    }
    if (request.headers.get("upgrade") !== "websocket") return new Response("expected a websocket", { status: 426 });
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    sockets.add(server);
    server.addEventListener("message", (event) => {
      const data = event.data;
      if (typeof data === "string" && data.startsWith("broadcast:")) {
        for (const s of sockets) s.send(data.slice(10));
      } else if (data === "close-me") {
        server.close(4001, "asked to close");
      } else if (data === "spin") {
        while (true) {}
      } else {
        server.send(data);
      }
    });
    server.addEventListener("close", (event) => {
      sockets.delete(server);
      lastClose = { code: event.code, reason: event.reason, wasClean: event.wasClean };
    });
    return new Response(null, { status: 101, webSocket: client });
  },
};`;

let dev: RunningDev;
let upstream: WebSocketServer;
let upstreamUrl: string;

before(async () => {
  dev = await startWorker({ files: { "index.js": worker }, toml: `name = "ws"\nmain = "index.js"\n[limits]\ncpu_ms = 200\n` });
  upstream = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  upstream.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(isBinary ? data : `echo: ${data}`)));
  await once(upstream, "listening");
  upstreamUrl = `ws://127.0.0.1:${(upstream.address() as { port: number }).port}`;
});

after(async () => {
  await dev.stop();
  upstream.close();
});

const wsUrl = () => dev.url.replace("http", "ws") + "/ws";

async function open(): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl());
  await once(ws, "open");
  return ws;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once("message", (data, isBinary) => resolve({ data: data as Buffer, isBinary })));
}

test("echo of text and binary frames", async () => {
  const ws = await open();
  ws.send("hello");
  const text = await nextMessage(ws);
  assert.equal(text.isBinary, false);
  assert.equal(text.data.toString(), "hello");
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  ws.send(bytes);
  const bin = await nextMessage(ws);
  assert.equal(bin.isBinary, true);
  assert.deepEqual(bin.data, bytes);
  ws.close(1000);
  await once(ws, "close");
});

test("a large (1 MiB) message and 1000 messages arrive in order", async () => {
  const ws = await open();
  const big = Buffer.alloc(1024 * 1024, 7);
  ws.send(big);
  assert.equal((await nextMessage(ws)).data.length, big.length);
  const got: string[] = [];
  const done = new Promise<void>((resolve) =>
    ws.on("message", (d) => {
      got.push(d.toString());
      if (got.length === 1000) resolve();
    }),
  );
  for (let i = 0; i < 1000; i++) ws.send(`m${i}`);
  await done;
  assert.deepEqual(got, Array.from({ length: 1000 }, (_, i) => `m${i}`));
  ws.close();
  await once(ws, "close");
});

test("broadcast between sockets held by one worker", async () => {
  const a = await open();
  const b = await open();
  const fromB = nextMessage(b);
  const fromA = nextMessage(a);
  a.send("broadcast:to everyone");
  assert.equal((await fromA).data.toString(), "to everyone");
  assert.equal((await fromB).data.toString(), "to everyone");
  a.close();
  b.close();
  await Promise.all([once(a, "close"), once(b, "close")]);
});

test("close codes both ways, and the worker sees a client's disconnect", async () => {
  const ws = await open();
  ws.send("close-me");
  const [code, reason] = (await once(ws, "close")) as [number, Buffer];
  assert.equal(code, 4001);
  assert.equal(reason.toString(), "asked to close");

  const ws2 = await open();
  ws2.close(4002, "client leaving");
  await once(ws2, "close");
  let last = null as { code: number; reason: string; wasClean?: boolean } | null;
  for (let i = 0; i < 50 && last?.code !== 4002; i++) {
    last = (await (await fetch(`${dev.url}/last-close`)).json()) as typeof last;
    if (last?.code !== 4002) await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(last, { code: 4002, reason: "client leaving", wasClean: true });

  const ws3 = await open();
  ws3.terminate();
  for (let i = 0; i < 50 && last?.code !== 1006; i++) {
    last = (await (await fetch(`${dev.url}/last-close`)).json()) as typeof last;
    if (last?.code !== 1006) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(last?.code, 1006);
});

test("invalid use throws the documented TypeErrors", async () => {
  assert.equal(
    await (await fetch(`${dev.url}/no-accept`)).text(),
    "TypeError: You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.",
  );
  assert.equal(await (await fetch(`${dev.url}/socket-without-101`)).text(), "RangeError: Responses with a WebSocket must have status code 101.");
  const res = await fetch(`${dev.url}/101-without-socket`);
  assert.equal(res.status, 500);
});

test("outbound WebSockets: new WebSocket(url) and fetch with Upgrade", async () => {
  assert.equal(await (await fetch(`${dev.url}/outbound?target=${encodeURIComponent(upstreamUrl)}`)).text(), "upstream said: echo: hello upstream");
  assert.equal(
    await (await fetch(`${dev.url}/fetch-upgrade?target=${encodeURIComponent(upstreamUrl.replace("ws:", "http:"))}`)).text(),
    "101 echo: via fetch",
  );
});

test("when the isolate is discarded the client sees 1011", async () => {
  const ws = await open();
  ws.send("spin");
  const [code] = (await once(ws, "close")) as [number];
  assert.equal(code, 1011);
  // The worker serves again from a fresh isolate.
  assert.equal((await fetch(`${dev.url}/count`)).status, 200);
});
