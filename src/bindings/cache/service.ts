// Placeholder until the Cache API lands (issue 5).
import type { HostFunctionTable } from "../../runtime/host-functions.ts";
import type { StorageProvider } from "../../storage/index.ts";

export function cacheFunctions(_storage: StorageProvider): HostFunctionTable {
  return {};
}
