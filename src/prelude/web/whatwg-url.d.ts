// Types for the parts of whatwg-url the prelude uses (the package ships none).
declare module "whatwg-url" {
  export const URL: typeof globalThis.URL;
  export const URLSearchParams: typeof globalThis.URLSearchParams;
}
