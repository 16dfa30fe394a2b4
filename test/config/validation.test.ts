import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig, type WorkerConfig } from "../../src/config/index.ts";
import { ENTRY, project } from "./project.ts";

const HEAD = 'name = "w"\nmain = "src/index.ts"\ncompatibility_date = "2024-09-23"\n';

function load(toml: string, extra: Record<string, string> = {}): { file: string; config: WorkerConfig } {
  const dir = project({ ...ENTRY, ...extra, "wrangler.toml": toml });
  return { file: path.join(dir, "wrangler.toml"), config: loadConfig({ cwd: dir }) };
}

/** The ConfigError message loading `toml` produces, with the file path replaced by FILE. */
function errorOf(toml: string, extra: Record<string, string> = {}): string {
  const dir = project({ ...ENTRY, ...extra, "wrangler.toml": toml });
  try {
    loadConfig({ cwd: dir });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.replaceAll(path.join(dir, "wrangler.toml"), "FILE").replaceAll(dir, "DIR");
  }
  assert.fail("expected a ConfigError");
}

test("a wrong type names file, key path, what was expected and what was found", () => {
  assert.equal(
    errorOf(`${HEAD}[[kv_namespaces]]\nbinding = "KV"\nid = 5\n`),
    "FILE: kv_namespaces[0].id: expected a non-empty string, found number 5",
  );
  assert.equal(
    errorOf(`${HEAD}compatibility_flags = ["a", 2]\n`),
    "FILE: compatibility_flags[1]: expected a string, found number 2",
  );
  assert.equal(errorOf(`${HEAD}vars = "x"\n`), 'FILE: vars: expected a table, found string "x"');
  assert.equal(errorOf(`${HEAD}vars = { A = nan }\n`), "FILE: vars.A: expected a string or JSON value, found number NaN");
  assert.equal(errorOf(`${HEAD}vars = { A = { b = [1, inf] } }\n`), "FILE: vars.A.b[1]: expected a JSON value, found number Infinity");
  assert.equal(errorOf(`${HEAD}no_bundle = "yes"\n`), 'FILE: no_bundle: expected a boolean (true or false), found string "yes"');
  assert.equal(errorOf(`${HEAD}[dev]\nport = 70000\n`), "FILE: dev.port: expected an integer from 0 to 65535, found number 70000");
});

test("JSON files say object where TOML files say table", () => {
  const dir = project({ ...ENTRY, "wrangler.json": '{ "name": "w", "main": "src/index.ts", "vars": [1] }' });
  assert.throws(() => loadConfig({ cwd: dir }), {
    message: `${path.join(dir, "wrangler.json")}: vars: expected an object, found array [1]`,
  });
});

test("a missing binding name is an error at the key it lacks", () => {
  assert.equal(
    errorOf(`${HEAD}[[kv_namespaces]]\nid = "x"\n`),
    "FILE: kv_namespaces[0].binding: expected a non-empty string, but the key is missing",
  );
  assert.equal(
    errorOf(`${HEAD}[[d1_databases]]\ndatabase_id = "x"\n`),
    "FILE: d1_databases[0].binding: expected a non-empty string, but the key is missing",
  );
  assert.equal(
    errorOf(`${HEAD}[durable_objects]\nbindings = [{ name = "ROOM" }]\n`),
    "FILE: durable_objects.bindings[0].class_name: expected a non-empty string, but the key is missing",
  );
  assert.equal(
    errorOf(`${HEAD}[[services]]\nbinding = "S"\n`),
    "FILE: services[0].service: expected a non-empty string, but the key is missing",
  );
  assert.equal(errorOf(`${HEAD}kv_namespaces = [5]\n`), "FILE: kv_namespaces[0]: expected a table, found number 5");
});

test("every error is reported at once", () => {
  const message = errorOf(`name = 1\ncompatibility_date = "2024-13-01"\n[[r2_buckets]]\nbucket_name = "b"\n`);
  assert.deepEqual(message.split("\n"), [
    "FILE: name: expected a non-empty string, found number 1",
    'FILE: "main" is missing. Atoll needs the entry module of your worker: add main = "src/index.ts" (path relative to the config file).',
    'FILE: compatibility_date: expected a date as "YYYY-MM-DD", found string "2024-13-01"',
    "FILE: r2_buckets[0].binding: expected a non-empty string, but the key is missing",
  ]);
});

test("a missing main says what to add; JSON files get the JSON syntax", () => {
  assert.equal(
    errorOf('name = "w"\ncompatibility_date = "2024-09-23"\n'),
    'FILE: "main" is missing. Atoll needs the entry module of your worker: add main = "src/index.ts" (path relative to the config file).',
  );
  const dir = project({ "wrangler.jsonc": '{ "name": "w" }' });
  assert.throws(() => loadConfig({ cwd: dir }), /add "main": "src\/index\.ts" \(path relative to the config file\)\.$/);
});

