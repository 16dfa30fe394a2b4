// nodejs_compat for bundled workers, as wrangler does it: `node:*` imports (and, in the v2 mode,
// bare Node builtin names such as "buffer") resolve to polyfills bundled INTO the worker, and
// `Buffer`, `process`, `global`, `setImmediate` and `clearImmediate` become globals through an
// esbuild `inject`. The polyfills are unenv's where they are sound, Atoll's own (src/nodejs-compat/)
// where they need the host (node:crypto, node:zlib) or the prelude (AsyncLocalStorage, process.env),
// and readable-stream for node:stream. Workers without the flag are bundled exactly as before.
import { readFile } from "node:fs/promises";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import type { WorkerConfig } from "../config/index.ts";
import type { NodejsCompatRuntime } from "../runtime/worker-bundle.ts";
import { UNSUPPORTED_MODULES } from "../nodejs-compat/unsupported-modules.ts";

const require = createRequire(import.meta.url);
const COMPAT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "nodejs-compat");
const UNENV_DIR = dirname(require.resolve("unenv/package.json"));
const UNENV_NODE = join(UNENV_DIR, "dist", "runtime", "node");
/** npm packages the polyfills are made of: their bare `require("buffer")` always means the builtin. */
const POLYFILL_PACKAGES = ["unenv", "readable-stream", "events", "string_decoder", "safe-buffer", "abort-controller", "event-target-shim", "pathe"].map(
  (name) => join(dirname(UNENV_DIR), name),
);

/** "nodejs_compat" mode, from the flags and date as workerd reads them. */
export type NodejsCompatMode =
  /** nodejs_compat before 2024-09-23 (or with no_nodejs_compat_v2): `node:` imports only, no globals. */
  | "v1"
  /** nodejs_compat_v2 (implied by nodejs_compat from 2024-09-23): bare names too, and globals. */
  | "v2"
  /** nodejs_als alone: only node:async_hooks. */
  | "als";

export interface NodejsCompatSettings {
  mode: NodejsCompatMode;
  /** nodejs_compat_populate_process_env: on by default from 2025-04-01. */
  processEnv: boolean;
}

export function nodejsCompatSettings(config: Pick<WorkerConfig, "compatibilityFlags" | "compatibilityDate">): NodejsCompatSettings | undefined {
  const flags = new Set(config.compatibilityFlags);
  const date = config.compatibilityDate;
  const compat = flags.has("nodejs_compat");
  const v2 = flags.has("nodejs_compat_v2") || (compat && date >= "2024-09-23" && !flags.has("no_nodejs_compat_v2"));
  if (!compat && !v2) return flags.has("nodejs_als") ? { mode: "als", processEnv: false } : undefined;
  const processEnv =
    !flags.has("nodejs_compat_do_not_populate_process_env") && (flags.has("nodejs_compat_populate_process_env") || date >= "2025-04-01");
  return { mode: v2 ? "v2" : "v1", processEnv };
}

// ---- what each builtin resolves to ----

const own = (file: string) => join(COMPAT_DIR, file);
const unenv = (name: string) => join(UNENV_NODE, `${name}.mjs`);
/** readable-stream is Node's own stream code, published for other runtimes. */
const READABLE_STREAM = join(dirname(require.resolve("readable-stream/package.json")), "lib");
const stream = (file: string) => join(READABLE_STREAM, file);

/** Builtins with a working implementation. */
const SUPPORTED: Record<string, string> = {
  assert: own("assert.ts"),
  "assert/strict": own("assert-strict.ts"),
  async_hooks: own("async_hooks.ts"),
  buffer: own("buffer.ts"),
  console: unenv("console"),
  constants: unenv("constants"),
  crypto: own("crypto.ts"),
  diagnostics_channel: unenv("diagnostics_channel"),
  events: own("events.ts"),
  module: unenv("module"),
  os: unenv("os"),
  path: unenv("path"),
  "path/posix": unenv("path/posix"),
  "path/win32": unenv("path/win32"),
  perf_hooks: unenv("perf_hooks"),
  process: own("process.ts"),
  punycode: unenv("punycode"),
  querystring: unenv("querystring"),
  stream: stream("stream.js"),
  "stream/consumers": own("stream-consumers.ts"),
  "stream/promises": stream("stream/promises.js"),
  "stream/web": own("stream-web.ts"),
  string_decoder: require.resolve("string_decoder/"),
  sys: own("util.ts"),
  timers: own("timers.ts"),
  "timers/promises": own("timers-promises.ts"),
  tty: unenv("tty"),
  url: unenv("url"),
  util: own("util.ts"),
  "util/types": own("util-types.ts"),
  zlib: own("zlib.ts"),
};

