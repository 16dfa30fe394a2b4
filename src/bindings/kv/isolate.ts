// The isolate side of the kv binding (bundled into the prelude). Placeholder until issue 5.
export {};
