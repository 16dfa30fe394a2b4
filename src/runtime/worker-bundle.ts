// What the runtime loads: the worker's modules by name, ready to compile, and their source maps.

export type WorkerModule =
  | { name: string; type: "esm"; code: string }
  | { name: string; type: "text"; text: string }
  | { name: string; type: "data"; bytes: Uint8Array }
  | { name: string; type: "wasm"; bytes: Uint8Array };

export interface WorkerBundle {
  /** Name of the entry module (a key of `modules`). */
  main: string;
  /** Modules by name: paths relative to the project, with "/" separators. */
  modules: Map<string, WorkerModule>;
  /** Raw source map JSON by module name, for mapping stack traces back to the user's files. */
  sourceMaps: Map<string, string>;
  /** Absolute directory the source map `sources` are relative to. */
  sourceRoot: string;
  /**
   * "service-worker" when the entry exports nothing (it calls addEventListener("fetch")): then, as
   * on Cloudflare, bindings are globals rather than an `env` argument.
   */
  format: "modules" | "service-worker";
  /** Set by the bundler when nodejs_compat is on (src/bundler/nodejs-compat.ts); the prelude gets it at init. */
  nodejsCompat?: NodejsCompatRuntime;
}

/** What the isolate needs to know about nodejs_compat (see src/prelude/nodejs-compat.ts). */
export interface NodejsCompatRuntime {
  /** Fill process.env from text vars and secrets (nodejs_compat_populate_process_env). */
  processEnv: boolean;
  /** The bundle uses AsyncLocalStorage: the prelude carries its context through promises and timers. */
  asyncContext: boolean;
}

/** A module the runtime provides by name: it re-exports what the prelude registered under `symbol`. */
export interface BuiltinModule {
  /** `globalThis[Symbol.for(symbol)]` holds the module's exports (set by src/prelude/index.ts). */
  symbol: string;
  /** The ES module source the isolate compiles for this name. */
  source: string;
}

function builtin(name: string, exports: string[], withDefault: boolean): BuiltinModule {
  const symbol = `atoll.${name}`;
  const source =
    `const m = globalThis[Symbol.for(${JSON.stringify(symbol)})];\n` +
    `export const ${exports.map((e) => `${e} = m.${e}`).join(", ")};\n` +
    (withDefault ? "export default m;\n" : "");
  return { symbol, source };
}

/** The `cloudflare:*` modules, by specifier (static imports resolve here; the bundler inlines dynamic ones). */
export const BUILTIN_MODULES: Readonly<Record<string, BuiltinModule>> = {
  "cloudflare:workers": builtin("cloudflare:workers", ["env", "WorkerEntrypoint", "DurableObject", "WorkflowEntrypoint", "RpcTarget"], true),
  "cloudflare:sockets": builtin("cloudflare:sockets", ["connect"], false),
};

export function isBuiltinModule(specifier: string): boolean {
  return Object.hasOwn(BUILTIN_MODULES, specifier);
}
