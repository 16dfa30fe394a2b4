// json, big, cpu: hello's comparison (atoll dev, plain Node http, workerd, Miniflare; each its own
// process, the same load driver in another) on heavier requests. One worker (APPS_WORKER,
// bench/apps.ts) serves every route; the plain Node baseline (bench/servers/plain-apps.ts) runs the
// same handler functions.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { APPS_WORKER, BIG_BYTES, calibrateSpin, jsonPayload, UPLOAD_BYTES } from "../apps.ts";
import type { LoadResult } from "../load.ts";
import type { BenchOptions } from "../options.ts";
import { ensurePeers, type Peers } from "../peers.ts";
import { benchDir, PLAIN_NODE_FLAGS, processTreeCpuMs, runJsonChild, startServer, type RunningServer } from "../proc.ts";
import { fmt, type ScenarioResult, type Table } from "../report.ts";
import { writeProject } from "../workers.ts";
import { cleanExit, startAtollDev, startMiniflare, startWorkerd } from "./hello.ts";

export interface AppLoad {
  /** Table label of the load. */
  name: string;
  /** Path and query of the request. */
  path: string;
  connections: number;
  warmupS: number;
  durationS: number;
  bodyBytes?: number;
  headers?: string[];
  /** Checks one response before the load; throws with what is wrong. */
  check(res: Response, body: Uint8Array): void;
}

interface AppRun {
  load: LoadResult;
  serverCpuUsPerRequest: number;
}

export async function loadPath(server: RunningServer, load: AppLoad): Promise<AppRun> {
  const before = processTreeCpuMs(server.pid);
  const args = [join(benchDir, "load.ts"), "--url", new URL(load.path, server.url).href, "--connections", String(load.connections), "--warmup", String(load.warmupS), "--duration", String(load.durationS)];
  if (load.bodyBytes) args.push("--body-bytes", String(load.bodyBytes));
  for (const h of load.headers ?? []) args.push("--header", h);
  const result = await runJsonChild<LoadResult>(args);
  const cpuMs = processTreeCpuMs(server.pid) - before;
  return { load: result, serverCpuUsPerRequest: (cpuMs * 1000) / Math.max(1, result.totalRequests) };
}

export interface Contender {
  label: string;
  start(): Promise<RunningServer>;
}

/** atoll dev, plain Node and (unless --only-atoll) workerd and Miniflare, all serving APPS_WORKER. */
export async function appContenders(options: BenchOptions, name: string): Promise<{ contenders: Contender[]; peers: Peers | null; cleanup(): void }> {
  const peers = options.onlyAtoll ? null : await ensurePeers();
  const project = writeProject(name, { "index.js": APPS_WORKER });
  const workerdDir = mkdtempSync(join(tmpdir(), "atoll-bench-workerd-"));
  writeFileSync(join(workerdDir, "index.js"), APPS_WORKER);
  const contenders: Contender[] = [
    { label: "plain node http", start: () => startServer("plain-apps", [join(benchDir, "servers", "plain-apps.ts"), "--port", "0"], { nodeFlags: PLAIN_NODE_FLAGS }) },
    { label: "atoll dev", start: () => startAtollDev(project.config) },
  ];
  if (peers) {
    contenders.push(
      { label: `workerd ${peers.workerdVersion}`, start: () => startWorkerd(peers, workerdDir) },
      { label: `miniflare ${peers.miniflareVersion}`, start: () => startMiniflare(peers, join(project.dir, "index.js")) },
    );
  }
  return {
    contenders,
    peers,
    cleanup: () => {
      project.remove();
      rmSync(workerdDir, { recursive: true, force: true });
    },
  };
}

