// Bundles part of the prelude for a stand-alone test harness, the way the real prelude is
// bundled (iife, platform neutral, es2023): `contents` is the harness's entry module, resolved
// from the repository root.
import * as esbuild from "esbuild";
import { repoRoot } from "./worker.ts";

export async function bundlePreludePart(contents: string, sourcefile: string, extra: esbuild.BuildOptions = {}): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: repoRoot, sourcefile, loader: "ts" },
    bundle: true,
    write: false,
    format: "iife",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2023",
    logLevel: "silent",
    ...extra,
  });
  return result.outputFiles![0].text;
}
