#!/usr/bin/env -S node --no-node-snapshot --disable-warning=ExperimentalWarning
// The CLI entry. isolated-vm requires --no-node-snapshot on Node >= 20.
import "../src/cli/main.ts";
