// Builds the prelude (src/prelude) into one script with esbuild and turns it into an isolate
// startup snapshot, cached on disk by content hash so a cold start is a snapshot restore.
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

async function build(): Promise<Prelude> {
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
    // Small stand-ins for whatwg-url's IDNA and legacy-encoding tables (see src/runtime/host-web.ts).
    alias: webPreludeAliases,
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  const hash = createHash("sha256").update(code).update(process.version).digest("hex").slice(0, 16);
  return { code, hash, snapshot: loadOrCreateSnapshot(code, hash) };
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
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(snapshot.copy()));
    renameSync(tmp, file);
    removeStaleSnapshots(file);
    return snapshot;
  } catch (error) {
    process.emitWarning(`atoll: could not snapshot the prelude, evaluating it per isolate instead: ${(error as Error).message}`);
    return null;
  }
}

/** Snapshots of earlier preludes are never read again. */
function removeStaleSnapshots(current: string): void {
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (path !== current && /^prelude-[0-9a-f]+\.snapshot$/.test(name)) rmSync(path, { force: true });
  }
}
