// How every baseline server of the benchmarks runs: listen, print "Ready on" (as `atoll dev`
// does, so the harness starts them alike), and stop cleanly on SIGTERM/SIGINT.
import type { Server } from "node:http";

export function serve(server: Server, port: number, ip: string, beforeStop?: () => void): void {
  server.listen(port, ip, () => {
    const address = server.address();
    if (address && typeof address === "object") process.stdout.write(`Ready on http://${address.address}:${address.port}\n`);
  });
  const stop = () => {
    beforeStop?.();
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
