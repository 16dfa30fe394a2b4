// `atoll kv key put|get|delete|list` and `atoll kv bulk put|delete`: wrangler's local KV commands,
// acting on the state directory `atoll dev` uses (also while it runs: the store is SQLite in WAL
// mode). They go through the binding's own KvService, so limits and errors are the binding's.
import { parseSubcommand } from "./subcommand-args.ts";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import type { ParseArgsOptionsConfig } from "node:util";
import { KvService, type KvPutOptions } from "../bindings/kv/kv-service.ts";
import { ConfigError } from "../config/index.ts";
import { Logger } from "../observability/logger.ts";
import { createEmbeddedStorage, StorageError } from "../storage/index.ts";
import { readBulkDeleteFile, readBulkPutFile } from "./kv-bulk-file.ts";
import { KvCommandError, resolveKvNamespace } from "./kv-namespace.ts";

const COMMON_HELP = `  --binding NAME        The KV binding (kv_namespaces[].binding) in the config
  --namespace-id ID     The namespace id instead (no config needed)
  -c, --config PATH     Config file (default: wrangler.jsonc / wrangler.json / wrangler.toml, searched upward)
  --env NAME            Use the [env.NAME] section of the config
  --persist-to DIR      State directory (default: .atoll beside the config, as for atoll dev)
  -h, --help            Show this help`;

export const KV_HELP = `Usage: atoll kv <command> [options]

Reads and writes the local KV namespaces of a project (the ones atoll dev serves).

Commands:
  key put KEY [VALUE]   Write a value (or --path FILE)
  key get KEY           Print a value (raw bytes; --text decodes UTF-8)
  key delete KEY        Delete a key
  key list              Print the keys as JSON (--prefix P)
  bulk put FILE         Write the key-value pairs in a JSON file
  bulk delete FILE      Delete the keys listed in a JSON file

Every command takes:
${COMMON_HELP}
`;

