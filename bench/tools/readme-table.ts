// The README's performance table, generated from benchmark results: one row per goal of the issue
// (bench/goals.ts) with the figure measured, the target, met or missed, and the figures it came
// from; then the machine and the runs (date, commit, load average). It rewrites the part of
// README.md between `<!-- bench:start -->` and `<!-- bench:end -->` and nothing else.
//
//   node bench/tools/readme-table.ts                    # newest result of each scenario in bench/results/ (smoke runs skipped)
//   node bench/tools/readme-table.ts a.json b.json      # these files only (smoke runs allowed); newest per scenario
//   node bench/tools/readme-table.ts --stdout [...]     # print the table instead of writing README.md
//   node bench/tools/readme-table.ts --readme FILE      # another README
//
// A full run may be split over several files (`npm run bench -- hello bindings`, later
// `npm run bench -- coldstart density`...): for each scenario the newest file (by start time) that
// has it wins, and the table says which run each row's figures come from.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";
import * as goals from "../goals.ts";
import { benchDir, repoRoot } from "../proc.ts";
import { fmt, markdownTable, type Machine } from "../report.ts";

export const START = "<!-- bench:start -->";
export const END = "<!-- bench:end -->";

interface ScenarioEntry {
  title: string;
  loadAvg1?: { before: number; after: number };
  // The scenario's own `data` (see each bench/scenarios/*.ts); read loosely, old files may lack fields.
  data: any;
}

export interface ResultsFile {
  file: string;
  startedAt: string;
  machine: Machine;
  commit?: string | null;
  loadAvg1AtEnd?: number;
  smoke: boolean;
  options?: { onlyAtoll?: boolean; hello?: { durationS?: number } };
  scenarios: Record<string, ScenarioEntry>;
}

export function readResults(file: string): ResultsFile {
  return { ...(JSON.parse(readFileSync(file, "utf8")) as Omit<ResultsFile, "file">), file };
}

/** Every non-smoke results file in bench/results/. */
export function defaultResultFiles(dir = join(benchDir, "results")): ResultsFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => readResults(join(dir, f)))
    .filter((r) => !r.smoke);
}

export type Merged = Map<string, { run: ResultsFile; entry: ScenarioEntry }>;

/** For each scenario, the entry of the newest run (by start time) that has it. */
export function mergeNewest(runs: ResultsFile[]): Merged {
  const merged: Merged = new Map();
  for (const run of [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    for (const [name, entry] of Object.entries(run.scenarios)) merged.set(name, { run, entry });
  }
  return merged;
}

type Status = "met" | "missed" | "not measured";

interface GoalRow {
  goal: string;
  target: string;
  measured: string;
  status: Status;
  details: string;
}

const x = (n: number) => `${fmt(n, 2)}×`;
const ms = (n: number) => `${fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;
/** A server's table label without its version: "workerd 1.2026…" → "workerd". */
const short = (label: string) => (/^(workerd|miniflare)\b/i.exec(label)?.[1].replace("miniflare", "Miniflare") ?? label.replace("plain node http", "plain Node"));
const rps = (n: number) => `${fmt(n)}/s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length / 2) - 1] ?? Number.NaN;
const isNum = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n);

function row(goal: string, target: string, value: number | null | undefined, met: (v: number) => boolean, show: (v: number) => string, details: string[] = []): GoalRow {
  if (!isNum(value)) return { goal, target, measured: "n/a", status: "not measured", details: details.join("; ") };
  return { goal, target, measured: show(value), status: met(value) ? "met" : "missed", details: details.join("; ") };
}

/** Median req/s of a hello server's runs (data.runs[label] is a list of runs). */
function helloRps(data: any, prefix: string): { label: string; rps: number; p99: number } | null {
  const label = Object.keys(data?.runs ?? {}).find((l) => l.startsWith(prefix));
  if (!label) return null;
  const runs = data.runs[label] as { load: { rps: number; latencyMs: { p99: number } } }[];
  return { label, rps: median(runs.map((r) => r.load.rps)), p99: median(runs.map((r) => r.load.latencyMs.p99)) };
}

