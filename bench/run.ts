// `npm run bench -- [scenario...] [options]`: runs the scenarios (see bench/README.md), prints one
// markdown section per scenario and writes all figures to bench/results/<timestamp>.json.
import { parseOptions, USAGE, type ScenarioName, type BenchOptions } from "./options.ts";
import { stopAll } from "./proc.ts";
import { gitCommit, machineInfo, renderMachine, renderScenario, writeResults, type ScenarioResult } from "./report.ts";
import { runColdstart } from "./scenarios/coldstart.ts";
import { runDensity } from "./scenarios/density.ts";
import { runBindings } from "./scenarios/bindings.ts";
import { runHello } from "./scenarios/hello.ts";
import { runWebsocket } from "./scenarios/websocket.ts";
import { runBig, runCpu, runJson } from "./scenarios/apps.ts";
import { runNoisy } from "./scenarios/noisy.ts";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot } from "./proc.ts";
import { defaultResultFiles, readResults, updateReadme } from "./tools/readme-table.ts";

const RUNNERS: Record<ScenarioName, (options: BenchOptions) => Promise<ScenarioResult>> = {
  hello: runHello,
  coldstart: runColdstart,
  density: runDensity,
  bindings: runBindings,
  websocket: runWebsocket,
  json: runJson,
  big: runBig,
  cpu: runCpu,
  noisy: runNoisy,
};

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const machine = machineInfo();
  const commit = gitCommit();
  process.stdout.write(`# Atoll benchmarks${options.smoke ? " (smoke)" : ""}\n\n${renderMachine(machine)}\n`);
  const results: ScenarioResult[] = [];
  /** 1-minute load average before and after each scenario (the README's table quotes it). */
  const loads = new Map<string, { before: number; after: number }>();
  let failed = false;
  for (const name of options.scenarios) {
    const started = performance.now();
    const loadBefore = loadavg()[0];
    try {
      const result = await RUNNERS[name](options);
      const loadAfter = loadavg()[0];
      loads.set(name, { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) });
      result.notes.push(`Load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after this scenario.`);
      results.push(result);
      process.stdout.write(renderScenario(result) + "\n");
    } catch (error) {
      failed = true;
      process.stderr.write(`bench: scenario ${name} failed: ${(error as Error).stack ?? error}\n`);
      await stopAll();
    }
    process.stderr.write(`bench: ${name} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const file = writeResults(options.out, startedAt, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    commit,
    loadAvg1AtEnd: Number(loadavg()[0].toFixed(2)),
    smoke: options.smoke,
    options,
    scenarios: Object.fromEntries(results.map((r) => [r.name, { title: r.title, loadAvg1: loads.get(r.name), tables: r.tables, notes: r.notes, data: r.data }])),
  });
  process.stdout.write(`Results: ${file}\n`);
  if (options.readme) {
    // The newest result of each scenario, this run's included even if it is a smoke run or elsewhere.
    const runs = [...defaultResultFiles().filter((r) => resolve(r.file) !== resolve(file)), readResults(file)];
    const changed = updateReadme(join(repoRoot, "README.md"), runs);
    process.stdout.write(`README.md: performance table ${changed ? "rewritten" : "unchanged"}\n`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
