// bindings: requests/s and latency of a worker doing one storage operation per request — a KV get
// (value preloaded), a D1 point select (table preloaded with 10k rows), a D1 insert — through
// `atoll dev` and (unless --only-atoll) Miniflare, the same worker source in both, both keeping
// their state on disk in a temp directory, under the same keep-alive load in the same run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchOptions } from "../options.ts";
import { ensurePeers } from "../peers.ts";
import type { RunningServer } from "../proc.ts";
import { fmt, type ScenarioResult } from "../report.ts";
import { writeProject } from "../workers.ts";
import { cleanExit, loadServer, startAtollDev, startMiniflare, summarizeRuns, type ServerRun } from "./hello.ts";
import { BINDINGS_GOAL_RATIO } from "../goals.ts";

export const KV_VALUE = "hello from kv";

export const BINDINGS_WORKER = `const ROWS = __ROWS__;
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/setup": {
        await env.DB.exec("DROP TABLE IF EXISTS items");
        await env.DB.exec("DROP TABLE IF EXISTS log");
        await env.DB.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, value TEXT NOT NULL)");
        await env.DB.exec("CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, value TEXT NOT NULL)");
        await env.DB.prepare("INSERT INTO items (id, value) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT x, 'value-' || x FROM c").bind(ROWS).run();
        await env.KV.put("key", ${JSON.stringify(KV_VALUE)});
        const count = await env.DB.prepare("SELECT count(*) AS n FROM items").first("n");
        return new Response("rows " + count);
      }
      case "/kv":
        return new Response(await env.KV.get("key"));
      case "/d1-select": {
        const id = 1 + Math.floor(Math.random() * ROWS);
        const row = await env.DB.prepare("SELECT value FROM items WHERE id = ?").bind(id).first();
        return new Response(row.value);
      }
      case "/d1-insert": {
        const result = await env.DB.prepare("INSERT INTO log (value) VALUES (?)").bind("entry").run();
        return new Response(String(result.meta.last_row_id));
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
`;

const OPERATIONS = [
  { path: "/kv", label: "KV get", check: (body: string) => body === KV_VALUE },
  { path: "/d1-select", label: "D1 point select", check: (body: string) => /^value-\d+$/.test(body) },
  { path: "/d1-insert", label: "D1 insert", check: (body: string) => /^\d+$/.test(body) },
] as const;

async function expectBody(url: string, what: string, check: (body: string) => boolean): Promise<void> {
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200 || !check(body)) throw new Error(`${what}: ${url} answered ${res.status} ${JSON.stringify(body.slice(0, 300))}`);
}

interface ServerResults {
  label: string;
  runs: Record<string, ServerRun>;
  exit: string;
  exitTail?: string;
}

