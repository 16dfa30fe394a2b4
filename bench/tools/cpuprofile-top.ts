// Summarizes a .cpuprofile (from `node --cpu-prof`): the functions with the most self time and the
// most inclusive time, as shares of all samples.
//
//   node bench/tools/cpuprofile-top.ts FILE.cpuprofile [selfRows=25] [inclusiveRows=25]
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  self: [string, number][];
  inclusive: [string, number][];
}

export function summarizeProfile(profile: Profile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfById = new Map<number, number>();
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*\/(src|node_modules|bench)\//, "$1/")}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ""}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, t] of selfById) {
    total += t;
    const k = key(nodes.get(id)!);
    self.set(k, (self.get(k) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const ck = key(nodes.get(cur)!);
      if (seen.has(ck)) continue;
      seen.add(ck);
      inclusive.set(ck, (inclusive.get(ck) ?? 0) + t);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]): [string, number] => [k, v / total]);
  return { totalMs: total / 1000, self: sorted(self), inclusive: sorted(inclusive) };
}

export function formatProfile(s: ProfileSummary, selfRows = 25, inclusiveRows = 25): string {
  const rows = (xs: [string, number][], n: number) => xs.slice(0, n).map(([k, share]) => `${(share * 100).toFixed(1).padStart(5)}%  ${k}`).join("\n");
  return `${s.totalMs.toFixed(0)} ms sampled\n--- self time ---\n${rows(s.self, selfRows)}\n--- inclusive time ---\n${rows(s.inclusive, inclusiveRows)}\n`;
}

if (import.meta.main) {
  const [file, selfRows, inclusiveRows] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: node bench/tools/cpuprofile-top.ts FILE.cpuprofile [selfRows] [inclusiveRows]\n");
    process.exit(2);
  }
  process.stdout.write(formatProfile(summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as Profile), Number(selfRows ?? 25), Number(inclusiveRows ?? 25)));
}
