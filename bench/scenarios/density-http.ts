// density over HTTP: N distinct small workers in one server process, each reached through the
// process's one socket by its Host header (w<i>.density.bench): atoll dev with N `-c` configs, each
// with `routes = ["w<i>.density.bench/*"]`, and workerd with N services behind a router worker
// (service bindings; workerd itself routes by socket, not by host). Each worker answers one
// request, then the process's RSS is compared with the same system serving no density worker;
// then the load spreads requests over all N hosts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadResult } from "../load.ts";
import type { BenchOptions } from "../options.ts";
import { writeWorkerdServicesConfig, type Peers, type WorkerdService } from "../peers.ts";
import { freePort, httpGet, processRssMb, repoRoot, startServer, type RunningServer } from "../proc.ts";
import { PLACEHOLDER, SMALL_WORKER, writeProject } from "../workers.ts";
import { cleanExit } from "./hello.ts";
import { runLoadChild } from "./noisy.ts";

export const DENSITY_HOST = "w{i}.density.bench";
/** Disposing of 1000 workers takes atoll dev more than the default 3 s between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 60_000;
const hostOf = (i: number) => DENSITY_HOST.replace("{i}", String(i));

/** Dispatches by the first label of the Host header to the service binding of that name. */
const ROUTER_WORKER = `export default {
  fetch(request, env) {
    const host = request.headers.get("host") ?? "";
    const target = env[host.slice(0, host.indexOf("."))];
    return target ? target.fetch(request) : new Response("no worker for " + host, { status: 404 });
  },
};
`;

export interface HttpDensityMeasurement {
  system: string;
  count: number;
  /** spawn() → serving (all N loaded), ms. */
  startMs: number;
  /** RSS of the same system serving no density worker (its baseline process), MB. */
  rssBaseMb: number;
  rssLoadedMb: number;
  rssPerWorkerMb: number;
  load: LoadResult;
  /** SIGTERM → exit, ms. */
  stopMs: number;
  exit: string;
}

interface Started {
  server: RunningServer;
  url: string;
  remove(): void;
}

/** A system that can start with N density workers (0: its baseline). */
export interface HttpDensitySystem {
  label: string;
  start(count: number): Promise<Started>;
}

export function atollDevSystem(): HttpDensitySystem {
  return {
    label: "atoll dev",
    async start(count) {
      // The first config is the default worker (no routes), in the baseline too: atoll dev needs one.
      const projects = [writeProject("density-base", { "index.js": SMALL_WORKER.replace(PLACEHOLDER, "base") }, { GREETING: "hi" })];
      for (let i = 0; i < count; i++) {
        const toml = `name = "w${i}"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\nroutes = [${JSON.stringify(`${hostOf(i)}/*`)}]\n[vars]\nGREETING = "hi"\n`;
        projects.push(writeProject("density-w", { "index.js": SMALL_WORKER.replace(PLACEHOLDER, `w${i}`), "wrangler.toml": toml }));
      }
      const remove = () => projects.forEach((p) => p.remove());
      try {
        const args = [join(repoRoot, "bin", "atoll.js"), "dev", ...projects.flatMap((p) => ["-c", p.config]), "--port", "0", "--no-watch"];
        const server = await startServer("atoll-dev-density", args, { timeoutMs: 600_000, stopGraceMs: STOP_GRACE_MS });
        return { server, url: server.url, remove };
      } catch (error) {
        remove();
        throw error;
      }
    },
  };
}

export function workerdSystem(peers: Peers): HttpDensitySystem {
  return {
    label: `workerd ${peers.workerdVersion}`,
    async start(count) {
      const dir = mkdtempSync(join(tmpdir(), "atoll-bench-workerd-density-"));
      const remove = () => rmSync(dir, { recursive: true, force: true });
      try {
        writeFileSync(join(dir, "router.js"), ROUTER_WORKER);
        const services: WorkerdService[] = [];
        const routes: Record<string, string> = {};
        for (let i = 0; i < count; i++) {
          writeFileSync(join(dir, `w${i}.js`), SMALL_WORKER.replace(PLACEHOLDER, `w${i}`));
          services.push({ name: `w${i}`, file: `w${i}.js`, vars: { GREETING: "hi" } });
          routes[`w${i}`] = `w${i}`;
        }
        const port = await freePort();
        const config = writeWorkerdServicesConfig(dir, [{ name: "router", file: "router.js", services: routes }, ...services], [{ name: "http", port, service: "router" }]);
        const url = `http://127.0.0.1:${port}/`;
        const server = await startServer("workerd-density", ["serve", config], { command: peers.workerdBin, readyUrl: url, cwd: dir, timeoutMs: 600_000, stopGraceMs: STOP_GRACE_MS });
        return { server, url, remove };
      } catch (error) {
        remove();
        throw error;
      }
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** RSS once it stops moving (no gc can be forced in these processes): a few reads 200 ms apart. */
async function settledRssMb(pid: number): Promise<number> {
  let last = processRssMb(pid);
  for (let i = 0; i < 10; i++) {
    await sleep(200);
    const now = processRssMb(pid);
    if (Math.abs(now - last) < 0.5) return now;
    last = now;
  }
  return last;
}

/** One request to every density worker through the server, checked (and the baseline's default). */
async function touchAll(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await httpGet(url, hostOf(i));
    if (res.status !== 200 || res.body !== `worker w${i} hi /`) throw new Error(`Host ${hostOf(i)} answered ${res.status} ${JSON.stringify(res.body.slice(0, 200))} — does it route by host?`);
  }
}

/** The system's baseline RSS (no density worker, one request served), MB. */
export async function baselineRss(system: HttpDensitySystem): Promise<number> {
  const started = await system.start(0);
  try {
    await httpGet(started.url);
    return await settledRssMb(started.server.pid);
  } finally {
    await started.server.stop();
    started.remove();
  }
}

export async function measureHttpDensity(system: HttpDensitySystem, count: number, rssBaseMb: number, opts: BenchOptions["density"]): Promise<HttpDensityMeasurement> {
  const started = await system.start(count);
  let rssLoadedMb: number, load: LoadResult;
  try {
    await touchAll(started.url, count);
    rssLoadedMb = await settledRssMb(started.server.pid);
    load = await runLoadChild({ url: started.url, host: DENSITY_HOST, hostCount: count }, opts.concurrency, opts.warmupS, opts.durationS);
  } catch (error) {
    await started.server.stop();
    started.remove();
    throw error;
  }
  const stopStart = performance.now();
  const exit = await started.server.stop();
  const stopMs = performance.now() - stopStart;
  started.remove();
  return {
    system: system.label,
    count,
    startMs: started.server.readyMs,
    rssBaseMb,
    rssLoadedMb,
    rssPerWorkerMb: (rssLoadedMb - rssBaseMb) / count,
    load,
    stopMs,
    exit: cleanExit(system.label, exit) ? exit : `${exit} (last output: ${JSON.stringify(started.server.exitTail())})`,
  };
}
