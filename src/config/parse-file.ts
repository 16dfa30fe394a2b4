import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml, TomlError } from "smol-toml";
import { ConfigError } from "./config-error.ts";

/**
 * Reads a wrangler config file into a plain object. TOML for `.toml`; JSON with comments and
 * trailing commas for `.json` and `.jsonc` (wrangler accepts both in either). Syntax errors
 * become a ConfigError pointing at `file:line:column`.
 */
export function parseConfigFile(file: string): Record<string, unknown> {
  const ext = path.extname(file);
  if (ext !== ".toml" && ext !== ".json" && ext !== ".jsonc") {
    throw new ConfigError(
      `${file}: unsupported config file type "${ext || "(none)"}"; expected wrangler.toml, wrangler.json or wrangler.jsonc.`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the config file: ${(err as Error).message}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const value = ext === ".toml" ? parseTomlText(file, text) : parseJsoncText(file, text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const found = Array.isArray(value) ? "an array" : value === undefined ? "nothing" : JSON.stringify(value);
    throw new ConfigError(`${file}: expected the file to hold an object with the worker's settings, found ${found}.`);
  }
  return value as Record<string, unknown>;
}

function parseTomlText(file: string, text: string): unknown {
  try {
    return toPlain(parseToml(text));
  } catch (err) {
    if (err instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: <reason>\n\n<code excerpt>".
      const [first = "", ...rest] = err.message.split("\n");
      const reason = first.replace(/^Invalid TOML document:\s*/, "");
      const excerpt = rest.join("\n").trim() ? `\n\n${err.codeblock.trimEnd()}` : "";
      throw new ConfigError(`${file}:${err.line}:${err.column}: invalid TOML: ${reason}${excerpt}`);
    }
    throw err;
  }
}

function parseJsoncText(file: string, text: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const { line, column } = lineColumn(text, first.offset);
    throw new ConfigError(`${file}:${line}:${column}: invalid JSON: ${printParseErrorCode(first.error)}`);
  }
  return value;
}

/** smol-toml builds tables with a null prototype; give them Object's, like JSON.parse does. */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === "object" && value !== null && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPlain(item)]));
  }
  return value;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: (lines[lines.length - 1] ?? "").length + 1 };
}
