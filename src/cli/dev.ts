// `atoll dev`: load one or more workers, serve them over HTTP (by route, else the first), reload on change.
import { once } from "node:events";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type WorkerConfig } from "../config/index.ts";
import { BundleError } from "../bundler/bundle-worker.ts";
import { WorkerStartupError } from "../runtime/worker-isolate.ts";
import { createEmbeddedStorage, StorageError } from "../storage/index.ts";
import { Logger } from "../observability/logger.ts";
import { createHttpServer, listen } from "../server/http-server.ts";
import { RouteTable } from "../server/route-table.ts";
import type { Worker } from "../runtime/worker.ts";
import { startWorkerFromConfig, type RunningWorker } from "./start-worker.ts";
import { watchWorker } from "./watch.ts";

/** How long a stopping server waits for requests in flight. */
const SHUTDOWN_GRACE_MS = 5000;

export const DEV_HELP = `Usage: atoll dev [options]

Runs the worker in wrangler.jsonc / wrangler.json / wrangler.toml (current directory) locally.

Options:
  -c, --config PATH     Config file; repeat to load several workers (a request goes to the
                        worker whose route/routes match its host and path, else to the first)
      --port N          Port to listen on (default: [dev] port, else 8787; 0 picks a free one)
      --ip ADDR         Address to listen on (default: [dev] ip, else 127.0.0.1)
      --env NAME        Use the [env.NAME] section of the config
      --var KEY:VALUE   Set or override a var; repeatable
      --persist-to DIR  State directory (default: .atoll beside the config)
      --no-watch        Do not rebuild and reload on file changes
  -h, --help            Show this help
`;

export async function runDev(argv: string[]): Promise<number> {
  const logger = new Logger();
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowNegative: true,
      options: {
        config: { type: "string", short: "c", multiple: true },
        port: { type: "string" },
        ip: { type: "string" },
        env: { type: "string" },
        var: { type: "string", multiple: true },
        "persist-to": { type: "string" },
        watch: { type: "boolean", default: true },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    logger.error(`${(error as Error).message}\n\n${DEV_HELP}`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(DEV_HELP);
    return 0;
  }
  const vars: Record<string, string> = {};
  for (const pair of values.var ?? []) {
    const i = pair.indexOf(":");
    if (i <= 0) {
      logger.error(`--var ${pair}: expected KEY:VALUE`);
      return 1;
    }
    vars[pair.slice(0, i)] = pair.slice(i + 1);
  }

  let configs: WorkerConfig[];
  try {
    const paths = values.config?.length ? values.config : [undefined];
    configs = paths.map((configPath) => loadConfig({ configPath, cwd: process.cwd(), env: values.env, vars }));
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error(error.message);
      return 1;
    }
    throw error;
  }

  // One state directory for every worker of the process, so that they can share namespaces.
  const stateDir = resolve(values["persist-to"] ?? join(configs[0].rootDir, ".atoll"));
  const storage = createEmbeddedStorage(stateDir);
  const workers: RunningWorker[] = [];
  for (const config of configs) {
    for (const w of config.warnings) logger.warn(w);
    try {
      workers.push(await startWorkerFromConfig(config, storage, logger));
    } catch (error) {
      if (error instanceof BundleError) logger.error(`Could not build ${config.main}:\n${error.message}`);
      else if (error instanceof WorkerStartupError || error instanceof StorageError) logger.error(`Could not start worker "${config.name}": ${error.message}`);
      else logger.error(`Could not start worker "${config.name}": ${(error as Error).stack ?? error}`);
      for (const w of workers) await w.worker.dispose();
      storage.close();
      return 1;
    }
  }

  const first = configs[0];
  const port = values.port !== undefined ? Number(values.port) : (first.dev.port ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    logger.error(`--port ${values.port}: expected a port number from 0 to 65535`);
    return 1;
  }
  const ip = values.ip ?? first.dev.ip ?? "127.0.0.1";
  const routes = new RouteTable<Worker>();
  for (const w of workers) {
    if (w.config.routes.length === 0) continue;
    routes.add(w.worker, w.config.routes);
    logger.info(`[${w.config.name}] serves ${w.config.routes.join(", ")}`);
  }
  const server = createHttpServer({ worker: workers[0].worker, routes, logger });
  let address;
  try {
    address = await listen(server, port, ip);
  } catch (error) {
    logger.error(`Could not listen on ${ip}:${port}: ${(error as Error).message}`);
    return 1;
  }
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  logger.info(`Ready on http://${host}:${address.port}`);

  const stopWatching = values.watch ? workers.map((w) => watchWorker(w, logger)) : [];
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  for (const stop of stopWatching) stop();
  // Stop accepting; let requests already running finish (bounded), then close what is left.
  server.close();
  // Keep-alive connections become idle as their last response goes out: close them as they do.
  const closer = setInterval(() => server.closeIdleConnections(), 20);
  server.closeIdleConnections();
  await Promise.race([once(server, "close"), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
  clearInterval(closer);
  server.closeAllConnections();
  for (const w of workers) await w.worker.dispose();
  storage.close();
  return 0;
}
