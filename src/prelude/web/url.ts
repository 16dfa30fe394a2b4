// URL and URLSearchParams (whatwg-url) and URLPattern (urlpattern-polyfill, without its global patch).
import "./encoding-global.ts";
import { URL, URLSearchParams } from "whatwg-url";
import { URLPattern } from "urlpattern-polyfill/urlpattern";

export { URL, URLSearchParams, URLPattern };
