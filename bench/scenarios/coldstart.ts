// coldstart: how long a worker that is not loaded yet takes to answer its first request, with a
// realistic ~300 KB bundle: `worker.load(bundle)` + the first `fetch` (body read), timed in-process
// with the runtime's own classes for N distinct workers; and how long `atoll dev` takes from
// process start to its `Ready on` line.
//
// The runtime keeps spare isolates made ahead of need (src/runtime/isolate-pool.ts, refilled a
// little after each draw; ATOLL_ISOLATE_SPARES sets how many). So the series are: cold starts
// spaced out so the spares are ready (the steady-state case, and the goal), back to back (a burst
// that drains the spares), without spares (the whole isolate creation on the critical path), and
// without spares with the prelude snapshot disabled (what the snapshot buys).
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadPrelude } from "../../src/runtime/prelude-bundle.ts";
import { generateBigWorker } from "../big-worker.ts";
import type { BenchOptions } from "../options.ts";
import { ensurePeers, writeWorkerdConfig } from "../peers.ts";
import { benchDir, freePort, PLAIN_NODE_FLAGS, repoRoot, runJsonChild, timeStartup, type StartupTiming } from "../proc.ts";
import { fmt, type ScenarioResult } from "../report.ts";
import { median, summarize, type Summary } from "../stats.ts";
import { bundleProject, bundleVariant, getRequest, HELLO_BODY, HELLO_WORKER, makeWorker, PLACEHOLDER, readText, writeProject } from "../workers.ts";
import { COLDSTART_GOAL_P50_MS } from "../goals.ts";
export { COLDSTART_GOAL_P50_MS };

const WARMUP_WORKERS = 3;
/** Pause between spaced-out cold starts: the pool refills 20 ms after a draw, then takes a few ms. */
const SPACED_GAP_MS = 100;

export interface ColdstartParams {
  workers: number;
  snapshot: boolean;
  /** Pause before each cold start, ms (0: back to back). */
  gapMs: number;
}

