// `atoll <command>`: dispatches to the command modules.
import { runDev } from "./dev.ts";

const USAGE = `Usage: atoll <command> [options]

Commands:
  dev        Run workers locally (see: atoll dev --help)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "dev":
      return runDev(rest);
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`atoll: unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${(error as Error)?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
