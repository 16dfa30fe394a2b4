// Host side of HTMLRewriter (src/prelude/html-rewriter/): the isolate runs lol-html's WebAssembly
// build itself (user handlers are isolate code); the host only hands it the module on first use.
//   htmlrewriter.wasm() -> WebAssembly.Module   (synchronous)
// The .wasm file (npm html-rewriter-wasm) is read and compiled once per process; isolated-vm
// passes a compiled module to another isolate as V8's shared compiled code, so an isolate's
// first HTMLRewriter costs no compilation (≈25–40 ms of its CPU otherwise). The isolate also
// accepts bytes and compiles them itself, should a module not cross.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { HostSyncFunctionTable } from "./host-functions.ts";

let compiled: WebAssembly.Module | undefined;

function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve("html-rewriter-wasm/dist/html_rewriter_bg.wasm")));
  return compiled;
}

export const htmlRewriterHostSyncFunctions: HostSyncFunctionTable = {
  "htmlrewriter.wasm": wasmModule,
};
