// The isolate side of the d1 binding (bundled into the prelude). Placeholder until issue 5.
export {};
