// From a validated config to a loaded Worker: bundle, prepare bindings on the storage, start the isolate.
import type { WorkerConfig } from "../config/index.ts";
import { prepareBindings } from "../bindings/index.ts";
import { bundleWorker } from "../bundler/bundle-worker.ts";
import type { Logger } from "../observability/logger.ts";
import { hostServices } from "../runtime/host-services.ts";
import { Worker } from "../runtime/worker.ts";
import type { StorageProvider } from "../storage/index.ts";

export interface RunningWorker {
  config: WorkerConfig;
  worker: Worker;
  /** Files the current version was built from. */
  inputs: string[];
}

/** Cloudflare's defaults. */
const MEMORY_MB = 128;
const SUBREQUESTS = 1000;

export async function startWorkerFromConfig(config: WorkerConfig, storage: StorageProvider, logger: Logger): Promise<RunningWorker> {
  const bindings = prepareBindings(config, storage);
  if (bindings.unsupportedWarning) logger.warn(bindings.unsupportedWarning);
  const { bundle, inputs } = await bundleWorker(config);
  const worker = new Worker({
    name: config.name,
    limits: { cpuMs: config.limits.cpuMs, memoryMb: MEMORY_MB, subrequests: SUBREQUESTS },
    bindings: bindings.descriptors,
    // Binding functions come last: they may wrap a runtime function (the Cache API serves
    // `fetch.start` for subrequests with cf cache options and calls the runtime's own).
    host: { ...hostServices, functions: { ...hostServices.functions, ...bindings.functions } },
    log: logger.forWorker(config.name),
  });
  await worker.load(bundle);
  return { config, worker, inputs };
}
