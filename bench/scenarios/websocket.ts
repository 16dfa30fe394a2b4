// websocket: echo round trips through `atoll dev` (a WebSocketPair echo worker) versus a plain Node
// `ws` echo server, in the same run: one connection in ping-pong (round-trip time), then N
// connections each with P messages in flight (messages/s). Servers and the driver
// (bench/ws-load.ts) are separate processes.
import { join } from "node:path";
import type { BenchOptions } from "../options.ts";
import { benchDir, PLAIN_NODE_FLAGS, processTreeCpuMs, runJsonChild, startServer, type RunningServer } from "../proc.ts";
import { fmt, type ScenarioResult } from "../report.ts";
import { writeProject } from "../workers.ts";
import type { WsLoadResult } from "../ws-load.ts";
import { startAtollDev } from "./hello.ts";
import { WEBSOCKET_GOAL_RATIO } from "../goals.ts";

export const WS_ECHO_WORKER = `export default {
  fetch(request) {
    if (request.headers.get("upgrade") !== "websocket") return new Response("expected a websocket", { status: 426 });
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (event) => server.send(event.data));
    return new Response(null, { status: 101, webSocket: client });
  },
};
`;

interface WsRun {
  load: WsLoadResult;
  serverCpuUsPerMessage: number;
}

interface Series {
  label: string;
  connections: number;
  pipeline: number;
}

async function measureServer(server: RunningServer, series: Series[], opts: BenchOptions["websocket"]): Promise<{ runs: WsRun[]; exit: string; exitTail?: string }> {
  const runs: WsRun[] = [];
  const url = server.url.replace(/^http/, "ws");
  try {
    for (const s of series) {
      const cpuBefore = processTreeCpuMs(server.pid);
      const load = await runJsonChild<WsLoadResult>([
        join(benchDir, "ws-load.ts"),
        "--url",
        url,
        "--connections",
        String(s.connections),
        "--pipeline",
        String(s.pipeline),
        "--bytes",
        String(opts.messageBytes),
        "--warmup",
        String(opts.warmupS),
        "--duration",
        String(opts.durationS),
      ]);
      const cpuMs = processTreeCpuMs(server.pid) - cpuBefore;
      runs.push({ load, serverCpuUsPerMessage: (cpuMs * 1000) / Math.max(1, load.totalMessages) });
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  const exit = await server.stop();
  return { runs, exit, ...(exit === "exit 0" ? {} : { exitTail: server.exitTail() }) };
}

export async function runWebsocket(options: BenchOptions): Promise<ScenarioResult> {
  const opts = options.websocket;
  const series: Series[] = [
    { label: "ping-pong (1 conn, 1 in flight)", connections: 1, pipeline: 1 },
    { label: `throughput (${opts.connections} conns × ${opts.pipeline} in flight)`, connections: opts.connections, pipeline: opts.pipeline },
  ];
  const project = writeProject("websocket", { "index.js": WS_ECHO_WORKER });
  let plain;
  let atoll;
  try {
    process.stderr.write("websocket: plain node ws…\n");
    plain = await measureServer(await startServer("ws-echo", [join(benchDir, "servers", "ws-echo.ts"), "--port", "0"], { nodeFlags: PLAIN_NODE_FLAGS }), series, opts);
    process.stderr.write("websocket: atoll dev…\n");
    atoll = await measureServer(await startAtollDev(project.config), series, opts);
  } finally {
    project.remove();
  }

  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const ratios: number[] = [];
  const row = (s: Series, label: string, r: WsRun) => [s.label, label, fmt(r.load.messagesPerS), fmt(r.load.rttMs.p50, 3), fmt(r.load.rttMs.p99, 3), r.load.errors, fmt(r.serverCpuUsPerMessage, 1)];
  series.forEach((s, i) => {
    const p = plain.runs[i];
    const a = atoll.runs[i];
    const ratio = a.load.messagesPerS / p.load.messagesPerS;
    ratios.push(ratio);
    rows.push(row(s, "plain node ws", p), row(s, "atoll dev", a));
    rows.push([s.label, "atoll / plain node", `${fmt(ratio, 2)}×`, `${fmt(a.load.rttMs.p50 / p.load.rttMs.p50, 2)}×`, `${fmt(a.load.rttMs.p99 / p.load.rttMs.p99, 2)}×`, "", `${fmt(a.serverCpuUsPerMessage / p.serverCpuUsPerMessage, 2)}×`]);
    notes.push(`${s.label}: atoll / plain node ${fmt(ratio, 2)}× the messages/s — goal ≥ ${WEBSOCKET_GOAL_RATIO}×: ${ratio >= WEBSOCKET_GOAL_RATIO ? "met" : "MISSED"}.`);
  });
  notes.push(
    `Messages: ${opts.messageBytes}-byte text frames, no compression; each echo is timed from the send of the message it answers; a new message goes out as each echo arrives. ${opts.warmupS} s warm-up then ${opts.durationS} s measured per series; the driver (bench/ws-load.ts, the \`ws\` client) in its own process.`,
    "atoll dev: a worker that accepts a WebSocketPair and sends every message back (`server.send(event.data)`); plain node: `ws`'s WebSocketServer on a Node http server doing the same. Server CPU µs/msg: the server process's user+system CPU over warm-up and measurement per echo.",
  );
  const badExits = [plain, atoll].map((r, i) => (r.exit === "exit 0" ? null : `${i ? "atoll dev" : "plain node ws"}: ${r.exit} (last output: ${JSON.stringify(r.exitTail ?? "")})`)).filter(Boolean);
  if (badExits.length) notes.push(`A server did not shut down cleanly on SIGTERM: ${badExits.join(", ")}.`);
  return {
    name: "websocket",
    title: "websocket: echo round trips, atoll dev vs plain Node ws",
    tables: [{ columns: ["series", "server", "msgs/s", "p50 ms", "p99 ms", "errors", "server CPU µs/msg"], rows }],
    notes,
    data: { options: opts, series, plain, atoll, ratios },
  };
}
