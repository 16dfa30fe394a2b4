// `cloudflare:sockets` with TLS: secureTransport "on" and "starttls" + startTls() against local
// node:tls servers. The certificates come from a throwaway CA made here with `openssl`; `atoll dev`
// trusts it through Node's standard NODE_EXTRA_CA_CERTS (nothing test-only in the runtime).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { listenOnLoopback } from "../support/loopback.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { startWorker, type RunningDev, getJson } from "../support/worker.ts";

let openssl = true;
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
} catch {
  openssl = false;
}
const skip = openssl ? false : "openssl is not available to make test certificates";

let dev: RunningDev;
let certDir = "";
const servers: net.Server[] = [];
let tlsPort = 0;
let untrustedPort = 0;
let starttlsPort = 0;

/** A CA, a leaf for localhost/127.0.0.1 signed by it, and an unrelated self-signed leaf. */
function makeCertificates(dir: string): { ca: string; key: string; cert: string; otherKey: string; otherCert: string } {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  run("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Atoll Test CA");
  run("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  writeFileSync(join(dir, "leaf.ext"), "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
  run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "leaf.ext");
  run("req", "-x509", ...ec, "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return { ca: join(dir, "ca.pem"), key: read("server.key"), cert: read("server.pem"), otherKey: read("other.key"), otherCert: read("other.pem") };
}

function listening(server: net.Server): Promise<number> {
  servers.push(server);
  return listenOnLoopback(server);
}

const worker = `
import { connect } from "cloudflare:sockets";
const enc = new TextEncoder();
const dec = new TextDecoder();
const attempt = async (fn) => { try { return await fn(); } catch (e) { return "THREW " + e.name + ": " + e.message; } };

async function readLine(reader, state) {
  for (;;) {
    const i = state.buf.indexOf("\\n");
    if (i >= 0) { const line = state.buf.slice(0, i + 1); state.buf = state.buf.slice(i + 1); return line; }
    const { done, value } = await reader.read();
    if (done) return state.buf;
    state.buf += dec.decode(value);
  }
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const port = Number(url.searchParams.get("port"));
    const hostname = url.searchParams.get("host") ?? "localhost";
    switch (url.pathname) {
      case "/tls": {
        const socket = connect({ hostname, port }, { secureTransport: "on" });
        const w = socket.writable.getWriter();
        await w.write(enc.encode("secret\\n"));
        const reader = socket.readable.getReader();
        const line = await readLine(reader, { buf: "" });
        await socket.close();
        return Response.json({ line, info: await socket.opened, secureTransport: socket.secureTransport });
      }
      case "/untrusted": {
        const socket = connect({ hostname, port }, { secureTransport: "on" });
        return new Response(await attempt(() => socket.opened));
      }
      case "/starttls": {
        const socket = connect({ hostname, port }, { secureTransport: "starttls" });
        const state = { buf: "" };
        const reader = socket.readable.getReader();
        const writer = socket.writable.getWriter();
        const greeting = await readLine(reader, state);
        await writer.write(enc.encode("STARTTLS\\n"));
        const go = await readLine(reader, state);
        reader.releaseLock();
        writer.releaseLock();
        const secure = socket.startTls();
        const again = await attempt(() => socket.startTls());
        const info = await secure.opened;
        const w2 = secure.writable.getWriter();
        await w2.write(enc.encode("over tls\\n"));
        const reply = await readLine(secure.readable.getReader(), { buf: "" });
        await socket.closed;
        await secure.close();
        return Response.json({
          greeting, go, reply, info, again,
          old: { upgraded: socket.upgraded, secureTransport: socket.secureTransport },
          secure: { upgraded: secure.upgraded, secureTransport: secure.secureTransport },
        });
      }
    }
    return new Response("no route", { status: 404 });
  },
};
`;

before(async () => {
  if (!openssl) return;
  certDir = mkdtempSync(join(tmpdir(), "atoll-tls-"));
  const certs = makeCertificates(certDir);

  // TLS echo with a prefix, so the test sees the server really answered.
  tlsPort = await listening(
    tls.createServer({ key: certs.key, cert: certs.cert }, (s) => {
      s.on("error", () => {});
      s.on("data", (d) => s.write(`tls echo: ${d}`));
    }),
  );
  untrustedPort = await listening(
    tls.createServer({ key: certs.otherKey, cert: certs.otherCert }, (s) => {
      s.on("error", () => {});
    }),
  );
  // A line protocol with STARTTLS, as SMTP has it.
  starttlsPort = await listening(
    net.createServer((plain) => {
      plain.on("error", () => {});
      plain.write("220 ready\n");
      let buf = "";
      const onData = (d: Buffer) => {
        buf += d;
        if (!buf.includes("STARTTLS\n")) return;
        plain.off("data", onData);
        plain.write("220 go ahead\n");
        const secure = new tls.TLSSocket(plain, { isServer: true, key: certs.key, cert: certs.cert });
        secure.on("error", () => {});
        secure.on("data", (d) => secure.write(`secure: ${d}`));
      };
      plain.on("data", onData);
    }),
  );
  dev = await startWorker({ files: { "index.js": worker }, env: { NODE_EXTRA_CA_CERTS: certs.ca } });
});

after(async () => {
  await dev?.stop();
  for (const s of servers) s.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

const json = (path: string) => getJson(dev, path);

test("secureTransport on: TLS from the start, certificate checked against the hostname", { skip }, async () => {
  const byName = await json(`/tls?port=${tlsPort}&host=localhost`);
  assert.deepEqual(byName, { line: "tls echo: secret\n", info: { remoteAddress: `localhost:${tlsPort}` }, secureTransport: "on" });
  const byIp = await json(`/tls?port=${tlsPort}&host=127.0.0.1`);
  assert.equal(byIp.line, "tls echo: secret\n");
});

test("an untrusted certificate fails the connection", { skip }, async () => {
  const text = await (await fetch(`${dev.url}/untrusted?port=${untrustedPort}`)).text();
  assert.equal(text, "THREW Error: TLS handshake failed: self-signed certificate");
});

test("starttls: plain text first, then startTls() returns a TLS socket and retires the old one", { skip }, async () => {
  const r = await json(`/starttls?port=${starttlsPort}`);
  assert.equal(r.greeting, "220 ready\n");
  assert.equal(r.go, "220 go ahead\n");
  assert.equal(r.reply, "secure: over tls\n");
  assert.deepEqual(r.info, { remoteAddress: `localhost:${starttlsPort}` });
  assert.equal(r.again, "THREW TypeError: startTls has already been called on this socket, or the socket was transferred over RPC.");
  assert.deepEqual(r.old, { upgraded: true, secureTransport: "starttls" });
  assert.deepEqual(r.secure, { upgraded: false, secureTransport: "on" });
});
