// The workers the benchmarks run: their sources, the temp projects they live in, and (for the
// in-process scenarios) Worker objects built exactly as `atoll dev` builds them
// (src/cli/start-worker.ts), minus the logger.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { planBindings } from "../src/bindings/index.ts";
import { bundleWorker } from "../src/bundler/bundle-worker.ts";
import { loadConfig } from "../src/config/index.ts";
import { hostServices } from "../src/runtime/host-services.ts";
import { Worker } from "../src/runtime/worker.ts";
import type { WorkerBundle } from "../src/runtime/worker-bundle.ts";
import type { WorkerRequest, WorkerResponse } from "../src/runtime/worker-isolate.ts";
import { HELLO_BODY, HELLO_CONTENT_TYPE } from "./hello-response.ts";

export { HELLO_BODY, HELLO_CONTENT_TYPE };
export const HELLO_WORKER = `export default {\n  fetch() {\n    return new Response(${JSON.stringify(HELLO_BODY)});\n  },\n};\n`;

/** A small worker for the density scenario; `__BENCH_ID__` is replaced per worker. */
export const SMALL_WORKER = `const ID = "__BENCH_ID__";
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return new Response(\`worker \${ID} \${env.GREETING} \${url.pathname}\`, { headers: { "x-worker": ID } });
  },
};
`;

export const PLACEHOLDER = "__BENCH_ID__";

/** A temp directory holding a wrangler project; `remove()` deletes it. */
export interface TempProject {
  dir: string;
  config: string;
  remove(): void;
}

export function writeProject(name: string, files: Record<string, string>, vars: Record<string, string> = {}): TempProject {
  const dir = mkdtempSync(join(tmpdir(), `atoll-bench-${name}-`));
  const varLines = Object.entries(vars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  const toml = [`name = "${name}"`, `main = "index.js"`, `compatibility_date = "2025-01-01"`, ...(varLines.length ? ["[vars]", ...varLines] : [])].join("\n") + "\n";
  for (const [file, text] of Object.entries({ "wrangler.toml": toml, ...files })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return { dir, config: join(dir, "wrangler.toml"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bundles a project with Atoll's own bundler; also returns its binding descriptors. */
export async function bundleProject(project: TempProject): Promise<{ bundle: WorkerBundle; bindings: unknown[] }> {
  const config = loadConfig({ cwd: project.dir, configPath: "wrangler.toml" });
  const { bundle } = await bundleWorker(config);
  return { bundle, bindings: planBindings(config).descriptors };
}

/** The same bundle with `__BENCH_ID__` replaced in every JS module: a distinct worker. */
export function bundleVariant(bundle: WorkerBundle, id: string): WorkerBundle {
  const modules = new Map(bundle.modules);
  for (const [name, module] of modules) {
    if (module.type === "esm") modules.set(name, { ...module, code: module.code.replaceAll(PLACEHOLDER, id) });
  }
  return { ...bundle, modules };
}

/** A Worker configured as `atoll dev` configures one (Cloudflare's default limits). */
export function makeWorker(name: string, bindings: unknown[], onError: (text: string) => void = () => {}): Worker {
  return new Worker({
    name,
    limits: { cpuMs: 30_000, memoryMb: 128, subrequests: 1000 },
    bindings,
    host: hostServices,
    log: { console: () => {}, error: onError },
  });
}

export function getRequest(path = "/"): WorkerRequest {
  return { method: "GET", url: `http://localhost${path}`, headers: [["host", "localhost"]], cf: {}, body: null };
}

/** Reads a response body to the end, as the HTTP server would, and returns it as text. */
export async function readText(response: WorkerResponse): Promise<string> {
  if (response.body === null) return "";
  if (response.body instanceof Uint8Array) return new TextDecoder().decode(response.body);
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
