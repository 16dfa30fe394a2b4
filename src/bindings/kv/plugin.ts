// Placeholder until the KV binding lands (issue 5).
import type { BindingConfig } from "../../config/index.ts";
import type { BindingPlugin } from "../binding-plugin.ts";

type KvConfig = Extract<BindingConfig, { type: "kv" }>;

export const kvPlugin: BindingPlugin<KvConfig, unknown> = {
  type: "kv",
  configKey: "kv_namespaces",
  describe: (c) => ({ type: "unsupported", name: c.name, key: "kv_namespaces" }),
  prepare: () => undefined,
  functions: {},
};
