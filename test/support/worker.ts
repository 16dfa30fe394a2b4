// Starts a real `atoll dev` child process on a free port for a worker written into a temp dir.
// Every test that starts one stops it (by pid) with `stop()`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(repoRoot, "bin", "atoll.js");

export interface StartOptions {
  /** Files of the project, relative path → contents. Must include the entry module. */
  files: Record<string, string | Uint8Array>;
  /** wrangler.toml contents; default: name "test", main "index.js" (or index.ts when present). */
  toml?: string;
  /** Extra CLI arguments for `atoll dev`. */
  args?: string[];
  /** Keep watch mode on (default off for speed and determinism). */
  watch?: boolean;
  /** An existing directory to use instead of a new temp dir. */
  dir?: string;
  env?: Record<string, string>;
}

export interface RunningDev {
  url: string;
  dir: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  /** Resolves when the output contains `text` (or rejects after `ms`). */
  waitForOutput(text: string | RegExp, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export function writeProject(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, contents] of Object.entries(files)) {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, contents);
  }
}

export async function startWorker(options: StartOptions): Promise<RunningDev> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "atoll-test-"));
  const main = options.files["index.ts"] !== undefined ? "index.ts" : "index.js";
  const files = { "wrangler.toml": options.toml ?? `name = "test"\nmain = "${main}"\ncompatibility_date = "2025-01-01"\n`, ...options.files };
  writeProject(dir, files);
  return startDev(dir, [...(options.watch ? [] : ["--no-watch"]), ...(options.args ?? [])], options.env, options.dir === undefined);
}

/** Runs `atoll dev -c <dir>/wrangler.toml --port 0` (plus args) and waits for "Ready on". */
export async function startDev(dir: string, args: string[], env?: Record<string, string>, removeDir = false): Promise<RunningDev> {
  const hasConfig = args.includes("-c") || args.includes("--config");
  const child = spawn(process.execPath, ["--no-node-snapshot", bin, "dev", ...(hasConfig ? [] : ["-c", join(dir, "wrangler.toml")]), "--port", "0", ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));

  const waitForOutput = (text: string | RegExp, ms = 20000) =>
    new Promise<void>((resolvePromise, reject) => {
      const test = () => (typeof text === "string" ? out.includes(text) : text.test(out));
      if (test()) return resolvePromise();
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${text} in output:\n${out}`));
      }, ms);
      const check = () => {
        if (test()) {
          clearTimeout(timer);
          listeners.delete(check);
          resolvePromise();
        }
      };
      listeners.add(check);
      void exited.then(() => {
        if (!test()) {
          clearTimeout(timer);
          listeners.delete(check);
          reject(new Error(`atoll dev exited before printing ${text}:\n${out}`));
        }
      });
    });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (removeDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForOutput(/Ready on http:\/\/\S+:\d+/);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = /Ready on (http:\/\/\S+:\d+)/.exec(out)![1];
  return { url, dir, child, output: () => out, waitForOutput, stop };
}

/** Starts `atoll dev` expecting it to fail; returns its exit code and output. */
export async function runDevExpectingFailure(dir: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--no-node-snapshot", bin, "dev", "--port", "0", "--no-watch", ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (out += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20000);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  clearTimeout(timer);
  return { code, output: out };
}

/** GETs `path` from a running dev server, expects 200, and parses the body as JSON. */
export async function getJson(dev: RunningDev, path: string): Promise<any> {
  const res = await fetch(`${dev.url}${path}`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: expected 200, got ${res.status}: ${body}\n${dev.output()}`);
  return JSON.parse(body);
}
