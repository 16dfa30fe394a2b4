// Binding sections of the config → BindingConfig[]. Local-dev fallbacks follow `wrangler dev`:
// preview ids win over production ids, and resources without an id (wrangler >= 4.45 provisions
// them automatically) are keyed by their binding name.
import path from "node:path";
import type { Field } from "./env-merge.ts";
import { keySpec } from "./keys.ts";
import type { BindingConfig, QueueConsumer } from "./types.ts";
import {
  integerIn,
  isTable,
  joinPath,
  NON_EMPTY_STRING,
  numberIn,
  read,
  readStringArray,
  readTable,
  STRING,
  tablesIn,
  warnUnknownKeys,
  type Report,
  type Table,
} from "./validate.ts";

export interface Bindings {
  bindings: BindingConfig[];
  queueConsumers: QueueConsumer[];
  durableObjectMigrations: unknown[];
}

/** Reads every binding kind in `fields`; problems go to `r`. */
export function readBindings(r: Report, fields: Map<string, Field>, rootDir: string): Bindings {
  const found: { binding: BindingConfig; path: string }[] = [];
  const add = (binding: BindingConfig, at: string) => found.push({ binding, path: at });
  const field = (key: string) => fields.get(key);

  for (const { entry, at } of tablesIn(r, field("kv_namespaces"))) {
    warnUnknownKeys(r, entry, at, ["binding", "id", "preview_id"], ["remote"]);
    const name = read(r, entry, "binding", at, NON_EMPTY_STRING, true);
    const id = read(r, entry, "id", at, NON_EMPTY_STRING);
    const previewId = read(r, entry, "preview_id", at, NON_EMPTY_STRING);
    if (name === undefined) continue;
    add({ type: "kv", name, id: id ?? name, ...(previewId !== undefined && { previewId }) }, at);
  }

  for (const { entry, at } of tablesIn(r, field("d1_databases"))) {
    warnUnknownKeys(
      r,
      entry,
      at,
      ["binding", "database_id", "database_name", "preview_database_id", "migrations_dir", "migrations_table"],
      ["remote", "database_internal_env"],
    );
    const name = read(r, entry, "binding", at, NON_EMPTY_STRING, true);
    const databaseId = read(r, entry, "database_id", at, NON_EMPTY_STRING);
    const databaseName = read(r, entry, "database_name", at, NON_EMPTY_STRING);
    const previewId = read(r, entry, "preview_database_id", at, NON_EMPTY_STRING);
    const migrationsDir = read(r, entry, "migrations_dir", at, NON_EMPTY_STRING);
    const migrationsTable = read(r, entry, "migrations_table", at, NON_EMPTY_STRING);
    if (name === undefined) continue;
    add(
      {
        type: "d1",
        name,
        databaseName: databaseName ?? databaseId ?? name,
        databaseId: previewId ?? databaseId ?? databaseName ?? name,
        migrationsDir: path.resolve(rootDir, migrationsDir ?? "migrations"),
        migrationsTable: migrationsTable ?? "d1_migrations",
      },
      at,
    );
  }

  for (const { entry, at } of tablesIn(r, field("r2_buckets"))) {
    warnUnknownKeys(r, entry, at, ["binding", "bucket_name", "preview_bucket_name", "jurisdiction"], ["remote"]);
    const name = read(r, entry, "binding", at, NON_EMPTY_STRING, true);
    const bucketName = read(r, entry, "bucket_name", at, NON_EMPTY_STRING);
    const previewName = read(r, entry, "preview_bucket_name", at, NON_EMPTY_STRING);
    read(r, entry, "jurisdiction", at, STRING);
    if (name === undefined) continue;
    add({ type: "r2", name, bucketName: previewName ?? bucketName ?? name }, at);
  }

  const doField = field("durable_objects");
  if (doField) {
    const table = readTable(r, doField.value, doField.path);
    if (table) {
      warnUnknownKeys(r, table, doField.path, ["bindings"]);
      for (const { entry, at } of tablesIn(r, { value: table.bindings, path: joinPath(doField.path, "bindings") })) {
        warnUnknownKeys(r, entry, at, ["name", "class_name", "script_name", "environment"]);
        const name = read(r, entry, "name", at, NON_EMPTY_STRING, true);
        const className = read(r, entry, "class_name", at, NON_EMPTY_STRING, true);
        const scriptName = read(r, entry, "script_name", at, NON_EMPTY_STRING);
        read(r, entry, "environment", at, STRING);
        if (name === undefined || className === undefined) continue;
        add({ type: "durable_object", name, className, ...(scriptName !== undefined && { scriptName }) }, at);
      }
    }
  }

  const queueConsumers: QueueConsumer[] = [];
  const queuesField = field("queues");
  if (queuesField) {
    const table = readTable(r, queuesField.value, queuesField.path);
    if (table) {
      warnUnknownKeys(r, table, queuesField.path, ["producers", "consumers"]);
      for (const { entry, at } of tablesIn(r, { value: table.producers, path: joinPath(queuesField.path, "producers") })) {
        warnUnknownKeys(r, entry, at, ["binding", "queue", "delivery_delay"], ["remote"]);
        const name = read(r, entry, "binding", at, NON_EMPTY_STRING, true);
        const queue = read(r, entry, "queue", at, NON_EMPTY_STRING, true);
        read(r, entry, "delivery_delay", at, integerIn(0, 43200));
        if (name === undefined || queue === undefined) continue;
        add({ type: "queue_producer", name, queue }, at);
      }
      for (const { entry, at } of tablesIn(r, { value: table.consumers, path: joinPath(queuesField.path, "consumers") })) {
        const consumer = readConsumer(r, entry, at);
        if (consumer) queueConsumers.push(consumer);
      }
    }
  }

  for (const { entry, at } of tablesIn(r, field("services"))) {
    warnUnknownKeys(r, entry, at, ["binding", "service", "entrypoint", "environment"], ["remote", "props"]);
    const name = read(r, entry, "binding", at, NON_EMPTY_STRING, true);
    const service = read(r, entry, "service", at, NON_EMPTY_STRING, true);
    const entrypoint = read(r, entry, "entrypoint", at, NON_EMPTY_STRING);
    read(r, entry, "environment", at, STRING);
    if (name === undefined || service === undefined) continue;
    add({ type: "service", name, service, ...(entrypoint !== undefined && { entrypoint }) }, at);
  }

  for (const [key, f] of fields) {
    if (keySpec(key)?.use !== "unsupported-binding") continue;
    for (const { name, at } of unsupportedNames(r, key, f)) add({ type: "unsupported", key, name }, at);
  }

  checkUniqueNames(r, found);
  return {
    bindings: found.map((f) => f.binding),
    queueConsumers,
    durableObjectMigrations: readMigrations(r, field("migrations")),
  };
}

