// V8 code cache for worker modules, keyed by the hash of their source: once a version has been
// compiled twice, its cache is kept in memory and on disk, so later isolates of it (after a limit
// discarded one, or after a restart) skip most of parsing and compilation.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFile } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ivm from "isolated-vm";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", ".cache", "atoll", "code");
const inMemory = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();
/** Modules below this size compile faster than a cache can be looked up. */
const MIN_BYTES = 16 * 1024;

function keyOf(code: string): string {
  return createHash("sha256").update(process.version).update(code).digest("hex").slice(0, 32);
}

function lookup(key: string): ivm.ExternalCopy<ArrayBuffer> | undefined {
  let data = inMemory.get(key);
  if (data) return data;
  try {
    const bytes = readFileSync(join(dir, `${key}.v8cache`));
    data = new ivm.ExternalCopy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    inMemory.set(key, data);
    return data;
  } catch {
    return undefined;
  }
}

function store(key: string, data: ivm.ExternalCopy<ArrayBuffer>): void {
  inMemory.set(key, data);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${key}.v8cache`);
  const tmp = `${file}.${process.pid}.tmp`;
  // Off the request path; a lost write only costs a later compile.
  writeFile(tmp, Buffer.from(data.copy()), (error) => {
    if (error) return;
    renameSync(tmp, file);
    prune();
  });
}

/** Keeps the newest MAX_FILES caches on disk. */
function prune(): void {
  const files = readdirSync(dir).filter((f) => f.endsWith(".v8cache"));
  if (files.length <= MAX_FILES) return;
  const byAge = files.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { f } of byAge.slice(0, files.length - MAX_FILES)) rmSync(join(dir, f), { force: true });
}

const MAX_FILES = 256;

export async function compileModuleCached(isolate: ivm.Isolate, code: string, filename: string): Promise<ivm.Module> {
  if (code.length < MIN_BYTES) return isolate.compileModule(code, { filename });
  const key = keyOf(code);
  const cachedData = lookup(key);
  if (cachedData) {
    const module = await isolate.compileModule(code, { filename, cachedData });
    if (!(module as { cachedDataRejected?: boolean }).cachedDataRejected) return module;
    inMemory.delete(key);
  }
  // Producing a cache costs a few ms: pay it the second time a module is compiled (a version
  // that gets more than one isolate), never on a worker's very first cold start.
  if (!seen.has(key)) {
    seen.add(key);
    return isolate.compileModule(code, { filename });
  }
  const module = await isolate.compileModule(code, { filename, produceCachedData: true });
  const produced = (module as { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
  if (produced) store(key, produced);
  return module;
}

const seen = new Set<string>();
