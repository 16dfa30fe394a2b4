// `atoll d1 execute` and `atoll d1 migrations create|list|apply`: wrangler's local D1 commands,
// acting on the state directory `atoll dev` uses (also while it runs: the database is SQLite in WAL
// mode, and the server's statements see a changed schema at once). SQL runs through the same
// store as the binding, so Cloudflare's restrictions and error messages are the binding's.
import { parseSubcommand } from "./subcommand-args.ts";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { ConfigError } from "../config/index.ts";
import { Logger } from "../observability/logger.ts";
import { D1QueryError, type D1Store } from "../storage/d1/d1-store.ts";
import { createEmbeddedStorage, StorageError } from "../storage/index.ts";
import { D1CommandError, resolveD1Database, type D1Target } from "./d1-database.ts";
import { createMigrationFile, migrationScript, unappliedMigrations } from "./d1-migrations.ts";
import { formatTable, jsonResults, resultTable } from "./d1-table.ts";

const COMMON_HELP = `  -c, --config PATH     Config file (default: wrangler.jsonc / wrangler.json / wrangler.toml, searched upward)
  --env NAME            Use the [env.NAME] section of the config
  --persist-to DIR      State directory (default: .atoll beside the config, as for atoll dev)
  --local               Accepted and ignored (Atoll's databases are always local)
  -h, --help            Show this help`;

export const D1_HELP = `Usage: atoll d1 <command> [options]

Queries and migrates the local D1 databases of a project (the ones atoll dev serves).
DB is a binding name or a database_name from the config's d1_databases.

Commands:
  execute DB                   Run SQL (--command SQL or --file FILE) and print the results
  migrations create DB MESSAGE Write the next migration file (NNNN_MESSAGE.sql) in migrations_dir
  migrations list DB           List the migrations not applied yet
  migrations apply DB          Apply the migrations not applied yet, in order

Every command takes:
${COMMON_HELP}
`;

