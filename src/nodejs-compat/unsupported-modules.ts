// The Node builtins Atoll cannot provide, in one list for both places that need it: the bundler
// (src/bundler/nodejs-compat.ts) resolves each to unenv's stub of it, so importing works, and
// unenv-utils.ts's errors then say the whole module is unsupported. wrangler's nodejs_compat
// build (v2, no experimental flags) also gives unenv's stubs for these where workerd has no module
// of its own, the /promises variants included. Plain data: it is bundled into user code.
export const UNSUPPORTED_MODULES: readonly string[] = [
  "child_process",
  "cluster",
  "dgram",
  "dns",
  "dns/promises",
  "domain",
  "fs",
  "fs/promises",
  "http",
  "http2",
  "https",
  "inspector",
  "inspector/promises",
  "net",
  "readline",
  "readline/promises",
  "repl",
  "sqlite",
  "tls",
  "trace_events",
  "v8",
  "vm",
  "wasi",
  "worker_threads",
];
