// Picks the settings that apply for `--env NAME`, following wrangler's rules: inheritable keys
// fall back to the top level, non-inheritable ones (vars and every binding kind) don't.
import { definedNames, KEYS, keySpec } from "./keys.ts";
import { joinPath, readTable, type Report, type Table } from "./validate.ts";

/** A raw value and the key path it was read from (`main` or `env.staging.main`). */
export interface Field {
  value: unknown;
  path: string;
}

export interface ActiveSettings {
  /** The raw value of every known key that applies, by key. */
  fields: Map<string, Field>;
  /** `-NAME` when --env NAME is given and the environment doesn't set its own `name`. */
  nameSuffix: string;
}

/**
 * The settings in effect for `envName` (or the top level when undefined). Records unknown keys
 * as warnings. Returns undefined, with an error recorded, when the environment doesn't exist.
 */
export function selectEnvironment(r: Report, raw: Table, envName: string | undefined): ActiveSettings | undefined {
  for (const key of Object.keys(raw)) {
    if (key !== "env" && !keySpec(key)) r.unknownKey(joinPath("", key));
  }
  const envs = readTable(r, raw.env, "env");
  const fields = new Map<string, Field>();

  if (envName === undefined || !envs || !Object.hasOwn(envs, envName)) {
    if (envName !== undefined) {
      if (raw.env !== undefined && !envs) return undefined; // `env` itself is malformed: reported
      const defined = Object.keys(envs ?? {});
      if (defined.length > 0) {
        r.error(
          "",
          `no environment named "${envName}" (from --env ${envName}). ` +
            `Environments defined in this file: ${defined.join(", ")}.`,
        );
        return undefined;
      }
      // wrangler only warns here, and runs the top-level settings under the env's name.
      r.warn(`--env ${envName} was given but the file defines no environments; using the top-level settings`);
    }
    for (const [key, value] of Object.entries(raw)) {
      if (keySpec(key) && value !== undefined) fields.set(key, { value, path: joinPath("", key) });
    }
    return { fields, nameSuffix: envName === undefined ? "" : `-${envName}` };
  }

  const base = joinPath("env", envName);
  const env = readTable(r, envs[envName], base);
  if (!env) return undefined;
  for (const key of Object.keys(env)) {
    const spec = keySpec(key);
    if (!spec) r.unknownKey(joinPath(base, key));
    else if (spec.scope === "top-only") r.warn(`"${joinPath(base, key)}" is only read at the top level (ignored)`);
  }

  const notInherited: string[] = [];
  for (const [key, spec] of Object.entries(KEYS)) {
    const top = raw[key];
    const own = env[key];
    if (spec.scope === "top-only") {
      if (top !== undefined) fields.set(key, { value: top, path: joinPath("", key) });
    } else if (spec.scope === "inherit") {
      if (own !== undefined) fields.set(key, { value: own, path: joinPath(base, key) });
      else if (top !== undefined) fields.set(key, { value: top, path: joinPath("", key) });
    } else {
      if (own !== undefined) fields.set(key, { value: own, path: joinPath(base, key) });
      if (top !== undefined) notInherited.push(...missingFromEnv(key, top, own));
    }
  }
  if (notInherited.length > 0) {
    r.warn(
      `vars and bindings are not inherited by environments (as in wrangler); these are defined at the top level ` +
        `but not in ${base}, so they are not available with --env ${envName}: ${notInherited.join(", ")}`,
    );
  }
  return { fields, nameSuffix: env.name === undefined ? `-${envName}` : "" };
}

/** What the top level defines for a non-inheritable key that the environment doesn't: `vars.B`, `kv_namespaces (KV)`. */
function missingFromEnv(key: string, top: unknown, own: unknown): string[] {
  const present = new Set(definedNames(key, own));
  return definedNames(key, top)
    .filter((name) => !present.has(name))
    .map((name) => (key === "vars" || key === "define" ? joinPath(key, name) : `${key} (${name})`));
}
