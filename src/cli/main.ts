// `atoll <command>`: dispatches to the command modules, each loaded only when it is run.

const COMMANDS: Record<string, { summary: string; load: () => Promise<(argv: string[]) => Promise<number>> }> = {
  dev: { summary: "Run workers locally (atoll dev --help)", load: async () => (await import("./dev.ts")).runDev },
  kv: { summary: "Read and write KV namespaces (atoll kv --help)", load: async () => (await import("./kv.ts")).runKv },
  d1: { summary: "Query D1 databases and apply migrations (atoll d1 --help)", load: async () => (await import("./d1.ts")).runD1 },
};

const USAGE = `Usage: atoll <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`atoll: unknown command "${command}"\n\n${USAGE}`);
    return 1;
  }
  return (await entry.load())(rest);
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
