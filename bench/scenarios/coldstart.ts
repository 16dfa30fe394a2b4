// coldstart: how long a worker that is not loaded yet takes to answer its first request, with a
// realistic ~300 KB bundle: `worker.load(bundle)` + the first `fetch` (body read), timed in-process
// with the runtime's own classes for N distinct workers, with the prelude snapshot and without it;
// and how long `atoll dev` takes from process start to its `Ready on` line.
import { join } from "node:path";
import { loadPrelude } from "../../src/runtime/prelude-bundle.ts";
import { generateBigWorker } from "../big-worker.ts";
import type { BenchOptions } from "../options.ts";
import { benchDir, repoRoot, runJsonChild, timeToReady } from "../proc.ts";
import { fmt, type ScenarioResult } from "../report.ts";
import { median, summarize, type Summary } from "../stats.ts";
import { bundleProject, bundleVariant, getRequest, HELLO_WORKER, makeWorker, readText, writeProject } from "../workers.ts";

/** DESIGN.md's goal: p50 of load + first fetch of a 300 KB bundle, with the snapshot. */
export const COLDSTART_GOAL_P50_MS = 5;
const WARMUP_WORKERS = 3;

export interface ColdstartParams {
  workers: number;
  snapshot: boolean;
}

export interface ColdstartMeasurement {
  snapshot: boolean;
  /** Whether the runtime produced a snapshot at all (false: it evaluates the prelude per isolate anyway). */
  snapshotAvailable: boolean;
  bundleBytes: number;
  workers: number;
  /** loadPrelude() once per process: esbuild of src/prelude + reading (or making) the snapshot. */
  preludeMs: number;
  /** The first worker of the process (prelude already loaded), not in the samples. */
  firstWorkerMs: number;
  load: Summary;
  firstFetch: Summary;
  total: Summary;
  errors: string[];
}

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
  // only, which is exactly the runtime's own fallback path (evaluate the prelude per isolate).
  if (!params.snapshot) prelude.snapshot = null;

  const errors: string[] = [];
  const one = async (id: string) => {
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
  const firstWorkerMs = performance.now() - started;
  for (let i = 0; i < WARMUP_WORKERS; i++) await one(`warm${i}`);
  const samples = [];
  for (let i = 0; i < params.workers; i++) samples.push(await one(`w${i}`));
  return {
    snapshot: params.snapshot && snapshotAvailable,
    snapshotAvailable,
    bundleBytes,
    workers: params.workers,
    preludeMs,
    firstWorkerMs,
    load: summarize(samples.map((s) => s.load)),
    firstFetch: summarize(samples.map((s) => s.fetch)),
    total: summarize(samples.map((s) => s.total)),
    errors,
  };
}

export async function runColdstart(options: BenchOptions): Promise<ScenarioResult> {
  const opts = options.coldstart;
  const child = join(benchDir, "child.ts");
  process.stderr.write(`coldstart: ${opts.workers} workers with the snapshot…\n`);
  const withSnapshot = await runJsonChild<ColdstartMeasurement>([child, "coldstart", JSON.stringify({ workers: opts.workers, snapshot: true })]);
  let withoutSnapshot: ColdstartMeasurement | undefined;
  if (opts.noSnapshotWorkers > 0) {
    process.stderr.write(`coldstart: ${opts.noSnapshotWorkers} workers without the snapshot…\n`);
    withoutSnapshot = await runJsonChild<ColdstartMeasurement>([child, "coldstart", JSON.stringify({ workers: opts.noSnapshotWorkers, snapshot: false })]);
  }

  process.stderr.write(`coldstart: process start → Ready, ${opts.readyRuns} runs each…\n`);
  const project = writeProject("ready", { "index.js": HELLO_WORKER });
  const atollReady: number[] = [];
  const plainReady: number[] = [];
  try {
    for (let i = 0; i < opts.readyRuns; i++) {
      plainReady.push(await timeToReady([join(benchDir, "servers", "plain-node.ts"), "--port", "0"]));
      atollReady.push(await timeToReady([join(repoRoot, "bin", "atoll.js"), "dev", "-c", project.config, "--port", "0", "--no-watch"]));
    }
  } finally {
    project.remove();
  }

  const m = withSnapshot;
  const row = (label: string, x: ColdstartMeasurement) => [label, x.workers, fmt(x.total.p50, 2), fmt(x.total.p99, 2), fmt(x.load.p50, 2), fmt(x.firstFetch.p50, 2), fmt(x.total.mean, 2), fmt(x.total.max, 2)];
  const rows = [row(m.snapshotAvailable ? "with prelude snapshot" : "with prelude snapshot (UNAVAILABLE: evaluated)", m)];
  if (withoutSnapshot) rows.push(row("snapshot disabled (prelude evaluated)", withoutSnapshot));
  const errors = [...m.errors, ...(withoutSnapshot?.errors ?? [])];
  const notes = [
    `p50 ${fmt(m.total.p50, 2)} ms with the snapshot — goal ≤ ${COLDSTART_GOAL_P50_MS} ms: ${m.total.p50 <= COLDSTART_GOAL_P50_MS ? "met" : "MISSED"}.`,
    `Bundle: ${fmt(m.bundleBytes / 1024)} KB ES module from bench/big-worker.ts (message catalogs, validators, formatters, classes, a 75-route table compiled at start-up), bundled by Atoll's bundler; each worker gets a distinct copy (its id baked in).`,
    `Per process, before the samples: loadPrelude() ${fmt(m.preludeMs)} ms (esbuild of the prelude + snapshot read), first worker ${fmt(m.firstWorkerMs, 1)} ms, then ${WARMUP_WORKERS} warm-up workers; each sampled worker is disposed after its first response.`,
    "Snapshot disabled: no runtime switch exists, so the child process clears the loaded prelude's snapshot (the runtime's own fallback when V8 cannot snapshot it).",
  ];
  if (errors.length) notes.push(`ERRORS: ${errors.slice(0, 5).join("; ")}`);
  return {
    name: "coldstart",
    title: "coldstart: first request to a worker not yet loaded (~300 KB bundle, in-process)",
    tables: [
      { columns: ["isolate from", "workers", "p50 ms", "p99 ms", "load p50 ms", "1st fetch p50 ms", "mean ms", "max ms"], rows },
      {
        title: `Process start → \`Ready on\` (hello worker, median of ${opts.readyRuns})`,
        columns: ["process", "median ms", "min ms", "max ms"],
        rows: [
          ["plain node http", fmt(median(plainReady)), fmt(Math.min(...plainReady)), fmt(Math.max(...plainReady))],
          ["atoll dev --no-watch", fmt(median(atollReady)), fmt(Math.min(...atollReady)), fmt(Math.max(...atollReady))],
        ],
      },
    ],
    notes,
    data: { options: opts, withSnapshot, withoutSnapshot, readyMs: { atoll: atollReady, plainNode: plainReady } },
  };
}
