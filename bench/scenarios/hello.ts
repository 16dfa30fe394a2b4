// hello: requests/s and latency of a hello-world text response through `atoll dev`, a plain Node
// `http` server giving the same response, and (unless --only-atoll) the same worker in workerd and
// in Miniflare, under the same keep-alive load in the same run. Servers and the load driver are
// separate processes; the ratios are what compare across machines.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadResult } from "../load.ts";
import type { BenchOptions } from "../options.ts";
import { ensurePeers, writeWorkerdConfig, type Peers } from "../peers.ts";
import { benchDir, freePort, PLAIN_NODE_FLAGS, processTreeCpuMs, repoRoot, runJsonChild, startServer, type RunningServer } from "../proc.ts";
import { fmt, type ScenarioResult } from "../report.ts";
import { median } from "../stats.ts";
import { HELLO_BODY, HELLO_CONTENT_TYPE, HELLO_WORKER, writeProject } from "../workers.ts";
import { HELLO_GOAL_RATIO, HELLO_WORKERD_GOAL_RATIO } from "../goals.ts";

export interface ServerRun {
  load: LoadResult;
  /** Server process CPU (all threads, and its child processes) per response over warm-up + measurement, µs. */
  serverCpuUsPerRequest: number;
}

export interface LoadParams {
  connections: number;
  warmupS: number;
  durationS: number;
  engine: "raw" | "undici";
}

/** Runs bench/load.ts against `url` (its own process) and charges the server's CPU to it. */
export async function loadServer(server: RunningServer, url: string, params: LoadParams): Promise<ServerRun> {
  const cpuBefore = processTreeCpuMs(server.pid);
  const load = await runJsonChild<LoadResult>([
    join(benchDir, "load.ts"),
    "--url",
    url,
    "--connections",
    String(params.connections),
    "--warmup",
    String(params.warmupS),
    "--duration",
    String(params.durationS),
    "--engine",
    params.engine,
  ]);
  const cpuMs = processTreeCpuMs(server.pid) - cpuBefore;
  return { load, serverCpuUsPerRequest: (cpuMs * 1000) / Math.max(1, load.totalRequests) };
}

/** Starts `atoll dev --no-watch` on a free port for a project. */
export function startAtollDev(config: string, extra: string[] = []): Promise<RunningServer> {
  return startServer("atoll-dev", [join(repoRoot, "bin", "atoll.js"), "dev", "-c", config, "--port", "0", "--no-watch", ...extra]);
}

/** Starts a worker file in Miniflare (bench/servers/miniflare.ts) on a free port. */
export function startMiniflare(peers: Peers, script: string, extra: string[] = []): Promise<RunningServer> {
  return startServer("miniflare", [join(benchDir, "servers", "miniflare.ts"), "--entry", peers.miniflareEntry, "--script", script, "--port", "0", ...extra], {
    nodeFlags: PLAIN_NODE_FLAGS,
    timeoutMs: 60_000,
  });
}

/** Starts a worker directory (`index.js`) in workerd on a free port; removes its config on stop. */
export async function startWorkerd(peers: Peers, dir: string): Promise<RunningServer> {
  const port = await freePort();
  const config = writeWorkerdConfig(dir, port);
  return startServer("workerd", ["serve", config], { command: peers.workerdBin, readyUrl: `http://127.0.0.1:${port}/`, cwd: dir, timeoutMs: 60_000 });
}

/** Whether a server ended as it should on SIGTERM: workerd dies of the signal, Miniflare exits 143. */
export function cleanExit(label: string, exit: string): boolean {
  return exit === "exit 0" || (label.startsWith("workerd") && exit === "SIGTERM") || (label.startsWith("miniflare") && exit === "exit 143");
}

interface Contender {
  label: string;
  start(): Promise<RunningServer>;
}

interface HelloRun extends ServerRun {
  /** How the server ended on SIGTERM (see cleanExit). */
  exit: string;
  /** Its last non-request output lines, kept when the exit was not clean. */
  exitTail?: string;
}

