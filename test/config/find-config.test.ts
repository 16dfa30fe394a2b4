import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { findConfig, loadConfig } from "../../src/config/index.ts";
import { ENTRY, project } from "./project.ts";

const MINIMAL = 'name = "w"\nmain = "src/index.ts"\ncompatibility_date = "2024-09-23"\n';
const MINIMAL_JSON = '{ "name": "w", "main": "src/index.ts", "compatibility_date": "2024-09-23" }';

test("in one directory wrangler.json wins over wrangler.jsonc, which wins over wrangler.toml (wrangler's order)", () => {
  const all = project({ "wrangler.toml": MINIMAL, "wrangler.jsonc": MINIMAL_JSON, "wrangler.json": MINIMAL_JSON });
  assert.equal(findConfig(all), path.join(all, "wrangler.json"));
  const two = project({ "wrangler.toml": MINIMAL, "wrangler.jsonc": MINIMAL_JSON });
  assert.equal(findConfig(two), path.join(two, "wrangler.jsonc"));
  const one = project({ "wrangler.toml": MINIMAL });
  assert.equal(findConfig(one), path.join(one, "wrangler.toml"));
});

test("discovery searches parent directories, and the nearest directory wins", () => {
  const dir = project({ ...ENTRY, "wrangler.json": MINIMAL_JSON, "app/wrangler.toml": MINIMAL, "app/src/deep/x.txt": "" });
  assert.equal(findConfig(path.join(dir, "app/src/deep")), path.join(dir, "app/wrangler.toml"));
  assert.equal(findConfig(path.join(dir, "src")), path.join(dir, "wrangler.json"));

  const c = loadConfig({ cwd: path.join(dir, "src") });
  assert.equal(c.configPath, path.join(dir, "wrangler.json"));
  assert.equal(c.main, path.join(dir, "src/index.ts"), "main resolves against the config's directory, not cwd");
});

test("no config file: the error names the files looked for, the directory, and suggests -c", () => {
  const dir = project({ "readme.md": "" });
  assert.equal(findConfig(dir), undefined);
  assert.throws(() => loadConfig({ cwd: dir }), (err: Error) => {
    assert.equal(err.name, "ConfigError");
    assert.match(err.message, /wrangler\.json, wrangler\.jsonc, wrangler\.toml/);
    assert.ok(err.message.includes(dir), err.message);
    assert.match(err.message, /-c /);
    return true;
  });
});

test("-c is resolved against cwd and must exist", () => {
  const dir = project({ ...ENTRY, "config/dev.toml": 'name = "w"\nmain = "../src/index.ts"\ncompatibility_date = "2024-09-23"\n' });
  const c = loadConfig({ cwd: dir, configPath: "config/dev.toml" });
  assert.equal(c.configPath, path.join(dir, "config/dev.toml"));
  assert.equal(c.rootDir, path.join(dir, "config"));
  assert.equal(c.main, path.join(dir, "src/index.ts"));

  assert.throws(() => loadConfig({ cwd: dir, configPath: "config/missing.toml" }), {
    name: "ConfigError",
    message: `${path.join(dir, "config/missing.toml")}: config file not found (from -c config/missing.toml).`,
  });
  assert.throws(() => loadConfig({ cwd: dir, configPath: "config" }), /is a directory/);
});
