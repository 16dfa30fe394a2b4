#!/usr/bin/env -S node --no-node-snapshot --disable-warning=ExperimentalWarning
// The CLI entry. isolated-vm requires --no-node-snapshot on Node >= 20.
import { enableCompileCache } from "node:module";

// Node's on-disk compile cache (in the OS temp directory, or NODE_COMPILE_CACHE) keeps our
// modules' type-stripped and compiled code between runs: `atoll` starts ~0.3 s sooner. It must be
// on before the CLI's modules load, hence the dynamic import.
enableCompileCache();
await import("../src/cli/main.ts");
