// setTimeout/setInterval inside the isolate: the host owns the clock. Setting a timer emits a
// `timer` message; the host answers with a `timer` event when it fires.
import { attributedRequestId, emit, setCurrentRequest } from "./bridge.ts";

interface Timer {
  callback: (...args: unknown[]) => void;
  args: unknown[];
  ms: number;
  repeat: boolean;
  requestId: number;
}

const timers = new Map<number, Timer>();
let nextTimerId = 1;

function schedule(callback: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
  if (typeof callback !== "function") {
    throw new TypeError("Failed to execute 'setTimeout': parameter 1 is not of type 'Function'.");
  }
  const delay = Math.max(0, Number(ms) || 0);
  const tid = nextTimerId++;
  const requestId = attributedRequestId();
  timers.set(tid, { callback: callback as Timer["callback"], args, ms: delay, repeat, requestId });
  emit({ t: "timer", tid, id: requestId, ms: delay });
  return tid;
}

function clear(tid: unknown): void {
  const id = Number(tid);
  if (timers.delete(id)) emit({ t: "timer", tid: id, id: 0, ms: -1 });
}

/** Runs the timer the host says has fired. Returns the request it belongs to. */
export function fireTimer(tid: number): void {
  const timer = timers.get(tid);
  if (!timer) return;
  if (timer.repeat) emit({ t: "timer", tid, id: timer.requestId, ms: timer.ms });
  else timers.delete(tid);
  setCurrentRequest(timer.requestId);
  timer.callback(...timer.args);
}

export const timerGlobals = {
  setTimeout: function setTimeout(callback: unknown, ms?: unknown, ...args: unknown[]) {
    return schedule(callback, ms, args, false);
  },
  setInterval: function setInterval(callback: unknown, ms?: unknown, ...args: unknown[]) {
    return schedule(callback, ms, args, true);
  },
  clearTimeout: function clearTimeout(tid: unknown) {
    clear(tid);
  },
  clearInterval: function clearInterval(tid: unknown) {
    clear(tid);
  },
};
