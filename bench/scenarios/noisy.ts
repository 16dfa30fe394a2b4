// noisy: one process serves two workers, a hello worker and a neighbour that runs a CPU-bound loop
// on every request. hello's req/s and latency are measured without load on the neighbour, then
// with a second load driver keeping the neighbour busy the whole time. Atoll: `atoll dev -c
// hello -c noisy`, the neighbour reached through its `routes` (Host: noisy.example); workerd: one
// `workerd serve` process with two services, each on its own socket.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APPS_WORKER, calibrateSpin } from "../apps.ts";
import type { LoadResult } from "../load.ts";
import type { BenchOptions } from "../options.ts";
import { ensurePeers, writeWorkerdServicesConfig, type Peers } from "../peers.ts";
import { benchDir, freePort, httpGet, runJsonChild, startServer, type RunningServer } from "../proc.ts";
import { fmt, type ScenarioResult } from "../report.ts";
import { median } from "../stats.ts";
import { HELLO_BODY, HELLO_WORKER, writeProject } from "../workers.ts";
import { cleanExit, startAtollDev } from "./hello.ts";
import { NOISY_GOAL_RATIO } from "../goals.ts";

/** The neighbour's route in atoll dev (wrangler route syntax); the load sends this Host header. */
export const NOISY_HOST = "noisy.example";

export interface LoadTarget {
  url: string;
  /** Host header to send instead of the URL's (atoll dev routes by it); `{i}` as hostCount says. */
  host?: string;
  /** With host: `{i}` takes 0..hostCount-1 in turn (load spread over that many workers). */
  hostCount?: number;
}

/** bench/load.ts in its own process (raw engine). */
export function runLoadChild(target: LoadTarget, connections: number, warmupS: number, durationS: number): Promise<LoadResult> {
  const args = [join(benchDir, "load.ts"), "--url", target.url, "--connections", String(connections), "--warmup", String(warmupS), "--duration", String(durationS)];
  if (target.host) args.push("--host", target.host, "--host-count", String(target.hostCount ?? 1));
  return runJsonChild<LoadResult>(args);
}

/** One system: where its hello worker and its neighbour are reached. */
interface System {
  label: string;
  server: RunningServer;
  hello: LoadTarget;
  neighbour: LoadTarget;
}

export interface NoisyRun {
  alone: LoadResult;
  withNeighbour: LoadResult;
  neighbour: LoadResult;
  /** Median wall time of one neighbour request with nothing else running, ms (what spin(n) costs in this system). */
  neighbourAloneMs: number;
  /** hello p99 with the neighbour busy / without. */
  p99Ratio: number;
  exit: string;
  exitTail?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function measure(system: System, options: BenchOptions): Promise<NoisyRun> {
  const h = options.hello;
  const o = options.noisy;
  let alone: LoadResult, withNeighbour: LoadResult, neighbour: LoadResult;
  const neighbourTimes: number[] = [];
  try {
    const hello = await httpGet(system.hello.url, system.hello.host);
    if (hello.status !== 200 || hello.body !== HELLO_BODY) throw new Error(`${system.label}: hello answered ${hello.status} ${JSON.stringify(hello.body.slice(0, 200))}`);
    const noisy = await httpGet(system.neighbour.url, system.neighbour.host);
    if (noisy.status !== 200 || !/^-?\d+$/.test(noisy.body)) {
      throw new Error(`${system.label}: the neighbour (${system.neighbour.url}${system.neighbour.host ? `, Host: ${system.neighbour.host}` : ""}) answered ${noisy.status} ${JSON.stringify(noisy.body.slice(0, 200))} — does it route by host?`);
    }
    // The loop's cost differs between runtimes (and from the calibration in Node): time it here.
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await httpGet(system.neighbour.url, system.neighbour.host);
      neighbourTimes.push(performance.now() - t);
    }
    process.stderr.write(`noisy: ${system.label}: hello alone…\n`);
    alone = await runLoadChild(system.hello, h.connections, h.warmupS, h.durationS);
    process.stderr.write(`noisy: ${system.label}: hello with the neighbour busy…\n`);
    // The neighbour's load starts first (its warm-up is the lead) and outlasts hello's window.
    const neighbourRun = runLoadChild(system.neighbour, o.connections, o.leadS, h.warmupS + h.durationS + o.leadS);
    neighbourRun.catch(() => {}); // awaited below; not an unhandled rejection if hello's load throws first
    await sleep(o.leadS * 1000);
    withNeighbour = await runLoadChild(system.hello, h.connections, h.warmupS, h.durationS);
    neighbour = await neighbourRun;
  } catch (error) {
    await system.server.stop();
    throw error;
  }
  const exit = await system.server.stop();
  return {
    alone,
    withNeighbour,
    neighbour,
    neighbourAloneMs: median(neighbourTimes.slice(2)),
    p99Ratio: withNeighbour.latencyMs.p99 / alone.latencyMs.p99,
    exit,
    ...(cleanExit(system.label, exit) ? {} : { exitTail: system.server.exitTail() }),
  };
}

