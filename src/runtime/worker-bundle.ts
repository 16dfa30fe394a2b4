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
}

/** The `cloudflare:workers` module: it reads what the prelude registered under a global symbol. */
export const CLOUDFLARE_WORKERS_SOURCE = `const m = globalThis[Symbol.for("atoll.cloudflare:workers")];
export const env = m.env, WorkerEntrypoint = m.WorkerEntrypoint, DurableObject = m.DurableObject,
  WorkflowEntrypoint = m.WorkflowEntrypoint, RpcTarget = m.RpcTarget;
export default m;`;
