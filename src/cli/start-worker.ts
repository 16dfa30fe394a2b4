// From a validated config to a loaded Worker: bundle, plan bindings, start the isolate.
import type { WorkerConfig } from "../config/index.ts";
import { planBindings } from "../bindings/index.ts";
import { bundleWorker } from "../bundler/bundle-worker.ts";
import type { Logger } from "../observability/logger.ts";
import { hostServices } from "../runtime/host-services.ts";
import { Worker } from "../runtime/worker.ts";

export interface RunningWorker {
  config: WorkerConfig;
  worker: Worker;
  /** Files the current version was built from. */
  inputs: string[];
}

/** Cloudflare's defaults. */
const MEMORY_MB = 128;
const SUBREQUESTS = 1000;

export async function startWorkerFromConfig(config: WorkerConfig, logger: Logger): Promise<RunningWorker> {
  const plan = planBindings(config);
  if (plan.unsupportedWarning) logger.warn(plan.unsupportedWarning);
  const { bundle, inputs } = await bundleWorker(config);
  const worker = new Worker({
    name: config.name,
    limits: { cpuMs: config.limits.cpuMs, memoryMb: MEMORY_MB, subrequests: SUBREQUESTS },
    bindings: plan.descriptors,
    host: hostServices,
    log: logger.forWorker(config.name),
  });
  await worker.load(bundle);
  return { config, worker, inputs };
}