/** Each contender in turn: start, check each load's response once, run the loads, stop. */
export async function runAppLoads(scenario: string, options: BenchOptions, loads: AppLoad[]) {
  const { contenders, peers, cleanup } = await appContenders(options, scenario);
  const runs = new Map<string, { runs: Record<string, AppRun>; exit: string; exitTail?: string }>();
  try {
    for (const contender of contenders) {
      process.stderr.write(`${scenario}: ${contender.label}…\n`);
      const server = await contender.start();
      const byLoad: Record<string, AppRun> = {};
      try {
        for (const load of loads) {
          const res = await fetch(new URL(load.path, server.url), {
            method: load.bodyBytes ? "POST" : "GET",
            headers: Object.fromEntries((load.headers ?? []).map((h) => [h.slice(0, h.indexOf(":")), h.slice(h.indexOf(":") + 1).trim()])),
            body: load.bodyBytes ? (patternBody(load.bodyBytes) as unknown as BodyInit) : undefined,
          });
          const body = new Uint8Array(await res.arrayBuffer());
          try {
            load.check(res, body);
          } catch (error) {
            throw new Error(`${contender.label} ${load.path}: ${(error as Error).message}`);
          }
          byLoad[load.name] = await loadPath(server, load);
        }
      } catch (error) {
        await server.stop();
        throw error;
      }
      const exit = await server.stop();
      runs.set(contender.label, { runs: byLoad, exit, ...(cleanExit(contender.label, exit) ? {} : { exitTail: server.exitTail() }) });
    }
  } finally {
    cleanup();
  }
  const rows: (string | number)[][] = [];
  const labels = contenders.map((c) => c.label);
  const plain = labels[0];
  const workerd = peers ? labels[2] : null;
  for (const load of loads) {
    const get = (label: string) => runs.get(label)!.runs[load.name];
    for (const label of labels) {
      const r = get(label);
      rows.push([label, load.name, fmt(r.load.rps), fmt(r.load.latencyMs.p50, 2), fmt(r.load.latencyMs.p99, 2), r.load.errors + r.load.non2xx, fmt(r.serverCpuUsPerRequest, 1)]);
    }
    const ratio = (label: string, base: string) => {
      const x = get(label);
      const b = get(base);
      return [`${label} / ${base === plain ? "plain node" : "workerd"}`, load.name, `${fmt(x.load.rps / b.load.rps, 2)}×`, `${fmt(x.load.latencyMs.p50 / b.load.latencyMs.p50, 2)}×`, `${fmt(x.load.latencyMs.p99 / b.load.latencyMs.p99, 2)}×`, "", `${fmt(x.serverCpuUsPerRequest / b.serverCpuUsPerRequest, 2)}×`];
    };
    for (const label of labels.slice(1)) rows.push(ratio(label, plain));
    if (workerd) for (const label of labels.slice(1)) if (label !== workerd) rows.push(ratio(label, workerd));
  }
  const table: Table = { columns: ["server", "load", "req/s", "p50 ms", "p99 ms", "errors", "server CPU µs/req"], rows };
  const badExits = [...runs.entries()].filter(([label, r]) => !cleanExit(label, r.exit)).map(([label, r]) => `${label}: ${r.exit} (last output: ${JSON.stringify(r.exitTail ?? "")})`);
  const notes = [
    ...(peers ? [] : ["workerd and Miniflare not measured (--only-atoll)."]),
    ...loads.map((l) => `${l.name}: ${l.bodyBytes ? `POST ${l.bodyBytes} bytes to` : "GET"} ${l.path}, ${l.connections} keep-alive connections closed loop, ${l.warmupS} s warm-up then ${l.durationS} s measured.`),
    ...(badExits.length ? [`A server did not shut down cleanly on SIGTERM: ${badExits.join(", ")}.`] : []),
  ];
  return { table, notes, peers, runs: Object.fromEntries(runs), get: (label: string, load: string) => runs.get(label)!.runs[load], labels };
}

function patternBody(bytes: number): Uint8Array {
  const body = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) body[i] = i & 0xff;
  return body;
}

const expect200 = (res: Response) => {
  if (res.status !== 200) throw new Error(`status ${res.status}`);
};

export async function runJson(options: BenchOptions): Promise<ScenarioResult> {
  const o = options.hello;
  const headers = ["Accept: application/json", "User-Agent: atoll-bench-json"];
  const path = "/json?user=42&sort=price";
  const { table, notes, peers, runs } = await runAppLoads("json", options, [
    {
      name: "json ~1 KB",
      path,
      connections: o.connections,
      warmupS: o.warmupS,
      durationS: o.durationS,
      headers,
      check(res, body) {
        expect200(res);
        const text = new TextDecoder().decode(body);
        const want = jsonPayload(new URL(res.url).href, "atoll-bench-json", "application/json");
        if (text !== want) throw new Error(`body ${text.slice(0, 200)}; expected ${want.slice(0, 200)}`);
        if (!/^application\/json/.test(res.headers.get("content-type") ?? "")) throw new Error(`content-type ${res.headers.get("content-type")}`);
      },
    },
  ]);
  const size = jsonPayload(`http://127.0.0.1${path}`, "atoll-bench-json", "application/json").length;
  return {
    name: "json",
    title: `json: URL + headers parsed, ~1 KB JSON response (${size} bytes), atoll dev vs plain Node${peers ? ", workerd and Miniflare" : ""}`,
    tables: [table],
    notes: [`The handler (jsonPayload in bench/apps.ts) parses the URL and its query, reads User-Agent and Accept, builds 12 objects and JSON.stringify()s them; the same function runs in every server.`, ...notes],
    data: { options: o, peers, runs, bytes: size },
  };
}

