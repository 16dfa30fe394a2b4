// Output of a run: one markdown table (or a few) per scenario on stdout, and everything measured
// as JSON in bench/results/<timestamp>.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { benchDir, repoRoot } from "./proc.ts";

export interface Table {
  title?: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface ScenarioResult {
  name: string;
  title: string;
  tables: Table[];
  /** Plain sentences printed under the tables (goals met or missed, caveats). */
  notes: string[];
  /** Raw figures for the JSON file. */
  data: unknown;
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  memTotalMb: number;
  memFreeMb: number;
  node: string;
  platform: string;
  /** 1-minute load average at the start of the run: above ~0.5 the figures are disturbed. */
  loadAvg1: number;
}

export function machineInfo(): Machine {
  let cpuModel = cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpuModel = m[1].trim();
  } catch {}
  return {
    nproc: cpus().length,
    cpuModel,
    memTotalMb: Math.round(totalmem() / 2 ** 20),
    memFreeMb: Math.round(freemem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAvg1: Number(loadavg()[0].toFixed(2)),
  };
}

/** The commit the tree is at (short hash), `+dirty` when it has uncommitted changes; null without git. */
export function gitCommit(): string | null {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const hash = git("rev-parse", "--short", "HEAD");
    return git("status", "--porcelain", "--untracked-files=no") ? `${hash}+dirty` : hash;
  } catch {
    return null;
  }
}

/** A number for a table cell: `digits` decimals, thousands separated by a thin comma. */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "n/a";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function markdownTable(table: Table): string {
  const cells = table.rows.map((row) => row.map(String));
  const widths = table.columns.map((c, i) => Math.max(c.length, 3, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
  const out = [line(table.columns), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...cells.map(line)];
  return (table.title ? `${table.title}\n\n` : "") + out.join("\n");
}

export function renderScenario(result: ScenarioResult): string {
  const parts = [`## ${result.title}`, ...result.tables.map(markdownTable)];
  if (result.notes.length) parts.push(result.notes.map((n) => `- ${n}`).join("\n"));
  return parts.join("\n\n") + "\n";
}

export function renderMachine(m: Machine): string {
  return `Machine: ${m.nproc} × ${m.cpuModel}, ${fmt(m.memTotalMb / 1024, 1)} GB RAM, Node ${m.node}, ${m.platform}, load average ${m.loadAvg1} at start\n`;
}

export function writeResults(file: string | undefined, startedAt: Date, payload: unknown): string {
  const path = file ?? join(benchDir, "results", `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(payload, null, 2) + "\n");
  return path;
}
