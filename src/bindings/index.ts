// The bindings Atoll gives a worker: from its config to the descriptors the prelude turns into
// `env`, and the host functions that serve them. Each binding kind is one plugin in its own
// folder; PLUGINS below is the one list of them.
import type { BindingConfig, WorkerConfig } from "../config/index.ts";
import type { HostCallContext, HostFunctionTable } from "../runtime/host-functions.ts";
import type { StorageProvider } from "../storage/index.ts";
import type { BindingDescriptor, BindingPlugin } from "./binding-plugin.ts";
import { cacheFunctions } from "./cache/service.ts";
import { d1Plugin } from "./d1/plugin.ts";
import { kvPlugin } from "./kv/plugin.ts";

// Each plugin is typed for its own config; the list only needs the common shape.
const PLUGINS = [kvPlugin, d1Plugin] as unknown as BindingPlugin<BindingConfig, unknown>[];

const CONFIG_KEYS: Record<BindingConfig["type"], string> = {
  kv: "kv_namespaces",
  d1: "d1_databases",
  r2: "r2_buckets",
  durable_object: "durable_objects",
  queue_producer: "queues.producers",
  service: "services",
  unsupported: "",
};

export interface PreparedBindings {
  /** What the prelude's buildEnv receives (structured-cloneable). */
  descriptors: unknown[];
  /** Host functions for the bindings this worker has (and the Cache API every worker has). */
  functions: HostFunctionTable;
  /** One line naming every binding that is configured but not implemented yet, or undefined. */
  unsupportedWarning: string | undefined;
}

/** Describes the worker's bindings without touching storage (for planning and messages). */
export function planBindings(config: WorkerConfig): Omit<PreparedBindings, "functions"> {
  const descriptors: unknown[] = [];
  for (const [name, value] of Object.entries(config.vars)) descriptors.push({ type: "var", name, value });
  // Secrets win over vars, as in wrangler dev.
  for (const [name, value] of Object.entries(config.secrets)) descriptors.push({ type: "var", name, value });
  const unsupported: string[] = [];
  for (const binding of config.bindings) {
    const plugin = PLUGINS.find((p) => p.type === binding.type);
    if (plugin) {
      descriptors.push(plugin.describe(binding));
      continue;
    }
    const key = binding.type === "unsupported" ? binding.key : CONFIG_KEYS[binding.type];
    unsupported.push(`${key} (${binding.name})`);
    descriptors.push({ type: "unsupported", name: binding.name, key } satisfies BindingDescriptor);
  }
  return {
    descriptors,
    unsupportedWarning: unsupported.length
      ? `Atoll does not implement these bindings yet (the worker runs; using them throws): ${unsupported.join(", ")}`
      : undefined,
  };
}

/** Plans the bindings and prepares their host side on `storage`. */
export function prepareBindings(config: WorkerConfig, storage: StorageProvider): PreparedBindings {
  const plan = planBindings(config);
  const instances = new Map<string, { plugin: BindingPlugin<BindingConfig, unknown>; instance: unknown }>();
  for (const binding of config.bindings) {
    const plugin = PLUGINS.find((p) => p.type === binding.type);
    if (plugin) instances.set(binding.name, { plugin, instance: plugin.prepare(binding, storage) });
  }
  const functions: HostFunctionTable = { ...cacheFunctions(storage) };
  for (const plugin of PLUGINS) {
    for (const [fnName, fn] of Object.entries(plugin.functions)) {
      functions[fnName] = (ctx: HostCallContext, bindingName: unknown, ...args: unknown[]) => {
        // The isolate names the binding; the host only serves bindings this worker has.
        const bound = typeof bindingName === "string" ? instances.get(bindingName) : undefined;
        if (!bound || bound.plugin !== plugin) throw new TypeError(`env.${String(bindingName)} is not a ${plugin.configKey} binding of this worker.`);
        return fn(bound.instance, ctx, ...args);
      };
    }
  }
  return { ...plan, functions };
}
