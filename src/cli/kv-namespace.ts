// Which KV namespace, in which state directory, an `atoll kv` command acts on: the same namespace
// and directory `atoll dev` would use for the same config, --env and --persist-to.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { findConfig, loadConfig } from "../config/index.ts";
import { localNamespaceId } from "../bindings/kv/plugin.ts";

export interface KvNamespaceFlags {
  binding?: string;
  namespaceId?: string;
  config?: string;
  env?: string;
  persistTo?: string;
}

export interface KvNamespaceTarget {
  namespaceId: string;
  /** Absolute state directory (the namespace is `<stateDir>/kv/<id>.sqlite`). */
  stateDir: string;
}

/** A mistake in the command line or config the user has to fix; `message` says how. */
export class KvCommandError extends Error {}

export function resolveKvNamespace(flags: KvNamespaceFlags, cwd: string): KvNamespaceTarget {
  if ((flags.binding === undefined) === (flags.namespaceId === undefined)) {
    throw new KvCommandError("Exactly one of --binding NAME and --namespace-id ID is required.");
  }
  if (flags.namespaceId !== undefined) {
    // Only the config's location matters here (the default state directory is beside it).
    const configPath = flags.config !== undefined ? resolve(cwd, flags.config) : findConfig(cwd);
    if (flags.config !== undefined && !existsSync(configPath!)) throw new KvCommandError(`${configPath}: config file not found (from -c ${flags.config}).`);
    const rootDir = configPath ? dirname(configPath) : cwd;
    return { namespaceId: flags.namespaceId, stateDir: stateDir(flags, rootDir, cwd) };
  }
  const config = loadConfig({ configPath: flags.config, cwd, env: flags.env });
  const kv = config.bindings.flatMap((b) => (b.type === "kv" ? [b] : []));
  const binding = kv.find((b) => b.name === flags.binding);
  if (!binding) {
    const where = `${config.configPath}${flags.env ? ` (env ${flags.env})` : ""}`;
    const known = kv.length ? `Its KV bindings: ${kv.map((b) => b.name).join(", ")}.` : "It has no kv_namespaces.";
    throw new KvCommandError(`No KV namespace with binding "${flags.binding}" in ${where}. ${known}`);
  }
  return { namespaceId: localNamespaceId(binding), stateDir: stateDir(flags, config.rootDir, cwd) };
}

function stateDir(flags: KvNamespaceFlags, rootDir: string, cwd: string): string {
  return resolve(cwd, flags.persistTo ?? join(rootDir, ".atoll"));
}
