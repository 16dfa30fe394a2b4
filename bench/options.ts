// Benchmark options from flags, then environment variables, then defaults (full run or smoke).
import { parseArgs } from "node:util";

export const SCENARIOS = ["hello", "coldstart", "density", "bindings", "websocket", "json", "big", "cpu", "noisy"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  scenarios: ScenarioName[];
  smoke: boolean;
  /** Where the JSON results go; default bench/results/<timestamp>.json. */
  out: string | undefined;
  /** Measure Atoll and the plain Node baselines only: no workerd/Miniflare, no peers install. */
  onlyAtoll: boolean;
  hello: { warmupS: number; durationS: number; connections: number; engine: "raw" | "undici"; rounds: number };
  coldstart: { workers: number; noSnapshotWorkers: number; readyRuns: number };
  density: { counts: number[]; warmupS: number; durationS: number; concurrency: number };
  bindings: { warmupS: number; durationS: number; connections: number; rows: number };
  websocket: { warmupS: number; durationS: number; connections: number; pipeline: number; messageBytes: number };
  /** big's 10 MB upload load (its GET load uses hello's options). */
  big: { uploadConnections: number; uploadWarmupS: number; uploadDurationS: number };
  /** noisy's neighbour load (hello's load uses hello's options). */
  noisy: { cpuMs: number; connections: number; leadS: number };
  /** After the run, rewrite README.md's performance table from the newest results (bench/tools/readme-table.ts). */
  readme: boolean;
}