export interface ColdstartMeasurement {
  snapshot: boolean;
  /** Whether the runtime produced a snapshot at all (false: it evaluates the prelude per isolate anyway). */
  snapshotAvailable: boolean;
  /** ATOLL_ISOLATE_SPARES as this process saw it (unset: the runtime's default). */
  spares: string | null;
  gapMs: number;
  bundleBytes: number;
  workers: number;
  /** loadPrelude() once per process: esbuild of src/prelude + reading (or making) the snapshot. */
  preludeMs: number;
  /** The first worker of the process (prelude already loaded), not in the samples. */
  firstWorkerMs: number;
  load: Summary;
  firstFetch: Summary;
  total: Summary;
  /** The host event loop's delay while the sampled cold starts ran, ms: how long they stalled everything else. */
  hostDelay: { p99: number; max: number };
  errors: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs in a child process (bench/child.ts). */
export async function measureColdstart(params: ColdstartParams): Promise<ColdstartMeasurement> {
  const big = generateBigWorker();
  const project = writeProject("coldstart", big.files);
  const { bundle, bindings } = await bundleProject(project);
  project.remove();
  const main = bundle.modules.get(bundle.main);
  const bundleBytes = main?.type === "esm" ? Buffer.byteLength(main.code) : 0;

  let started = performance.now();
  const prelude = await loadPrelude();
  const preludeMs = performance.now() - started;
  const snapshotAvailable = prelude.snapshot !== null;
  // No runtime switch exists: the benchmark clears the cached Prelude's snapshot in this process
  // only, before any isolate is made, which is exactly the runtime's own fallback path (evaluate
  // the prelude in every new isolate).
  if (!params.snapshot) prelude.snapshot = null;

  const errors: string[] = [];
  const one = async (id: string) => {
    if (params.gapMs > 0) await sleep(params.gapMs);
    const worker = makeWorker(id, bindings, (text) => errors.push(`${id}: ${text}`));
    const t0 = performance.now();
    await worker.load(bundleVariant(bundle, id));
    const t1 = performance.now();
    const response = await worker.fetch(getRequest("/"));
    const text = await readText(response);
    const t2 = performance.now();
    worker.responseSent(response);
    if (response.status !== 200 || !text.includes(`"worker":"${id}"`)) errors.push(`${id}: unexpected response ${response.status} ${text.slice(0, 200)}`);
    await worker.dispose();
    return { load: t1 - t0, fetch: t2 - t1, total: t2 - t0 };
  };

  started = performance.now();
  await one("first");
  const firstWorkerMs = performance.now() - started - params.gapMs;
  for (let i = 0; i < WARMUP_WORKERS; i++) await one(`warm${i}`);
  const samples = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let i = 0; i < params.workers; i++) samples.push(await one(`w${i}`));
  delay.disable();
  return {
    snapshot: params.snapshot && snapshotAvailable,
    snapshotAvailable,
    spares: process.env.ATOLL_ISOLATE_SPARES ?? null,
    gapMs: params.gapMs,
    bundleBytes,
    workers: params.workers,
    preludeMs,
    firstWorkerMs,
    load: summarize(samples.map((s) => s.load)),
    firstFetch: summarize(samples.map((s) => s.fetch)),
    total: summarize(samples.map((s) => s.total)),
    hostDelay: { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
    errors,
  };
}

interface Series {
  label: string;
  params: ColdstartParams;
  env: Record<string, string>;
}

export async function runColdstart(options: BenchOptions): Promise<ScenarioResult> {
  const opts = options.coldstart;
  const child = join(benchDir, "child.ts");
  const series: Series[] = [
    { label: "spares ready (cold starts 100 ms apart)", params: { workers: opts.workers, snapshot: true, gapMs: SPACED_GAP_MS }, env: {} },
    { label: "back to back (spares drained)", params: { workers: opts.workers, snapshot: true, gapMs: 0 }, env: {} },
    { label: "no spares (ATOLL_ISOLATE_SPARES=0)", params: { workers: opts.workers, snapshot: true, gapMs: SPACED_GAP_MS }, env: { ATOLL_ISOLATE_SPARES: "0" } },
  ];
  if (opts.noSnapshotWorkers > 0) {
    series.push({ label: "no spares, snapshot disabled", params: { workers: opts.noSnapshotWorkers, snapshot: false, gapMs: SPACED_GAP_MS }, env: { ATOLL_ISOLATE_SPARES: "0" } });
  }
  const measured: { label: string; m: ColdstartMeasurement }[] = [];
  for (const s of series) {
    process.stderr.write(`coldstart: ${s.label}, ${s.params.workers} workers…\n`);
    measured.push({ label: s.label, m: await runJsonChild<ColdstartMeasurement>([child, "coldstart", JSON.stringify(s.params)], [], s.env) });
  }

  const startup = await measureStartups(options);

  const head = measured[0].m;
  const rows = measured.map(({ label, m }) => [
    label + (m.snapshotAvailable ? "" : " (SNAPSHOT UNAVAILABLE)"),
    m.workers,
    fmt(m.total.p50, 2),
    fmt(m.total.p99, 2),
    fmt(m.load.p50, 2),
    fmt(m.firstFetch.p50, 2),
    fmt(m.total.mean, 2),
    fmt(m.total.max, 2),
    `${fmt(m.hostDelay.p99, 1)} / ${fmt(m.hostDelay.max, 1)}`,
  ]);
  const errors = measured.flatMap(({ m }) => m.errors);
  const notes = [
    `p50 ${fmt(head.total.p50, 2)} ms with the snapshot and spares ready — goal ≤ ${COLDSTART_GOAL_P50_MS} ms: ${head.total.p50 <= COLDSTART_GOAL_P50_MS ? "met" : "MISSED"}.`,
    `Bundle: ${fmt(head.bundleBytes / 1024)} KB ES module from bench/big-worker.ts (message catalogs, validators, formatters, classes, a 75-route table compiled at start-up), bundled by Atoll's bundler; each worker gets a distinct copy (its id baked in).`,
    `Each series runs in a fresh process: loadPrelude() ${fmt(head.preludeMs)} ms there (esbuild of the prelude + snapshot read), first worker ${fmt(head.firstWorkerMs, 1)} ms, then ${WARMUP_WORKERS} warm-up workers; each sampled worker is disposed after its first response.`,
    "Host loop delay: the bench process's event-loop delay (perf_hooks monitorEventLoopDelay, 1 ms resolution) while the sampled cold starts ran — how long a cold start stalls every other request of the process (isolates are made off the host thread, so it stays near the timer's own ~1–2 ms).",
    "Snapshot disabled: no runtime switch exists, so the child process clears the loaded prelude's snapshot before any isolate is made (the runtime's own fallback when V8 cannot snapshot it).",
  ];
  notes.push(
    "Second table: spawn() of the process → its `Ready on` line (workerd prints none: n/a) → the first complete response to GET / (polled every 3 ms until the socket answers), then the process is stopped. atoll dev runs `--no-watch` (its prelude snapshot cached on disk: a warm-cache start); workerd is `workerd serve config.capnp` with one service and one socket; Miniflare is `new Miniflare({ script, modules: true, port })` in a Node child (it starts its own workerd).",
    `"300 KB (new)": the same bench/big-worker.ts bundle as above (one ES module, bundled once by Atoll's bundler; atoll dev still runs its bundler over it at start), with a fresh id baked in for every start, so no process has seen that source before. For workerd and Miniflare this is their cold start: a new process per worker.`,
  );
  if (!startup.some((c) => c.process.startsWith("workerd"))) notes.push("workerd and Miniflare not measured (--only-atoll).");
  if (errors.length) notes.push(`ERRORS: ${errors.slice(0, 5).join("; ")}`);
  return {
    name: "coldstart",
    title: "coldstart: first request to a worker not yet loaded (~300 KB bundle, in-process)",
    tables: [
      { columns: ["series", "workers", "p50 ms", "p99 ms", "load p50 ms", "1st fetch p50 ms", "mean ms", "max ms", "host loop delay p99 / max ms"], rows },
      {
        title: `Process start → ready → first response (a new process each time, median of ${opts.readyRuns})`,
        columns: ["process", "worker", "→ `Ready on` ms", "→ first response ms", "min ms", "max ms"],
        rows: startup.map((c) => [
          c.process,
          c.worker,
          c.readyMs.length ? fmt(median(c.readyMs)) : "n/a",
          fmt(median(c.firstResponseMs)),
          fmt(Math.min(...c.firstResponseMs)),
          fmt(Math.max(...c.firstResponseMs)),
        ]),
      },
    ],
    notes,
    data: { options: opts, series: measured, startup },
  };
}

export interface StartupCase {
  process: string;
  worker: "hello" | "300 KB (new)";
  readyMs: number[];
  firstResponseMs: number[];
}

interface StartupSpec {
  process: string;
  worker: StartupCase["worker"];
  /** Starts the system on `port` serving the worker in `dir` (index.js, wrangler.toml), timed. */
  time(dir: string, port: number): Promise<StartupTiming>;
}

/**
 * Process start → `Ready on` → first response for each system (plain Node, atoll dev, workerd,
 * Miniflare) with the hello worker and, except plain Node, with a 300 KB bundle none has seen.
 */
async function measureStartups(options: BenchOptions): Promise<StartupCase[]> {
  const runs = options.coldstart.readyRuns;
  const peers = options.onlyAtoll ? null : await ensurePeers();
  const big = writeProject("coldstart-big", generateBigWorker().files);
  const { bundle } = await bundleProject(big).finally(() => big.remove());
  const main = bundle.modules.get(bundle.main);
  if (main?.type !== "esm") throw new Error("the 300 KB worker's bundle has no ES module main");
  const bigCode = main.code;

  const atoll = (dir: string, port: number) => timeStartup({ args: [join(repoRoot, "bin", "atoll.js"), "dev", "-c", join(dir, "wrangler.toml"), "--port", String(port), "--no-watch"] }, `http://127.0.0.1:${port}/`);
  const specs: StartupSpec[] = [
    { process: "plain node http", worker: "hello", time: (_dir, port) => timeStartup({ args: [join(benchDir, "servers", "plain-node.ts"), "--port", String(port)], nodeFlags: PLAIN_NODE_FLAGS }, `http://127.0.0.1:${port}/`) },
    { process: "atoll dev --no-watch", worker: "hello", time: atoll },
    { process: "atoll dev --no-watch", worker: "300 KB (new)", time: atoll },
  ];
  if (peers) {
    const workerd = (dir: string, port: number) => timeStartup({ command: peers.workerdBin, args: ["serve", writeWorkerdConfig(dir, port)], cwd: dir }, `http://127.0.0.1:${port}/`);
    const miniflare = (dir: string, port: number) =>
      timeStartup({ args: [join(benchDir, "servers", "miniflare.ts"), "--entry", peers.miniflareEntry, "--script", join(dir, "index.js"), "--port", String(port)], nodeFlags: PLAIN_NODE_FLAGS }, `http://127.0.0.1:${port}/`);
    specs.push(
      { process: `workerd ${peers.workerdVersion}`, worker: "hello", time: workerd },
      { process: `workerd ${peers.workerdVersion}`, worker: "300 KB (new)", time: workerd },
      { process: `miniflare ${peers.miniflareVersion}`, worker: "hello", time: miniflare },
      { process: `miniflare ${peers.miniflareVersion}`, worker: "300 KB (new)", time: miniflare },
    );
  }
  const cases: StartupCase[] = specs.map((s) => ({ process: s.process, worker: s.worker, readyMs: [], firstResponseMs: [] }));
  process.stderr.write(`coldstart: process start → first response, ${runs} runs each of ${specs.length} cases…\n`);
  for (let run = 0; run < runs; run++) {
    for (const [i, spec] of specs.entries()) {
      // A distinct id per start: no system has seen this source.
      const id = `start-${randomUUID()}`;
      const source = spec.worker === "hello" ? HELLO_WORKER : bigCode.replaceAll(PLACEHOLDER, id);
      const project = writeProject("startup", { "index.js": source });
      try {
        const timing = await spec.time(project.dir, await freePort());
        const ok = timing.status === 200 && (spec.worker === "hello" ? timing.body === HELLO_BODY : timing.body.includes(`"worker":"${id}"`));
        if (!ok) throw new Error(`${spec.process} (${spec.worker}) answered ${timing.status} ${JSON.stringify(timing.body.slice(0, 200))}`);
        if (timing.readyMs !== null) cases[i].readyMs.push(timing.readyMs);
        cases[i].firstResponseMs.push(timing.firstResponseMs);
      } finally {
        project.remove();
      }
    }
  }
  return cases;
}
