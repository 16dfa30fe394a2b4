// Every host function the isolate can call, by name: one table per module that serves it.
import type { HostFunctionTable, HostSyncFunctionTable } from "./host-functions.ts";
import { cryptoHostFunctions, cryptoHostSyncFunctions } from "./host-crypto.ts";
import { webHostSyncFunctions } from "./host-web.ts";

export const hostFunctions: HostFunctionTable = {
  ...cryptoHostFunctions,
};

export const hostSyncFunctions: HostSyncFunctionTable = {
  ...webHostSyncFunctions,
  ...cryptoHostSyncFunctions,
};
