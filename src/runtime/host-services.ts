// Every host function the isolate can call, by name: one table per module that serves it.
import type { HostServices } from "./host-functions.ts";
import { cryptoHostFunctions, cryptoHostSyncFunctions } from "./host-crypto.ts";
import { webHostSyncFunctions } from "./host-web.ts";
import { outboundFetchFunctions, releaseRequestFetches } from "./outbound-fetch.ts";
import { outboundWebSocketFunctions } from "./outbound-websocket.ts";

export const hostServices: HostServices = {
  functions: {
    ...outboundFetchFunctions,
    ...outboundWebSocketFunctions,
    ...cryptoHostFunctions,
  },
  syncFunctions: {
    ...webHostSyncFunctions,
    ...cryptoHostSyncFunctions,
  },
  releaseRequest(handles, requestId) {
    releaseRequestFetches(handles, requestId);
  },
};