export async function runBig(options: BenchOptions): Promise<ScenarioResult> {
  const o = options.hello;
  const upload = options.big;
  const { table, notes, peers, runs } = await runAppLoads("big", options, [
    {
      name: "GET 256 KiB",
      path: "/big",
      connections: o.connections,
      warmupS: o.warmupS,
      durationS: o.durationS,
      check(res, body) {
        expect200(res);
        if (body.byteLength !== BIG_BYTES || body[0] !== 97 || body[BIG_BYTES - 1] !== 97 + ((BIG_BYTES - 1) % 26)) throw new Error(`body of ${body.byteLength} bytes`);
      },
    },
    {
      name: "POST 10 MB, SHA-256",
      path: "/upload",
      connections: upload.uploadConnections,
      warmupS: upload.uploadWarmupS,
      durationS: upload.uploadDurationS,
      bodyBytes: UPLOAD_BYTES,
      check(res, body) {
        expect200(res);
        const text = new TextDecoder().decode(body);
        if (!text.startsWith(`${UPLOAD_BYTES} `) || !/^\d+ [0-9a-f]{64}$/.test(text)) throw new Error(`body ${JSON.stringify(text)}`);
      },
    },
  ]);
  return {
    name: "big",
    title: `big: 256 KiB response and 10 MB upload hashed with SHA-256, atoll dev vs plain Node${peers ? ", workerd and Miniflare" : ""}`,
    tables: [table],
    notes: [
      "GET /big: a 256 KiB Uint8Array built once per server, `new Response(bytes)` (plain Node: one Buffer, Content-Length).",
      "POST /upload: the worker reads request.body chunk by chunk, joins the chunks and hashes them with crypto.subtle.digest(\"SHA-256\") (one-shot: Web Crypto has no incremental digest); plain Node feeds each chunk to node:crypto's createHash(\"sha256\"). The answer is `<bytes> <hex digest>`, checked once per server.",
      ...notes,
    ],
    data: { options: { ...o, ...upload }, peers, runs },
  };
}

export async function runCpu(options: BenchOptions): Promise<ScenarioResult> {
  const o = options.hello;
  const n = calibrateSpin(1);
  const cores = availableParallelism();
  const { table, notes, peers, runs, get, labels } = await runAppLoads("cpu", options, [
    {
      name: "~1 ms JS",
      path: `/cpu?n=${n}`,
      connections: o.connections,
      warmupS: o.warmupS,
      durationS: o.durationS,
      check(res, body) {
        expect200(res);
        if (!/^-?\d+$/.test(new TextDecoder().decode(body))) throw new Error(`body ${new TextDecoder().decode(body)}`);
      },
    },
  ]);
  const ceiling = cores * 1000;
  return {
    name: "cpu",
    title: `cpu: ~1 ms of pure JavaScript per request, atoll dev vs plain Node${peers ? ", workerd and Miniflare" : ""}`,
    tables: [table],
    notes: [
      `spin(n) (bench/apps.ts, an integer loop) with n = ${n}, calibrated once in the bench process to ~1 ms; the same n and the same function in every server. How fast each engine's JIT makes this loop differs (V8 versions, tiering under load): compare server CPU µs/req, not only req/s.`,
      `Ceiling on this machine: ${cores} cores × 1000/s = ${fmt(ceiling)} req/s if every core did nothing but the loop (the load driver shares the cores). A single-threaded server tops out near 1000/s.`,
      ...labels.map((l) => `${l}: ${fmt(get(l, "~1 ms JS").load.rps)} req/s = ${fmt((100 * get(l, "~1 ms JS").load.rps) / ceiling, 0)}% of the ceiling.`),
      ...notes,
    ],
    data: { options: o, peers, runs, spinN: n, cores },
  };
}
