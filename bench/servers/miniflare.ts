// A worker served by Miniflare (from the peers install in bench/peers/), for the comparisons in
// `hello` and `bindings`. Miniflare starts workerd as its own child; this process disposes of it
// on SIGTERM/SIGINT. Prints `Ready on URL`.
//
//   node bench/servers/miniflare.ts --entry bench/peers/node_modules/miniflare/dist/src/index.js
//        --script FILE [--port 0] [--kv NAME] [--d1 NAME] [--persist DIR]
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The little of Miniflare's API used here (its package is not installed at type-check time). */
interface MiniflareLike {
  ready: Promise<URL>;
}
type MiniflareClass = new (options: Record<string, unknown>) => MiniflareLike;

const { values } = parseArgs({
  options: {
    entry: { type: "string" },
    script: { type: "string" },
    port: { type: "string", default: "0" },
    kv: { type: "string" },
    d1: { type: "string" },
    persist: { type: "string" },
  },
});
if (!values.entry || !values.script) {
  process.stderr.write("miniflare server: --entry and --script are required\n");
  process.exit(2);
}
const { Miniflare } = (await import(pathToFileURL(values.entry).href)) as { Miniflare: MiniflareClass };
const options: Record<string, unknown> = {
  script: readFileSync(values.script, "utf8"),
  modules: true,
  compatibilityDate: "2025-01-01",
  host: "127.0.0.1",
  port: Number(values.port),
};
if (values.kv) options.kvNamespaces = [values.kv];
if (values.d1) options.d1Databases = [values.d1];
if (values.persist) {
  // On disk, as atoll dev keeps its state (in-memory would flatter the writes).
  options.kvPersist = `${values.persist}/kv`;
  options.d1Persist = `${values.persist}/d1`;
}
const mf = new Miniflare(options);
const url = await mf.ready;
process.stdout.write(`Ready on ${url.href}\n`);

// Stopping: Miniflare's own exit hook handles SIGTERM/SIGINT: it kills its workerd child and exits
// with 128 + signal (143 for SIGTERM), which is its clean shutdown.
