// D1 migrations as wrangler keeps them: numbered `.sql` files in `migrations_dir`
// (`0001_create_users.sql`), applied in numeric order, each in its own transaction together with
// its row in the `migrations_table` (`d1_migrations`: id, name, applied_at).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { D1Store } from "../storage/d1/d1-store.ts";
import { D1CommandError } from "./d1-database.ts";

export function escapeIdentifier(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

const leadingNumber = (name: string) => parseInt(name.split("_")[0], 10);

/** Numbered files first, in numeric order (so 9_x.sql comes before 10_y.sql), then by name. */
export function compareMigrationNames(a: string, b: string): number {
  const [na, nb] = [leadingNumber(a), leadingNumber(b)];
  if (na !== nb) {
    if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
    if (Number.isFinite(na)) return -1;
    if (Number.isFinite(nb)) return 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The migration files in `dir` (names), in the order they apply. */
export function listMigrationFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new D1CommandError(`No migrations present at ${dir}.`);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sql") && !name.startsWith(".") && statSync(join(dir, name)).isFile())
    .sort(compareMigrationNames);
}

/** Writes the next migration file (`NNNN_message.sql`, creating `dir` if needed); returns its path. */
export function createMigrationFile(dir: string, message: string): string {
  const name = message.replaceAll(" ", "_");
  if (/[\\/]/.test(name)) {
    throw new D1CommandError(`The migration name ${JSON.stringify(message)} contains a path separator ("/" or "\\"). Please remove this and try again.`);
  }
  mkdirSync(dir, { recursive: true });
  const numbers = listMigrationFiles(dir).map(leadingNumber).filter(Number.isFinite);
  const number = String(Math.max(0, ...numbers) + 1).padStart(4, "0");
  const path = join(dir, `${number}_${name}.sql`);
  writeFileSync(path, `-- Migration number: ${number} \t ${new Date().toISOString()}\n`, { flag: "wx" });
  return path;
}

export async function ensureMigrationsTable(store: D1Store, table: string): Promise<void> {
  await store.script(`CREATE TABLE IF NOT EXISTS ${escapeIdentifier(table)}(
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`);
}

export async function appliedMigrations(store: D1Store, table: string): Promise<string[]> {
  const { results } = await store.script(`SELECT name FROM ${escapeIdentifier(table)} ORDER BY id`);
  return results[0].rows.map((row) => String(row[0]));
}

export async function unappliedMigrations(store: D1Store, dir: string, table: string): Promise<string[]> {
  const files = listMigrationFiles(dir);
  await ensureMigrationsTable(store, table);
  const applied = new Set(await appliedMigrations(store, table));
  return files.filter((name) => !applied.has(name));
}

/** The migration's SQL followed by its bookkeeping row: one script, so one transaction. */
export function migrationScript(dir: string, name: string, table: string): string {
  const sql = readFileSync(join(dir, name), "utf8");
  return `${sql}\nINSERT INTO ${escapeIdentifier(table)} (name)\nvalues ('${name.replace(/'/g, "''")}');`;
}
