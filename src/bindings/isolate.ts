// The isolate sides of every binding, bundled into the prelude: each registers its env factory
// (registerBinding in src/prelude/env.ts); the Cache API adds globals.
import "./kv/isolate.ts";
import "./d1/isolate.ts";
export { cacheGlobals as bindingGlobals } from "./cache/isolate.ts";
