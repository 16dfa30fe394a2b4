// A configured worker: the version currently served and the isolate running it. A new version
// (watch mode) starts beside the old one and takes over once loaded; the old isolate finishes its
// in-flight requests first. An isolate discarded for exceeding a limit is replaced on next use.
import type { HostServices } from "./host-functions.ts";
import type { WorkerBundle } from "./worker-bundle.ts";
import { WorkerIsolate, type WorkerLimits, type WorkerLog, type WorkerRequest, type WorkerResponse } from "./worker-isolate.ts";

export interface WorkerOptions {
  name: string;
  limits: WorkerLimits;
  bindings: unknown[];
  host: HostServices;
  log: WorkerLog;
}

export class Worker {
  readonly options: WorkerOptions;
  #bundle: WorkerBundle | undefined;
  #isolate: Promise<WorkerIsolate> | undefined;
  /** The isolate each response came from, to route cancel/sent notifications. */
  #owners = new WeakMap<WorkerResponse, WorkerIsolate>();

  constructor(options: WorkerOptions) {
    this.options = options;
  }

  get name(): string {
    return this.options.name;
  }

  /** Loads a version. Rejects (and keeps serving the previous version) if it fails to start. */
  async load(bundle: WorkerBundle): Promise<void> {
    const next = this.#start(bundle);
    await next;
    const previous = this.#isolate;
    this.#bundle = bundle;
    this.#isolate = next;
    if (previous) void previous.then((iso) => iso.retire(), () => {});
  }

  #start(bundle: WorkerBundle): Promise<WorkerIsolate> {
    const isolate = new WorkerIsolate({ ...this.options, bundle });
    isolate.onDiscard = () => {
      if (this.#isolate && this.#bundle === bundle) {
        // The next request gets a fresh isolate of the same version.
        const current = this.#isolate;
        void current.then((iso) => {
          if (iso === isolate && this.#isolate === current) this.#isolate = undefined;
        });
      }
    };
    return isolate.start().then(
      () => isolate,
      (error) => {
        isolate.discard("reload");
        throw error;
      },
    );
  }

  async fetch(request: WorkerRequest): Promise<WorkerResponse> {
    if (!this.#bundle) throw new Error(`worker ${this.name} has no version loaded`);
    this.#isolate ??= this.#start(this.#bundle);
    const isolate = await this.#isolate;
    const response = await isolate.fetch(request);
    this.#owners.set(response, isolate);
    return response;
  }

  /** The client went away before the response finished. */
  cancel(response: WorkerResponse): void {
    this.#owners.get(response)?.cancel(response);
  }

  /** The response was fully sent; waitUntil work may go on for the grace period. */
  responseSent(response: WorkerResponse): void {
    this.#owners.get(response)?.responseSent(response);
  }

  async dispose(): Promise<void> {
    const isolate = await this.#isolate?.catch(() => undefined);
    isolate?.discard("reload");
  }
}
