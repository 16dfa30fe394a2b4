// Child processes of the benchmark: servers under test (wait for their `Ready on URL` line), the
// load driver and in-process measurement children (one JSON result each). Every child is tracked
// and stopped by its pid, also when the run is interrupted.
import { spawn, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(benchDir, "..");
/** Flags of Node children that load isolated-vm (it needs --no-node-snapshot on Node >= 20). */
export const NODE_FLAGS = ["--no-node-snapshot", "--disable-warning=ExperimentalWarning"];
/** Flags of the plain Node baseline: none that slow a plain Node process down. */
export const PLAIN_NODE_FLAGS = ["--disable-warning=ExperimentalWarning"];

const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** How a child ended: its exit code or the signal that ended it. */
export type ExitStatus = string;

function exitStatus(child: ChildProcess): ExitStatus {
  return child.signalCode ?? `exit ${child.exitCode}`;
}

/**
 * Stops one child by its pid: SIGTERM, then SIGKILL if it has not exited after `graceMs`.
 * Resolves to how it ended (`exit 0` is a clean shutdown).
 */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<ExitStatus> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exitStatus(child);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  }, graceMs);
  await exited;
  clearTimeout(timer);
  return exitStatus(child);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stopAll().then(() => process.exit(130));
  });
}

export interface RunningServer {
  url: string;
  pid: number;
  /** Milliseconds from spawn() to the `Ready on` line. */
  readyMs: number;
  child: ChildProcess;
  /** What the server printed (stdout and stderr go to one temp file, read by nobody meanwhile). */
  output(): string;
  /** Stops it (SIGTERM) and resolves to how it ended. */
  stop(): Promise<ExitStatus>;
  /** After stop(): the last lines it printed that are not per-request log lines (why it ended badly). */
  exitTail(): string;
}

export interface StartServerOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Flags of the Node child (default NODE_FLAGS); ignored with `command`. */
  nodeFlags?: string[];
  /** An executable to run instead of Node (e.g. workerd), with `args` as its arguments. */
  command?: string;
  /** Ready once an HTTP request to this URL gets any answer, instead of waiting for `Ready on URL`. */
  readyUrl?: string;
  /** How long stop() waits after SIGTERM before SIGKILL (default 3000 ms). */
  stopGraceMs?: number;
}

/** Whether something answers HTTP at `url` (any status). */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/**
 * GET `url` with an optional Host header (fetch() cannot set one; `atoll dev` routes by it), on a
 * fresh connection; resolves to the status and the body as text.
 */