test("main pointing at a file that doesn't exist names the resolved path", () => {
  assert.equal(
    errorOf('name = "w"\nmain = "src/worker.ts"\ncompatibility_date = "2024-09-23"\n'),
    'FILE: main: "src/worker.ts" resolves to DIR/src/worker.ts, which does not exist',
  );
});

test("duplicate binding names are an error naming both places", () => {
  assert.equal(
    errorOf(`${HEAD}kv_namespaces = [{ binding = "X", id = "a" }]\nr2_buckets = [{ binding = "X", bucket_name = "b" }]\n`),
    'FILE: binding name "X" is used more than once (kv_namespaces[0], r2_buckets[0]); each binding needs its own name on env',
  );
});

test("unknown keys warn, at any depth, and deploy-only keys are accepted silently", () => {
  const { file, config } = load(
    `${HEAD}account_id = "abc"\nworkers_dev = true\nroutes = ["a.com/*"]\nfoo = 1\n[observability]\nenabled = true\n` +
      `[[kv_namespaces]]\nbinding = "KV"\nid = "x"\nbogus = true\n`,
  );
  assert.deepEqual(config.warnings, [
    `${file}: unknown key "foo" (ignored)`,
    `${file}: unknown key "kv_namespaces[0].bogus" (ignored)`,
  ]);
});

test("keys wrangler would act on locally but Atoll ignores are noted on one line", () => {
  const { file, config } = load(`${HEAD}minify = true\n[build]\ncommand = "npm run build"\n[define]\nX = "1"\n`);
  assert.deepEqual(config.warnings, [`${file}: ignored by atoll: build (run your build command before atoll), define`]);
});

test("unsupported binding kinds are kept as unsupported bindings (src/bindings warns about them)", () => {
  const { config } = load(
    `${HEAD}[ai]\nbinding = "AI"\n[[vectorize]]\nbinding = "VEC"\nindex_name = "i"\n` +
      `[[analytics_engine_datasets]]\nbinding = "AE"\n[[send_email]]\nname = "MAIL"\n[[unsafe.bindings]]\nname = "U"\ntype = "x"\n`,
  );
  assert.deepEqual(config.warnings, []);
  assert.deepEqual(
    config.bindings.map((b) => (b.type === "unsupported" ? `${b.key}:${b.name}` : b.type)),
    ["ai:AI", "vectorize:VEC", "analytics_engine_datasets:AE", "send_email:MAIL", "unsafe:U"],
  );
});

test("default module rules follow the user's rules", () => {
  const defaults = [
    { type: "Text", globs: ["**/*.txt", "**/*.html", "**/*.sql"] },
    { type: "Data", globs: ["**/*.bin"] },
    { type: "CompiledWasm", globs: ["**/*.wasm", "**/*.wasm?module"] },
  ];
  assert.deepEqual(load(HEAD).config.rules, defaults);
  const { config } = load(`${HEAD}[[rules]]\ntype = "ESModule"\nglobs = ["**/*.mjs"]\nfallthrough = true\n`);
  assert.deepEqual(config.rules, [{ type: "ESModule", globs: ["**/*.mjs"], fallthrough: true }, ...defaults]);
  assert.equal(
    errorOf(`${HEAD}[[rules]]\ntype = "Python"\nglobs = ["*.py"]\n`),
    'FILE: rules[0].type: expected one of "ESModule", "CommonJS", "Text", "Data", "CompiledWasm", found string "Python"',
  );
});

test("limits.cpu_ms defaults to 30000 and can be set", () => {
  assert.deepEqual(load(HEAD).config.limits, { cpuMs: 30000 });
  assert.deepEqual(load(`${HEAD}[limits]\ncpu_ms = 250\n`).config.limits, { cpuMs: 250 });
  assert.equal(
    errorOf(`${HEAD}[limits]\ncpu_ms = "fast"\n`),
    'FILE: limits.cpu_ms: expected a number from 1 to 300000, found string "fast"',
  );
});

test("a missing compatibility_date defaults to today with a warning; a TOML date is accepted", () => {
  const { file, config } = load('name = "w"\nmain = "src/index.ts"\n');
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(config.compatibilityDate, today);
  assert.deepEqual(config.warnings, [
    `${file}: "compatibility_date" is missing; using today's date, ${today}. Add compatibility_date = "${today}" to pin the runtime's behaviour.`,
  ]);
  assert.equal(load('name = "w"\nmain = "src/index.ts"\ncompatibility_date = 2024-02-29\n').config.compatibilityDate, "2024-02-29");
});

