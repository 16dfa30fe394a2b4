// Cloudflare's error responses for failures of the worker itself.
import type { WorkerResponse } from "./worker-isolate.ts";

const ERROR_TITLES: Record<number, [number, string]> = {
  1101: [500, "Worker threw exception"],
  1102: [503, "Worker exceeded resource limits"],
};

/** Cloudflare's error response for a non-browser client: `error code: 1101`. */
export function errorResponse(code: 1101 | 1102, stats: { cpuMs: number }): WorkerResponse {
  const [status, title] = ERROR_TITLES[code];
  return {
    status,
    statusText: title,
    headers: [["content-type", "text/plain; charset=UTF-8"], ["cf-error-code", String(code)]],
    body: new TextEncoder().encode(`error code: ${code}`),
    encodeBody: "manual",
    stats,
  };
}