async function measureServer(label: string, server: RunningServer, opts: BenchOptions["bindings"]): Promise<ServerResults> {
  const runs: Record<string, ServerRun> = {};
  try {
    await expectBody(new URL("/setup", server.url).href, label, (b) => b === `rows ${opts.rows}`);
    for (const op of OPERATIONS) {
      const url = new URL(op.path, server.url).href;
      await expectBody(url, `${label} ${op.label}`, op.check);
      process.stderr.write(`bindings: ${label}: ${op.label}…\n`);
      runs[op.path] = await loadServer(server, url, { connections: opts.connections, warmupS: opts.warmupS, durationS: opts.durationS, engine: "raw" });
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  const exit = await server.stop();
  return { label, runs, exit, ...(cleanExit(label, exit) ? {} : { exitTail: server.exitTail() }) };
}

export async function runBindings(options: BenchOptions): Promise<ScenarioResult> {
  const opts = options.bindings;
  const peers = options.onlyAtoll ? null : await ensurePeers();
  const source = BINDINGS_WORKER.replace("__ROWS__", String(opts.rows));
  const toml = [
    `name = "bindings"`,
    `main = "index.js"`,
    `compatibility_date = "2025-01-01"`,
    `kv_namespaces = [{ binding = "KV", id = "bench-kv" }]`,
    `d1_databases = [{ binding = "DB", database_name = "bench", database_id = "bench-db" }]`,
  ].join("\n");
  const project = writeProject("bindings", { "index.js": source, "wrangler.toml": toml + "\n" });
  const state = mkdtempSync(join(tmpdir(), "atoll-bench-bindings-state-"));
  const results: ServerResults[] = [];
  try {
    process.stderr.write("bindings: atoll dev…\n");
    results.push(await measureServer("atoll dev", await startAtollDev(project.config, ["--persist-to", join(state, "atoll")]), opts));
    if (peers) {
      process.stderr.write("bindings: miniflare…\n");
      const server = await startMiniflare(peers, join(project.dir, "index.js"), ["--kv", "KV", "--d1", "DB", "--persist", join(state, "miniflare")]);
      results.push(await measureServer(`miniflare ${peers.miniflareVersion}`, server, opts));
    }
  } finally {
    project.remove();
    rmSync(state, { recursive: true, force: true });
  }

  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const ratios: Record<string, number> = {};
  for (const op of OPERATIONS) {
    const summaries = results.map((r) => ({ label: r.label, s: summarizeRuns([r.runs[op.path]]) }));
    for (const { label, s } of summaries) rows.push([op.label, label, fmt(s.rps), fmt(s.p50, 2), fmt(s.p99, 2), s.errors, fmt(s.cpuUs, 1)]);
    if (summaries.length === 2) {
      const [a, m] = summaries.map((x) => x.s);
      const ratio = a.rps / m.rps;
      ratios[op.path] = ratio;
      rows.push([op.label, "atoll / miniflare", `${fmt(ratio, 2)}×`, `${fmt(a.p50 / m.p50, 2)}×`, `${fmt(a.p99 / m.p99, 2)}×`, "", `${fmt(a.cpuUs / m.cpuUs, 2)}×`]);
      notes.push(`${op.label}: atoll / miniflare ${fmt(ratio, 2)}× the requests/s — goal ≥ ${BINDINGS_GOAL_RATIO}×: ${ratio >= BINDINGS_GOAL_RATIO ? "met" : "MISSED"}.`);
    }
  }
  if (!peers) notes.push("Miniflare not measured (--only-atoll).");
  notes.push(
    `One operation per request: \`env.KV.get("key")\` (a ${KV_VALUE.length}-byte value put before the run); \`SELECT value FROM items WHERE id = ?\` with a random id among ${fmt(opts.rows)} rows (INTEGER PRIMARY KEY), \`.first()\`; \`INSERT INTO log (value) VALUES (?)\`, \`.run()\` (the log table grows through the run). The same worker source in both servers; it creates and fills the tables itself (GET /setup) before the loads.`,
    `Load: ${opts.connections} keep-alive connections, closed loop, ${opts.warmupS} s warm-up then ${opts.durationS} s measured per operation, raw driver in its own process; one server process per contender, the three operations one after the other.`,
    "State on disk for both, in a temp directory: atoll dev `--persist-to` (SQLite WAL, synchronous = FULL: a write resolves once it is committed to disk); Miniflare `kvPersist`/`d1Persist` (its SQLite-backed simulators inside workerd). Server CPU µs/req includes Miniflare's workerd child.",
  );
  const badExits = results.filter((r) => !cleanExit(r.label, r.exit)).map((r) => `${r.label}: ${r.exit} (last output: ${JSON.stringify(r.exitTail ?? "")})`);
  if (badExits.length) notes.push(`A server did not shut down cleanly on SIGTERM: ${badExits.join(", ")}.`);
  return {
    name: "bindings",
    title: `bindings: one KV get / D1 select / D1 insert per request, atoll dev${peers ? " vs Miniflare" : ""}`,
    tables: [{ columns: ["operation", "server", "req/s", "p50 ms", "p99 ms", "errors", "server CPU µs/req"], rows }],
    notes,
    data: { options: opts, peers, results, ratios },
  };
}
