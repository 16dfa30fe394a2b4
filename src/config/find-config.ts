import { existsSync, statSync } from "node:fs";
import path from "node:path";

/** The names wrangler looks for, in wrangler's order of preference. */
export const CONFIG_FILE_NAMES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] as const;

/**
 * The config file for a project run from `cwd`: the nearest directory, from `cwd` up to the
 * filesystem root, holding one of CONFIG_FILE_NAMES (like wrangler, so `atoll dev` works from
 * a subdirectory). Within one directory, the first name in CONFIG_FILE_NAMES wins.
 */
export function findConfig(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (isFile(candidate)) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(file: string): boolean {
  return existsSync(file) && statSync(file).isFile();
}
