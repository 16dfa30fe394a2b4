// Local secrets, chosen the way `wrangler dev` chooses them (files next to the config file):
// - `.dev.vars.<env>` when --env is given and it exists, else `.dev.vars`: that one file only;
// - when neither exists: `.env`, `.env.local`, `.env.<env>`, `.env.<env>.local`, all that
//   exist, merged, later (more specific) files winning.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface DevSecrets {
  secrets: Record<string, string>;
  /** Absolute paths of the files read, in load order. */
  files: string[];
  warnings: string[];
}

export function loadDevSecrets(rootDir: string, envName: string | undefined): DevSecrets {
  const devVars = (envName ? [`.dev.vars.${envName}`, ".dev.vars"] : [".dev.vars"])
    .map((name) => path.join(rootDir, name))
    .find((file) => existsSync(file));
  const files = devVars
    ? [devVars]
    : [".env", ".env.local", ...(envName ? [`.env.${envName}`, `.env.${envName}.local`] : [])]
        .map((name) => path.join(rootDir, name))
        .filter((file) => existsSync(file));

  const secrets: Record<string, string> = {};
  const warnings: string[] = [];
  for (const file of files) {
    const { values, badLines } = parseDotenv(readFileSync(file, "utf8"));
    Object.assign(secrets, values);
    for (const line of badLines) warnings.push(`${file}:${line}: expected KEY=VALUE (line ignored)`);
  }
  return { secrets, files, warnings };
}

/**
 * dotenv syntax, as the `dotenv` package reads it (which wrangler uses): `KEY=value`, optional
 * `export ` prefix, `#` comments, single/double/backtick quotes (may span lines; `\n` and `\r`
 * are expanded in double quotes only), unquoted values end at `#` and are trimmed.
 */
export function parseDotenv(text: string): { values: Record<string, string>; badLines: number[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const values: Record<string, string> = {};
  const badLines: number[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? "";
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const m = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=|:(?=\s|$))\s*(.*)$/.exec(line);
    if (!m) {
      badLines.push(n + 1);
      continue;
    }
    const key = m[1] as string;
    const rest = m[2] ?? "";
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === "`") {
      // Gather following lines until the closing quote (an escaped quote doesn't close).
      let body = rest;
      let end = closingQuote(body, quote);
      let last = n;
      while (end < 0 && last + 1 < lines.length) {
        last++;
        body += `\n${lines[last] ?? ""}`;
        end = closingQuote(body, quote);
      }
      if (end >= 0) {
        let value = body.slice(1, end);
        if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
        values[key] = value;
        n = last;
        continue;
      }
      // Unterminated: dotenv falls back to reading the line as an unquoted value.
    }
    values[key] = (rest.split("#")[0] ?? "").trim();
  }
  return { values, badLines };
}

function closingQuote(body: string, quote: string): number {
  for (let i = 1; i < body.length; i++) {
    if (body[i] === "\\" && body[i + 1] === quote) i++;
    else if (body[i] === quote) return i;
  }
  return -1;
}
