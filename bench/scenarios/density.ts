// density: resident memory per idle loaded worker, and requests/s when requests are spread over
// all of them. N distinct small workers are loaded into one fresh process (the runtime's own
// classes, `--expose-gc`), each answers one request, then RSS is compared with the same process
// before the first worker; then requests go round-robin over all N workers in-process (the
// runtime's figure, without HTTP). Then the same over HTTP, atoll dev against workerd
// (density-http.ts).
import { freemem } from "node:os";
import { join } from "node:path";
import type { Worker } from "../../src/runtime/worker.ts";
import { loadPrelude } from "../../src/runtime/prelude-bundle.ts";
import type { BenchOptions } from "../options.ts";
import { ensurePeers } from "../peers.ts";
import { benchDir, runJsonChild } from "../proc.ts";
import { fmt, type ScenarioResult } from "../report.ts";
import { summarize, type Summary } from "../stats.ts";
import { bundleProject, bundleVariant, getRequest, makeWorker, readText, SMALL_WORKER, writeProject } from "../workers.ts";
import { cleanExit } from "./hello.ts";
import { atollDevSystem, baselineRss, DENSITY_HOST, measureHttpDensity, workerdSystem, type HttpDensityMeasurement, type HttpDensitySystem } from "./density-http.ts";
import { DENSITY_GOAL_MB } from "../goals.ts";

/** A generous guess per worker, to skip counts this machine's free memory cannot hold. */
const ESTIMATE_MB_PER_WORKER = 6;

export interface DensityParams {
  count: number;
  warmupS: number;
  durationS: number;
  concurrency: number;
}

export interface DensityMeasurement {
  count: number;
  rssBaseMb: number;
  rssLoadedMb: number;
  rssPerWorkerMb: number;
  /** Host (Node) heap used after loading, MB: the part of RSS that is not the isolates. */
  hostHeapUsedMb: number;
  loadMsPerWorker: number;
  rps: number;
  latency: Summary;
  errors: string[];
}

const mb = (bytes: number) => bytes / 2 ** 20;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function settledRss(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(100);
  }
  return process.memoryUsage().rss;
}

/** Runs in a child process (bench/child.ts) started with --expose-gc. */
export async function measureDensity(params: DensityParams): Promise<DensityMeasurement> {
  const project = writeProject("density", { "index.js": SMALL_WORKER }, { GREETING: "hi" });
  const { bundle, bindings } = await bundleProject(project);
  project.remove();
  await loadPrelude();
  const errors: string[] = [];
  const start = async (id: string): Promise<Worker> => {
    const worker = makeWorker(id, bindings, (text) => errors.push(`${id}: ${text}`));
    await worker.load(bundleVariant(bundle, id));
    const response = await worker.fetch(getRequest("/"));
    const text = await readText(response);
    worker.responseSent(response);
    if (response.status !== 200 || text !== `worker ${id} hi /`) errors.push(`${id}: unexpected response ${response.status} ${text.slice(0, 200)}`);
    return worker;
  };
  // One worker loaded and dropped first, so the baseline includes everything loaded once per process.
  await (await start("warm")).dispose();
  const rssBase = await settledRss();

  const workers: Worker[] = [];
  const started = performance.now();
  for (let i = 0; i < params.count; i++) workers.push(await start(`w${i}`));
  const loadMsPerWorker = (performance.now() - started) / params.count;
  const rssLoaded = await settledRss();
  const hostHeapUsedMb = mb(process.memoryUsage().heapUsed);

  // Round-robin over every worker, `concurrency` requests in flight.
  let phase: "warmup" | "measure" | "stop" = "warmup";
  let next = 0;
  let samples: number[] = [];
  const loop = async () => {
    while (phase !== "stop") {
      const worker = workers[next++ % workers.length];
      const t0 = performance.now();
      const response = await worker.fetch(getRequest("/rr"));
      await readText(response);
      worker.responseSent(response);
      if (response.status !== 200) errors.push(`${worker.name}: status ${response.status}`);
      if (phase === "measure") samples.push(performance.now() - t0);
    }
  };
  const loops = Array.from({ length: params.concurrency }, loop);
  await sleep(params.warmupS * 1000);
  phase = "measure";
  samples = [];
  const measureStart = performance.now();
  await sleep(params.durationS * 1000);
  phase = "stop";
  const elapsedS = (performance.now() - measureStart) / 1000;
  const measured = samples.length;
  await Promise.all(loops);
  for (const w of workers) await w.dispose();

  return {
    count: params.count,
    rssBaseMb: mb(rssBase),
    rssLoadedMb: mb(rssLoaded),
    rssPerWorkerMb: mb(rssLoaded - rssBase) / params.count,
    hostHeapUsedMb,
    loadMsPerWorker,
    rps: measured / elapsedS,
    latency: summarize(samples),
    errors: errors.slice(0, 20),
  };
}