/** Builtins that exist only with the `node:` prefix. */
const PREFIX_ONLY = new Set(["sea", "sqlite", "test", "test/reporters"]);
const BUILTINS = new Set([...builtinModules.filter((m) => !m.startsWith("_")), ...PREFIX_ONLY]);
/** Node's old names of the stream classes, which some libraries still require. */
const LEGACY_STREAMS: Record<string, string> = {
  _stream_duplex: stream("internal/streams/duplex.js"),
  _stream_passthrough: stream("internal/streams/passthrough.js"),
  _stream_readable: stream("internal/streams/readable.js"),
  _stream_transform: stream("internal/streams/transform.js"),
  _stream_writable: stream("internal/streams/writable.js"),
};

/** The file a builtin (without "node:") resolves to, or a virtual stub for one nothing implements. */
function polyfillFor(name: string): { path: string; namespace?: string } {
  const supported = SUPPORTED[name] ?? LEGACY_STREAMS[name];
  if (supported) return { path: supported };
  // Builtins Atoll cannot provide: unenv's stubs import fine and throw, naming the function, when used.
  if (UNSUPPORTED_MODULES.includes(name)) return { path: unenv(name) };
  return { path: name, namespace: UNSUPPORTED_NAMESPACE };
}

/** Polyfill files that take async intrinsics from syntax (see the onLoad below). */
const INTRINSIC_FILES = /[/\\](internal[/\\]events[/\\]events\.mjs|ours[/\\]util\.js)$/;
const UNSUPPORTED_NAMESPACE = "atoll-node-unsupported";
const REQUIRE_NAMESPACE = "atoll-node-require";
const ALS_ONLY = new Set(["async_hooks"]);

function insideAtoll(importer: string): boolean {
  return importer.startsWith(COMPAT_DIR + sep) || POLYFILL_PACKAGES.some((dir) => importer.startsWith(dir + sep));
}

function plugin(settings: NodejsCompatSettings): esbuild.Plugin {
  return {
    name: "atoll-nodejs-compat",
    setup(build) {
      // unenv's "not implemented" helpers, replaced by ones whose errors say what Atoll lacks.
      build.onResolve({ filter: /\/_internal\/utils\.mjs$/ }, (args) =>
        args.importer.startsWith(UNENV_DIR + sep) ? { path: own("unenv-utils.ts") } : undefined,
      );
      // readable-stream asks for the npm "process" package by "process/": it gets the polyfill.
      build.onResolve({ filter: /^process\/$/ }, () => ({ path: SUPPORTED.process }));
      build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
        const prefixed = args.path.startsWith("node:");
        const name = prefixed ? args.path.slice(5) : args.path;
        if (!BUILTINS.has(name) || (!prefixed && PREFIX_ONLY.has(name))) return undefined;
        const fromPolyfill = insideAtoll(args.importer);
        if (!fromPolyfill) {
          if (settings.mode === "als" && !ALS_ONLY.has(name)) return undefined;
          if (!prefixed && settings.mode !== "v2") return undefined;
        }
        // unenv's EventEmitter needs AsyncResource only: it must not count as using AsyncLocalStorage.
        if (name === "async_hooks" && args.importer.startsWith(UNENV_DIR + sep)) return { path: own("async-resource.ts") };
        // require("events") must return what Node's module.exports is (the EventEmitter class), not
        // an ES module namespace: a CommonJS require gets a module that re-exports the default.
        if (args.kind === "require-call") return { path: name, namespace: REQUIRE_NAMESPACE };
        return polyfillFor(name);
      });
      // Node-derived polyfill code that takes async intrinsics from `async function` syntax gets
      // them from the prelude instead: that syntax is lowered in workers using AsyncLocalStorage.
      build.onLoad({ filter: INTRINSIC_FILES }, async (args) => {
        if (!insideAtoll(args.path)) return undefined;
        const source = await readFile(args.path, "utf8");
        const intrinsics = 'globalThis[Symbol.for("atoll.node")].intrinsics';
        return {
          contents: source
            .replace("Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype)", `${intrinsics}.AsyncIteratorPrototype`)
            .replace("Object.getPrototypeOf(async function () {}).constructor", `${intrinsics}.AsyncFunction`),
          loader: "js",
        };
      });
      // unenv's Buffer (the `buffer` package) predates "base64url"; Node has it since v15.
      build.onLoad({ filter: /[/\\]internal[/\\]buffer[/\\]buffer\.mjs$/ }, async (args) => {
        if (!args.path.startsWith(UNENV_DIR + sep)) return undefined;
        const source = await readFile(args.path, "utf8");
        const patched = source
          .replace('\t\tcase "base64":\n\t\tcase "ucs2":', '\t\tcase "base64":\n\t\tcase "base64url":\n\t\tcase "ucs2":')
          .replace('case "base64": return base64ToBytes(string).length;', 'case "base64":\n\t\t\tcase "base64url": return base64ToBytes(string).length;')
          .replace(
            'case "base64": return base64Slice(this, start, end);',
            'case "base64": return base64Slice(this, start, end);\n\t\t\tcase "base64url": return base64Slice(this, start, end).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");',
          )
          .replace('\t\t\tcase "base64":\n // Warning', '\t\t\tcase "base64":\n\t\t\tcase "base64url":\n // Warning');
        if (patched.split("base64url").length !== 5) throw new Error(`atoll: unexpected unenv Buffer source in ${args.path}; cannot add base64url`);
        return { contents: patched, loader: "js" };
      });
      build.onLoad({ filter: /.*/, namespace: REQUIRE_NAMESPACE }, (args) => {
        const target = polyfillFor(args.path);
        const specifier = target.namespace ? `node:${args.path}` : target.path;
        return { contents: `import m from ${JSON.stringify(specifier)};\nmodule.exports = m;\n`, loader: "js", resolveDir: COMPAT_DIR };
      });
      build.onLoad({ filter: /.*/, namespace: UNSUPPORTED_NAMESPACE }, (args) => ({
        contents: `import { unsupportedModule } from ${JSON.stringify(own("unenv-utils.ts"))};\nexport default unsupportedModule(${JSON.stringify(args.path)});\n`,
        loader: "js",
        resolveDir: COMPAT_DIR,
      }));
    },
  };
}

