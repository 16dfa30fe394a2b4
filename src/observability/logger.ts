// Terminal output of `atoll dev`/`serve`: one line per request, and worker console output and
// errors tagged with the worker and the request they belong to.
import type { RequestTag, WorkerLog } from "../runtime/worker-isolate.ts";

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;

/**
 * Request lines are gathered and written once per turn of the event loop: a synchronous write per
 * request was a measurable share of the host thread under load. Everything else (worker output,
 * errors) is written at once, after whatever is pending, so order is kept within each stream.
 */
class LineWriter {
  #pending: string[] = [];
  #scheduled = false;
  #stream: NodeJS.WriteStream;
  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
    process.once("exit", () => this.flush());
  }
  /** Writes now (after what is pending). */
  write(line: string): void {
    this.flush();
    this.#stream.write(line);
  }
  /** Writes with the next batch. */
  writeSoon(line: string): void {
    this.#pending.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const text = this.#pending.join("");
    this.#pending = [];
    this.#stream.write(text);
  }
}

const stdout = new LineWriter(process.stdout);
const stderr = new LineWriter(process.stderr);
const paint = (code: number, s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);

function tagText(tag: RequestTag | undefined): string {
  if (!tag) return "";
  let path = tag.url;
  try {
    const u = new URL(tag.url);
    path = u.pathname + u.search;
  } catch {}
  return ` (${tag.method} ${path})`;
}

export class Logger {
  info(text: string): void {
    stdout.write(`${text}\n`);
  }

  warn(text: string): void {
    stderr.write(`${paint(33, "▲ [WARNING]")} ${text}\n`);
  }

  error(text: string): void {
    stderr.write(`${paint(31, "✘ [ERROR]")} ${text}\n`);
  }

  request(worker: string, method: string, path: string, status: number, statusText: string, wallMs: number, cpuMs: number): void {
    const color = status >= 500 ? 31 : status >= 400 ? 33 : 32;
    stdout.writeSoon(`[${worker}] ${method} ${path} ${paint(color, `${status} ${statusText}`.trim())} (${wallMs.toFixed(0)} ms, cpu ${cpuMs.toFixed(1)} ms)\n`);
  }

  /** What the runtime needs to report a worker's console output and errors. */
  forWorker(worker: string): WorkerLog {
    return {
      console: (level, text, tag) => {
        const stream = level === "error" || level === "warn" ? stderr : stdout;
        const prefix = level === "log" || level === "info" ? "" : `${level}: `;
        stream.write(`[${worker}]${tagText(tag)} ${prefix}${text}\n`);
      },
      error: (text, tag) => {
        stderr.write(`[${worker}]${tagText(tag)} ${paint(31, "✘")} ${text}\n`);
      },
    };
  }
}
