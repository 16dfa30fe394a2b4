// URL and URLSearchParams (whatwg-url) and URLPattern (urlpattern-polyfill, without its global patch).
import { restoreUrlEnv } from "./url-env.ts";
import { URL, URLSearchParams } from "whatwg-url";
import { URLPattern } from "urlpattern-polyfill/urlpattern";

// whatwg-url has initialized by now (esbuild evaluates the CommonJS require at the import).
restoreUrlEnv();

export { URL, URLSearchParams, URLPattern };
