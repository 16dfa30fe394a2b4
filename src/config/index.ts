// Public surface of src/config: wrangler.toml / wrangler.json(c) → validated WorkerConfig.
export { ConfigError } from "./config-error.ts";
export { CONFIG_FILE_NAMES, findConfig } from "./find-config.ts";
export { DEFAULT_CPU_MS, DEFAULT_MODULE_RULES, loadConfig } from "./load-config.ts";
export type { BindingConfig, LoadConfigOptions, ModuleRule, QueueConsumer, WorkerConfig } from "./types.ts";
