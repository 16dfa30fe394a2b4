// The HTTP load driver, run as its own child process so it never shares an event loop with the
// server under test: keep-alive connections, each sending one request at a time (closed loop, as
// wrk does), a warm-up whose samples are dropped, then a measured window. Prints one JSON line.
//
//   node bench/load.ts --url http://127.0.0.1:PORT/ [--connections 50] [--warmup 2] [--duration 10]
//                      [--engine raw|undici] [--body-bytes N] [--header "name: value"]...
//                      [--host NAME] [--host-count N]
//
// `--host` replaces the Host header (the connection still goes to --url): `atoll dev` routes by it.
// With `--host-count N`, `{i}` in it becomes 0..N-1 in turn, request after request (whichever
// connection sends next): load spread over N workers routed by host (`w{i}.density.bench`).
//
// Engines: `raw` (default) writes a pre-encoded GET on node:net sockets and parses just enough of
// each response (status, Content-Length or chunked framing) to know where it ends; it costs the
// driver far less CPU per request than a full client, which matters when the driver shares two
// cores with the server. `undici` uses undici's Pool (one connection per slot, no pipelining).
import { connect, type Socket } from "node:net";
import { parseArgs } from "node:util";
import { Pool } from "undici";

export interface LoadOptions {
  url: string;
  connections: number;
  warmupS: number;
  durationS: number;
  engine: "raw" | "undici";
  /** POST this many bytes (a fixed pattern) with each request instead of a GET (raw engine only). */
  bodyBytes?: number;
  /** Extra request headers ("name: value"). */
  headers?: string[];
  /** Host header instead of the URL's (raw engine only); `{i}` is replaced as hostCount says. */
  host?: string;
  /** With `host`: cycle `{i}` through 0..hostCount-1, one request after the other (default 1). */
  hostCount?: number;
}

export interface LoadResult {
  engine: string;
  connections: number;
  durationS: number;
  /** Responses in the measured window. */
  requests: number;
  /** Responses including the warm-up (to divide the server's CPU time by). */
  totalRequests: number;
  errors: number;
  non2xx: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

/** Collects latencies of the measured window; `phase` flips from warm-up to measure to stop. */
class Recorder {
  phase: "warmup" | "measure" | "stop" = "warmup";
  samples = new Float64Array(1 << 16);
  count = 0;
  total = 0;
  errors = 0;
  non2xx = 0;

  record(ms: number, status: number): void {
    this.total++;
    if (this.phase !== "measure") return;
    if (status < 200 || status >= 300) this.non2xx++;
    if (this.count === this.samples.length) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.count++] = ms;
  }

  error(): void {
    if (this.phase === "measure") this.errors++;
  }
}

const CRLFCRLF = Buffer.from("\r\n\r\n");
const CRLF = Buffer.from("\r\n");

/** Where the response starting at 0 ends (exclusive), or -1 if more bytes are needed. */
export function responseEnd(buf: Buffer): { end: number; status: number; close: boolean } | null {
  const headEnd = buf.indexOf(CRLFCRLF);
  if (headEnd < 0) return null;
  const head = buf.toString("latin1", 0, headEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection:\s*close/.test(head);
  const bodyStart = headEnd + 4;
  const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (cl) {
    const end = bodyStart + Number(cl[1]);
    return buf.length >= end ? { end, status, close } : null;
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) {
    let pos = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf(CRLF, pos);
      if (lineEnd < 0) return null;
      const size = parseInt(buf.toString("latin1", pos, lineEnd), 16);
      if (size === 0) {
        // No trailers expected: the last chunk is followed by one empty line.
        const end = lineEnd + 4;
        return buf.length >= end ? { end, status, close } : null;
      }
      pos = lineEnd + 2 + size + 2;
      if (pos > buf.length) return null;
    }
  }
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return { end: bodyStart, status, close };
  // Body delimited by close: not supported by this driver (hello responses always have a length).
  throw new Error(`response without Content-Length or chunked framing: ${head.split("\r\n")[0]}`);
}

