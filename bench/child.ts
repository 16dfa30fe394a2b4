// Entry of the in-process measurement children: `node bench/child.ts <coldstart|density> '<json>'`
// runs one measurement with the runtime's own classes and prints its result as one JSON line.
// A fresh process per measurement keeps one from disturbing the next (heap, RSS, JIT state).
import { measureColdstart } from "./scenarios/coldstart.ts";
import { measureDensity } from "./scenarios/density.ts";

const [kind, json] = process.argv.slice(2);
const params = JSON.parse(json ?? "{}");
let result: unknown;
if (kind === "coldstart") result = await measureColdstart(params);
else if (kind === "density") result = await measureDensity(params);
else {
  process.stderr.write(`child: unknown measurement "${kind}"\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(result) + "\n");
// Exit naturally: process.exit() right after isolates were disposed crashes isolated-vm now and
// then (SIGSEGV while its threads still tear isolates down). Force it only if something lingers.
setTimeout(() => process.exit(0), 5000).unref();