test("a missing name falls back to the directory name with a warning", () => {
  const { file, config } = load('main = "src/index.ts"\ncompatibility_date = "2024-09-23"\n');
  const expected = path.basename(path.dirname(file)).toLowerCase().replace(/[^a-z0-9_-]+/g, "-");
  assert.equal(config.name, expected);
  assert.ok(config.warnings.some((w) => w.includes('"name" is missing')));
});

test("local ids follow wrangler dev; resources without ids use the binding name", () => {
  const { config } = load(
    `${HEAD}kv_namespaces = [{ binding = "KV" }]\nr2_buckets = [{ binding = "R2", bucket_name = "prod", preview_bucket_name = "dev" }, { binding = "R2B" }]\n` +
      `[[d1_databases]]\nbinding = "A"\ndatabase_name = "only-name"\n` +
      `[[d1_databases]]\nbinding = "B"\ndatabase_name = "b"\ndatabase_id = "b-id"\npreview_database_id = "b-preview"\nmigrations_dir = "db/migrations"\nmigrations_table = "mig"\n` +
      `[[d1_databases]]\nbinding = "C"\n`,
  );
  const root = config.rootDir;
  assert.deepEqual(config.bindings, [
    { type: "kv", name: "KV", id: "KV" },
    { type: "d1", name: "A", databaseName: "only-name", databaseId: "only-name", migrationsDir: path.join(root, "migrations"), migrationsTable: "d1_migrations" },
    { type: "d1", name: "B", databaseName: "b", databaseId: "b-preview", migrationsDir: path.join(root, "db/migrations"), migrationsTable: "mig" },
    { type: "d1", name: "C", databaseName: "C", databaseId: "C", migrationsDir: path.join(root, "migrations"), migrationsTable: "d1_migrations" },
    { type: "r2", name: "R2", bucketName: "dev" },
    { type: "r2", name: "R2B", bucketName: "R2B" },
  ]);
});

test("queue consumers get Cloudflare's defaults; pull consumers are skipped; bounds are checked", () => {
  const { config } = load(
    `${HEAD}[[queues.consumers]]\nqueue = "a"\n[[queues.consumers]]\nqueue = "b"\nmax_batch_size = 100\nmax_batch_timeout = 0.5\nmax_retries = 0\ndead_letter_queue = "dlq"\n` +
      `[[queues.consumers]]\nqueue = "c"\ntype = "http_pull"\n`,
  );
  assert.deepEqual(config.queueConsumers, [
    { queue: "a", maxBatchSize: 10, maxBatchTimeout: 5, maxRetries: 3 },
    { queue: "b", maxBatchSize: 100, maxBatchTimeout: 0.5, maxRetries: 0, deadLetterQueue: "dlq" },
  ]);
  assert.equal(
    errorOf(`${HEAD}[[queues.consumers]]\nqueue = "a"\nmax_batch_size = 500\n`),
    "FILE: queues.consumers[0].max_batch_size: expected an integer from 1 to 100, found number 500",
  );
});

test("durable object bindings, migrations and cron triggers", () => {
  const { config } = load(
    `${HEAD}[durable_objects]\nbindings = [{ name = "A", class_name = "Alpha" }, { name = "B", class_name = "Beta", script_name = "other" }]\n` +
      `[[migrations]]\ntag = "v1"\nnew_classes = ["Alpha"]\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Alpha", to = "Gamma" }]\n` +
      `[triggers]\ncrons = ["0 0 * * *", "*/10 * * * *"]\n`,
  );
  assert.deepEqual(config.bindings, [
    { type: "durable_object", name: "A", className: "Alpha" },
    { type: "durable_object", name: "B", className: "Beta", scriptName: "other" },
  ]);
  assert.deepEqual(config.durableObjectMigrations, [
    { tag: "v1", new_classes: ["Alpha"] },
    { tag: "v2", renamed_classes: [{ from: "Alpha", to: "Gamma" }] },
  ]);
  assert.deepEqual(config.triggers.crons, ["0 0 * * *", "*/10 * * * *"]);
  assert.equal(
    errorOf(`${HEAD}[[migrations]]\nnew_classes = ["A"]\n`),
    "FILE: migrations[0].tag: expected a non-empty string, but the key is missing",
  );
  assert.equal(
    errorOf(`${HEAD}[triggers]\ncrons = ["hourly"]\n`),
    'FILE: triggers.crons[0]: expected a cron expression with five fields, like "*/5 * * * *", found string "hourly"',
  );
});