export async function runDensity(options: BenchOptions): Promise<ScenarioResult> {
  const opts = options.density;
  const results: DensityMeasurement[] = [];
  const skipped: number[] = [];
  for (const count of opts.counts) {
    if (count * ESTIMATE_MB_PER_WORKER > mb(freemem()) * 0.8) {
      skipped.push(count);
      continue;
    }
    process.stderr.write(`density: ${count} workers…\n`);
    results.push(
      await runJsonChild<DensityMeasurement>(
        [join(benchDir, "child.ts"), "density", JSON.stringify({ count, warmupS: opts.warmupS, durationS: opts.durationS, concurrency: opts.concurrency } satisfies DensityParams)],
        ["--expose-gc"],
      ),
    );
  }

  // The same counts over HTTP: atoll dev (routes by Host) and workerd (a router worker).
  const peers = options.onlyAtoll ? null : await ensurePeers();
  const systems: HttpDensitySystem[] = [atollDevSystem(), ...(peers ? [workerdSystem(peers)] : [])];
  const http: HttpDensityMeasurement[] = [];
  const httpBase: Record<string, number> = {};
  for (const system of systems) {
    process.stderr.write(`density: ${system.label} over HTTP, baseline…\n`);
    httpBase[system.label] = await baselineRss(system);
    for (const count of opts.counts) {
      if (skipped.includes(count)) continue;
      process.stderr.write(`density: ${system.label} over HTTP, ${count} workers…\n`);
      http.push(await measureHttpDensity(system, count, httpBase[system.label], opts));
    }
  }

  const largest = results.at(-1);
  const notes: string[] = [];
  if (largest) {
    notes.push(
      `${fmt(largest.rssPerWorkerMb, 2)} MB RSS per idle worker at ${largest.count} workers — goal ≤ ${DENSITY_GOAL_MB} MB: ${largest.rssPerWorkerMb <= DENSITY_GOAL_MB ? "met" : "MISSED"}.`,
    );
  }
  notes.push(
    "RSS per worker = (RSS after loading N workers, each having answered one request, gc'd) − (RSS of the same process before the first) ÷ N; a fresh process per N.",
    `req/s: in-process \`worker.fetch\` round-robin over all N workers, ${opts.concurrency} requests in flight, ${opts.warmupS} s warm-up, ${opts.durationS} s measured, body read to the end (no HTTP: the runtime alone).`,
  );
  notes.push(
    `Second table: one server process over HTTP with N workers, each answering one request, then RSS (/proc VmRSS once it stops moving; no gc forced) − RSS of the same system serving none of them (atoll dev: one default worker; workerd: the router alone) ÷ N. atoll dev: \`-c\` per worker, each with \`routes = ["w<i>.density.bench/*"]\`; workerd: N services, each its own worker, behind one router worker on one socket that forwards by Host header through a service binding (workerd routes by socket, not host) — so each of its requests passes two workers. req/s: the load driver sends Host ${DENSITY_HOST} with i = 0..N−1 in turn, ${opts.concurrency} keep-alive connections, ${opts.warmupS} s warm-up, ${opts.durationS} s measured. "start ms": spawn → serving with all N loaded. At small N the difference is within the noise of an un-gc'd RSS (it can come out negative).`,
  );
  if (http.length) notes.push(`SIGTERM → exit: ${http.map((m) => `${m.system.replace(/ \d.*$/, "")} × ${m.count}: ${fmt(m.stopMs)} ms`).join(", ")}.`);
  if (!peers) notes.push("workerd not measured (--only-atoll).");
  const badExits = http.filter((m) => !cleanExit(m.system, m.exit.split(" (")[0]));
  if (badExits.length) notes.push(`A server did not shut down cleanly on SIGTERM: ${badExits.map((m) => `${m.system} (${m.count}): ${m.exit}`).join(", ")}.`);
  if (skipped.length) notes.push(`Skipped ${skipped.join(", ")} workers: not enough free memory (estimate ${ESTIMATE_MB_PER_WORKER} MB each).`);
  const errors = results.flatMap((r) => r.errors);
  if (errors.length) notes.push(`ERRORS: ${errors.slice(0, 5).join("; ")}`);
  return {
    name: "density",
    title: `density: memory per idle loaded worker, requests spread over all of them (in-process; over HTTP atoll dev${peers ? " vs workerd" : ""})`,
    tables: [
      {
        columns: ["workers", "RSS before MB", "RSS loaded MB", "RSS/worker MB", "load ms/worker", "req/s round-robin", "p50 ms", "p99 ms"],
        rows: results.map((r) => [r.count, fmt(r.rssBaseMb, 1), fmt(r.rssLoadedMb, 1), fmt(r.rssPerWorkerMb, 2), fmt(r.loadMsPerWorker, 2), fmt(r.rps), fmt(r.latency.p50, 2), fmt(r.latency.p99, 2)]),
      },
      {
        title: "Over HTTP, one server process, requests spread by Host header",
        columns: ["server", "workers", "start ms", "RSS base MB", "RSS loaded MB", "RSS/worker MB", "req/s spread", "p50 ms", "p99 ms", "errors"],
        rows: http.map((m) => [m.system, m.count, fmt(m.startMs), fmt(m.rssBaseMb, 1), fmt(m.rssLoadedMb, 1), fmt(m.rssPerWorkerMb, 2), fmt(m.load.rps), fmt(m.load.latencyMs.p50, 2), fmt(m.load.latencyMs.p99, 2), m.load.errors + m.load.non2xx]),
      },
    ],
    notes,
    data: { options: opts, results, skipped, http, httpBase },
  };
}
