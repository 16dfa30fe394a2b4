// `request.cf` for local requests: every documented field present, filled with local values.
import type { IncomingMessage } from "node:http";

const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function localCf(req: IncomingMessage): Record<string, unknown> {
  return {
    asn: 0,
    asOrganization: "Atoll (local)",
    colo: "LOCAL",
    country: "XX",
    isEUCountry: false,
    city: "",
    continent: "",
    region: "",
    regionCode: "",
    metroCode: "",
    postalCode: "",
    latitude: "0.00000",
    longitude: "0.00000",
    timezone,
    httpProtocol: `HTTP/${req.httpVersion}`,
    tlsVersion: "",
    tlsCipher: "",
    clientTcpRtt: 0,
    clientAcceptEncoding: String(req.headers["accept-encoding"] ?? ""),
    requestPriority: "",
    edgeRequestKeepAliveStatus: 1,
    verifiedBotCategory: "",
    botManagement: { score: 99, verifiedBot: false, staticResource: false, ja3Hash: "", ja4: "", detectionIds: [] },
  };
}
