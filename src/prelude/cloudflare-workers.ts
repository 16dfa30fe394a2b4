// The `cloudflare:workers` module: base classes for entrypoints and the importable `env`.
// Durable Object and RPC behaviour come with their own bindings; these make imports resolve now.

export const env: Record<string, unknown> = {};

/** What every entrypoint class is constructed with. */
class Entrypoint {
  ctx: unknown;
  env: unknown;
  constructor(ctx: unknown, env: unknown) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class WorkerEntrypoint extends Entrypoint {}
export class DurableObject extends Entrypoint {}
export class WorkflowEntrypoint extends Entrypoint {}
export class RpcTarget {}

export const cloudflareWorkersModule = { env, WorkerEntrypoint, DurableObject, WorkflowEntrypoint, RpcTarget };
