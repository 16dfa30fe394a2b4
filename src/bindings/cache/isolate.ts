// The isolate side of the Cache API (bundled into the prelude). Placeholder until issue 5.
export const cacheGlobals: Record<string, unknown> = {};
