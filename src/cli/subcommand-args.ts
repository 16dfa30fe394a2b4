// Argument parsing shared by commands with subcommands (`atoll kv …`, `atoll d1 …`): each
// subcommand's options plus the command's common ones, its help text, and the usual exits.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { Logger } from "../observability/logger.ts";

export interface SubcommandSpec {
  usage: string;
  optionsHelp?: string;
  options: ParseArgsOptionsConfig;
}

export type SubcommandValues = Record<string, string | boolean | undefined>;

export type ParsedSubcommand =
  | { values: SubcommandValues; positionals: string[]; help: string }
  /** Help was printed or the arguments were wrong: exit with this code. */
  | { exit: number };

export function parseSubcommand(
  spec: SubcommandSpec,
  args: string[],
  common: { options: ParseArgsOptionsConfig; help: string },
  logger: Logger,
): ParsedSubcommand {
  const help = `Usage: ${spec.usage}\n\nOptions:\n${spec.optionsHelp ? `${spec.optionsHelp}\n` : ""}${common.help}\n`;
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...common.options, ...spec.options } });
  } catch (error) {
    logger.error(`${(error as Error).message}\n\n${help}`);
    return { exit: 1 };
  }
  const values = parsed.values as SubcommandValues;
  if (values.help) {
    process.stdout.write(help);
    return { exit: 0 };
  }
  return { values, positionals: parsed.positionals, help };
}