function helloRows(entry: ScenarioEntry | undefined): GoalRow[] {
  const d = entry?.data;
  const atoll = helloRps(d, "atoll dev");
  const plain = helloRps(d, "plain node");
  const workerd = helloRps(d, "workerd");
  const miniflare = helloRps(d, "miniflare");
  const atollText = atoll ? `atoll dev ${rps(atoll.rps)} (p99 ${ms(atoll.p99)})` : "";
  return [
    row("hello world req/s, atoll dev / plain Node `http`", `≥ ${goals.HELLO_GOAL_RATIO}×`, d?.ratio, (v) => v >= goals.HELLO_GOAL_RATIO, x, [atollText, plain ? `plain Node ${rps(plain.rps)}` : ""].filter(Boolean)),
    row("hello world req/s, atoll dev / workerd", `≥ ${goals.HELLO_WORKERD_GOAL_RATIO}×`, d?.ratioToWorkerd, (v) => v >= goals.HELLO_WORKERD_GOAL_RATIO, x, [
      atollText,
      workerd ? `workerd ${rps(workerd.rps)} (p99 ${ms(workerd.p99)})` : "",
      miniflare ? `Miniflare ${rps(miniflare.rps)}` : "",
    ].filter(Boolean)),
  ];
}

function coldstartRow(entry: ScenarioEntry | undefined): GoalRow {
  const series = (entry?.data?.series ?? []) as { label: string; m: { bundleBytes: number; total: { p50: number; p99: number } } }[];
  const head = series.find((s) => s.label.startsWith("spares ready")) ?? series[0];
  const details: string[] = [];
  if (head) details.push(`${fmt(head.m.bundleBytes / 1024)} KB bundle, p99 ${ms(head.m.total.p99)}`);
  for (const s of series.filter((s) => s !== head)) details.push(`${s.label.replace(/ \(.*\)$/, "")}: p50 ${ms(s.m.total.p50)}`);
  const startup = (entry?.data?.startup ?? []) as { process: string; worker: string; firstResponseMs: number[] }[];
  const fresh = startup.filter((c) => c.worker.startsWith("300 KB") && c.firstResponseMs.length);
  if (fresh.length) details.push(`new process → first response, 300 KB: ${fresh.map((c) => `${short(c.process.replace(" --no-watch", ""))} ${ms(median(c.firstResponseMs))}`).join(", ")}`);
  return row("cold start p50, 300 KB worker, spare isolate ready (in-process: load + first request)", `≤ ${goals.COLDSTART_GOAL_P50_MS} ms`, head?.m.total.p50, (v) => v <= goals.COLDSTART_GOAL_P50_MS, ms, details);
}

interface DensityResult {
  count: number;
  rssPerWorkerMb: number;
  rssLoadedMb: number;
  rps: number;
  errors: string[];
}
interface HttpDensity {
  system: string;
  count: number;
  rssPerWorkerMb: number;
  load: { rps: number };
}

function densityRows(entry: ScenarioEntry | undefined): GoalRow[] {
  const d = entry?.data;
  const results = (d?.results ?? []) as DensityResult[];
  const http = (d?.http ?? []) as HttpDensity[];
  const largest = results.at(-1);
  const httpAt = (count: number, what: (m: HttpDensity) => string) =>
    http.filter((m) => m.count === count).map((m) => `${short(m.system)} ${what(m)}`);
  const rssDetails = largest ? [`at ${fmt(largest.count)} workers`, ...httpAt(largest.count, (m) => `${fmt(m.rssPerWorkerMb, 2)} MB`).map((s) => `over HTTP ${s}`)] : [];
  const rssRow = row("RSS per idle worker", `≤ ${goals.DENSITY_GOAL_MB} MB`, largest?.rssPerWorkerMb, (v) => v <= goals.DENSITY_GOAL_MB, (v) => `${fmt(v, 2)} MB`, rssDetails);

  const target = goals.DENSITY_GOAL_WORKERS;
  const goal = `${fmt(target)} idle workers in one process`;
  const at = results.find((r) => r.count >= target);
  const skipped = ((d?.skipped ?? []) as number[]).some((n) => n >= target);
  let countRow: GoalRow;
  if (at) {
    countRow = {
      goal,
      target: `${fmt(target)}`,
      measured: `${fmt(at.count)} loaded, ${fmt(at.rssLoadedMb)} MB RSS`,
      status: at.errors.length ? "missed" : "met",
      details: [`requests spread over all: in-process ${rps(at.rps)}`, ...httpAt(at.count, (m) => rps(m.load.rps)).map((s) => `over HTTP ${s}`), ...(at.errors.length ? [`errors: ${at.errors[0]}`] : [])].join("; "),
    };
  } else {
    countRow = { goal, target: `${fmt(target)}`, measured: largest ? `largest run: ${fmt(largest.count)}` : "n/a", status: skipped ? "missed" : "not measured", details: skipped ? "skipped: not enough free memory" : "" };
  }
  return [rssRow, countRow];
}

