// Where a cold start's time goes. Times the isolated-vm operations every cold start is made of,
// directly (no Atoll bridge): an isolate from the prelude snapshot, its context, compiling,
// instantiating and evaluating the bundle, one empty round trip into the isolate; then the real
// `worker.load` + first `fetch` through Atoll's Worker, 100 ms apart so the runtime's spare isolate
// (src/runtime/isolate-pool.ts) is ready, as in a steady-state cold start: load minus compile,
// instantiate and evaluate is then Atoll's own set-up (bridge init, entries). Then bare isolates,
// with and without the prelude snapshot, for comparison.
// Medians over 35 isolates (5 more warm up first).
//
//   node --no-node-snapshot bench/tools/coldstart-steps.ts [big|small]
import ivm from "isolated-vm";
import { loadPrelude } from "../../src/runtime/prelude-bundle.ts";
import { generateBigWorker } from "../big-worker.ts";
import { median } from "../stats.ts";
import { bundleProject, bundleVariant, getRequest, makeWorker, readText, SMALL_WORKER, writeProject } from "../workers.ts";

const which = process.argv[2] ?? "big";
const prelude = await loadPrelude();
const project = which === "big" ? writeProject("steps", generateBigWorker().files) : writeProject("steps", { "index.js": SMALL_WORKER });
const { bundle, bindings } = await bundleProject(project);
project.remove();
const main = bundle.modules.get(bundle.main);
const code = main?.type === "esm" ? main.code : "";
const RUNS = 40;
const WARM = 5;

const steps = ["new Isolate(prelude snapshot)", "createContext", "one eval round trip", "compileModule(bundle)", "instantiate", "evaluate"];
const samples: number[][] = steps.map(() => []);
for (let i = 0; i < RUNS; i++) {
  const t = [performance.now()];
  const mark = () => t.push(performance.now());
  const isolate = new ivm.Isolate({ memoryLimit: 128, snapshot: prelude.snapshot ?? undefined });
  mark();
  const context = await isolate.createContext();
  mark();
  await context.eval("1");
  mark();
  const module = await isolate.compileModule(code.replaceAll("__BENCH_ID__", `s${i}`), { filename: "worker.js" });
  mark();
  await module.instantiate(context, (specifier) => {
    throw new Error(`the bench workers import nothing (${specifier})`);
  });
  mark();
  await module.evaluate({ timeout: 30_000 });
  mark();
  if (i >= WARM) steps.forEach((_, k) => samples[k].push(t[k + 1] - t[k]));
  isolate.dispose();
}

const load: number[] = [];
const first: number[] = [];
const second: number[] = [];
for (let i = 0; i < RUNS; i++) {
  await new Promise((r) => setTimeout(r, 100));
  const worker = makeWorker(`s${i}`, bindings);
  const t0 = performance.now();
  await worker.load(bundleVariant(bundle, `s${i}`));
  const t1 = performance.now();
  const r1 = await worker.fetch(getRequest("/"));
  await readText(r1);
  worker.responseSent(r1);
  const t2 = performance.now();
  const r2 = await worker.fetch(getRequest("/"));
  await readText(r2);
  worker.responseSent(r2);
  const t3 = performance.now();
  if (i >= WARM) {
    load.push(t1 - t0);
    first.push(t2 - t1);
    second.push(t3 - t2);
  }
  await worker.dispose();
}

const out: string[] = [];
out.push(`${which} worker (${Math.round(code.length / 1024)} KB), prelude ${Math.round(prelude.code.length / 1024)} KB, snapshot ${prelude.snapshot ? Math.round(prelude.snapshot.copy().byteLength / 1024) + " KB" : "none"}; median ms:`);
let sum = 0;
let moduleWork = 0;
steps.forEach((s, k) => {
  const m = median(samples[k]);
  sum += m;
  if (k >= 3) moduleWork += m;
  out.push(`  ${s.padEnd(30)} ${m.toFixed(2)}`);
});
out.push(`  ${"sum".padEnd(30)} ${sum.toFixed(2)}`);
out.push(`  ${"Atoll worker.load (spare ready)".padEnd(30)} ${median(load).toFixed(2)}  (minus compile+instantiate+evaluate: ${(median(load) - moduleWork).toFixed(2)})`);
out.push(`  ${"Atoll first fetch".padEnd(30)} ${median(first).toFixed(2)}`);
out.push(`  ${"Atoll second fetch".padEnd(30)} ${median(second).toFixed(2)}`);

const tiny = ivm.Isolate.createSnapshot([{ code: "globalThis.x = 1;" }]);
out.push("bare isolates, median ms (new Isolate / createContext [/ evaluate the prelude]):");
for (const [label, snapshot] of [["no snapshot", undefined], ["tiny snapshot", tiny], ["prelude snapshot", prelude.snapshot ?? undefined]] as const) {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const isolate = new ivm.Isolate({ memoryLimit: 128, snapshot });
    const t1 = performance.now();
    await isolate.createContext();
    const t2 = performance.now();
    if (i >= WARM) {
      a.push(t1 - t0);
      b.push(t2 - t1);
    }
    isolate.dispose();
  }
  out.push(`  ${label.padEnd(18)} ${median(a).toFixed(2)} / ${median(b).toFixed(2)}`);
}
{
  const a: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const isolate = new ivm.Isolate({ memoryLimit: 128 });
    const context = await isolate.createContext();
    const t0 = performance.now();
    await context.eval(prelude.code);
    if (i >= WARM) a.push(performance.now() - t0);
    isolate.dispose();
  }
  out.push(`  ${"no snapshot".padEnd(18)} … / … / ${median(a).toFixed(2)} (what the snapshot saves, against its own cost above)`);
}
process.stdout.write(out.join("\n") + "\n");
