// npm packages the polyfills import by a name that also names a Node builtin; the trailing slash
// makes esbuild (and the bundler's plugin) take the package, not the builtin.
declare module "events/" {
  import { EventEmitter } from "node:events";
  export default EventEmitter;
}
