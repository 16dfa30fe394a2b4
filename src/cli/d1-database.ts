// Which D1 database, in which state directory, an `atoll d1` command acts on: the database a
// binding of the config names (by binding or database_name, as wrangler resolves it) in the state
// directory `atoll dev` would use for the same config, --env and --persist-to.
import { join, resolve } from "node:path";
import type { BindingConfig } from "../config/index.ts";
import { loadConfig } from "../config/index.ts";

export type D1Binding = Extract<BindingConfig, { type: "d1" }>;

export interface D1Target {
  binding: D1Binding;
  /** Absolute state directory (the database is `<stateDir>/d1/<databaseId>.sqlite`). */
  stateDir: string;
  configPath: string;
}

/** A mistake in the command line, config or SQL that the user has to fix; `message` says how. */
export class D1CommandError extends Error {}

export function resolveD1Database(
  name: string,
  flags: { config?: string; env?: string; persistTo?: string },
  cwd: string,
): D1Target {
  const config = loadConfig({ configPath: flags.config, cwd, env: flags.env });
  const databases = config.bindings.flatMap((b) => (b.type === "d1" ? [b] : []));
  const binding = databases.find((b) => b.name === name) ?? databases.find((b) => b.databaseName === name);
  if (!binding) {
    const where = `${config.configPath}${flags.env ? ` (env ${flags.env})` : ""}`;
    const known = databases.length
      ? `Its D1 databases: ${databases.map((b) => (b.databaseName === b.name ? b.name : `${b.name} (${b.databaseName})`)).join(", ")}.`
      : "It has no d1_databases.";
    throw new D1CommandError(`Couldn't find a D1 DB with the name or binding '${name}' in ${where}. ${known}`);
  }
  return {
    binding,
    stateDir: resolve(cwd, flags.persistTo ?? join(config.rootDir, ".atoll")),
    configPath: config.configPath,
  };
}
