// loadConfig: find → parse → pick the environment → validate and normalize → add local secrets.
// Every problem is collected first, so one run shows the user all of them at once.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { TomlDate } from "smol-toml";
import { readBindings } from "./bindings.ts";
import { ConfigError } from "./config-error.ts";
import { loadDevSecrets } from "./dev-vars.ts";
import { selectEnvironment, type Field } from "./env-merge.ts";
import { CONFIG_FILE_NAMES, findConfig } from "./find-config.ts";
import { keySpec } from "./keys.ts";
import { parseConfigFile } from "./parse-file.ts";
import { readRoutes } from "./routes.ts";
import type { BindingConfig, LoadConfigOptions, ModuleRule, WorkerConfig } from "./types.ts";
import {
  BOOLEAN,
  check,
  integerIn,
  isTable,
  joinPath,
  NON_EMPTY_STRING,
  numberIn,
  oneOf,
  read,
  readStringArray,
  readTable,
  Report,
  tablesIn,
  warnUnknownKeys,
  type Kind,
} from "./validate.ts";

/** wrangler's default module rules, appended after the user's own. */
export const DEFAULT_MODULE_RULES: readonly ModuleRule[] = [
  { type: "Text", globs: ["**/*.txt", "**/*.html", "**/*.sql"] },
  { type: "Data", globs: ["**/*.bin"] },
  { type: "CompiledWasm", globs: ["**/*.wasm", "**/*.wasm?module"] },
];

export const DEFAULT_CPU_MS = 30_000;

const RULE_TYPES = ["ESModule", "CommonJS", "Text", "Data", "CompiledWasm"] as const;

/** Reads, validates and normalizes the worker's configuration. Throws ConfigError. */
export function loadConfig(opts: LoadConfigOptions): WorkerConfig {
  const configPath = resolveConfigPath(opts);
  const rootDir = path.dirname(configPath);
  const raw = parseConfigFile(configPath);
  const r = new Report(configPath);

  const active = selectEnvironment(r, raw, opts.env);
  if (!active) throw new ConfigError(r.errors.join("\n"));
  const { fields } = active;
  const field = (key: string): Field | undefined => fields.get(key);
  const isToml = configPath.endsWith(".toml");

  const name = readName(r, field("name"), rootDir) + active.nameSuffix;
  const main = readMain(r, field("main"), rootDir, isToml);
  const compatibilityDate = readCompatibilityDate(r, field("compatibility_date"), isToml);
  const compatibilityFlags = readStrings(r, field("compatibility_flags")) ?? [];
  const noBundle = readScalar(r, field("no_bundle"), BOOLEAN) ?? false;
  const userRules = readRules(r, field("rules"));
  // As in wrangler: a user rule without `fallthrough = true` replaces the default rule of its type.
  const replaced = new Set(userRules.filter((rule) => !rule.fallthrough).map((rule) => rule.type));
  const rules = [
    ...userRules,
    ...DEFAULT_MODULE_RULES.filter((rule) => !replaced.has(rule.type)).map((rule) => ({ ...rule, globs: [...rule.globs] })),
  ];
  const vars = readVars(r, field("vars"));
  const limits = { cpuMs: readLimits(r, field("limits")) ?? DEFAULT_CPU_MS };
  const dev = readDev(r, field("dev"));
  const triggers = { crons: readCrons(r, field("triggers")) ?? [] };
  const routes = readRoutes(r, field("route"), field("routes"));
  const { bindings, queueConsumers, durableObjectMigrations } = readBindings(r, fields, rootDir);

  noteIgnoredKeys(r, fields);
  // Bindings Atoll cannot serve are warned about by src/bindings (planBindings), which knows
  // which kinds the runtime implements; config only validates them.

  if (r.errors.length > 0) throw new ConfigError(r.errors.join("\n"));

  const dotenv = loadDevSecrets(rootDir, opts.env);
  const secrets = dotenv.secrets;
  for (const [key, value] of Object.entries(opts.vars ?? {})) {
    vars[key] = value;
    delete secrets[key]; // --var wins over secrets too
  }

  return {
    configPath,
    rootDir,
    name,
    main: main ?? "",
    compatibilityDate,
    compatibilityFlags,
    noBundle,
    rules,
    vars,
    secrets,
    secretsFiles: dotenv.files,
    limits,
    dev,
    bindings,
    queueConsumers,
    durableObjectMigrations,
    triggers,
    routes,
    warnings: [...r.warnings, ...dotenv.warnings],
  };
}

