// Builds the prelude (src/prelude) into one script with esbuild and turns it into an isolate
// startup snapshot. Both are cached on disk under the hash of the prelude's sources, so a
// process start with unchanged sources runs neither esbuild nor the snapshot maker.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import ivm from "isolated-vm";
import { webPreludeAliases } from "./host-web.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const entry = join(root, "src", "prelude", "index.ts");
const cacheDir = join(root, "node_modules", ".cache", "atoll");

export interface Prelude {
  code: string;
  hash: string;
  /** null when V8 could not snapshot the prelude; isolates then evaluate `code`. */
  snapshot: ivm.ExternalCopy<ArrayBuffer> | null;
}

let cached: Promise<Prelude> | undefined;

export function loadPrelude(): Promise<Prelude> {
  cached ??= build();
  return cached;
}

export const PRELUDE_FILENAME = "atoll:prelude";

/** Everything the prelude bundle is made from: its sources, how they are built, its npm dependencies, this Node. */
function sourceHash(): string {
  const hash = createHash("sha256").update(process.version);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) hash.update(path).update(readFileSync(path));
    }
  };
  for (const dir of ["prelude", "bindings", "protocol"]) walk(join(root, "src", dir));
  hash.update(readFileSync(join(root, "src", "runtime", "host-web.ts")));
  // This file: the esbuild options and the snapshot's warm-up.
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  try {
    hash.update(readFileSync(join(root, "package-lock.json")));
  } catch {
    // an install without a lockfile: the sources alone decide
  }
  return hash.digest("hex").slice(0, 16);
}

/** The prelude, from the on-disk cache when its sources have not changed (no esbuild run). */
async function build(): Promise<Prelude> {
  const hash = sourceHash();
  const codeFile = join(cacheDir, `prelude-${hash}.js`);
  let code: string;
  try {
    code = readFileSync(codeFile, "utf8");
  } catch {
    code = await bundle();
    mkdirSync(cacheDir, { recursive: true });
    writeAtomically(codeFile, code);
  }
  return { code, hash, snapshot: loadOrCreateSnapshot(code, hash) };
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

async function bundle(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "neutral",
    target: "es2023",
    mainFields: ["module", "main"],
    conditions: ["worker", "browser"],
    minifySyntax: true,
    // The source stays in every isolate's heap (V8 keeps it for lazy compilation): no indentation.
    minifyWhitespace: true,
    // Small stand-ins for whatwg-url's IDNA and legacy-encoding tables (see src/runtime/host-web.ts).
    alias: webPreludeAliases,
    legalComments: "none",
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

function loadOrCreateSnapshot(code: string, hash: string): ivm.ExternalCopy<ArrayBuffer> | null {
  const file = join(cacheDir, `prelude-${hash}.snapshot`);
  try {
    const bytes = readFileSync(file);
    return new ivm.ExternalCopy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } catch {
    // not cached yet
  }
  try {
    // The warm-up runs one request through the prelude so the snapshot keeps its compiled code.
    const snapshot = ivm.Isolate.createSnapshot([{ code, filename: PRELUDE_FILENAME }], "__atollWarmup();");
    mkdirSync(cacheDir, { recursive: true });
    writeAtomically(file, Buffer.from(snapshot.copy()));
    removeStale(hash);
    return snapshot;
  } catch (error) {
    process.emitWarning(`atoll: could not snapshot the prelude, evaluating it per isolate instead: ${(error as Error).message}`);
    return null;
  }
}

/** Bundles and snapshots of earlier preludes are never read again. */
function removeStale(currentHash: string): void {
  for (const name of readdirSync(cacheDir)) {
    const m = /^prelude-([0-9a-f]+)\.(snapshot|js)$/.exec(name);
    if (m && m[1] !== currentHash) rmSync(join(cacheDir, name), { force: true });
  }
}
