// Placeholder until the D1 binding lands (issue 5).
import type { BindingConfig } from "../../config/index.ts";
import type { BindingPlugin } from "../binding-plugin.ts";

type D1Config = Extract<BindingConfig, { type: "d1" }>;

export const d1Plugin: BindingPlugin<D1Config, unknown> = {
  type: "d1",
  configKey: "d1_databases",
  describe: (c) => ({ type: "unsupported", name: c.name, key: "d1_databases" }),
  prepare: () => undefined,
  functions: {},
};