function resolveConfigPath(opts: LoadConfigOptions): string {
  if (opts.configPath !== undefined) {
    const file = path.resolve(opts.cwd, opts.configPath);
    if (!existsSync(file)) throw new ConfigError(`${file}: config file not found (from -c ${opts.configPath}).`);
    if (statSync(file).isDirectory()) {
      throw new ConfigError(`${file}: is a directory; -c expects the config file itself, e.g. -c ${path.join(opts.configPath, "wrangler.toml")}.`);
    }
    return file;
  }
  const found = findConfig(opts.cwd);
  if (!found) {
    throw new ConfigError(
      `No config file found: looked for ${CONFIG_FILE_NAMES.join(", ")} in ${path.resolve(opts.cwd)} and its parent directories. ` +
        `Run atoll from your project's directory, or pass the file with -c path/to/wrangler.toml.`,
    );
  }
  return found;
}

function readScalar<T>(r: Report, f: Field | undefined, kind: Kind<T>): T | undefined {
  return f === undefined ? undefined : check(r, f.value, f.path, kind);
}

function readStrings(r: Report, f: Field | undefined): string[] | undefined {
  return f === undefined ? undefined : readStringArray(r, f.value, f.path);
}

function readName(r: Report, f: Field | undefined, rootDir: string): string {
  const name = readScalar(r, f, NON_EMPTY_STRING);
  if (name !== undefined) return name;
  const fallback = path.basename(rootDir).toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "worker";
  if (f === undefined) r.warn(`"name" is missing; using "${fallback}" (the config file's directory name)`);
  return fallback;
}

function readMain(r: Report, f: Field | undefined, rootDir: string, isToml: boolean): string | undefined {
  if (f === undefined) {
    const example = isToml ? `main = "src/index.ts"` : `"main": "src/index.ts"`;
    r.error(
      "",
      `"main" is missing. Atoll needs the entry module of your worker: add ${example} (path relative to the config file).`,
    );
    return undefined;
  }
  const main = check(r, f.value, f.path, NON_EMPTY_STRING);
  if (main === undefined) return undefined;
  const file = path.resolve(rootDir, main);
  if (!existsSync(file)) {
    r.error(f.path, `${JSON.stringify(main)} resolves to ${file}, which does not exist`);
  } else if (statSync(file).isDirectory()) {
    r.error(f.path, `${JSON.stringify(main)} resolves to ${file}, which is a directory; point it at the entry module file`);
  }
  return file;
}

const DATE_KIND: Kind<string> = {
  expected: 'a date as "YYYY-MM-DD"',
  accepts: (v): v is string => typeof v === "string" && isCalendarDate(v),
};

