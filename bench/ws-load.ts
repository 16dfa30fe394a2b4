// The WebSocket load driver, its own process: C connections to an echo server, each keeping P text
// messages in flight (P = 1: ping-pong, the round-trip time); every echo is timed from the send of
// the message it answers (an echo server answers in order) and replaced by a new message at once.
// A warm-up whose samples are dropped, then a measured window. Prints one JSON line.
//
//   node bench/ws-load.ts --url ws://127.0.0.1:PORT/ [--connections 1] [--pipeline 1] [--bytes 64]
//                         [--warmup 1] [--duration 5]
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { summarize, type Summary } from "./stats.ts";

export interface WsLoadResult {
  connections: number;
  pipeline: number;
  bytes: number;
  durationS: number;
  /** Echoes received in the measured window. */
  messages: number;
  /** Echoes including the warm-up (to divide the server's CPU time by). */
  totalMessages: number;
  /** Connection errors, unexpected closes and echoes that differ from what was sent. */
  errors: number;
  messagesPerS: number;
  rttMs: Summary;
}

export async function runWsLoad(options: { url: string; connections: number; pipeline: number; bytes: number; warmupS: number; durationS: number }): Promise<WsLoadResult> {
  let phase: "warmup" | "measure" | "stop" = "warmup";
  let samples = new Float64Array(1 << 16);
  let count = 0;
  let total = 0;
  let errors = 0;
  const payload = "x".repeat(options.bytes);
  const sockets: WebSocket[] = [];
  const opened = Array.from({ length: options.connections }, () => {
    const ws = new WebSocket(options.url, { perMessageDeflate: false });
    sockets.push(ws);
    const sentAt: number[] = [];
    let head = 0;
    const send = () => {
      sentAt.push(performance.now());
      ws.send(payload);
    };
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const started = sentAt[head++];
      if (head > 4096) {
        sentAt.splice(0, head);
        head = 0;
      }
      total++;
      if (phase === "measure") {
        if (isBinary || data.length !== options.bytes) errors++;
        if (count === samples.length) {
          const bigger = new Float64Array(samples.length * 2);
          bigger.set(samples);
          samples = bigger;
        }
        samples[count++] = performance.now() - started;
      }
      if (phase !== "stop") send();
    });
    ws.on("error", () => {
      if (phase === "measure") errors++;
    });
    ws.on("close", () => {
      if (phase !== "stop") errors++;
    });
    return new Promise<void>((resolve, reject) => {
      ws.once("open", () => {
        for (let i = 0; i < options.pipeline; i++) send();
        resolve();
      });
      ws.once("error", reject);
    });
  });
  await Promise.all(opened);
  await sleep(options.warmupS * 1000);
  phase = "measure";
  const started = performance.now();
  await sleep(options.durationS * 1000);
  phase = "stop";
  const elapsedS = (performance.now() - started) / 1000;
  for (const ws of sockets) ws.terminate();
  return {
    connections: options.connections,
    pipeline: options.pipeline,
    bytes: options.bytes,
    durationS: elapsedS,
    messages: count,
    totalMessages: total,
    errors,
    messagesPerS: count / elapsedS,
    rttMs: summarize(samples.subarray(0, count)),
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      connections: { type: "string", default: "1" },
      pipeline: { type: "string", default: "1" },
      bytes: { type: "string", default: "64" },
      warmup: { type: "string", default: "1" },
      duration: { type: "string", default: "5" },
    },
  });
  if (!values.url) {
    process.stderr.write("ws-load: --url is required\n");
    process.exit(2);
  }
  const result = await runWsLoad({
    url: values.url,
    connections: Number(values.connections),
    pipeline: Number(values.pipeline),
    bytes: Number(values.bytes),
    warmupS: Number(values.warmup),
    durationS: Number(values.duration),
  });
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
