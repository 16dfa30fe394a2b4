import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { ENTRY, project } from "./project.ts";

const CONFIG = `
name = "api"
main = "src/index.ts"
compatibility_date = "2024-09-23"
compatibility_flags = ["nodejs_compat"]
no_bundle = true
rules = [{ type = "Text", globs = ["**/*.md"] }]
limits = { cpu_ms = 100 }
triggers = { crons = ["0 * * * *"] }
routes = ["example.com/*"]

[vars]
MODE = "prod"
REGION = "eu"

[[kv_namespaces]]
binding = "CACHE"
id = "prod-kv"

[[r2_buckets]]
binding = "FILES"
bucket_name = "files"

[ai]
binding = "AI"

[env.staging]
compatibility_date = "2025-01-01"
vars = { MODE = "staging" }

[env.preview]
name = "api-preview-custom"
main = "src/preview.ts"

[[env.preview.kv_namespaces]]
binding = "CACHE"
id = "preview-kv"
`;

function load(env?: string) {
  const dir = project({ ...ENTRY, "src/preview.ts": "export default {};\n", "wrangler.toml": CONFIG });
  return { dir, config: loadConfig({ cwd: dir, ...(env !== undefined && { env }) }) };
}

test("inheritable keys come from the top level unless the environment overrides them", () => {
  const { dir, config } = load("staging");
  assert.equal(config.compatibilityDate, "2025-01-01");
  assert.equal(config.main, path.join(dir, "src/index.ts"));
  assert.deepEqual(config.compatibilityFlags, ["nodejs_compat"]);
  assert.equal(config.noBundle, true);
  assert.deepEqual(config.rules[0], { type: "Text", globs: ["**/*.md"] });
  assert.deepEqual(config.limits, { cpuMs: 100 });
  assert.deepEqual(config.triggers, { crons: ["0 * * * *"] });

  const preview = load("preview").config;
  assert.equal(preview.main, path.join(preview.rootDir, "src/preview.ts"));
  assert.equal(preview.compatibilityDate, "2024-09-23");
});

test("vars and bindings are not inherited, with one warning listing what is missing", () => {
  const { dir, config } = load("staging");
  assert.deepEqual(config.vars, { MODE: "staging" });
  assert.deepEqual(config.bindings, []);
  const file = path.join(dir, "wrangler.toml");
  const notInherited = config.warnings.filter((w) => w.includes("not inherited"));
  assert.equal(notInherited.length, 1, config.warnings.join("\n"));
  const [warning = ""] = notInherited;
  assert.ok(warning.startsWith(`${file}: `), warning);
  assert.match(warning, /env\.staging/);
  assert.match(warning, /vars\.REGION, kv_namespaces \(CACHE\), r2_buckets \(FILES\), ai \(AI\)$/);
  assert.doesNotMatch(warning, /vars\.MODE/);
});

test("an environment's own bindings are used; missing ones are still reported", () => {
  const { config } = load("preview");
  assert.deepEqual(config.bindings, [{ type: "kv", name: "CACHE", id: "preview-kv" }]);
  assert.deepEqual(config.vars, {});
  const warning = config.warnings.find((w) => w.includes("not inherited")) ?? "";
  assert.match(warning, /vars\.MODE, vars\.REGION, r2_buckets \(FILES\), ai \(AI\)$/);
  assert.doesNotMatch(warning, /kv_namespaces/);
});

test("the name is <name>-<env> unless the environment sets its own", () => {
  assert.equal(load().config.name, "api");
  assert.equal(load("staging").config.name, "api-staging");
  assert.equal(load("preview").config.name, "api-preview-custom");
});

test("without --env the top level applies and env sections are ignored", () => {
  const { config } = load();
  assert.equal(config.compatibilityDate, "2024-09-23");
  assert.deepEqual(config.vars, { MODE: "prod", REGION: "eu" });
  assert.equal(config.bindings.length, 3);
  assert.ok(!config.warnings.some((w) => w.includes("not inherited")));
});

test("an unknown --env is an error naming the file and listing the environments", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": CONFIG });
  assert.throws(() => loadConfig({ cwd: dir, env: "prod" }), {
    name: "ConfigError",
    message:
      `${path.join(dir, "wrangler.toml")}: no environment named "prod" (from --env prod). ` +
      "Environments defined in this file: staging, preview.",
  });
});

test("--env on a file without environments warns and runs the top level under <name>-<env>, as wrangler does", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": 'name = "w"\nmain = "src/index.ts"\ncompatibility_date = "2024-09-23"\nvars = { A = "1" }\n' });
  const c = loadConfig({ cwd: dir, env: "dev" });
  assert.equal(c.name, "w-dev");
  assert.deepEqual(c.vars, { A: "1" });
  assert.ok(c.warnings.some((w) => w.includes("--env dev") && w.includes("defines no environments")), c.warnings.join("\n"));
});

test("errors inside an environment carry the env key path", () => {
  const dir = project({
    ...ENTRY,
    "wrangler.toml": `name = "w"\nmain = "src/index.ts"\ncompatibility_date = "2024-09-23"\n[env.staging.vars]\nFOO = 1979-05-27T07:32:00Z\n[[env.staging.kv_namespaces]]\nbinding = "KV"\nid = 5\n`,
  });
  const file = path.join(dir, "wrangler.toml");
  assert.throws(() => loadConfig({ cwd: dir, env: "staging" }), {
    name: "ConfigError",
    message:
      `${file}: env.staging.vars.FOO: expected a string or JSON value, found date-time 1979-05-27T07:32:00.000Z\n` +
      `${file}: env.staging.kv_namespaces[0].id: expected a non-empty string, found number 5`,
  });
});

test("top-level-only keys inside an environment and unknown env keys are warned about", () => {
  const dir = project({
    ...ENTRY,
    "wrangler.toml": `name = "w"\nmain = "src/index.ts"\ncompatibility_date = "2024-09-23"\ndev = { port = 1 }\n[env.staging]\nfoo = 1\ndev = { port = 9 }\n`,
  });
  const c = loadConfig({ cwd: dir, env: "staging" });
  assert.deepEqual(c.dev, { port: 1 });
  assert.ok(c.warnings.includes(`${path.join(dir, "wrangler.toml")}: unknown key "env.staging.foo" (ignored)`), c.warnings.join("\n"));
  assert.ok(c.warnings.some((w) => w.includes('"env.staging.dev" is only read at the top level')), c.warnings.join("\n"));
});
