// The one shape every binding kind has (as Miniflare's plugins and Spin's factors do):
//   - `describe`: what the isolate-side API is built from (sent to the prelude's env factory);
//   - `prepare`: the host-side instance for one configured binding of one worker, holding only
//     what that binding may reach (least privilege: a worker reaches only namespaces bound to it);
//   - `functions`: the host functions its isolate-side API calls, by name ("kv.get"), each given
//     the prepared instance of the binding named in the call's first argument.
// The isolate side lives beside it (isolate.ts) and registers a factory for `type` in the prelude.
import type { HostCallContext } from "../runtime/host-functions.ts";
import type { StorageProvider } from "../storage/index.ts";

export interface BindingDescriptor {
  type: string;
  name: string;
  [key: string]: unknown;
}

export type BindingFunction<Instance> = (instance: Instance, ctx: HostCallContext, ...args: any[]) => unknown;

export interface BindingPlugin<Config extends { type: string; name: string }, Instance> {
  /** The config binding type this plugin serves (BindingConfig["type"]). */
  type: Config["type"];
  /** The wrangler config key, for messages. */
  configKey: string;
  describe(config: Config): BindingDescriptor;
  prepare(config: Config, storage: StorageProvider): Instance;
  functions: Record<string, BindingFunction<Instance>>;
}
