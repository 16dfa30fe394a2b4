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

/** One service of a workerd config: an ES-module worker whose source is the file `file` beside the config. */
export interface WorkerdService {
  name: string;
  file: string;
  /** Text bindings (vars). */
  vars?: Record<string, string>;
  /** Service bindings: binding name → service name. */
  services?: Record<string, string>;
}

/** A socket of a workerd config: 127.0.0.1:`port`, plain HTTP, to `service`. */
export interface WorkerdSocket {
  name: string;
  port: number;
  service: string;
}

/**
 * A workerd config (`config.capnp` in `dir`, returned) with several services and sockets, the
 * way workerd's own samples write them; each worker's module is embedded from its file.
 */
export function writeWorkerdServicesConfig(dir: string, services: WorkerdService[], sockets: WorkerdSocket[], compatibilityDate = "2025-01-01"): string {
  const file = join(dir, "config.capnp");
  const str = (s: string) => JSON.stringify(s);
  const worker = (s: WorkerdService) => {
    const bindings = [
      ...Object.entries(s.vars ?? {}).map(([name, value]) => `(name = ${str(name)}, text = ${str(value)})`),
      ...Object.entries(s.services ?? {}).map(([name, service]) => `(name = ${str(name)}, service = ${str(service)})`),
    ];
    return `(name = ${str(s.name)}, worker = (modules = [ (name = "index.js", esModule = embed ${str(s.file)}) ], compatibilityDate = ${str(compatibilityDate)}${bindings.length ? `, bindings = [ ${bindings.join(", ")} ]` : ""}))`;
  };
  writeFileSync(
    file,
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ${services.map(worker).join(",\n    ")}
  ],
  sockets = [
    ${sockets.map((k) => `(name = ${str(k.name)}, address = "127.0.0.1:${k.port}", http = (), service = ${str(k.service)})`).join(",\n    ")}
  ],
);
`,
  );
  return file;
}

/** A workerd config serving one ES-module worker (`index.js` beside it) on 127.0.0.1:`port`; returns its path. */
export function writeWorkerdConfig(dir: string, port: number, compatibilityDate = "2025-01-01"): string {
  return writeWorkerdServicesConfig(dir, [{ name: "main", file: "index.js" }], [{ name: "http", port, service: "main" }], compatibilityDate);
}
