// node:process (and the `process` global in the v2 mode): unenv's Process (an EventEmitter with
// Node's shape), with process.env from the worker's vars and secrets when Cloudflare fills it
// (nodejs_compat_populate_process_env), nextTick on the microtask queue as in workerd, and hrtime
// from performance.now().
import { Process } from "unenv/node/internal/process/process";
import { atollNode } from "./internal.ts";

// As in Node and workerd, values written to process.env become strings.
const processEnv: Record<string, string | undefined> = new Proxy(
  { ...atollNode().env },
  {
    set(target, key, value) {
      if (typeof key === "symbol") return Reflect.set(target, key, value);
      target[key] = String(value);
      return true;
    },
  },
);

function queueTick(callback: (...args: unknown[]) => void, ...args: unknown[]): void {
  if (typeof callback !== "function") throw new TypeError('The "callback" argument must be of type function.');
  queueMicrotask(args.length === 0 ? callback : () => callback(...args));
}

function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

const hrtimeImpl = Object.assign(
  function hrtime(previous?: [number, number]): [number, number] {
    let ns = nowNs();
    if (previous) ns -= BigInt(previous[0]) * 1_000_000_000n + BigInt(previous[1]);
    return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
  },
  { bigint: nowNs },
);

const process = new Process({ env: processEnv, hrtime: hrtimeImpl, nextTick: queueTick } as unknown as ConstructorParameters<typeof Process>[0]) as unknown as NodeJS.Process & Record<string, unknown>;
// What workerd reports.
Object.defineProperty(process, "platform", { value: "linux", writable: true, enumerable: true, configurable: true });
Object.defineProperty(process, "arch", { value: "x64", writable: true, enumerable: true, configurable: true });

export default process;
export const { abort, addListener, allowedNodeEnvironmentFlags, hasUncaughtExceptionCaptureCallback, setUncaughtExceptionCaptureCallback, loadEnvFile, sourceMapsEnabled, arch, argv, argv0, chdir, config, connected, constrainedMemory, availableMemory, cpuUsage, cwd, debugPort, dlopen, disconnect, emit, emitWarning, env, eventNames, execArgv, execPath, exit, finalization, features, getBuiltinModule, getActiveResourcesInfo, getMaxListeners, hrtime, kill, listeners, listenerCount, memoryUsage, nextTick, on, off, once, pid, platform, ppid, prependListener, prependOnceListener, rawListeners, release, removeAllListeners, removeListener, report, resourceUsage, setMaxListeners, setSourceMapsEnabled, stderr, stdin, stdout, title, umask, uptime, version, versions, domain, initgroups, moduleLoadList, reallyExit, openStdin, assert, binding, send, exitCode, channel, getegid, geteuid, getgid, getgroups, getuid, setegid, seteuid, setgid, setgroups, setuid, permission, mainModule, ref, unref, _events, _eventsCount, _exiting, _maxListeners, _debugEnd, _debugProcess, _fatalException, _getActiveHandles, _getActiveRequests, _kill, _preload_modules, _rawDebug, _startProfilerIdleNotifier, _stopProfilerIdleNotifier, _tickCallback, _disconnect, _handleQueue, _pendingMessage, _channel, _send, _linkedBinding } = process;
