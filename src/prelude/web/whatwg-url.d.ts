// Types for the parts of whatwg-url the prelude uses (the package ships none).
declare module "whatwg-url" {
  export const URL: typeof globalThis.URL;
  export const URLSearchParams: typeof globalThis.URLSearchParams;
}

// Internal modules whose exports url.ts wraps with fast paths (their exports objects are mutable).
declare module "whatwg-url/lib/url-state-machine.js" {
  import type { UrlRecord } from "./url-shims/fast-url.ts";
  interface BasicURLParseOptions {
    baseURL?: UrlRecord | null;
    url?: UrlRecord;
    stateOverride?: string;
    encoding?: string;
  }
  const urlStateMachine: {
    basicURLParse(input: string, options?: BasicURLParseOptions): UrlRecord | null;
  };
  export default urlStateMachine;
}
declare module "whatwg-url/lib/urlencoded.js" {
  const urlencoded: { parseUrlencodedString(input: string): [string, string][] };
  export default urlencoded;
}
declare module "whatwg-url/lib/utils.js" {
  const utils: { newObjectInRealm<T extends object>(globalObject: { Object: ObjectConstructor }, object: T): T };
  export default utils;
}