const COMMON_OPTIONS = {
  binding: { type: "string" },
  "namespace-id": { type: "string" },
  config: { type: "string", short: "c" },
  env: { type: "string" },
  "persist-to": { type: "string" },
  // Accepted for wrangler's muscle memory: Atoll's namespaces are always local.
  local: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies ParseArgsOptionsConfig;

type Values = Record<string, string | boolean | undefined>;

interface KvCommand {
  usage: string;
  /** Names of the required positional arguments, then optional ones ending in "?". */
  args: string[];
  options: ParseArgsOptionsConfig;
  optionsHelp: string;
  run(kv: KvService, args: string[], values: Values, namespaceId: string, logger: Logger): Promise<void>;
}

const COMMANDS: Record<string, KvCommand> = {
  "key put": {
    usage: "atoll kv key put KEY [VALUE] [options]",
    args: ["KEY", "VALUE?"],
    options: { path: { type: "string" }, metadata: { type: "string" }, expiration: { type: "string" }, ttl: { type: "string" } },
    optionsHelp: `  --path FILE           Read the value from FILE (bytes as they are) instead of VALUE
  --metadata JSON       Metadata to store with the key
  --expiration N        Expire at N seconds since the UNIX epoch (at least 60 s from now)
  --ttl N               Expire N seconds from now (at least 60)`,
    async run(kv, [key, value], values, namespaceId, logger) {
      const path = values.path as string | undefined;
      if ((value === undefined) === (path === undefined)) throw new KvCommandError("Give the value either as VALUE or with --path FILE.");
      const options: KvPutOptions = {
        ...(values.expiration !== undefined && { expiration: numberFlag("--expiration", values.expiration as string) }),
        ...(values.ttl !== undefined && { expirationTtl: numberFlag("--ttl", values.ttl as string) }),
        ...(values.metadata !== undefined && { metadata: jsonFlag("--metadata", values.metadata as string) }),
      };
      // `null` metadata is no metadata, as in the binding.
      if (options.metadata === "null") delete options.metadata;
      const withMetadata = options.metadata ? ` with metadata ${options.metadata}` : "";
      if (path !== undefined) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(path);
        } catch (error) {
          throw new KvCommandError(`Cannot read ${path}: ${(error as Error).message}`);
        }
        await kv.put(key, bytes, options);
        logger.info(`Wrote the contents of ${path} to the key "${key}" on namespace ${namespaceId}${withMetadata}.`);
      } else {
        await kv.put(key, value!, options);
        logger.info(`Wrote the value "${value}" to the key "${key}" on namespace ${namespaceId}${withMetadata}.`);
      }
    },
  },
  "key get": {
    usage: "atoll kv key get KEY [options]",
    args: ["KEY"],
    options: { text: { type: "boolean" } },
    optionsHelp: "  --text                Decode the value as UTF-8 text (and end it with a newline)",
    async run(kv, [key], values) {
      const found = await kv.get(key, { type: values.text ? "text" : "arrayBuffer" });
      // As wrangler: a missing key is a message, not an error.
      if (found === null) process.stdout.write("Value not found\n");
      else if (typeof found.value === "string") process.stdout.write(`${found.value}\n`);
      else process.stdout.write(new Uint8Array(found.value));
    },
  },
  "key delete": {
    usage: "atoll kv key delete KEY [options]",
    args: ["KEY"],
    options: {},
    optionsHelp: "",
    async run(kv, [key], _values, namespaceId, logger) {
      await kv.delete(key);
      logger.info(`Deleted the key "${key}" on namespace ${namespaceId}.`);
    },
  },
  "key list": {
    usage: "atoll kv key list [options]",
    args: [],
    options: { prefix: { type: "string" } },
    optionsHelp: "  --prefix P            Only keys starting with P",
    async run(kv, _args, values) {
      const keys = [];
      let cursor: string | undefined;
      do {
        const page = await kv.list({ prefix: values.prefix as string | undefined, cursor });
        keys.push(...page.keys);
        cursor = page.cursor;
      } while (cursor !== undefined);
      process.stdout.write(`${JSON.stringify(keys, undefined, 2)}\n`);
    },
  },
  "bulk put": {
    usage: "atoll kv bulk put FILE [options]",
    args: ["FILE"],
    options: {},
    optionsHelp:
      '  FILE is a JSON array of { "key": string, "value": string, "base64"?: boolean, "expiration"?: number, "expiration_ttl"?: number, "metadata"?: any }',
    async run(kv, [file], _values, namespaceId, logger) {
      const { items, warnings } = readBulkPutFile(file);
      for (const w of warnings) logger.warn(w);
      await kv.putBulk(items);
      logger.info(`Wrote ${items.length} key-value pair${items.length === 1 ? "" : "s"} to namespace ${namespaceId}.`);
    },
  },
  "bulk delete": {
    usage: "atoll kv bulk delete FILE [options]",
    args: ["FILE"],
    options: { force: { type: "boolean", short: "f" } },
    optionsHelp: "  FILE is a JSON array of key names\n  -f, --force           Do not ask for confirmation (it is asked only on a terminal)",
    async run(kv, [file], values, namespaceId, logger) {
      const keys = readBulkDeleteFile(file);
      if (!values.force && process.stdin.isTTY) {
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question(`Delete the ${keys.length} keys listed in ${file} from namespace ${namespaceId}? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          logger.info("Nothing deleted.");
          return;
        }
      }
      await kv.deleteBulk(keys);
      logger.info(`Deleted ${keys.length} key${keys.length === 1 ? "" : "s"} from namespace ${namespaceId}.`);
    },
  },
};

export async function runKv(argv: string[]): Promise<number> {
  const logger = new Logger();
  const [group, name, ...rest] = argv;
  if (group === undefined || group === "-h" || group === "--help" || group === "help") {
    process.stdout.write(KV_HELP);
    return group === undefined ? 1 : 0;
  }
  const command = COMMANDS[`${group} ${name}`];
  if (!command) {
    logger.error(`Unknown command "atoll kv ${[group, name].filter(Boolean).join(" ")}".\n\n${KV_HELP}`);
    return 1;
  }
  const parsed = parseSubcommand(command, rest, { options: COMMON_OPTIONS, help: COMMON_HELP }, logger);
  if ("exit" in parsed) return parsed.exit;
  const { values, help } = parsed;
  const required = command.args.filter((a) => !a.endsWith("?")).length;
  if (parsed.positionals.length < required || parsed.positionals.length > command.args.length) {
    logger.error(`Expected ${command.args.map((a) => (a.endsWith("?") ? `[${a.slice(0, -1)}]` : a)).join(" ") || "no arguments"}.\n\n${help}`);
    return 1;
  }

  let storage;
  try {
    const target = resolveKvNamespace(
      {
        binding: values.binding as string | undefined,
        namespaceId: values["namespace-id"] as string | undefined,
        config: values.config as string | undefined,
        env: values.env as string | undefined,
        persistTo: values["persist-to"] as string | undefined,
      },
      process.cwd(),
    );
    storage = createEmbeddedStorage(target.stateDir);
    const kv = new KvService(storage.kv(target.namespaceId));
    await command.run(kv, parsed.positionals, values, target.namespaceId, logger);
    return 0;
  } catch (error) {
    // Config, command-line and storage problems, and the binding's own errors (KV PUT failed: …).
    const known = error instanceof KvCommandError || error instanceof ConfigError || error instanceof StorageError;
    logger.error(known ? (error as Error).message : `${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  } finally {
    storage?.close();
  }
}

function numberFlag(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) throw new KvCommandError(`${flag} ${text}: expected a number of seconds.`);
  return n;
}

/** Metadata as compact JSON text, as the binding serializes it (its size limit counts this). */
function jsonFlag(flag: string, text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (error) {
    throw new KvCommandError(`${flag}: not valid JSON (${(error as Error).message}).`);
  }
}
