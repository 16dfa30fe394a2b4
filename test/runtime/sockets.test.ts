// `cloudflare:sockets` connect() from a real `atoll dev` worker to local TCP servers on
// 127.0.0.1: echo, half-close, refused connections, argument errors, streaming a socket as a
// response body, and sockets closing when their request ends.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { listenOnLoopback } from "../support/loopback.ts";
import { startWorker, type RunningDev, getJson } from "../support/worker.ts";

let dev: RunningDev;
const servers: net.Server[] = [];
let echoPort = 0;
let greetPort = 0;
let halfPort = 0;
let watchPort = 0;
let refusedPort = 0;

/** What the half-close server received after it ended its own side, by connection. */
const afterEnd: string[] = [];
/** Resolves when the watch server sees a connection end; the worker never closes that socket. */
let watchClosed: Promise<void>;

function listen(handler: (s: net.Socket) => void, options: net.ServerOpts = {}): Promise<number> {
  const server = net.createServer(options, handler);
  servers.push(server);
  return listenOnLoopback(server);
}

const worker = `
import { connect } from "cloudflare:sockets";

const enc = new TextEncoder();
const dec = new TextDecoder();
const attempt = async (fn) => { try { return await fn(); } catch (e) { return "THREW " + e.name + ": " + e.message; } };
async function readAll(readable) { let s = ""; for await (const c of readable) s += dec.decode(c, { stream: true }); return s; }

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const port = Number(url.searchParams.get("port"));
    switch (url.pathname) {
      case "/echo": {
        const socket = connect({ hostname: "127.0.0.1", port });
        const writer = socket.writable.getWriter();
        // Written before the connection is open: it waits for it.
        const written = writer.write(enc.encode("hello "));
        const info = await socket.opened;
        await written;
        await writer.write(new Uint16Array([0x6f77, 0x6c72, 0x0064]).subarray(0, 2)); // "world" minus "d", as a view
        const reader = socket.readable.getReader();
        let got = "";
        while (got.length < 10) got += dec.decode((await reader.read()).value);
        const state = { upgraded: socket.upgraded, secureTransport: socket.secureTransport, same: socket.opened === socket.opened };
        const closing = socket.close();
        await socket.closed;
        await closing;
        return Response.json({ info, got, state, afterClose: await attempt(() => writer.write(enc.encode("x"))), readAfterClose: await reader.read() });
      }
      case "/string-address": {
        const socket = connect("127.0.0.1:" + port);
        const w = socket.writable.getWriter();
        await w.write(enc.encode("ping"));
        await w.close();
        const text = await readAll(socket.readable);
        await socket.closed;
        return new Response(text);
      }
      case "/dynamic": {
        const { connect: dynamicConnect } = await import("cloudflare:sockets");
        const socket = dynamicConnect({ hostname: "127.0.0.1", port });
        const text = await readAll(socket.readable);
        await socket.closed;
        return new Response(typeof dynamicConnect + " " + text);
      }
      case "/greeting": {
        // The server writes and closes: readable ends, the write side closes, closed resolves.
        const socket = connect({ hostname: "127.0.0.1", port });
        const text = await readAll(socket.readable);
        await socket.closed;
        return Response.json({ text, write: await attempt(() => socket.writable.getWriter().write(enc.encode("late"))) });
      }
      case "/half-open": {
        const socket = connect({ hostname: "127.0.0.1", port }, { allowHalfOpen: true });
        const text = await readAll(socket.readable);
        const w = socket.writable.getWriter();
        await w.write(enc.encode("after-eof"));
        await w.close();
        await socket.closed;
        return new Response(text);
      }
      case "/refused": {
        const socket = connect({ hostname: "127.0.0.1", port });
        const [opened, closed] = await Promise.allSettled([socket.opened, socket.closed]);
        return Response.json({
          opened: opened.status + ": " + opened.reason?.name + ": " + opened.reason?.message,
          closed: closed.status + ": " + closed.reason?.message,
          write: await attempt(() => socket.writable.getWriter().write(enc.encode("x"))),
          read: await attempt(() => socket.readable.getReader().read()),
          closeAgain: await attempt(() => socket.close()),
        });
      }
      case "/refused-http-port": {
        // Nothing listens on port 80 here (tests run unprivileged): workerd's hint about fetch.
        const socket = connect({ hostname: "127.0.0.1", port: 80 });
        return new Response(await attempt(() => socket.opened));
      }
      case "/arguments": {
        const errors = {};
        const bad = {
          noPort: "127.0.0.1",
          emptyHost: ":80",
          space: "a b:80",
          badChars: { hostname: "exa$mple.com", port: 80 },
          tooLong: { hostname: "a".repeat(300), port: 80 },
          badPort: { hostname: "example.com", port: 70000 },
          notObject: 42,
        };
        for (const [name, address] of Object.entries(bad)) errors[name] = await attempt(() => { connect(address); return "ok"; });
        errors.transport = await attempt(() => { connect("127.0.0.1:1", { secureTransport: "maybe" }); return "ok"; });
        const plain = connect({ hostname: "127.0.0.1", port });
        errors.startTlsOff = await attempt(() => plain.startTls());
        const tls = connect({ hostname: "127.0.0.1", port }, { secureTransport: "on" });
        errors.startTlsOn = await attempt(() => tls.startTls());
        const bytesOnly = connect({ hostname: "127.0.0.1", port });
        errors.stringChunk = await attempt(() => bytesOnly.writable.getWriter().write("text"));
        await Promise.allSettled([plain.close(), tls.close(), bytesOnly.close()]);
        return Response.json(errors);
      }
      case "/as-body": {
        // A socket's readable as the response body (the docs' gopher example).
        const socket = connect({ hostname: "127.0.0.1", port });
        const w = socket.writable.getWriter();
        await w.write(enc.encode(url.searchParams.get("say")));
        await w.close();
        return new Response(socket.readable, { headers: { "content-type": "text/plain" } });
      }
      case "/big": {
        const size = Number(url.searchParams.get("size"));
        const socket = connect({ hostname: "127.0.0.1", port });
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 0xff;
        const w = socket.writable.getWriter();
        const sending = (async () => { for (let at = 0; at < size; at += 65536) await w.write(data.subarray(at, at + 65536)); await w.close(); })();
        const reader = socket.readable.getReader();
        let n = 0, ok = true;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (let i = 0; i < value.length; i++) if (value[i] !== data[n + i]) ok = false;
          n += value.length;
        }
        await sending;
        await socket.closed;
        return Response.json({ n, ok });
      }
      case "/abandon": {
        // Never closed by the worker: the runtime closes it when the request ends.
        const socket = connect({ hostname: "127.0.0.1", port });
        await socket.opened;
        return new Response("left open");
      }
    }
    return new Response("no route", { status: 404 });
  },
};
`;