async function startAtoll(dirs: string[], noisyPath: string): Promise<System> {
  const hello = writeProject("noisy-hello", { "index.js": HELLO_WORKER });
  const neighbour = writeProject("noisy-neighbour", {
    "index.js": APPS_WORKER,
    "wrangler.toml": `name = "neighbour"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\nroutes = [${JSON.stringify(`${NOISY_HOST}/*`)}]\n`,
  });
  dirs.push(hello.dir, neighbour.dir);
  const server = await startAtollDev(hello.config, ["-c", neighbour.config]);
  return { label: "atoll dev", server, hello: { url: server.url }, neighbour: { url: new URL(noisyPath, server.url).href, host: NOISY_HOST } };
}

async function startWorkerdPair(peers: Peers, dirs: string[], noisyPath: string): Promise<System> {
  const dir = mkdtempSync(join(tmpdir(), "atoll-bench-workerd-noisy-"));
  dirs.push(dir);
  writeFileSync(join(dir, "hello.js"), HELLO_WORKER);
  writeFileSync(join(dir, "neighbour.js"), APPS_WORKER);
  const [helloPort, neighbourPort] = [await freePort(), await freePort()];
  const config = writeWorkerdServicesConfig(
    dir,
    [
      { name: "hello", file: "hello.js" },
      { name: "neighbour", file: "neighbour.js" },
    ],
    [
      { name: "hello", port: helloPort, service: "hello" },
      { name: "neighbour", port: neighbourPort, service: "neighbour" },
    ],
  );
  const helloUrl = `http://127.0.0.1:${helloPort}/`;
  const server = await startServer("workerd-noisy", ["serve", config], { command: peers.workerdBin, readyUrl: helloUrl, cwd: dir, timeoutMs: 60_000 });
  return { label: `workerd ${peers.workerdVersion}`, server, hello: { url: helloUrl }, neighbour: { url: `http://127.0.0.1:${neighbourPort}${noisyPath}` } };
}

export async function runNoisy(options: BenchOptions): Promise<ScenarioResult> {
  const h = options.hello;
  const o = options.noisy;
  const peers = options.onlyAtoll ? null : await ensurePeers();
  const n = calibrateSpin(o.cpuMs);
  const path = `/noisy?n=${n}`;
  const dirs: string[] = [];
  const runs: Record<string, NoisyRun> = {};
  try {
    const starts: (() => Promise<System>)[] = [() => startAtoll(dirs, path)];
    if (peers) starts.push(() => startWorkerdPair(peers, dirs, path));
    for (const start of starts) {
      const system = await start();
      runs[system.label] = await measure(system, options);
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  for (const [label, r] of Object.entries(runs)) {
    const cell = (l: LoadResult) => [fmt(l.rps), fmt(l.latencyMs.p50, 2), fmt(l.latencyMs.p99, 2), l.errors + l.non2xx];
    rows.push([label, "alone", ...cell(r.alone), "", fmt(r.neighbourAloneMs, 1)]);
    rows.push([label, "neighbour busy", ...cell(r.withNeighbour), `${fmt(r.neighbour.rps)} (${fmt((r.neighbour.rps * r.neighbourAloneMs) / 1000, 2)} cores)`, ""]);
    const a = r.alone;
    const w = r.withNeighbour;
    rows.push([label, "busy / alone", `${fmt(w.rps / a.rps, 2)}×`, `${fmt(w.latencyMs.p50 / a.latencyMs.p50, 2)}×`, `${fmt(r.p99Ratio, 2)}×`, "", "", ""]);
    const verdict = r.p99Ratio <= NOISY_GOAL_RATIO ? "met" : "MISSED";
    notes.push(`${label}: hello p99 ${fmt(a.latencyMs.p99, 2)} ms alone, ${fmt(w.latencyMs.p99, 2)} ms with the neighbour busy: ${fmt(r.p99Ratio, 2)}× — goal ≤ ${NOISY_GOAL_RATIO}×: ${verdict}.`);
  }
  if (!peers) notes.push("workerd not measured (--only-atoll).");
  notes.push(
    `The neighbour runs spin(n) (bench/apps.ts) with n = ${n}, calibrated in the bench process (Node) to ~${o.cpuMs} ms, on every request; "neighbour alone ms" is the median of 5 requests to it with nothing else running, in that system (after 2 warm-up requests). Its load: ${o.connections} keep-alive connections, closed loop, started ${o.leadS} s before hello's and lasting until after it. "cores" = its req/s × its alone ms: about how much CPU it got (above the machine's cores when the JIT made the loop faster under load than in the alone requests).`,
    `hello's load (both rows): ${h.connections} keep-alive connections, closed loop, ${h.warmupS} s warm-up then ${h.durationS} s measured; each load driver is its own process, all on the same cores as the server.`,
    "atoll dev: `atoll dev -c hello/wrangler.toml -c neighbour/wrangler.toml`, one socket; the neighbour has `routes = [\"noisy.example/*\"]` and its load sends `Host: noisy.example`, hello's goes to the first worker. workerd: one `workerd serve` process, two services, each on its own socket.",
  );
  const badExits = Object.entries(runs).filter(([label, r]) => !cleanExit(label, r.exit)).map(([label, r]) => `${label}: ${r.exit} (last output: ${JSON.stringify(r.exitTail ?? "")})`);
  if (badExits.length) notes.push(`A server did not shut down cleanly on SIGTERM: ${badExits.join(", ")}.`);
  return {
    name: "noisy",
    title: `noisy: hello next to a neighbour burning ~${o.cpuMs} ms CPU per request, one process, atoll dev${peers ? " vs workerd" : ""}`,
    tables: [{ columns: ["server", "hello load", "req/s", "p50 ms", "p99 ms", "errors", "neighbour req/s", "neighbour alone ms"], rows }],
    notes,
    data: { options: { hello: h, noisy: o }, peers, spinN: n, runs, p99Ratio: runs["atoll dev"]?.p99Ratio ?? null },
  };
}
