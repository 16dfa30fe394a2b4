// The peers Atoll is compared with (workerd, Miniflare), from their own install in bench/peers/
// (its package.json pins exact versions, its package-lock.json is committed). They are large, so
// the main install does not carry them: the first run that needs them runs
// `npm ci --prefix bench/peers`. They live in a subdirectory rather than bench/node_modules so
// that Miniflare's own copies of undici and ws never shadow the root's for bench/'s code (the load
// drivers and the plain Node baselines resolve those packages from the nearest node_modules).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir } from "./proc.ts";

export const peersDir = join(benchDir, "peers");
const modulesDir = join(peersDir, "node_modules");

export interface Peers {
  /** The workerd executable (from the `@cloudflare/workerd-<platform>` package). */
  workerdBin: string;
  workerdVersion: string;
  /** Entry module of the miniflare package (loaded by bench/servers/miniflare.ts). */
  miniflareEntry: string;
  miniflareVersion: string;
}

function installed(): Peers | null {
  const pkg = (name: string): { version: string; main?: string } | null => {
    const file = join(modulesDir, name, "package.json");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { version: string; main?: string }) : null;
  };
  const miniflare = pkg("miniflare");
  const workerd = pkg("workerd");
  const workerdBin = join(modulesDir, ".bin", "workerd");
  if (!miniflare || !workerd || !existsSync(workerdBin)) return null;
  return {
    workerdBin,
    workerdVersion: workerd.version,
    miniflareEntry: join(modulesDir, "miniflare", miniflare.main ?? "dist/src/index.js"),
    miniflareVersion: miniflare.version,
  };
}

let pending: Promise<Peers> | undefined;

/** The installed peers, installing them first (`npm ci --prefix bench/peers`) when missing. */
export function ensurePeers(): Promise<Peers> {
  pending ??= (async () => {
    const found = installed();
    if (found) return found;
    process.stderr.write("bench: installing the peers (workerd, miniflare): npm ci --prefix bench/peers …\n");
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const child = spawn(npm, ["ci", "--prefix", peersDir, "--no-audit", "--no-fund"], { stdio: ["ignore", process.stderr, process.stderr] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`npm ci --prefix ${peersDir} exited with ${code}`);
    const after = installed();
    if (!after) throw new Error(`npm ci --prefix ${peersDir} finished but workerd/miniflare are not in ${modulesDir}`);
    return after;
  })();
  return pending;
}

/**
 * A minimal workerd config serving one ES-module worker (`index.js` beside it) on
 * 127.0.0.1:`port`, the way workerd's own samples configure one; returns its path.
 */
export function writeWorkerdConfig(dir: string, port: number, compatibilityDate = "2025-01-01"): string {
  const file = join(dir, "config.capnp");
  writeFileSync(
    file,
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const mainWorker :Workerd.Worker = (
  modules = [ (name = "index.js", esModule = embed "index.js") ],
  compatibilityDate = "${compatibilityDate}",
);
`,
  );
  return file;
}