async function measure(contender: Contender, opts: BenchOptions["hello"]): Promise<HelloRun> {
  const server = await contender.start();
  let run: ServerRun;
  try {
    const res = await fetch(server.url);
    const body = await res.text();
    if (res.status !== 200 || body !== HELLO_BODY || res.headers.get("content-type") !== HELLO_CONTENT_TYPE) {
      throw new Error(`${contender.label} answered ${res.status} ${res.headers.get("content-type")} ${JSON.stringify(body)}; expected 200 ${HELLO_CONTENT_TYPE} ${JSON.stringify(HELLO_BODY)}`);
    }
    run = await loadServer(server, server.url, opts);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const exit = await server.stop();
  return { ...run, exit, ...(cleanExit(contender.label, exit) ? {} : { exitTail: server.exitTail() }) };
}

export function summarizeRuns(runs: ServerRun[]) {
  return {
    rps: median(runs.map((r) => r.load.rps)),
    p50: median(runs.map((r) => r.load.latencyMs.p50)),
    p99: median(runs.map((r) => r.load.latencyMs.p99)),
    errors: runs.reduce((n, r) => n + r.load.errors + r.load.non2xx, 0),
    cpuUs: median(runs.map((r) => r.serverCpuUsPerRequest)),
  };
}
type RunSummary = ReturnType<typeof summarizeRuns>;

export async function runHello(options: BenchOptions): Promise<ScenarioResult> {
  const opts = options.hello;
  const peers = options.onlyAtoll ? null : await ensurePeers();
  const project = writeProject("hello", { "index.js": HELLO_WORKER });
  const workerdDir = mkdtempSync(join(tmpdir(), "atoll-bench-workerd-"));
  writeFileSync(join(workerdDir, "index.js"), HELLO_WORKER);
  const contenders: Contender[] = [
    { label: "plain node http", start: () => startServer("plain-node", [join(benchDir, "servers", "plain-node.ts"), "--port", "0"], { nodeFlags: PLAIN_NODE_FLAGS }) },
    { label: "atoll dev", start: () => startAtollDev(project.config) },
  ];
  if (peers) {
    contenders.push(
      { label: `workerd ${peers.workerdVersion}`, start: () => startWorkerd(peers, workerdDir) },
      { label: `miniflare ${peers.miniflareVersion}`, start: () => startMiniflare(peers, join(project.dir, "index.js")) },
    );
  }
  const runs = new Map<string, HelloRun[]>(contenders.map((c) => [c.label, []]));
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (const contender of contenders) {
        process.stderr.write(`hello: round ${round + 1}/${opts.rounds}: ${contender.label}…\n`);
        runs.get(contender.label)!.push(await measure(contender, opts));
      }
    }
  } finally {
    project.remove();
    rmSync(workerdDir, { recursive: true, force: true });
  }

  const summaries = contenders.map((c) => ({ label: c.label, s: summarizeRuns(runs.get(c.label)!) }));
  const p = summaries[0].s;
  const a = summaries[1].s;
  const w = peers ? summaries[2].s : null;
  const ratio = a.rps / p.rps;
  const badExits = [...runs.entries()].flatMap(([label, rs]) => rs.filter((r) => !cleanExit(label, r.exit)).map((r) => `${label}: ${r.exit} (last output: ${JSON.stringify(r.exitTail ?? "")})`));
  const row = (label: string, s: RunSummary) => [label, fmt(s.rps), fmt(s.p50, 2), fmt(s.p99, 2), s.errors, fmt(s.cpuUs, 1)];
  const ratioRow = (label: string, x: RunSummary, base: RunSummary) => [label, `${fmt(x.rps / base.rps, 2)}×`, `${fmt(x.p50 / base.p50, 2)}×`, `${fmt(x.p99 / base.p99, 2)}×`, "", `${fmt(x.cpuUs / base.cpuUs, 2)}×`];
  const rows: (string | number)[][] = summaries.map(({ label, s }) => row(label, s));
  for (const { label, s } of summaries.slice(1)) rows.push(ratioRow(`${label} / plain node`, s, p));
  if (w) for (const { label, s } of summaries.filter((_, i) => i !== 2 && i !== 0)) rows.push(ratioRow(`${label} / workerd`, s, w));
  const notes = [
    `Throughput ratio atoll / plain node ${fmt(ratio, 2)}× — goal ≥ ${HELLO_GOAL_RATIO}×: ${ratio >= HELLO_GOAL_RATIO ? "met" : "MISSED"}.`,
    ...(w
      ? [`atoll dev / workerd: ${fmt(a.rps / w.rps, 2)}× the requests/s — goal ≥ ${HELLO_WORKERD_GOAL_RATIO}×: ${a.rps / w.rps >= HELLO_WORKERD_GOAL_RATIO ? "met" : "MISSED"}; ${fmt(a.cpuUs / w.cpuUs, 2)}× the server CPU per request.`]
      : ["workerd and Miniflare not measured (--only-atoll)."]),
    `Load: ${opts.connections} keep-alive connections, closed loop (one request in flight per connection), ${opts.warmupS} s warm-up then ${opts.durationS} s measured, ${opts.engine} driver in its own process${opts.rounds > 1 ? `, median of ${opts.rounds} rounds (servers in the order of the table)` : ""}.`,
    "Server CPU µs/req: the server process's user+system CPU (all threads, plus its child processes: Miniflare serves through a workerd child) over warm-up and measurement divided by the responses it gave; load generator and server share the machine's cores, so req/s is bounded by both.",
    "atoll dev writes its per-request log line to a file (not a terminal or a pipe someone drains); workerd (`workerd serve config.capnp`, the same worker source, one socket on 127.0.0.1) and Miniflare (`new Miniflare({ script, modules: true, port })` in a Node child, no logging) log nothing per request.",
    ...(badExits.length ? [`A server did not shut down cleanly on SIGTERM: ${badExits.join(", ")}.`] : []),
  ];
  return {
    name: "hello",
    title: `hello: hello-world text response, atoll dev vs plain Node http${peers ? ", workerd and Miniflare" : ""}`,
    tables: [{ columns: ["server", "req/s", "p50 ms", "p99 ms", "errors", "server CPU µs/req"], rows }],
    notes,
    data: { options: opts, peers, runs: Object.fromEntries(runs), ratio, ratioToWorkerd: w ? a.rps / w.rps : null },
  };
}