before(async () => {
  echoPort = await listen(
    (s) => {
      s.on("data", (d) => s.write(d));
      s.on("end", () => s.end());
      s.on("error", () => {});
    },
    { allowHalfOpen: true },
  );
  greetPort = await listen((s) => {
    s.on("error", () => {});
    s.end("greetings from the server\n");
  });
  halfPort = await listen(
    (s) => {
      let got = "";
      s.on("data", (d) => (got += d));
      s.on("end", () => {
        afterEnd.push(got);
        s.destroy();
      });
      s.on("error", () => {});
      s.end("server done; ");
    },
    { allowHalfOpen: true },
  );
  watchClosed = new Promise<void>((resolve) => {
    void listen((s) => {
      s.on("error", () => {});
      s.on("close", () => resolve());
      s.resume();
    }).then((p) => (watchPort = p));
  });
  while (watchPort === 0) await new Promise((r) => setTimeout(r, 10));
  // A port with nothing listening: bind, note it, close.
  refusedPort = await listen(() => {});
  await new Promise<void>((r) => servers.pop()!.close(() => r()));
  dev = await startWorker({ files: { "index.js": worker } });
});

after(async () => {
  await dev?.stop();
  for (const s of servers) s.close();
});

const json = (path: string) => getJson(dev, path);

test("echo: opened, write before and after opening, read, close", async () => {
  const r = await json(`/echo?port=${echoPort}`);
  assert.deepEqual(r.info, { remoteAddress: `127.0.0.1:${echoPort}` });
  assert.equal(r.got, "hello worl");
  assert.deepEqual(r.state, { upgraded: false, secureTransport: "off", same: true });
  assert.match(r.afterClose, /^THREW TypeError: /);
  assert.deepEqual(r.readAfterClose, { done: true });
});