function readConsumer(r: Report, entry: Table, at: string): QueueConsumer | undefined {
  warnUnknownKeys(
    r,
    entry,
    at,
    ["queue", "type", "max_batch_size", "max_batch_timeout", "max_retries", "dead_letter_queue"],
    ["max_concurrency", "visibility_timeout_ms", "retry_delay"],
  );
  const queue = read(r, entry, "queue", at, NON_EMPTY_STRING, true);
  const type = read(r, entry, "type", at, STRING);
  const maxBatchSize = read(r, entry, "max_batch_size", at, integerIn(1, 100));
  const maxBatchTimeout = read(r, entry, "max_batch_timeout", at, numberIn(0, 60));
  const maxRetries = read(r, entry, "max_retries", at, integerIn(0, 100));
  const deadLetterQueue = read(r, entry, "dead_letter_queue", at, NON_EMPTY_STRING);
  // Pull consumers are read over HTTP by something else, not delivered to this worker.
  if (queue === undefined || type === "http_pull") return undefined;
  return {
    queue,
    maxBatchSize: maxBatchSize ?? 10,
    maxBatchTimeout: maxBatchTimeout ?? 5,
    maxRetries: maxRetries ?? 3,
    ...(deadLetterQueue !== undefined && { deadLetterQueue }),
  };
}

/** Binding names of a kind Atoll doesn't implement, validated only as far as naming them. */
function unsupportedNames(r: Report, key: string, f: Field): { name: string; at: string }[] {
  const nameKey = key === "send_email" || key === "ratelimits" ? "name" : "binding";
  const out: { name: string; at: string }[] = [];
  const named = (entry: Table, at: string, k: string) => {
    const name = read(r, entry, k, at, NON_EMPTY_STRING, true);
    if (name !== undefined) out.push({ name, at });
  };
  if (key === "unsafe") {
    const table = readTable(r, f.value, f.path);
    for (const { entry, at } of tablesIn(r, table && { value: table.bindings, path: joinPath(f.path, "bindings") })) {
      named(entry, at, "name");
    }
  } else if (Array.isArray(f.value)) {
    for (const { entry, at } of tablesIn(r, f)) named(entry, at, nameKey);
  } else if (isTable(f.value)) {
    named(f.value, f.path, nameKey);
  } else {
    r.wrongType(f.path, `${r.aTable} or an array of ${r.tableWord}s`, f.value);
  }
  return out;
}

function checkUniqueNames(r: Report, found: { binding: BindingConfig; path: string }[]): void {
  const byName = new Map<string, string[]>();
  for (const { binding, path: at } of found) byName.set(binding.name, [...(byName.get(binding.name) ?? []), at]);
  for (const [name, paths] of byName) {
    if (paths.length > 1) {
      r.error("", `binding name "${name}" is used more than once (${paths.join(", ")}); each binding needs its own name on env`);
    }
  }
}

/** Durable Object migrations: checked for shape, returned as written. */
function readMigrations(r: Report, f: Field | undefined): unknown[] {
  if (!f) return [];
  for (const { entry, at } of tablesIn(r, f)) {
    warnUnknownKeys(r, entry, at, [
      "tag",
      "new_classes",
      "new_sqlite_classes",
      "renamed_classes",
      "deleted_classes",
      "transferred_classes",
    ]);
    read(r, entry, "tag", at, NON_EMPTY_STRING, true);
    for (const key of ["new_classes", "new_sqlite_classes", "deleted_classes"]) {
      readStringArray(r, entry[key], joinPath(at, key));
    }
    const pairs: [string, string[]][] = [
      ["renamed_classes", ["from", "to"]],
      ["transferred_classes", ["from", "from_script", "to"]],
    ];
    for (const [key, required] of pairs) {
      for (const item of tablesIn(r, { value: entry[key], path: joinPath(at, key) })) {
        for (const k of required) read(r, item.entry, k, item.at, NON_EMPTY_STRING, true);
      }
    }
  }
  return Array.isArray(f.value) ? f.value : [];
}

