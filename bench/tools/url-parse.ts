// µs per `new URL(...)` inside an isolate made from the prelude snapshot (the path a worker's
// request takes), next to plain Node's native URL and whatwg-url as installed (no fast paths).
// Times are CPU time (the isolate's own cpuTime; process.cpuUsage for plain Node), the best of
// several rounds, so they hold up on a loaded machine.
//
//   node --no-node-snapshot bench/tools/url-parse.ts [--rounds 7] [--iterations 20000]
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import ivm from "isolated-vm";
import { loadPrelude } from "../../src/runtime/prelude-bundle.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "7" }, iterations: { type: "string", default: "20000" } } });
const rounds = Number(values.rounds);
const iterations = Number(values.iterations);

/** [label, expression evaluated per iteration with `u` (and `b`) bound] */
const cases: { label: string; input: string; base?: string; expr: string }[] = [
  { label: "new URL(u)", input: "http://a/", expr: "new URL(u)" },
  { label: "new URL(u)", input: "http://127.0.0.1:8787/json?x=1&y=abc", expr: "new URL(u)" },
  { label: "new URL(u)", input: "https://example.com/a/b?c=d#e", expr: "new URL(u)" },
  { label: "new URL(u, b)", input: "/api/items?page=2", base: "https://example.com/app/", expr: "new URL(u, b)" },
  { label: "new URL(u) (slow path: %-escapes, IPv6)", input: "http://[::1]:8080/a%20b?q=%C3%A9", expr: "new URL(u)" },
  { label: "pathname + searchParams", input: "http://127.0.0.1:8787/json?user=42&sort=price", expr: "{ const x = new URL(u); x.pathname; Object.fromEntries(x.searchParams); }" },
];

function loop(c: (typeof cases)[number]): string {
  return `(() => { const u = ${JSON.stringify(c.input)}, b = ${JSON.stringify(c.base)}; for (let i = 0; i < ${iterations}; i++) ${c.expr}; })()`;
}

async function inIsolate(c: (typeof cases)[number]): Promise<number> {
  const prelude = await loadPrelude();
  const isolate = new ivm.Isolate({ memoryLimit: 128, snapshot: prelude.snapshot ?? undefined });
  try {
    const context = await isolate.createContext();
    if (!prelude.snapshot) await context.eval(prelude.code);
    const script = await isolate.compileScript(loop(c));
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t0 = isolate.cpuTime;
      await script.run(context);
      best = Math.min(best, Number(isolate.cpuTime - t0) / 1000 / iterations);
    }
    return best;
  } finally {
    isolate.dispose();
  }
}

function inNode(c: (typeof cases)[number], URLClass: typeof URL): number {
  const run = new Function("URL", loop(c).replace(/^\(/, "return (")) as (u: typeof URL) => void;
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.cpuUsage();
    run(URLClass);
    const d = process.cpuUsage(t0);
    best = Math.min(best, (d.user + d.system) / iterations);
  }
  return best;
}

const whatwgUrl = createRequire(import.meta.url)("whatwg-url") as { URL: typeof URL };
const rows: string[][] = [];
for (const c of cases) {
  const name = `${c.label} ${c.input}${c.base ? ` (base ${c.base})` : ""}`;
  rows.push([name, (await inIsolate(c)).toFixed(2), inNode(c, URL).toFixed(2), inNode(c, whatwgUrl.URL).toFixed(2)]);
}
const head = ["case", "isolate µs", "node URL µs", "node whatwg-url µs"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [head, widths.map((w) => "-".repeat(w)), ...rows]) process.stdout.write(`| ${r.map((x, i) => (i ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join(" | ")} |\n`);
process.stdout.write(`(best of ${rounds} rounds of ${iterations} iterations, CPU time; load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ")})\n`);