test("a string address, and a dynamic import of cloudflare:sockets", async () => {
  assert.equal(await (await fetch(`${dev.url}/string-address?port=${echoPort}`)).text(), "ping");
  assert.equal(await (await fetch(`${dev.url}/dynamic?port=${greetPort}`)).text(), "function greetings from the server\n");
});

test("when the server closes, readable ends and closed resolves; the write side is closed too", async () => {
  const r = await json(`/greeting?port=${greetPort}`);
  assert.equal(r.text, "greetings from the server\n");
  assert.match(r.write, /^THREW TypeError: /);
});

test("allowHalfOpen: the worker can still write after the server ended its side", async () => {
  assert.equal(await (await fetch(`${dev.url}/half-open?port=${halfPort}`)).text(), "server done; ");
  // The write may reach the server just after the worker's response does: wait for it (bounded).
  for (let i = 0; i < 100 && afterEnd.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(afterEnd, ["after-eof"]);
});

test("a refused connection rejects opened and closed with workerd's error", async () => {
  const r = await json(`/refused?port=${refusedPort}`);
  const message = "proxy request failed, cannot connect to the specified address";
  assert.equal(r.opened, `rejected: Error: ${message}`);
  assert.equal(r.closed, `rejected: ${message}`);
  assert.equal(r.write, `THREW Error: ${message}`);
  assert.equal(r.read, `THREW Error: ${message}`);
  assert.equal(r.closeAgain, `THREW Error: ${message}`);
  assert.equal(
    await (await fetch(`${dev.url}/refused-http-port`)).text(),
    `THREW Error: ${message}. It looks like you might be trying to connect to a HTTP-based service — consider using fetch instead`,
  );
});

test("bad arguments throw workerd's TypeErrors", async () => {
  const r = await json(`/arguments?port=${echoPort}`);
  assert.deepEqual(r, {
    noPort: "THREW TypeError: Specified address is missing port.",
    emptyHost: "THREW TypeError: Specified address could not be parsed.",
    space: "THREW TypeError: Specified address could not be parsed.",
    badChars: "THREW TypeError: Specified address is empty string, contains unsupported characters or is too long.",
    tooLong: "THREW TypeError: Specified address is empty string, contains unsupported characters or is too long.",
    badPort: r.badPort,
    notObject: r.notObject,
    transport: "THREW TypeError: Unsupported value in secureTransport socket option: maybe",
    startTlsOff: "THREW TypeError: The `secureTransport` socket option must be set to 'starttls' for startTls to be used.",
    startTlsOn: "THREW TypeError: Cannot startTls on a TLS socket.",
    stringChunk: "THREW TypeError: This WritableStream only supports writing byte types.",
  });
  assert.match(r.badPort, /^THREW TypeError: /);
  assert.match(r.notObject, /^THREW TypeError: /);
});

test("a socket's readable streams out as a response body", async () => {
  const res = await fetch(`${dev.url}/as-body?port=${echoPort}&say=${encodeURIComponent("through the socket")}`);
  assert.equal(await res.text(), "through the socket");
});

test("a megabyte each way keeps its bytes and order", async () => {
  const size = 1024 * 1024 + 123;
  assert.deepEqual(await json(`/big?port=${echoPort}&size=${size}`), { n: size, ok: true });
});

test("a socket the worker leaves open is closed when its request ends", async () => {
  assert.equal(await (await fetch(`${dev.url}/abandon?port=${watchPort}`)).text(), "left open");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((r) => (timer = setTimeout(() => r("still open"), 20000)));
  assert.equal(await Promise.race([watchClosed.then(() => "closed"), timedOut]), "closed");
  clearTimeout(timer);
});

test("cloudflare:sockets resolves in a no_bundle worker too (the runtime's builtin modules)", async () => {
  const plain = await startWorker({
    toml: `name = "plain"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\nno_bundle = true\n`,
    files: {
      "index.js": `import { connect } from "cloudflare:sockets";
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async fetch() {
    const socket = connect("127.0.0.1:${greetPort}");
    let text = "";
    for await (const chunk of socket.readable) text += new TextDecoder().decode(chunk);
    return new Response(text.trim());
  }
}
`,
    },
  });
  try {
    assert.equal(await (await fetch(plain.url)).text(), "greetings from the server");
  } finally {
    await plain.stop();
  }
});
