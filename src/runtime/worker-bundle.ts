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
}
