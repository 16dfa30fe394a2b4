// Repro for the per-entry cost of rotating across isolates, with isolated-vm alone (no Atoll code):
// N isolates each holding a trivial function, 50 calls in flight, each call to the next isolate
// round-robin (`Reference.apply`, async, with a timeout, as WorkerIsolate enters an isolate).
// Compare N=1 (every call to the same isolate) with N=100: the host-process CPU per call is what
// bounds requests/s when traffic is spread thinly over many workers (bench `density`).
//
//   node --no-node-snapshot bench/tools/ivm-rotation.ts [isolates=100] [seconds=3]
import ivm from "isolated-vm";

const n = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 3);
const fns: ivm.Reference<(x: unknown) => unknown>[] = [];
for (let i = 0; i < n; i++) {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  await context.eval("globalThis.f = (events) => [{ t: 'head', id: 1, status: 200 }];");
  fns.push(await context.global.get("f", { reference: true }));
}
let next = 0;
let calls = 0;
let stop = false;
const loop = async () => {
  while (!stop) {
    const arg = new ivm.ExternalCopy([{ t: "request", id: calls, url: "http://localhost/" }]).copyInto({ release: true });
    await fns[next++ % n].apply(undefined, [arg], { timeout: 30_000, result: { copy: true } });
    calls++;
  }
};
const started = performance.now();
const cpu0 = process.cpuUsage();
const loops = Array.from({ length: 50 }, loop);
await new Promise((r) => setTimeout(r, seconds * 1000));
stop = true;
await Promise.all(loops);
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${n} isolates: ${Math.round(calls / elapsed)} calls/s, ${((cpu.user + cpu.system) / calls).toFixed(1)} µs process CPU per call\n`);