/** The esbuild options nodejs_compat adds to a worker's build. */
function buildOptions(settings: NodejsCompatSettings, lowerAsync: boolean): esbuild.BuildOptions {
  return {
    plugins: [plugin(settings)],
    // v2 makes Buffer, process, global, setImmediate/clearImmediate globals (globals.ts sets them
    // on globalThis too, for code that looks them up there).
    inject: settings.mode === "v2" ? [own("globals.ts")] : [],
    // async functions become generators driven by `.then`, which the prelude binds to the
    // AsyncLocalStorage context (src/prelude/async-context.ts).
    supported: lowerAsync ? { "async-await": false, "async-generator": false } : undefined,
  };
}

type Build = esbuild.BuildResult<{ write: false; metafile: true }>;

export interface NodejsCompatBuild {
  result: Build;
  runtime: NodejsCompatRuntime;
  /** Why AsyncLocalStorage's context will not follow `await` in this worker, if it will not. */
  warning?: string;
}

const TOP_LEVEL_AWAIT = /Top-level await is not available in the configured target environment/;

/**
 * Runs the worker's build with nodejs_compat. When the bundle uses AsyncLocalStorage it is built
 * again with async functions lowered to generators so the context follows `await`; a worker
 * with top-level await cannot be lowered (esbuild refuses), and keeps native `await`.
 */
export async function buildWithNodejsCompat(
  settings: NodejsCompatSettings,
  options: esbuild.BuildOptions & { write: false; metafile: true },
): Promise<NodejsCompatBuild> {
  const merge = (lower: boolean): esbuild.BuildOptions & { write: false; metafile: true } => {
    const extra = buildOptions(settings, lower);
    return {
      ...options,
      plugins: [...(options.plugins ?? []), ...(extra.plugins ?? [])],
      inject: [...(options.inject ?? []), ...(extra.inject ?? [])],
      supported: { ...options.supported, ...extra.supported },
    };
  };
  const first = await esbuild.build(merge(false));
  const usesAls = Object.keys(first.metafile.inputs).some((p) => p.endsWith("nodejs-compat/async_hooks.ts"));
  if (!usesAls) return { result: first, runtime: { processEnv: settings.processEnv, asyncContext: false } };
  try {
    const lowered = await esbuild.build(merge(true));
    return { result: lowered, runtime: { processEnv: settings.processEnv, asyncContext: true } };
  } catch (error) {
    const errors = (error as esbuild.BuildFailure).errors ?? [];
    if (errors.length === 0 || !errors.every((e) => TOP_LEVEL_AWAIT.test(e.text))) throw error;
    const warning =
      "nodejs_compat: this worker uses top-level await, so its async functions cannot be lowered: AsyncLocalStorage's store follows promise callbacks and timers, but not `await`.";
    // The worker's console says so when it loads (esbuild keeps the source map right past a banner).
    const result = await esbuild.build({ ...merge(false), banner: { js: `console.warn(${JSON.stringify(warning)});` } });
    return { result, runtime: { processEnv: settings.processEnv, asyncContext: true }, warning };
  }
}