export function httpGet(url: string, host?: string, timeoutMs = 30_000): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = httpRequest(url, { agent: false, headers: host ? { host } : {}, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolveGet({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}: no answer after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for servers that cannot report theirs). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts a server process and waits for `Ready on http://…` (or for `readyUrl` to answer). Its
 * stdout/stderr go to a file rather than a pipe, so no process of ours spends CPU draining
 * per-request log lines during a run.
 */
export async function startServer(name: string, args: string[], options: StartServerOptions = {}): Promise<RunningServer> {
  const flags = options.nodeFlags ?? NODE_FLAGS;
  const logFile = join(tmpdir(), `atoll-bench-${name}-${process.pid}-${Date.now()}.log`);
  const fd = openSync(logFile, "w");
  const started = performance.now();
  const child = track(
    spawn(options.command ?? process.execPath, options.command ? args : [...flags, ...args], {
      cwd: options.cwd ?? repoRoot,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, NO_COLOR: "1" },
    }),
  );
  closeSync(fd);
  const output = () => readFileSync(logFile, "utf8");
  const deadline = started + (options.timeoutMs ?? 30_000);
  let url: string | undefined;
  let readyMs = 0;
  while (!url) {
    const match = options.readyUrl ? ((await answers(options.readyUrl)) ? [options.readyUrl, options.readyUrl] : null) : /Ready on (http:\/\/\S+)/.exec(output());
    if (match) {
      readyMs = performance.now() - started;
      url = match[1];
      break;
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const text = output();
      rmSync(logFile, { force: true });
      throw new Error(`${name} exited before it was ready:\n${text}`);
    }
    if (performance.now() > deadline) {
      await stopChild(child);
      rmSync(logFile, { force: true });
      throw new Error(`${name} was not ready after ${options.timeoutMs ?? 30_000} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, options.readyUrl ? 20 : 2));
  }
  let tail = "";
  const stop = async () => {
    const status = await stopChild(child, options.stopGraceMs);
    try {
      tail = output()
        .split("\n")
        .filter((line) => line.trim() !== "" && !/^(\[[^\]]*\] )?(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \//.test(line))
        .slice(-8)
        .join("\n");
    } catch {}
    rmSync(logFile, { force: true });
    return status;
  };
  return { url, pid: child.pid!, readyMs, child, output, stop, exitTail: () => tail };
}

export interface StartupTiming {
  /** spawn() → the `Ready on` line; null for a process that prints none (workerd). */
  readyMs: number | null;
  /** spawn() → the first complete HTTP response from `url` (polled every few ms until one comes). */
  firstResponseMs: number;
  status: number;
  body: string;
}

/**
 * Starts a process (Node with `args`, or `command`), polls `url` (Host header `host`) until it
 * answers, times that and the `Ready on` line, then stops the process. Startup only: its output
 * goes through a pipe.
 */
export async function timeStartup(spec: { command?: string; args: string[]; nodeFlags?: string[]; cwd?: string }, url: string, host?: string, timeoutMs = 60_000): Promise<StartupTiming> {
  const started = performance.now();
  const argv = spec.command ? spec.args : [...(spec.nodeFlags ?? NODE_FLAGS), ...spec.args];
  const child = track(spawn(spec.command ?? process.execPath, argv, { cwd: spec.cwd ?? repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } }));
  let out = "";
  let readyMs: number | null = null;
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
    if (readyMs === null && /Ready on http:\/\/\S+/.test(out)) readyMs = performance.now() - started;
  });
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  try {
    for (;;) {
      try {
        const res = await httpGet(url, host, timeoutMs);
        return { readyMs, firstResponseMs: performance.now() - started, ...res };
      } catch {
        // Not listening yet (connection refused): try again shortly.
      }
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${argv.join(" ")} exited before it answered:\n${out}`);
      if (performance.now() - started > timeoutMs) throw new Error(`${argv.join(" ")} did not answer ${url} within ${timeoutMs} ms:\n${out}`);
      await new Promise((r) => setTimeout(r, 3));
    }
  } finally {
    await stopChild(child);
  }
}

/** Runs a Node script that prints one JSON line last on stdout, and parses it. */
export async function runJsonChild<T>(args: string[], nodeFlags: string[] = [], env: Record<string, string> = {}): Promise<T> {
  const child = track(spawn(process.execPath, [...NODE_FLAGS, ...nodeFlags, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } }));
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  if (code !== 0) throw new Error(`${args.join(" ")} exited with ${code}:\n${out}`);
  const last = out.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as T;
}

/** CPU time (user + system, all threads) a process has used so far, in ms (Linux /proc). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime), counted from the state field (3rd) here.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** The pids of a process's children, grandchildren… (Linux /proc; empty where unavailable). */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let children = "";
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
    } catch {
      continue;
    }
    for (const c of children.split(" ").filter(Boolean).map(Number)) out.push(c, ...descendantPids(c));
  }
  return out;
}

/**
 * CPU time (ms) of a process and all its descendants so far: Miniflare serves through a workerd
 * child of its Node process. Descendants are listed at each call, so call it while they all run.
 */
export function processTreeCpuMs(pid: number): number {
  let total = processCpuMs(pid);
  for (const child of descendantPids(pid)) {
    const ms = processCpuMs(child);
    if (Number.isFinite(ms)) total += ms;
  }
  return total;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** Resident memory of a process in MB (Linux /proc VmRSS; NaN where unavailable). */
export function processRssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