function readCompatibilityDate(r: Report, f: Field | undefined, isToml: boolean): string {
  if (f === undefined) {
    const today = new Date().toISOString().slice(0, 10);
    const example = isToml ? `compatibility_date = "${today}"` : `"compatibility_date": "${today}"`;
    r.warn(`"compatibility_date" is missing; using today's date, ${today}. Add ${example} to pin the runtime's behaviour.`);
    return today;
  }
  // An unquoted TOML date (compatibility_date = 2024-09-23) means the same thing.
  if (f.value instanceof TomlDate && f.value.isDate()) return f.value.toISOString();
  return check(r, f.value, f.path, DATE_KIND) ?? "";
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function readRules(r: Report, f: Field | undefined): ModuleRule[] {
  const rules: ModuleRule[] = [];
  for (const { entry, at } of tablesIn(r, f)) {
    warnUnknownKeys(r, entry, at, ["type", "globs", "fallthrough"]);
    const type = read(r, entry, "type", at, oneOf(RULE_TYPES), true);
    const globsPath = joinPath(at, "globs");
    if (entry.globs === undefined) r.missing(globsPath, "an array of strings");
    const globs = readStringArray(r, entry.globs, globsPath);
    const fallthrough = read(r, entry, "fallthrough", at, BOOLEAN);
    if (type === undefined || globs === undefined) continue;
    rules.push({ type, globs, ...(fallthrough !== undefined && { fallthrough }) });
  }
  return rules;
}

function readVars(r: Report, f: Field | undefined): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  if (f === undefined) return vars;
  const table = readTable(r, f.value, f.path);
  if (!table) return vars;
  for (const [key, value] of Object.entries(table)) {
    if (isJsonValue(r, value, joinPath(f.path, key), "a string or JSON value")) vars[key] = value;
  }
  return vars;
}

/** Strings, finite numbers, booleans, null, arrays and objects of those (no TOML dates, NaN, inf). */
function isJsonValue(r: Report, value: unknown, at: string, expected: string): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number" && Number.isFinite(value)) return true;
  if (Array.isArray(value)) {
    return value.map((item, i) => isJsonValue(r, item, joinPath(at, i), "a JSON value")).every(Boolean);
  }
  if (isTable(value)) {
    return Object.entries(value)
      .map(([k, item]) => isJsonValue(r, item, joinPath(at, k), "a JSON value"))
      .every(Boolean);
  }
  r.wrongType(at, expected, value);
  return false;
}

function readLimits(r: Report, f: Field | undefined): number | undefined {
  if (f === undefined) return undefined;
  const table = readTable(r, f.value, f.path);
  if (!table) return undefined;
  warnUnknownKeys(r, table, f.path, ["cpu_ms"]);
  return read(r, table, "cpu_ms", f.path, numberIn(1, 300_000));
}

function readDev(r: Report, f: Field | undefined): WorkerConfig["dev"] {
  if (f === undefined) return {};
  const table = readTable(r, f.value, f.path);
  if (!table) return {};
  warnUnknownKeys(
    r,
    table,
    f.path,
    ["port", "ip"],
    ["inspector_port", "local_protocol", "upstream_protocol", "host", "enable_containers", "container_engine", "generate_types"],
  );
  const port = read(r, table, "port", f.path, integerIn(0, 65535));
  const ip = read(r, table, "ip", f.path, NON_EMPTY_STRING);
  return { ...(port !== undefined && { port }), ...(ip !== undefined && { ip }) };
}

function readCrons(r: Report, f: Field | undefined): string[] | undefined {
  if (f === undefined) return undefined;
  const table = readTable(r, f.value, f.path);
  if (!table) return undefined;
  warnUnknownKeys(r, table, f.path, ["crons"]);
  const crons = readStringArray(r, table.crons, joinPath(f.path, "crons"));
  crons?.forEach((cron, i) => {
    if (cron.trim().split(/\s+/).length < 5) {
      r.wrongType(joinPath(joinPath(f.path, "crons"), i), 'a cron expression with five fields, like "*/5 * * * *"', cron);
    }
  });
  return crons;
}

/** One line naming every set key that changes local behaviour on wrangler but not on Atoll. */
function noteIgnoredKeys(r: Report, fields: Map<string, Field>): void {
  const noted: string[] = [];
  for (const [key, f] of fields) {
    const spec = keySpec(key);
    if (spec?.use === "note") noted.push(spec.hint ? `${f.path} (${spec.hint})` : f.path);
  }
  if (noted.length > 0) r.warn(`ignored by atoll: ${noted.join(", ")}`);
}