const COMMON_OPTIONS = {
  config: { type: "string", short: "c" },
  env: { type: "string" },
  "persist-to": { type: "string" },
  local: { type: "boolean" },
  remote: { type: "boolean" },
  preview: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies ParseArgsOptionsConfig;

type Values = Record<string, string | boolean | undefined>;

interface D1Context {
  target: D1Target;
  store: D1Store;
  values: Values;
  args: string[];
  logger: Logger;
}

interface D1Command {
  usage: string;
  /** Positional arguments after DB. */
  args: string[];
  options: ParseArgsOptionsConfig;
  optionsHelp: string;
  /** Whether the command opens the database (create only writes a file). */
  opensDatabase: boolean;
  run(context: D1Context): Promise<number>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** As wrangler: SQL files written by sqlite's .dump are wrapped in one transaction; D1 adds its own. */
function stripDumpTransaction(sql: string): string {
  if (!sql.includes("BEGIN TRANSACTION")) return sql;
  const trimmed = sql.replace("BEGIN TRANSACTION;", "").replace("COMMIT;", "");
  if (trimmed.includes("BEGIN TRANSACTION")) {
    throw new D1CommandError(
      "Atoll could not process the provided SQL file, as it contains several transactions.\nD1 runs your SQL in a transaction for you.\nPlease export an SQL file from your SQLite database and try again.",
    );
  }
  return trimmed;
}

const COMMANDS: Record<string, D1Command> = {
  execute: {
    usage: "atoll d1 execute DB (--command SQL | --file FILE) [options]",
    args: [],
    options: { command: { type: "string" }, file: { type: "string" }, json: { type: "boolean" }, yes: { type: "boolean", short: "y" } },
    optionsHelp: `  --command SQL         The SQL to run (several statements separated by ';')
  --file FILE           A .sql file to run
  --json                Print the results as JSON (one entry per statement)
  -y, --yes             Accepted (there is nothing to confirm locally)`,
    opensDatabase: true,
    async run({ target, store, values, logger }) {
      const { command, file } = values as { command?: string; file?: string };
      if (command !== undefined && file !== undefined) throw new D1CommandError("Error: can't provide both --command and --file.");
      if (command === undefined && file === undefined) {
        throw new D1CommandError('Missing required option --command or --file. Provide a SQL command inline with --command="<SQL>", or a path to a SQL file with --file=<path>.');
      }
      let sql = command;
      if (file !== undefined) {
        try {
          sql = readFileSync(file, "utf8");
        } catch (error) {
          throw new D1CommandError(`Cannot read ${file}: ${(error as Error).message}`);
        }
      }
      const { binding, stateDir } = target;
      if (!values.json) logger.info(`Executing on local database ${binding.name} (${binding.databaseId}) from ${relative(process.cwd(), stateDir) || "."}/d1:`);
      const { results } = await store.script(stripDumpTransaction(sql!));
      if (values.json) {
        process.stdout.write(`${JSON.stringify(jsonResults(results), undefined, 2)}\n`);
        return 0;
      }
      for (const result of results) if (result.rows.length > 0) process.stdout.write(resultTable(result));
      logger.info(`${plural(results.length, "command")} executed successfully.`);
      return 0;
    },
  },
  "migrations create": {
    usage: "atoll d1 migrations create DB MESSAGE [options]",
    args: ["MESSAGE"],
    options: {},
    optionsHelp: "",
    opensDatabase: false,
    async run({ target, args, logger }) {
      const path = createMigrationFile(target.binding.migrationsDir, args[0]);
      logger.info(`Created migration ${relative(process.cwd(), path) || path}`);
      return 0;
    },
  },
  "migrations list": {
    usage: "atoll d1 migrations list DB [options]",
    args: [],
    options: {},
    optionsHelp: "",
    opensDatabase: true,
    async run({ target, store, logger }) {
      const pending = await unappliedMigrations(store, target.binding.migrationsDir, target.binding.migrationsTable);
      if (pending.length === 0) logger.info("No migrations to apply.");
      else {
        logger.info("Migrations to be applied:");
        process.stdout.write(formatTable(["name"], pending.map((name) => [name])));
      }
      return 0;
    },
  },
  "migrations apply": {
    usage: "atoll d1 migrations apply DB [options]",
    args: [],
    options: { yes: { type: "boolean", short: "y" } },
    optionsHelp: "  -y, --yes             Accepted (local migrations apply without asking)",
    opensDatabase: true,
    async run({ target, store, logger }) {
      const { migrationsDir: dir, migrationsTable: table } = target.binding;
      const pending = await unappliedMigrations(store, dir, table);
      if (pending.length === 0) {
        logger.info("No migrations to apply.");
        return 0;
      }
      logger.info("Migrations to be applied:");
      process.stdout.write(formatTable(["name"], pending.map((name) => [name])));
      const status = new Map(pending.map((name) => [name, "pending"]));
      const report = () => process.stdout.write(formatTable(["name", "status"], pending.map((name) => [name, status.get(name)!])));
      for (const name of pending) {
        try {
          // Each migration and its d1_migrations row commit together, or not at all.
          await store.script(migrationScript(dir, name, table));
          status.set(name, "applied");
        } catch (error) {
          status.set(name, "failed");
          report();
          logger.error(`Migration ${name} failed with the following errors:\n${(error as Error).message}`);
          return 1;
        }
      }
      report();
      logger.info(`Applied ${plural(pending.length, "migration")}.`);
      return 0;
    },
  },
};

export async function runD1(argv: string[]): Promise<number> {
  const logger = new Logger();
  const [first, second] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    process.stdout.write(D1_HELP);
    return first === undefined ? 1 : 0;
  }
  const key = first === "migrations" ? `${first} ${second}` : first;
  const command = COMMANDS[key];
  if (!command) {
    logger.error(`Unknown command "atoll d1 ${[first, first === "migrations" ? second : undefined].filter(Boolean).join(" ")}".\n\n${D1_HELP}`);
    return 1;
  }
  const rest = argv.slice(key.split(" ").length);
  const parsed = parseSubcommand(command, rest, { options: COMMON_OPTIONS, help: COMMON_HELP }, logger);
  if ("exit" in parsed) return parsed.exit;
  const { values, help } = parsed;
  const expected = 1 + command.args.length;
  if (parsed.positionals.length !== expected) {
    logger.error(`Expected ${["DB", ...command.args].join(" ")}.\n\n${help}`);
    return 1;
  }
  const json = values.json === true;
  const fail = (message: string) => {
    if (json) process.stdout.write(`${JSON.stringify({ error: { text: message } }, undefined, 2)}\n`);
    else logger.error(message);
    return 1;
  };
  if (values.remote || values.preview) return fail("Atoll's D1 databases are local: --remote and --preview are not supported.");

  let storage;
  try {
    const target = resolveD1Database(
      parsed.positionals[0],
      { config: values.config as string | undefined, env: values.env as string | undefined, persistTo: values["persist-to"] as string | undefined },
      process.cwd(),
    );
    storage = command.opensDatabase ? createEmbeddedStorage(target.stateDir) : undefined;
    const store = storage?.d1(target.binding.databaseId) as D1Store;
    return await command.run({ target, store, values, args: parsed.positionals.slice(1), logger });
  } catch (error) {
    // Config and command-line mistakes, storage problems, and SQL errors as D1 words them.
    const known = error instanceof D1CommandError || error instanceof ConfigError || error instanceof StorageError || error instanceof D1QueryError;
    return fail(known ? (error as Error).message : `${(error as Error).name}: ${(error as Error).message}`);
  } finally {
    storage?.close();
  }
}
