// Turns a worker's `main` into the modules the runtime loads: one ES module bundled by esbuild
// (TS/JS, npm imports) plus Text/Data/CompiledWasm modules per the config's rules; or, with
// no_bundle, the files beside `main` as written.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import * as esbuild from "esbuild";
import type { WorkerConfig } from "../config/index.ts";
import { BUILTIN_MODULES, isBuiltinModule, type NodejsCompatRuntime, type WorkerBundle, type WorkerModule } from "../runtime/worker-bundle.ts";
import { ruleKind } from "./module-rules.ts";
import { buildWithNodejsCompat, nodejsCompatSettings } from "./nodejs-compat.ts";

export class BundleError extends Error {}

export interface BundleResult {
  bundle: WorkerBundle;
  /** Absolute paths of the files the bundle was made from (what watch mode watches). */
  inputs: string[];
}

const MAIN_NAME = "worker.js";

function toPosix(p: string): string {
  return p.split(sep).join("/");
}

function readModule(name: string, kind: string, file: string): WorkerModule {
  if (kind === "text") return { name, type: "text", text: readFileSync(file, "utf8") };
  if (kind === "data") return { name, type: "data", bytes: readFileSync(file) };
  if (kind === "wasm") return { name, type: "wasm", bytes: readFileSync(file) };
  return { name, type: "esm", code: readFileSync(file, "utf8") };
}

export async function bundleWorker(config: WorkerConfig): Promise<BundleResult> {
  return config.noBundle ? collectUnbundled(config) : bundleWithEsbuild(config);
}

async function bundleWithEsbuild(config: WorkerConfig): Promise<BundleResult> {
  const modules = new Map<string, WorkerModule>();
  const extra: string[] = [];
  const rulesPlugin: esbuild.Plugin = {
    name: "atoll-module-rules",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point" || !(args.path.startsWith(".") || args.path.startsWith("/"))) return undefined;
        const file = resolve(args.resolveDir, args.path.replace(/\?module$/, ""));
        const name = toPosix(relative(config.rootDir, file));
        const kind = ruleKind(config.rules, name) ?? ruleKind(config.rules, args.path);
        if (kind !== "text" && kind !== "data" && kind !== "wasm") return undefined;
        modules.set(name, readModule(name, kind, file));
        extra.push(file);
        return { path: `./${name}`, external: true };
      });
    },
  };
  // isolated-vm has no hook for dynamic import(): `await import("cloudflare:workers")` (Hono does
  // it, pg-cloudflare imports cloudflare:sockets so) is bundled as a module that reads the
  // prelude's exports instead.
  const dynamicBuiltins: esbuild.Plugin = {
    name: "atoll-dynamic-builtins",
    setup(build) {
      build.onResolve({ filter: /^cloudflare:/ }, (args) =>
        args.kind === "dynamic-import" && isBuiltinModule(args.path) ? { path: args.path, namespace: "atoll-builtin" } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: "atoll-builtin" }, (args) => ({
        contents: BUILTIN_MODULES[args.path].source,
        loader: "js",
      }));
    },
  };
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  const compat = nodejsCompatSettings(config);
  let nodejsCompat: NodejsCompatRuntime | undefined;
  try {
    const options: esbuild.BuildOptions & { write: false; metafile: true } = {
      entryPoints: { worker: config.main },
      absWorkingDir: config.rootDir,
      outdir: config.rootDir,
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      mainFields: ["browser", "module", "main"],
      conditions: ["workerd", "worker", "browser"],
      sourcemap: "external",
      sourcesContent: false,
      external: ["cloudflare:*", "node:*"],
      plugins: [rulesPlugin, dynamicBuiltins],
      logLevel: "silent",
      loader: { ".js": "jsx", ".mjs": "js", ".cjs": "js" },
    };
    if (compat) ({ result, runtime: nodejsCompat } = await buildWithNodejsCompat(compat, options));
    else result = await esbuild.build(options);
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    if (failure.errors) {
      const text = await esbuild.formatMessages(failure.errors, { kind: "error", color: false });
      throw new BundleError(text.join("\n").trim());
    }
    throw error;
  }
  let code = "";
  let map = "";
  for (const file of result.outputFiles) {
    if (file.path.endsWith(".map")) map = file.text;
    else if (file.path.endsWith(".js")) code = file.text;
  }
  modules.set(MAIN_NAME, { name: MAIN_NAME, type: "esm", code: withoutRequireShim(code.replace(/\/\/# sourceMappingURL=.*\n?$/, "")) });
  const entryOutput = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  const format = entryOutput && entryOutput.exports.length === 0 ? "service-worker" : "modules";
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes("node_modules"))
    .map((p) => resolve(config.rootDir, p));
  return {
    bundle: { main: MAIN_NAME, modules, sourceMaps: new Map([[MAIN_NAME, map]]), sourceRoot: config.rootDir, format, nodejsCompat },
    inputs: [...inputs, ...extra],
  };
}

/**
 * esbuild's ESM output defines a `__require` stand-in (and rewrites `typeof require` to it) when
 * bundled code mentions `require`. Workers have no `require`, and libraries that feature-detect
 * it must see `undefined`, so the stand-in is replaced by `undefined`, keeping line numbers.
 */
const REQUIRE_SHIM = /^var __require = \/\* @__PURE__ \*\/ \(\(x\) => typeof require[\s\S]*?\n\}\);$/m;

export function withoutRequireShim(code: string): string {
  return code.replace(REQUIRE_SHIM, (shim) => "var __require = void 0;" + "\n".repeat(shim.split("\n").length - 1));
}

const JS_RULES = [{ type: "ESModule" as const, globs: ["**/*.js", "**/*.mjs"] }];

function collectUnbundled(config: WorkerConfig): BundleResult {
  const base = dirname(config.main);
  const modules = new Map<string, WorkerModule>();
  const inputs: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (entry === "node_modules" || entry.startsWith(".")) continue;
      const file = join(dir, entry);
      if (statSync(file).isDirectory()) {
        walk(file);
        continue;
      }
      const name = toPosix(relative(base, file));
      const kind = ruleKind([...config.rules, ...JS_RULES], name);
      if (!kind || kind === "commonjs") continue;
      modules.set(name, readModule(name, kind, file));
      inputs.push(file);
    }
  };
  walk(base);
  const main = toPosix(relative(base, config.main));
  if (!modules.has(main)) throw new BundleError(`${config.main}: with no_bundle, main must be a JavaScript module (.js or .mjs).`);
  const mainModule = modules.get(main);
  const exportsSomething = mainModule?.type === "esm" && /^\s*export\s/m.test(mainModule.code);
  const format = exportsSomething ? "modules" : "service-worker";
  return { bundle: { main, modules, sourceMaps: new Map(), sourceRoot: base, format }, inputs };
}

