// The validated, normalized shape of a worker's configuration: what the rest of Atoll reads.
// Raw wrangler keys (snake_case, env sections, relative paths) never leave src/config.

export interface LoadConfigOptions {
  /** `-c PATH`; relative to `cwd`. When absent the config is discovered from `cwd` upward. */
  configPath?: string;
  cwd: string;
  /** `--env NAME` */
  env?: string;
  /** `--var KEY:VALUE` overrides: win over config vars and over secrets. */
  vars?: Record<string, string>;
}

export interface ModuleRule {
  type: "ESModule" | "CommonJS" | "Text" | "Data" | "CompiledWasm";
  globs: string[];
  fallthrough?: boolean;
}

export type BindingConfig =
  | { type: "kv"; name: string; id: string; previewId?: string }
  | {
      type: "d1";
      name: string;
      databaseName: string;
      databaseId: string;
      /** Absolute; default `<rootDir>/migrations`. */
      migrationsDir: string;
      /** Default `d1_migrations`. */
      migrationsTable: string;
    }
  | { type: "r2"; name: string; bucketName: string }
  | { type: "durable_object"; name: string; className: string; scriptName?: string }
  | { type: "queue_producer"; name: string; queue: string }
  | { type: "service"; name: string; service: string; entrypoint?: string }
  /** A binding kind Atoll does not implement yet; `key` is the config key (e.g. "ai"). */
  | { type: "unsupported"; key: string; name: string };

export interface QueueConsumer {
  queue: string;
  maxBatchSize: number;
  /** Seconds. */
  maxBatchTimeout: number;
  maxRetries: number;
  deadLetterQueue?: string;
}

export interface WorkerConfig {
  /** Absolute path of the config file. */
  configPath: string;
  /** Directory of the config file; relative paths in the config resolve against it. */
  rootDir: string;
  /** With `--env NAME`: `${name}-${NAME}` unless `env.NAME.name` is set (wrangler's rule). */
  name: string;
  /** Absolute path of the entry module. */
  main: string;
  /** YYYY-MM-DD; today (UTC) with a warning when the config has none. */
  compatibilityDate: string;
  compatibilityFlags: string[];
  noBundle: boolean;
  /** User rules first, then wrangler's defaults. */
  rules: ModuleRule[];
  /** Strings or JSON values, as in wrangler. */
  vars: Record<string, unknown>;
  /** From .dev.vars[.<env>], else .env files; see dev-vars.ts. Win over `vars` at runtime. */
  secrets: Record<string, string>;
  /** Absolute paths of the files `secrets` were read from, in load order. */
  secretsFiles: string[];
  limits: { cpuMs: number };
  dev: { port?: number; ip?: string };
  bindings: BindingConfig[];
  queueConsumers: QueueConsumer[];
  /** Durable Object migrations, as written in the config (validated, not interpreted). */
  durableObjectMigrations: unknown[];
  triggers: { crons: string[] };
  /** `route` then `routes` patterns; `atoll dev` routes requests between workers by them. */
  routes: string[];
  /** Human-readable, one problem per entry; the caller prints them at startup. */
  warnings: string[];
}
