// Wrangler's module rules: which files become Text, Data or CompiledWasm modules.
import type { ModuleRule } from "../config/index.ts";

/** `**\/*.wasm` style globs to a RegExp over "/"-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export type ModuleKind = "esm" | "commonjs" | "text" | "data" | "wasm";

const kinds: Record<ModuleRule["type"], ModuleKind> = {
  ESModule: "esm",
  CommonJS: "commonjs",
  Text: "text",
  Data: "data",
  CompiledWasm: "wasm",
};

/** The first matching rule's kind for a relative path, or undefined. */
export function ruleKind(rules: ModuleRule[], relativePath: string): ModuleKind | undefined {
  for (const rule of rules) {
    if (rule.globs.some((g: string) => globToRegExp(g).test(relativePath))) return kinds[rule.type];
  }
  return undefined;
}