function runRaw(options: LoadOptions, rec: Recorder): () => void {
  const url = new URL(options.url);
  const port = Number(url.port || 80);
  const extra = (options.headers ?? []).map((h) => `${h}\r\n`).join("");
  const bodyBytes = options.bodyBytes ?? 0;
  const hosts = options.host ? Array.from({ length: Math.max(1, options.hostCount ?? 1) }, (_, i) => options.host!.replaceAll("{i}", String(i))) : [url.host];
  const body = Buffer.alloc(bodyBytes);
  for (let i = 0; i < bodyBytes; i++) body[i] = i & 0xff;
  // One pre-encoded request per Host header, taken in turn by whichever connection sends next.
  const requests = hosts.map((host) => {
    const head = bodyBytes > 0 ? `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: atoll-bench\r\n${extra}Content-Type: application/octet-stream\r\nContent-Length: ${bodyBytes}\r\n\r\n` : `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: atoll-bench\r\n${extra}\r\n`;
    return bodyBytes > 0 ? Buffer.concat([Buffer.from(head, "latin1"), body]) : Buffer.from(head, "latin1");
  });
  let nextRequest = 0;
  const sockets = new Set<Socket>();
  const open = () => {
    let pending: Buffer | null = null;
    let sentAt = 0;
    const socket = connect({ host: url.hostname, port, noDelay: true });
    sockets.add(socket);
    const send = () => {
      if (rec.phase === "stop") return;
      sentAt = performance.now();
      socket.write(requests[nextRequest++ % requests.length]);
    };
    socket.on("connect", send);
    socket.on("data", (chunk: Buffer) => {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      let parsed;
      try {
        parsed = responseEnd(pending);
      } catch (error) {
        rec.error();
        process.stderr.write(`load: ${(error as Error).message}\n`);
        socket.destroy();
        return;
      }
      if (!parsed) return;
      rec.record(performance.now() - sentAt, parsed.status);
      pending = parsed.end < pending.length ? pending.subarray(parsed.end) : null;
      if (parsed.close) socket.end();
      else send();
    });
    socket.on("error", () => rec.error());
    socket.on("close", () => {
      sockets.delete(socket);
      if (rec.phase !== "stop") setTimeout(open, 10);
    });
  };
  for (let i = 0; i < options.connections; i++) open();
  return () => {
    for (const s of sockets) s.destroy();
  };
}

function runUndici(options: LoadOptions, rec: Recorder): () => void {
  if (options.host) throw new Error("--host needs the raw engine");
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1 });
  const path = url.pathname + url.search;
  const loop = async () => {
    while (rec.phase !== "stop") {
      const start = performance.now();
      try {
        const res = await pool.request({ path, method: "GET" });
        await res.body.dump();
        rec.record(performance.now() - start, res.statusCode);
      } catch {
        rec.error();
      }
    }
  };
  for (let i = 0; i < options.connections; i++) void loop();
  return () => void pool.destroy();
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const rec = new Recorder();
  const stop = options.engine === "undici" ? runUndici(options, rec) : runRaw(options, rec);
  await sleep(options.warmupS * 1000);
  rec.phase = "measure";
  const started = performance.now();
  await sleep(options.durationS * 1000);
  rec.phase = "stop";
  const elapsedS = (performance.now() - started) / 1000;
  stop();
  const sorted = rec.samples.subarray(0, rec.count).sort();
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : Number.NaN);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    engine: options.engine,
    connections: options.connections,
    durationS: elapsedS,
    requests: rec.count,
    totalRequests: rec.total,
    errors: rec.errors,
    non2xx: rec.non2xx,
    rps: rec.count / elapsedS,
    latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: sorted.length ? sorted[sorted.length - 1] : Number.NaN, mean: sorted.length ? sum / sorted.length : Number.NaN },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      connections: { type: "string", default: "50" },
      warmup: { type: "string", default: "2" },
      duration: { type: "string", default: "10" },
      engine: { type: "string", default: "raw" },
      "body-bytes": { type: "string", default: "0" },
      header: { type: "string", multiple: true },
      host: { type: "string" },
      "host-count": { type: "string", default: "1" },
    },
  });
  if (!values.url) {
    process.stderr.write("load: --url is required\n");
    process.exit(2);
  }
  if (values.engine !== "raw" && values.engine !== "undici") {
    process.stderr.write(`load: --engine ${values.engine}: expected raw or undici\n`);
    process.exit(2);
  }
  const result = await runLoad({
    url: values.url,
    connections: Number(values.connections),
    warmupS: Number(values.warmup),
    durationS: Number(values.duration),
    engine: values.engine,
    bodyBytes: Number(values["body-bytes"]),
    headers: values.header ?? [],
    host: values.host,
    hostCount: Number(values["host-count"]),
  });
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
