// hello: requests/s and latency of a hello-world text response through `atoll dev` versus a plain
// Node `http` server giving the same response, under the same keep-alive load in the same run.
// Servers and the load driver are separate processes; the ratio is what compares across machines.
import { join } from "node:path";
import type { LoadResult } from "../load.ts";
import type { BenchOptions } from "../options.ts";
import { benchDir, PLAIN_NODE_FLAGS, processCpuMs, repoRoot, runJsonChild, startServer } from "../proc.ts";
import { fmt, type ScenarioResult } from "../report.ts";
import { median } from "../stats.ts";
import { HELLO_BODY, HELLO_CONTENT_TYPE, HELLO_WORKER, writeProject } from "../workers.ts";

/** DESIGN.md's goal for atoll dev relative to plain Node on the same machine. */
export const HELLO_GOAL_RATIO = 0.55;

interface ServerRun {
  load: LoadResult;
  /** Server process CPU (all threads) per response over warm-up + measurement, µs. */
  serverCpuUsPerRequest: number;
  /** How the server ended on SIGTERM (`exit 0` expected). */
  exit: string;
}

async function measure(name: string, args: string[], nodeFlags: string[] | undefined, opts: BenchOptions["hello"]): Promise<ServerRun> {
  const server = await startServer(name, args, { nodeFlags });
  let run: Omit<ServerRun, "exit">;
  try {
    const res = await fetch(server.url);
    const body = await res.text();
    if (res.status !== 200 || body !== HELLO_BODY || res.headers.get("content-type") !== HELLO_CONTENT_TYPE) {
      throw new Error(`${name} answered ${res.status} ${res.headers.get("content-type")} ${JSON.stringify(body)}; expected 200 ${HELLO_CONTENT_TYPE} ${JSON.stringify(HELLO_BODY)}`);
    }
    const cpuBefore = processCpuMs(server.pid);
    const load = await runJsonChild<LoadResult>([
      join(benchDir, "load.ts"),
      "--url",
      server.url,
      "--connections",
      String(opts.connections),
      "--warmup",
      String(opts.warmupS),
      "--duration",
      String(opts.durationS),
      "--engine",
      opts.engine,
    ]);
    const cpuMs = processCpuMs(server.pid) - cpuBefore;
    run = { load, serverCpuUsPerRequest: (cpuMs * 1000) / Math.max(1, load.totalRequests) };
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...run, exit: await server.stop() };
}

export async function runHello(options: BenchOptions): Promise<ScenarioResult> {
  const opts = options.hello;
  const project = writeProject("hello", { "index.js": HELLO_WORKER });
  const plain: ServerRun[] = [];
  const atoll: ServerRun[] = [];
  try {
    for (let round = 0; round < opts.rounds; round++) {
      process.stderr.write(`hello: round ${round + 1}/${opts.rounds}: plain node…\n`);
      plain.push(await measure("plain-node", [join(benchDir, "servers", "plain-node.ts"), "--port", "0"], PLAIN_NODE_FLAGS, opts));
      process.stderr.write(`hello: round ${round + 1}/${opts.rounds}: atoll dev…\n`);
      atoll.push(await measure("atoll-dev", [join(repoRoot, "bin", "atoll.js"), "dev", "-c", project.config, "--port", "0", "--no-watch"], undefined, opts));
    }
  } finally {
    project.remove();
  }

  const summary = (runs: ServerRun[]) => ({
    rps: median(runs.map((r) => r.load.rps)),
    p50: median(runs.map((r) => r.load.latencyMs.p50)),
    p99: median(runs.map((r) => r.load.latencyMs.p99)),
    errors: runs.reduce((n, r) => n + r.load.errors + r.load.non2xx, 0),
    cpuUs: median(runs.map((r) => r.serverCpuUsPerRequest)),
  });
  const p = summary(plain);
  const a = summary(atoll);
  const ratio = a.rps / p.rps;
  const badExits = [...plain, ...atoll].map((r) => r.exit).filter((e) => e !== "exit 0");
  const row = (label: string, s: ReturnType<typeof summary>) => [label, fmt(s.rps), fmt(s.p50, 2), fmt(s.p99, 2), s.errors, fmt(s.cpuUs, 1)];
  return {
    name: "hello",
    title: "hello: hello-world text response, atoll dev vs plain Node http",
    tables: [
      {
        columns: ["server", "req/s", "p50 ms", "p99 ms", "errors", "server CPU µs/req"],
        rows: [
          row("plain node http", p),
          row("atoll dev", a),
          ["atoll / plain node", `${fmt(ratio, 2)}×`, `${fmt(a.p50 / p.p50, 2)}×`, `${fmt(a.p99 / p.p99, 2)}×`, "", `${fmt(a.cpuUs / p.cpuUs, 2)}×`],
        ],
      },
    ],
    notes: [
      `Throughput ratio ${fmt(ratio, 2)}× — goal ≥ ${HELLO_GOAL_RATIO}×: ${ratio >= HELLO_GOAL_RATIO ? "met" : "MISSED"}.`,
      `Load: ${opts.connections} keep-alive connections, closed loop (one request in flight per connection), ${opts.warmupS} s warm-up then ${opts.durationS} s measured, ${opts.engine} driver in its own process${opts.rounds > 1 ? `, median of ${opts.rounds} alternating rounds` : ""}.`,
      "Server CPU µs/req: the server process's user+system CPU (all threads) over warm-up and measurement divided by the responses it gave; load generator and server share the machine's cores, so req/s is bounded by both.",
      "atoll dev writes its per-request log line to a file (not a terminal or a pipe someone drains).",
      ...(badExits.length ? [`A server did not shut down cleanly on SIGTERM: ${badExits.join(", ")}.`] : []),
    ],
    data: { options: opts, plain, atoll, ratio },
  };
}
