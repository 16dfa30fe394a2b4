// Profiles `atoll dev` under the hello load: runs it with `--cpu-prof`, drives it with bench/load.ts,
// stops it (SIGTERM: the profile is written on a clean exit), then prints where the main thread's
// time went and how the process's CPU splits across its threads (main thread = the host event
// loop; isolated-vm pool threads = user code and the prelude; V8 workers = GC and compilers).
//
//   node --no-node-snapshot bench/tools/profile-hello.ts [--duration 10] [--connections 50] [--keep DIR]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { LoadResult } from "../load.ts";
import { benchDir, NODE_FLAGS, repoRoot, runJsonChild, startServer } from "../proc.ts";
import { HELLO_WORKER, writeProject } from "../workers.ts";
import { formatProfile, summarizeProfile } from "./cpuprofile-top.ts";

/** CPU ms per thread name of a process (Linux /proc), summed over threads of the same name. */
export function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = (tid === String(pid) ? "main: " : "") + stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

const { values } = parseArgs({
  options: { duration: { type: "string", default: "10" }, connections: { type: "string", default: "50" }, keep: { type: "string" } },
});
const profDir = values.keep ?? mkdtempSync(join(tmpdir(), "atoll-bench-prof-"));
const project = writeProject("hello-prof", { "index.js": HELLO_WORKER });
try {
  const server = await startServer("atoll-dev-prof", [join(repoRoot, "bin", "atoll.js"), "dev", "-c", project.config, "--port", "0", "--no-watch"], {
    nodeFlags: [...NODE_FLAGS, "--cpu-prof", `--cpu-prof-dir=${profDir}`],
  });
  const before = threadCpuMs(server.pid);
  let load: LoadResult;
  try {
    load = await runJsonChild<LoadResult>([join(benchDir, "load.ts"), "--url", server.url, "--connections", values.connections, "--warmup", "1", "--duration", values.duration]);
  } finally {
    const after = threadCpuMs(server.pid);
    const exit = await server.stop();
    process.stdout.write(`atoll dev exited: ${exit}\n`);
    const total = [...after.values()].reduce((a, b) => a + b, 0) - [...before.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(`CPU by thread during the load (ms, share):\n`);
    for (const [name, ms] of [...after].map(([n, v]): [string, number] => [n, v - (before.get(n) ?? 0)]).sort((a, b) => b[1] - a[1])) {
      if (ms > 0) process.stdout.write(`  ${name.padEnd(22)} ${String(ms).padStart(7)}  ${((100 * ms) / total).toFixed(1)}%\n`);
    }
  }
  process.stdout.write(`load: ${Math.round(load.rps)} req/s, p50 ${load.latencyMs.p50.toFixed(2)} ms, p99 ${load.latencyMs.p99.toFixed(2)} ms, ${load.totalRequests} responses\n`);
  const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${profDir}`);
  process.stdout.write(`main thread profile (${join(profDir, file)}):\n`);
  process.stdout.write(formatProfile(summarizeProfile(JSON.parse(readFileSync(join(profDir, file), "utf8"))), 30, 30));
} finally {
  project.remove();
  if (!values.keep) rmSync(profDir, { recursive: true, force: true });
}