function noisyRow(entry: ScenarioEntry | undefined): GoalRow {
  const runs = (entry?.data?.runs ?? {}) as Record<string, { alone: { latencyMs: { p99: number } }; withNeighbour: { latencyMs: { p99: number } }; p99Ratio: number }>;
  const atoll = runs["atoll dev"];
  const details = Object.entries(runs).map(([label, r]) => `${short(label)} p99 ${ms(r.alone.latencyMs.p99)} → ${ms(r.withNeighbour.latencyMs.p99)}${label === "atoll dev" ? "" : ` (${x(r.p99Ratio)})`}`);
  return row("noisy neighbour: hello p99 with the neighbour busy / without", `≤ ${goals.NOISY_GOAL_RATIO}×`, atoll?.p99Ratio, (v) => v <= goals.NOISY_GOAL_RATIO, x, details);
}

const BINDING_OPERATIONS: [string, string][] = [
  ["/kv", "KV get"],
  ["/d1-select", "D1 point select"],
  ["/d1-insert", "D1 insert"],
];

function bindingRows(entry: ScenarioEntry | undefined): GoalRow[] {
  const d = entry?.data;
  const results = (d?.results ?? []) as { label: string; runs: Record<string, { load: { rps: number } }> }[];
  const ratios = (d?.ratios ?? {}) as Record<string, number>;
  const ops = [...BINDING_OPERATIONS, ...Object.keys(ratios).filter((p) => !BINDING_OPERATIONS.some(([q]) => q === p)).map((p): [string, string] => [p, p])];
  return ops.map(([path, label]) =>
    row(`${label} req/s, atoll dev / Miniflare`, `≥ ${goals.BINDINGS_GOAL_RATIO}×`, ratios[path], (v) => v >= goals.BINDINGS_GOAL_RATIO, x, results.filter((r) => r.runs[path]).map((r) => `${short(r.label)} ${rps(r.runs[path].load.rps)}`)),
  );
}

function websocketRows(entry: ScenarioEntry | undefined): GoalRow[] {
  const d = entry?.data;
  const names = ["echo throughput", "echo ping-pong"];
  // The scenario's series: [0] ping-pong, [1] throughput.
  return [1, 0].map((i, k) => {
    const a = d?.atoll?.runs?.[i]?.load;
    const p = d?.plain?.runs?.[i]?.load;
    const details = a && p ? [`${d.series[i].label}: atoll dev ${rps(a.messagesPerS)}, plain Node ${rps(p.messagesPerS)}`] : [];
    return row(`WebSocket ${names[k]} msgs/s, atoll dev / plain Node \`ws\``, `≥ ${goals.WEBSOCKET_GOAL_RATIO}×`, d?.ratios?.[i], (v) => v >= goals.WEBSOCKET_GOAL_RATIO, x, details);
  });
}

export function goalRows(merged: Merged): GoalRow[] {
  const e = (name: string) => merged.get(name)?.entry;
  return [...helloRows(e("hello")), coldstartRow(e("coldstart")), ...densityRows(e("density")), noisyRow(e("noisy")), ...bindingRows(e("bindings")), ...websocketRows(e("websocket"))];
}

const SCENARIO_OF_ROWS = ["hello", "coldstart", "density", "noisy", "bindings", "websocket"];

function where(file: string): string {
  const rel = relative(repoRoot, file);
  return rel.startsWith("..") ? basename(file) : rel;
}

