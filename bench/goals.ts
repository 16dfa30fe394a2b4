// The performance goals, in one place (the benchmarks issue's, plus our own WebSocket target): the scenarios print met/missed against them and
// bench/tools/readme-table.ts builds the README's table from them. No imports, so the table tool
// loads nothing of the runtime.

/** hello: atoll dev's req/s over plain Node http's. */
export const HELLO_GOAL_RATIO = 0.55;
/** hello: atoll dev's req/s over workerd's. */
export const HELLO_WORKERD_GOAL_RATIO = 1.4;
/** coldstart: p50 of load + first fetch of a 300 KB bundle, spare isolate ready, ms. */
export const COLDSTART_GOAL_P50_MS = 5;
/** density: RSS per idle loaded worker, MB. */
export const DENSITY_GOAL_MB = 2;
/** density: idle workers in one process. */
export const DENSITY_GOAL_WORKERS = 1000;
/** noisy: hello's p99 with the neighbour busy over its p99 without. */
export const NOISY_GOAL_RATIO = 2;
/** bindings: atoll dev's req/s over Miniflare's, per operation. */
export const BINDINGS_GOAL_RATIO = 5;
/** websocket: atoll dev's messages/s over plain Node ws's (our own target; the issue sets none). */
export const WEBSOCKET_GOAL_RATIO = 0.5;
