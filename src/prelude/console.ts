// console inside the isolate: formats on this side, ships text to the host tagged with the request.
import type { LogLevel } from "../protocol/bridge.ts";
import { attributedRequestId, emit } from "./bridge.ts";
import { formatLogArgs, inspect } from "./inspect.ts";

function logger(level: LogLevel) {
  return (...args: unknown[]) => emit({ t: "log", id: attributedRequestId(), level, text: formatLogArgs(args) });
}

const counts = new Map<string, number>();
const timeLabels = new Map<string, number>();

export const console = {
  debug: logger("debug"),
  log: logger("log"),
  info: logger("info"),
  warn: logger("warn"),
  error: logger("error"),
  trace: (...args: unknown[]) => logger("log")("Trace:", formatLogArgs(args), "\n" + (new Error().stack ?? "").split("\n").slice(2).join("\n")),
  dir: (value: unknown) => logger("log")(inspect(value, 1)),
  table: (value: unknown) => logger("log")(value),
  assert: (condition: unknown, ...args: unknown[]) => {
    if (!condition) logger("error")("Assertion failed" + (args.length ? ": " + formatLogArgs(args) : ""));
  },
  count: (label = "default") => {
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    logger("log")(`${label}: ${n}`);
  },
  countReset: (label = "default") => void counts.delete(label),
  time: (label = "default") => void timeLabels.set(label, Date.now()),
  timeLog: (label = "default", ...args: unknown[]) => logger("log")(`${label}: ${Date.now() - (timeLabels.get(label) ?? Date.now())}ms`, ...args),
  timeEnd: (label = "default") => {
    logger("log")(`${label}: ${Date.now() - (timeLabels.get(label) ?? Date.now())}ms`);
    timeLabels.delete(label);
  },
  group: logger("log"),
  groupCollapsed: logger("log"),
  groupEnd: () => {},
};
