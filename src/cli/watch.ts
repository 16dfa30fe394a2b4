// Watch mode: rebuild on a change under the project and swap to the new version; a build or
// startup error is printed and the previous version keeps serving.
import { watch } from "node:fs";
import { relative, sep } from "node:path";
import { bundleWorker, BundleError } from "../bundler/bundle-worker.ts";
import type { Logger } from "../observability/logger.ts";
import { WorkerStartupError } from "../runtime/worker-isolate.ts";
import type { RunningWorker } from "./start-worker.ts";

const IGNORED = /(^|[/\\])(node_modules|\.git|\.atoll|\.wrangler)([/\\]|$)/;
const DEBOUNCE_MS = 50;

export function watchWorker(running: RunningWorker, logger: Logger): () => void {
  const root = running.config.rootDir;
  let timer: NodeJS.Timeout | undefined;
  let building = false;
  let again = false;

  const rebuild = async () => {
    if (building) {
      again = true;
      return;
    }
    building = true;
    try {
      const { bundle, inputs } = await bundleWorker(running.config);
      await running.worker.load(bundle);
      running.inputs = inputs;
      logger.info(`[${running.config.name}] reloaded`);
    } catch (error) {
      if (error instanceof BundleError) logger.error(`Build failed, still serving the previous version:\n${error.message}`);
      else if (error instanceof WorkerStartupError) logger.error(`Reload failed, still serving the previous version: ${error.message}`);
      else logger.error(`Reload failed, still serving the previous version: ${(error as Error).stack ?? error}`);
    } finally {
      building = false;
      if (again) {
        again = false;
        void rebuild();
      }
    }
  };

  const watcher = watch(root, { recursive: true }, (_event, file) => {
    if (!file || IGNORED.test(String(file))) return;
    const rel = relative(root, `${root}${sep}${file}`);
    if (rel.startsWith("..")) return;
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(), DEBOUNCE_MS);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
