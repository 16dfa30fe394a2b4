import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/index.ts";
import { ENTRY, project } from "./project.ts";

const TOML = `
name = "shop"
main = "src/index.ts"
compatibility_date = "2024-09-23"
compatibility_flags = ["nodejs_compat"]

[vars]
GREETING = "hi"
LIMITS = { max = 3, names = ["a", "b"] }

[[kv_namespaces]]
binding = "CACHE"
id = "kv-id"
preview_id = "kv-preview"

[[d1_databases]]
binding = "DB"
database_name = "shop-db"
database_id = "d1-id"

[[r2_buckets]]
binding = "FILES"
bucket_name = "files"

[durable_objects]
bindings = [{ name = "ROOM", class_name = "Room" }]

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[[queues.producers]]
binding = "JOBS"
queue = "jobs"

[[queues.consumers]]
queue = "jobs"
max_batch_size = 50

[[services]]
binding = "AUTH"
service = "auth-worker"
entrypoint = "AuthRpc"

[triggers]
crons = ["*/5 * * * *"]

[limits]
cpu_ms = 50

[dev]
port = 8788
ip = "0.0.0.0"
`;

const JSONC = `{
  // the same worker, in JSON with comments
  "$schema": "./node_modules/wrangler/config-schema.json",
  "name": "shop",
  "main": "src/index.ts",
  "compatibility_date": "2024-09-23",
  "compatibility_flags": ["nodejs_compat",],
  "vars": { "GREETING": "hi", "LIMITS": { "max": 3, "names": ["a", "b"] } },
  /* bindings */
  "kv_namespaces": [{ "binding": "CACHE", "id": "kv-id", "preview_id": "kv-preview" }],
  "d1_databases": [{ "binding": "DB", "database_name": "shop-db", "database_id": "d1-id" }],
  "r2_buckets": [{ "binding": "FILES", "bucket_name": "files" }],
  "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }],
  "queues": {
    "producers": [{ "binding": "JOBS", "queue": "jobs" }],
    "consumers": [{ "queue": "jobs", "max_batch_size": 50 }],
  },
  "services": [{ "binding": "AUTH", "service": "auth-worker", "entrypoint": "AuthRpc" }],
  "triggers": { "crons": ["*/5 * * * *"] },
  "limits": { "cpu_ms": 50 },
  "dev": { "port": 8788, "ip": "0.0.0.0" },
}
`;

test("wrangler.toml and wrangler.jsonc (comments, trailing commas) load to the same WorkerConfig", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": TOML, "wrangler.jsonc": JSONC, "wrangler.json": JSONC });
  const fromToml = loadConfig({ cwd: dir, configPath: "wrangler.toml" });
  const fromJsonc = loadConfig({ cwd: dir, configPath: "wrangler.jsonc" });
  const fromJson = loadConfig({ cwd: dir, configPath: "wrangler.json" });

  assert.deepEqual({ ...fromJsonc, configPath: "" }, { ...fromToml, configPath: "" });
  assert.deepEqual({ ...fromJson, configPath: "" }, { ...fromToml, configPath: "" });
  assert.equal(fromJsonc.configPath, path.join(dir, "wrangler.jsonc"));
  assert.equal(fromJsonc.rootDir, dir);
  assert.equal(fromJsonc.main, path.join(dir, "src/index.ts"));
  assert.deepEqual(fromToml.warnings, []);
});

test("a full config is normalized: camelCase, absolute paths, defaults", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": TOML });
  const c = loadConfig({ cwd: dir });
  assert.equal(c.name, "shop");
  assert.equal(c.main, path.join(dir, "src/index.ts"));
  assert.equal(c.compatibilityDate, "2024-09-23");
  assert.deepEqual(c.compatibilityFlags, ["nodejs_compat"]);
  assert.equal(c.noBundle, false);
  assert.deepEqual(c.vars, { GREETING: "hi", LIMITS: { max: 3, names: ["a", "b"] } });
  assert.deepEqual(c.limits, { cpuMs: 50 });
  assert.deepEqual(c.dev, { port: 8788, ip: "0.0.0.0" });
  assert.deepEqual(c.triggers, { crons: ["*/5 * * * *"] });
  assert.deepEqual(c.bindings, [
    { type: "kv", name: "CACHE", id: "kv-id", previewId: "kv-preview" },
    {
      type: "d1",
      name: "DB",
      databaseName: "shop-db",
      databaseId: "d1-id",
      migrationsDir: path.join(dir, "migrations"),
      migrationsTable: "d1_migrations",
    },
    { type: "r2", name: "FILES", bucketName: "files" },
    { type: "durable_object", name: "ROOM", className: "Room" },
    { type: "queue_producer", name: "JOBS", queue: "jobs" },
    { type: "service", name: "AUTH", service: "auth-worker", entrypoint: "AuthRpc" },
  ]);
  assert.deepEqual(c.queueConsumers, [{ queue: "jobs", maxBatchSize: 50, maxBatchTimeout: 5, maxRetries: 3 }]);
  assert.deepEqual(c.durableObjectMigrations, [{ tag: "v1", new_sqlite_classes: ["Room"] }]);
});

test("a TOML syntax error names file:line:column and the parser's reason", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": 'name = "x"\nmain = "src/index.ts"\n\n[vars]\nA = = 1\n' });
  assert.throws(
    () => loadConfig({ cwd: dir }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, new RegExp(`^${escape(path.join(dir, "wrangler.toml"))}:5:\\d+: invalid TOML: \\S`));
      return true;
    },
  );
});

test("a JSONC syntax error names file:line:column and jsonc-parser's error code", () => {
  const dir = project({ ...ENTRY, "wrangler.jsonc": '{\n  // ok so far\n  "name": "x",\n  "main" "src/index.ts"\n}\n' });
  assert.throws(() => loadConfig({ cwd: dir }), {
    name: "ConfigError",
    message: `${path.join(dir, "wrangler.jsonc")}:4:10: invalid JSON: ColonExpected`,
  });
});

test("a config file that isn't an object is rejected", () => {
  const dir = project({ ...ENTRY, "wrangler.json": "[1, 2]" });
  assert.throws(() => loadConfig({ cwd: dir }), /wrangler\.json: expected the file to hold an object.*found an array/);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
