import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { parseDotenv } from "../../src/config/dev-vars.ts";
import { loadConfig } from "../../src/config/index.ts";
import { ENTRY, project } from "./project.ts";

const CONFIG = `name = "w"
main = "src/index.ts"
compatibility_date = "2024-09-23"
vars = { MODE = "config", SHARED = "from-vars" }
[env.staging]
vars = { MODE = "config-staging" }
`;

test("dotenv syntax: quotes, comments, export prefix, multi-line values, escapes in double quotes", () => {
  const { values, badLines } = parseDotenv(
    [
      "# a comment",
      "",
      "PLAIN=value",
      "SPACED = spaced value   ",
      "export EXPORTED=yes",
      "TRAILING=abc # comment",
      'DOUBLE="a # not a comment"',
      "SINGLE='single \\n stays'",
      'ESCAPED="line1\\nline2"',
      "BACKTICK=`it's \"quoted\"`",
      'MULTI="first',
      "second",
      'third"',
      "EMPTY=",
      "DOTTED.KEY-1=ok",
      "not a pair",
      "COLON: value",
    ].join("\n"),
  );
  assert.deepEqual(values, {
    PLAIN: "value",
    SPACED: "spaced value",
    EXPORTED: "yes",
    TRAILING: "abc",
    DOUBLE: "a # not a comment",
    SINGLE: "single \\n stays",
    ESCAPED: "line1\nline2",
    BACKTICK: `it's "quoted"`,
    MULTI: "first\nsecond\nthird",
    EMPTY: "",
    "DOTTED.KEY-1": "ok",
    COLON: "value",
  });
  assert.deepEqual(badLines, [16]);
});

test("CRLF files parse the same", () => {
  assert.deepEqual(parseDotenv('A=1\r\nB="x\r\ny"\r\n').values, { A: "1", B: "x\ny" });
});

test(".dev.vars provides secrets, and a bad line is a warning with file:line", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": CONFIG, ".dev.vars": "API_KEY=secret\noops\n", ".env": "FROM_ENV=1\n" });
  const c = loadConfig({ cwd: dir });
  assert.deepEqual(c.secrets, { API_KEY: "secret" }, ".env is not read when .dev.vars exists");
  assert.deepEqual(c.secretsFiles, [path.join(dir, ".dev.vars")]);
  assert.ok(c.warnings.includes(`${path.join(dir, ".dev.vars")}:2: expected KEY=VALUE (line ignored)`), c.warnings.join("\n"));
});

test("with --env, .dev.vars.<env> replaces .dev.vars entirely when it exists", () => {
  const dir = project({
    ...ENTRY,
    "wrangler.toml": CONFIG,
    ".dev.vars": "API_KEY=dev\nONLY_DEV=1\n",
    ".dev.vars.staging": "API_KEY=staging\n",
  });
  assert.deepEqual(loadConfig({ cwd: dir, env: "staging" }).secrets, { API_KEY: "staging" });
  assert.deepEqual(loadConfig({ cwd: dir }).secrets, { API_KEY: "dev", ONLY_DEV: "1" });
});

test("with --env and no .dev.vars.<env>, .dev.vars is used", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": CONFIG, ".dev.vars": "API_KEY=dev\n" });
  assert.deepEqual(loadConfig({ cwd: dir, env: "staging" }).secrets, { API_KEY: "dev" });
});

test("without any .dev.vars file, .env files are merged, the most specific winning", () => {
  const dir = project({
    ...ENTRY,
    "wrangler.toml": CONFIG,
    ".env": "A=env\nB=env\nC=env\nD=env\n",
    ".env.local": "B=local\nC=local\nD=local\n",
    ".env.staging": "C=staging\nD=staging\n",
    ".env.staging.local": "D=staging-local\n",
  });
  assert.deepEqual(loadConfig({ cwd: dir }).secrets, { A: "env", B: "local", C: "local", D: "local" });
  const staging = loadConfig({ cwd: dir, env: "staging" });
  assert.deepEqual(staging.secrets, { A: "env", B: "local", C: "staging", D: "staging-local" });
  assert.deepEqual(
    staging.secretsFiles,
    [".env", ".env.local", ".env.staging", ".env.staging.local"].map((f) => path.join(dir, f)),
  );
});

test("secrets are read next to the config file, not from cwd", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": CONFIG, ".dev.vars": "WHERE=root\n", "src/.dev.vars": "WHERE=src\n" });
  assert.deepEqual(loadConfig({ cwd: path.join(dir, "src") }).secrets, { WHERE: "root" });
});

test("--var overrides config vars and secrets", () => {
  const dir = project({ ...ENTRY, "wrangler.toml": CONFIG, ".dev.vars": "SHARED=from-secret\nKEEP=1\n" });
  const c = loadConfig({ cwd: dir, vars: { MODE: "cli", SHARED: "cli", NEW: "cli" } });
  assert.deepEqual(c.vars, { MODE: "cli", SHARED: "cli", NEW: "cli" });
  assert.deepEqual(c.secrets, { KEEP: "1" });
});