/** The generated Markdown (without the markers): the goal table, the machine, the runs. */
export function renderPerformance(all: Merged): string {
  // Only the scenarios that have a goal row (json, big, cpu have none).
  const merged: Merged = new Map([...all].filter(([name]) => SCENARIO_OF_ROWS.includes(name)));
  const rows = goalRows(merged);
  const table = markdownTable({
    columns: ["goal", "target", "measured", "status", "details (same run)"],
    rows: rows.map((r) => [r.goal, r.target, r.measured, r.status === "missed" ? "**missed**" : r.status, r.details]),
  });
  const runs = [...new Set([...merged.values()].map((v) => v.run))].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const lines = [table, ""];
  const newest = runs.at(-1);
  if (newest) {
    const m = newest.machine;
    lines.push(`Machine: ${m.nproc} × ${m.cpuModel}, ${fmt(m.memTotalMb / 1024, 1)} GB RAM, Node ${m.node}, ${m.platform}.`);
    if (runs.some((r) => r.machine.cpuModel !== m.cpuModel || r.machine.nproc !== m.nproc)) lines.push("**The runs below were not all on this machine.**");
    lines.push("");
    for (const run of runs) {
      const names = [...merged.entries()].filter(([, v]) => v.run === run).map(([name]) => name);
      const loads = names.flatMap((n) => {
        const l = run.scenarios[n].loadAvg1;
        return l ? [`${n} ${l.before.toFixed(2)}→${l.after.toFixed(2)}`] : [];
      });
      const load = loads.length ? loads.join(", ") : `${run.machine.loadAvg1.toFixed(2)} at start`;
      const measuredS = run.options?.hello?.durationS;
      const flags = [
        run.smoke ? "smoke run: fractions of a second, figures not meaningful" : isNum(measuredS) && measuredS < 10 ? `shortened: hello's loads measured ${measuredS} s` : "",
        run.options?.onlyAtoll ? "--only-atoll: no workerd/Miniflare" : "",
      ].filter(Boolean);
      lines.push(
        `- ${names.join(", ")}: ${run.startedAt.slice(0, 16).replace("T", " ")} UTC, commit ${run.commit ?? "unknown"}, load average (1 min) ${load}${flags.length ? ` (${flags.join("; ")})` : ""} — \`${where(run.file)}\``,
      );
    }
  } else {
    lines.push("No benchmark results yet: run `npm run bench`, then `node bench/tools/readme-table.ts`.");
  }
  const missing = SCENARIO_OF_ROWS.filter((n) => !merged.has(n));
  if (newest && missing.length) lines.push(`- not in these results: ${missing.join(", ")}`);
  return `<!-- generated by node bench/tools/readme-table.ts from the files named below; rerun it rather than editing -->\n\n${lines.join("\n")}`;
}

/** `text` with the part between the markers replaced by `generated`; throws if the markers are missing. */
export function replaceSection(text: string, generated: string): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END, start);
  if (start < 0 || end < 0) throw new Error(`the README has no ${START} … ${END} markers`);
  return `${text.slice(0, start + START.length)}\n${generated}\n${text.slice(end)}`;
}

/** Rewrites `readme` from `runs`; returns whether it changed. */
export function updateReadme(readme: string, runs: ResultsFile[]): boolean {
  const before = readFileSync(readme, "utf8");
  const after = replaceSection(before, renderPerformance(mergeNewest(runs)));
  if (after !== before) writeFileSync(readme, after);
  return after !== before;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { readme: { type: "string" }, stdout: { type: "boolean" } } });
  const runs = positionals.length ? positionals.map(readResults) : defaultResultFiles();
  if (values.stdout) {
    process.stdout.write(renderPerformance(mergeNewest(runs)) + "\n");
  } else {
    const readme = values.readme ?? join(repoRoot, "README.md");
    try {
      const changed = updateReadme(readme, runs);
      process.stdout.write(`${where(readme)}: performance table ${changed ? "rewritten" : "unchanged"} from ${runs.length} result file(s)\n`);
    } catch (error) {
      process.stderr.write(`readme-table: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}
