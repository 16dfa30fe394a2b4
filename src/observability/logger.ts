// Terminal output of `atoll dev`/`serve`: one line per request, and worker console output and
// errors tagged with the worker and the request they belong to.
import type { RequestTag, WorkerLog } from "../runtime/worker-isolate.ts";

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
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
    process.stdout.write(`${text}\n`);
  }

  warn(text: string): void {
    process.stderr.write(`${paint(33, "▲ [WARNING]")} ${text}\n`);
  }

  error(text: string): void {
    process.stderr.write(`${paint(31, "✘ [ERROR]")} ${text}\n`);
  }

  request(worker: string, method: string, path: string, status: number, statusText: string, wallMs: number, cpuMs: number): void {
    const color = status >= 500 ? 31 : status >= 400 ? 33 : 32;
    process.stdout.write(`[${worker}] ${method} ${path} ${paint(color, `${status} ${statusText}`.trim())} (${wallMs.toFixed(0)} ms, cpu ${cpuMs.toFixed(1)} ms)\n`);
  }

  /** What the runtime needs to report a worker's console output and errors. */
  forWorker(worker: string): WorkerLog {
    return {
      console: (level, text, tag) => {
        const stream = level === "error" || level === "warn" ? process.stderr : process.stdout;
        const prefix = level === "log" || level === "info" ? "" : `${level}: `;
        stream.write(`[${worker}]${tagText(tag)} ${prefix}${text}\n`);
      },
      error: (text, tag) => {
        process.stderr.write(`[${worker}]${tagText(tag)} ${paint(31, "✘")} ${text}\n`);
      },
    };
  }
}
