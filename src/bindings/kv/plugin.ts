// The KV binding (`kv_namespaces`): each configured namespace becomes a KVNamespace on `env`
// (isolate.ts) backed by a KvService over the namespace's store. The local namespace is
// `preview_id` when set, else `id`, as in `wrangler dev`.
import type { BindingConfig } from "../../config/index.ts";
import type { BindingPlugin } from "../binding-plugin.ts";
import { KvService } from "./kv-service.ts";

type KvConfig = Extract<BindingConfig, { type: "kv" }>;

/** The namespace a binding reads and writes locally (also used by `atoll kv --binding`). */
export function localNamespaceId(config: KvConfig): string {
  return config.previewId ?? config.id;
}

// Host functions: the isolate calls `callHost("kv.get", [bindingName, ...args])`; the binding
// name has already been resolved to this worker's KvService when these run.
export const kvPlugin: BindingPlugin<KvConfig, KvService> = {
  type: "kv",
  configKey: "kv_namespaces",
  describe: (config) => ({ type: "kv", name: config.name }),
  prepare: (config, storage) => new KvService(storage.kv(localNamespaceId(config))),
  functions: {
    "kv.get": (kv, _ctx, key, options) => kv.get(key, options),
    "kv.getBulk": (kv, _ctx, keys, options) => kv.getBulk(keys, options),
    "kv.put": (kv, _ctx, key, value, options) => kv.put(key, value, options),
    "kv.delete": (kv, _ctx, key) => kv.delete(key),
    "kv.list": (kv, _ctx, options) => kv.list(options),
  },
};
