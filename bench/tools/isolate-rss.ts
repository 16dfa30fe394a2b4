// RSS per idle isolate with isolated-vm alone, to attribute the `density` figure: a bare isolate
// with a context, one made from the prelude snapshot, and one from the prelude snapshot that has
// then answered a request through Atoll (a loaded Worker, as in `density`). N of each, fresh
// process per kind recommended (run it once per kind).
//
//   node --no-node-snapshot --expose-gc bench/tools/isolate-rss.ts [bare|snapshot|worker] [N=200]
import ivm from "isolated-vm";
import { loadPrelude } from "../../src/runtime/prelude-bundle.ts";
import type { Worker } from "../../src/runtime/worker.ts";
import { bundleProject, bundleVariant, getRequest, makeWorker, readText, SMALL_WORKER, writeProject } from "../workers.ts";

const kind = process.argv[2] ?? "bare";
const n = Number(process.argv[3] ?? 200);
const prelude = await loadPrelude();
const project = writeProject("rss", { "index.js": SMALL_WORKER }, { GREETING: "hi" });
const { bundle, bindings } = await bundleProject(project);
project.remove();
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
  return process.memoryUsage().rss;
};
const keep: unknown[] = [];
const one = async (i: number) => {
  if (kind === "worker") {
    const w: Worker = makeWorker(`w${i}`, bindings);
    await w.load(bundleVariant(bundle, `w${i}`));
    const r = await w.fetch(getRequest("/"));
    await readText(r);
    w.responseSent(r);
    return w;
  }
  const isolate = new ivm.Isolate({ memoryLimit: 128, snapshot: kind === "snapshot" ? (prelude.snapshot ?? undefined) : undefined });
  const context = await isolate.createContext();
  await context.eval("1");
  return [isolate, context];
};
keep.push(await one(-1));
const before = await settle();
for (let i = 0; i < n; i++) keep.push(await one(i));
const after = await settle();
let heap = "";
if (kind !== "worker") {
  const [isolate] = keep[1] as [ivm.Isolate];
  const s = await isolate.getHeapStatistics();
  heap = `, one isolate's V8 heap: total ${(s.total_heap_size / 2 ** 20).toFixed(2)} MB, used ${(s.used_heap_size / 2 ** 20).toFixed(2)} MB`;
}
process.stdout.write(`${kind}: ${((after - before) / 2 ** 20 / n).toFixed(2)} MB RSS per isolate over ${n}${heap}\n`);
setTimeout(() => process.exit(0), 3000).unref();
