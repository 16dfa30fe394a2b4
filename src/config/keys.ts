// Every key wrangler knows, classified once: where it may appear, whether [env.NAME] inherits
// it, and what Atoll does with it. The loader, the env merge and the unknown-key warnings all
// read this one table.

/**
 * - "inherit": an [env.NAME] section may set it; if it doesn't, the top-level value applies.
 * - "env-only": NOT inherited; an environment has it only if its section sets it (wrangler
 *   warns when the top level has it and the environment doesn't: so do we).
 * - "top-only": read from the top level only, even with --env.
 */
export type Scope = "inherit" | "env-only" | "top-only";

/**
 * - "read": Atoll uses it.
 * - "silent": deploy-time settings with no local meaning; accepted without a word.
 * - "note": would change local behaviour on wrangler but Atoll ignores it; listed in one
 *   startup note so nobody is surprised.
 * - "unsupported-binding": a binding kind Atoll doesn't implement yet.
 */
export type Use = "read" | "silent" | "note" | "unsupported-binding";

export interface KeySpec {
  scope: Scope;
  use: Use;
  /** For "note": a short hint shown after the key. */
  hint?: string;
}

const inherit = (use: Use, hint?: string): KeySpec => ({ scope: "inherit", use, hint });
const envOnly = (use: Use, hint?: string): KeySpec => ({ scope: "env-only", use, hint });
const topOnly = (use: Use, hint?: string): KeySpec => ({ scope: "top-only", use, hint });

export const KEYS: Readonly<Record<string, KeySpec>> = {
  // Read by Atoll.
  name: inherit("read"), // special: `${name}-${env}` when the env doesn't set it
  main: inherit("read"),
  compatibility_date: inherit("read"),
  compatibility_flags: inherit("read"),
  rules: inherit("read"),
  no_bundle: inherit("read"),
  limits: inherit("read"),
  triggers: inherit("read"),
  migrations: inherit("read"),
  vars: envOnly("read"),
  kv_namespaces: envOnly("read"),
  d1_databases: envOnly("read"),
  r2_buckets: envOnly("read"),
  durable_objects: envOnly("read"),
  queues: envOnly("read"),
  services: envOnly("read"),
  dev: topOnly("read"),
  route: inherit("read"),
  routes: inherit("read"),

  // Deploy-time only.
  $schema: topOnly("silent"),
  account_id: inherit("silent"),
  workers_dev: inherit("silent"),
  preview_urls: inherit("silent"),
  placement: inherit("silent"),
  observability: inherit("silent"),
  logpush: inherit("silent"),
  upload_source_maps: inherit("silent"),
  usage_model: inherit("silent"),
  compliance_region: inherit("silent"),
  first_party_worker: inherit("silent"),
  minify: inherit("silent"),
  keep_names: inherit("silent"),
  logfwdr: inherit("silent"),
  tail_consumers: envOnly("silent"),
  send_metrics: topOnly("silent"),
  keep_vars: topOnly("silent"),
  legacy_env: topOnly("silent"),

  // Local behaviour Atoll doesn't reproduce (yet).
  build: inherit("note", "run your build command before atoll"),
  assets: inherit("note"),
  tsconfig: inherit("note"),
  jsx_factory: inherit("note"),
  jsx_fragment: inherit("note"),
  find_additional_modules: inherit("note"),
  base_dir: inherit("note"),
  preserve_file_names: inherit("note"),
  node_compat: inherit("note", 'removed in wrangler v4: use compatibility_flags = ["nodejs_compat"]'),
  define: envOnly("note"),
  containers: envOnly("note"),
  cloudchamber: envOnly("note"),
  site: topOnly("note"),
  alias: topOnly("note"),
  wasm_modules: topOnly("note", "use ES module imports and rules"),
  text_blobs: topOnly("note", "use ES module imports and rules"),
  data_blobs: topOnly("note", "use ES module imports and rules"),
  pages_build_output_dir: topOnly("note", "Pages projects are not supported"),

  // Binding kinds not implemented yet (all non-inheritable, like every binding).
  ai: envOnly("unsupported-binding"),
  analytics_engine_datasets: envOnly("unsupported-binding"),
  browser: envOnly("unsupported-binding"),
  dispatch_namespaces: envOnly("unsupported-binding"),
  hyperdrive: envOnly("unsupported-binding"),
  images: envOnly("unsupported-binding"),
  media: envOnly("unsupported-binding"),
  mtls_certificates: envOnly("unsupported-binding"),
  pipelines: envOnly("unsupported-binding"),
  ratelimits: envOnly("unsupported-binding"),
  secrets_store_secrets: envOnly("unsupported-binding"),
  send_email: envOnly("unsupported-binding"),
  unsafe: envOnly("unsupported-binding"),
  vectorize: envOnly("unsupported-binding"),
  version_metadata: envOnly("unsupported-binding"),
  vpc_services: envOnly("unsupported-binding"),
  worker_loaders: envOnly("unsupported-binding"),
  workflows: envOnly("unsupported-binding"),
};

export function keySpec(key: string): KeySpec | undefined {
  return Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
}

/**
 * The names a non-inheritable key defines (var names, binding names), for the
 * "not inherited" warning. Tolerates malformed values: validation reports those.
 */
export function definedNames(key: string, value: unknown): string[] {
  const names: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === "string") names.push(v);
  };
  const entryName = (e: unknown) => {
    if (typeof e === "object" && e !== null) {
      const o = e as Record<string, unknown>;
      add(o.binding ?? o.name);
    }
  };
  if (key === "vars" || key === "define") {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) names.push(...Object.keys(value));
  } else if (Array.isArray(value)) {
    value.forEach(entryName);
  } else if (typeof value === "object" && value !== null) {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.bindings)) o.bindings.forEach(entryName);
    if (Array.isArray(o.producers)) o.producers.forEach(entryName);
    if (Array.isArray(o.consumers)) {
      for (const c of o.consumers) {
        const queue = typeof c === "object" && c !== null ? (c as Record<string, unknown>).queue : undefined;
        if (typeof queue === "string") names.push(`consumer of ${queue}`);
      }
    }
    if (!("bindings" in o) && !("producers" in o) && !("consumers" in o)) add(o.binding);
  }
  return names;
}