export const USAGE = `Usage: npm run bench -- [scenario...] [options]

Scenarios: ${SCENARIOS.join(", ")} (default: all)

Options (each also read from the environment variable in brackets):
  --smoke                  every scenario runs a fraction of a second [BENCH_SMOKE=1]
  --out FILE               JSON results file (default bench/results/<timestamp>.json) [BENCH_OUT]
  --only-atoll             measure Atoll (and plain Node) only, no workerd/Miniflare,
                           no peers install [BENCH_ONLY_ATOLL=1]
  --warmup S               hello, json, big (GET), cpu, noisy: warm-up seconds (default 2) [BENCH_WARMUP]
  --duration S             hello, json, big (GET), cpu, noisy: measured seconds (default 10) [BENCH_DURATION]
  --connections N          hello, json, big (GET), cpu, noisy: keep-alive connections (default 50) [BENCH_CONNECTIONS]
  --engine raw|undici      hello: load driver client (default raw) [BENCH_ENGINE]
  --rounds N               hello: measure every server N times in turn, report the median (default 1) [BENCH_ROUNDS]
  --coldstart-workers N    coldstart: distinct 300 KB workers (default 100) [BENCH_COLDSTART_WORKERS]
  --no-snapshot-workers N  coldstart: workers timed with the prelude snapshot disabled (default 100; 0 skips) [BENCH_NO_SNAPSHOT_WORKERS]
  --ready-runs N           coldstart: atoll dev start-ups timed (default 5) [BENCH_READY_RUNS]
  --density-counts LIST    density: worker counts (default 1,100,500,1000) [BENCH_DENSITY_COUNTS]
  --density-duration S     density: measured seconds of round-robin requests (default 5) [BENCH_DENSITY_DURATION]
  --density-concurrency N  density: requests in flight (default 50) [BENCH_DENSITY_CONCURRENCY]
  --bindings-duration S    bindings: measured seconds per operation and server (default 5) [BENCH_BINDINGS_DURATION]
  --bindings-connections N bindings: keep-alive connections (default 50) [BENCH_BINDINGS_CONNECTIONS]
  --ws-duration S          websocket: measured seconds per series and server (default 5) [BENCH_WS_DURATION]
  --ws-connections N       websocket: connections of the throughput series (default 10) [BENCH_WS_CONNECTIONS]
  --ws-pipeline N          websocket: messages in flight per connection, throughput series (default 16) [BENCH_WS_PIPELINE]
  --upload-connections N   big: connections of the 10 MB upload load (default 4) [BENCH_UPLOAD_CONNECTIONS]
  --upload-duration S      big: measured seconds of the upload load (default 5) [BENCH_UPLOAD_DURATION]
  --noisy-ms MS            noisy: CPU milliseconds of the neighbour's loop per request (default 10) [BENCH_NOISY_MS]
  --noisy-connections N    noisy: connections of the neighbour's load (default 4) [BENCH_NOISY_CONNECTIONS]
  --readme                 after the run, rewrite README.md's performance table from the newest results
                           (node bench/tools/readme-table.ts does it alone) [BENCH_README=1]
  -h, --help

The first run of hello, coldstart, density, bindings, json, big, cpu or noisy without --only-atoll installs workerd and Miniflare into
bench/peers/node_modules (npm ci --prefix bench/peers).
`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      smoke: { type: "boolean" },
      out: { type: "string" },
      warmup: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      engine: { type: "string" },
      rounds: { type: "string" },
      "coldstart-workers": { type: "string" },
      "no-snapshot-workers": { type: "string" },
      "ready-runs": { type: "string" },
      "density-counts": { type: "string" },
      "density-duration": { type: "string" },
      "density-concurrency": { type: "string" },
      "only-atoll": { type: "boolean" },
      "bindings-duration": { type: "string" },
      "bindings-connections": { type: "string" },
      "ws-duration": { type: "string" },
      "ws-connections": { type: "string" },
      "ws-pipeline": { type: "string" },
      "upload-connections": { type: "string" },
      "upload-duration": { type: "string" },
      "noisy-ms": { type: "string" },
      "noisy-connections": { type: "string" },
      readme: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  for (const p of positionals) {
    if (!(SCENARIOS as readonly string[]).includes(p)) throw new Error(`unknown scenario "${p}" (expected ${SCENARIOS.join(", ")})`);
  }
  const flagEnv = (name: string) => env[name] !== undefined && env[name] !== "" && env[name] !== "0";
  const smoke = values.smoke ?? flagEnv("BENCH_SMOKE");
  const num = (flag: string | undefined, envName: string, full: number, short: number, integer = true): number => {
    const raw = flag ?? env[envName];
    if (raw === undefined || raw === "") return smoke ? short : full;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new Error(`${envName}/${raw}: expected a ${integer ? "whole " : ""}number >= 0`);
    return n;
  };
  const engine = values.engine ?? env.BENCH_ENGINE ?? "raw";
  if (engine !== "raw" && engine !== "undici") throw new Error(`--engine ${engine}: expected raw or undici`);
  const countsRaw = values["density-counts"] ?? env.BENCH_DENSITY_COUNTS;
  const counts = countsRaw ? countsRaw.split(",").map((s) => Number(s.trim())) : smoke ? [1, 10] : [1, 100, 500, 1000];
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`density counts "${countsRaw}": expected positive whole numbers`);
  return {
    scenarios: positionals.length ? [...new Set(positionals as ScenarioName[])] : [...SCENARIOS],
    smoke,
    out: values.out ?? env.BENCH_OUT,
    onlyAtoll: values["only-atoll"] ?? flagEnv("BENCH_ONLY_ATOLL"),
    hello: {
      warmupS: num(values.warmup, "BENCH_WARMUP", 2, 0.2, false),
      durationS: num(values.duration, "BENCH_DURATION", 10, 0.5, false),
      connections: Math.max(1, num(values.connections, "BENCH_CONNECTIONS", 50, 10)),
      engine,
      rounds: Math.max(1, num(values.rounds, "BENCH_ROUNDS", 1, 1)),
    },
    coldstart: {
      workers: Math.max(1, num(values["coldstart-workers"], "BENCH_COLDSTART_WORKERS", 100, 5)),
      noSnapshotWorkers: num(values["no-snapshot-workers"], "BENCH_NO_SNAPSHOT_WORKERS", 100, 3),
      readyRuns: Math.max(1, num(values["ready-runs"], "BENCH_READY_RUNS", 5, 1)),
    },
    density: {
      counts,
      warmupS: smoke ? 0.1 : 1,
      durationS: num(values["density-duration"], "BENCH_DENSITY_DURATION", 5, 0.3, false),
      concurrency: Math.max(1, num(values["density-concurrency"], "BENCH_DENSITY_CONCURRENCY", 50, 10)),
    },
    bindings: {
      warmupS: smoke ? 0.2 : 1,
      durationS: num(values["bindings-duration"], "BENCH_BINDINGS_DURATION", 5, 0.3, false),
      connections: Math.max(1, num(values["bindings-connections"], "BENCH_BINDINGS_CONNECTIONS", 50, 10)),
      rows: 10_000,
    },
    websocket: {
      warmupS: smoke ? 0.2 : 1,
      durationS: num(values["ws-duration"], "BENCH_WS_DURATION", 5, 0.3, false),
      connections: Math.max(1, num(values["ws-connections"], "BENCH_WS_CONNECTIONS", 10, 4)),
      pipeline: Math.max(1, num(values["ws-pipeline"], "BENCH_WS_PIPELINE", 16, 4)),
      messageBytes: 64,
    },
    big: {
      uploadConnections: Math.max(1, num(values["upload-connections"], "BENCH_UPLOAD_CONNECTIONS", 4, 2)),
      uploadWarmupS: smoke ? 0.2 : 1,
      uploadDurationS: num(values["upload-duration"], "BENCH_UPLOAD_DURATION", 5, 0.5, false),
    },
    noisy: {
      cpuMs: Math.max(0.1, num(values["noisy-ms"], "BENCH_NOISY_MS", 10, 10, false)),
      connections: Math.max(1, num(values["noisy-connections"], "BENCH_NOISY_CONNECTIONS", 4, 2)),
      leadS: smoke ? 0.3 : 1,
    },
    readme: values.readme ?? flagEnv("BENCH_README"),
  };
}
