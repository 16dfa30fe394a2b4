// A server of the test's own (an upstream for outbound sockets, fetch, WebSockets) on 127.0.0.1.
import type { AddressInfo, Server } from "node:net";

/** Listens on a free port of 127.0.0.1; resolves with the port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}
