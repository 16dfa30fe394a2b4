// The bindings Atoll gives a worker: from its config to the descriptors the prelude turns into
// `env`, and the host functions that serve them. Each binding kind lives in its own folder;
// this file is the one list of them.
import type { BindingConfig, WorkerConfig } from "../config/index.ts";

/** Binding kinds implemented so far; others are listed in one startup warning and throw on use. */
const IMPLEMENTED = new Set<BindingConfig["type"]>([]);

const CONFIG_KEYS: Record<BindingConfig["type"], string> = {
  kv: "kv_namespaces",
  d1: "d1_databases",
  r2: "r2_buckets",
  durable_object: "durable_objects",
  queue_producer: "queues.producers",
  service: "services",
  unsupported: "",
};

export interface BindingPlan {
  /** What the prelude's buildEnv receives (structured-cloneable). */
  descriptors: unknown[];
  /** One line naming every binding that is configured but not implemented yet, or undefined. */
  unsupportedWarning: string | undefined;
}

export function planBindings(config: WorkerConfig): BindingPlan {
  const descriptors: unknown[] = [];
  for (const [name, value] of Object.entries(config.vars)) descriptors.push({ type: "var", name, value });
  // Secrets win over vars, as in wrangler dev.
  for (const [name, value] of Object.entries(config.secrets)) descriptors.push({ type: "var", name, value });
  const unsupported: string[] = [];
  for (const binding of config.bindings) {
    if (IMPLEMENTED.has(binding.type)) {
      descriptors.push(binding);
      continue;
    }
    const key = binding.type === "unsupported" ? binding.key : CONFIG_KEYS[binding.type];
    unsupported.push(`${key} (${binding.name})`);
    descriptors.push({ type: "unsupported", name: binding.name, key });
  }
  return {
    descriptors,
    unsupportedWarning: unsupported.length
      ? `Atoll does not implement these bindings yet (the worker runs; using them throws): ${unsupported.join(", ")}`
      : undefined,
  };
}
