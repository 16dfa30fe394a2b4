// Every host function the isolate can call, by name: one table per module that serves it.
import type { HostServices } from "./host-functions.ts";
import { cryptoHostFunctions, cryptoHostSyncFunctions } from "./host-crypto.ts";
import { webHostSyncFunctions } from "./host-web.ts";
import { outboundFetchFunctions, releaseRequestFetches } from "./outbound-fetch.ts";
import { outboundWebSocketFunctions } from "./outbound-websocket.ts";
import { htmlRewriterHostSyncFunctions } from "./host-html-rewriter.ts";
import { compressionFunctions, releaseRequestCompression } from "./host-compression.ts";
import { outboundSocketFunctions, releaseRequestSockets } from "./outbound-sockets.ts";
import { nodeCryptoHostFunctions, nodeCryptoHostSyncFunctions } from "./host-node-crypto.ts";
import { nodeZlibHostSyncFunctions } from "./host-node-zlib.ts";

export const hostServices: HostServices = {
  functions: {
    ...outboundFetchFunctions,
    ...outboundWebSocketFunctions,
    ...cryptoHostFunctions,
    ...compressionFunctions,
    ...outboundSocketFunctions,
    ...nodeCryptoHostFunctions,
  },
  syncFunctions: {
    ...webHostSyncFunctions,
    ...cryptoHostSyncFunctions,
    ...htmlRewriterHostSyncFunctions,
    ...nodeCryptoHostSyncFunctions,
    ...nodeZlibHostSyncFunctions,
  },
  releaseRequest(handles, requestId) {
    releaseRequestFetches(handles, requestId);
    releaseRequestCompression(handles, requestId);
    releaseRequestSockets(handles, requestId);
  },
};
