// Which nodejs_compat mode a config gets, as workerd reads the flags and the compatibility date.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodejsCompatSettings } from "../../src/bundler/nodejs-compat.ts";

const settings = (flags: string[], date: string) => nodejsCompatSettings({ compatibilityFlags: flags, compatibilityDate: date });

test("no flag: nothing changes", () => {
  assert.equal(settings([], "2025-06-01"), undefined);
  assert.equal(settings(["streams_enable_constructors"], "2025-06-01"), undefined);
});

test("nodejs_compat implies v2 from 2024-09-23, unless no_nodejs_compat_v2", () => {
  assert.equal(settings(["nodejs_compat"], "2024-09-22")?.mode, "v1");
  assert.equal(settings(["nodejs_compat"], "2024-09-23")?.mode, "v2");
  assert.equal(settings(["nodejs_compat", "no_nodejs_compat_v2"], "2025-01-01")?.mode, "v1");
  assert.equal(settings(["nodejs_compat", "nodejs_compat_v2"], "2024-01-01")?.mode, "v2");
  assert.equal(settings(["nodejs_compat_v2"], "2024-01-01")?.mode, "v2");
});

test("nodejs_als alone: only async_hooks", () => {
  assert.deepEqual(settings(["nodejs_als"], "2025-01-01"), { mode: "als", processEnv: false });
});

test("process.env is populated from 2025-04-01, or with the flag; the opposite flag turns it off", () => {
  assert.equal(settings(["nodejs_compat"], "2025-03-31")?.processEnv, false);
  assert.equal(settings(["nodejs_compat"], "2025-04-01")?.processEnv, true);
  assert.equal(settings(["nodejs_compat", "nodejs_compat_populate_process_env"], "2024-10-01")?.processEnv, true);
  assert.equal(settings(["nodejs_compat", "nodejs_compat_do_not_populate_process_env"], "2025-06-01")?.processEnv, false);
});
