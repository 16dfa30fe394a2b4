// The `cloudflare:workers` module: base classes for entrypoints and the importable `env`.
// Durable Object and RPC behaviour come with their own bindings; these make imports resolve now.

export const env: Record<string, unknown> = {};

export class WorkerEntrypoint {
  ctx: unknown;
  env: unknown;
  constructor(ctx: unknown, env: unknown) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class DurableObject {
  ctx: unknown;
  env: unknown;
  constructor(ctx: unknown, env: unknown) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class WorkflowEntrypoint {
  ctx: unknown;
  env: unknown;
  constructor(ctx: unknown, env: unknown) {
    this.ctx = ctx;
    this.env = env;
  }
}

export class RpcTarget {}

export const cloudflareWorkersModule = { env, WorkerEntrypoint, DurableObject, WorkflowEntrypoint, RpcTarget };
