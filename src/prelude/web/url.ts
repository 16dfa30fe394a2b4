// URL and URLSearchParams (whatwg-url) and URLPattern (urlpattern-polyfill, without its global patch).
import { restoreUrlEnv } from "./url-env.ts";
import "./url-shims/realm-objects.ts";
import { URL, URLSearchParams } from "whatwg-url";
import urlStateMachine from "whatwg-url/lib/url-state-machine.js";
import urlencoded from "whatwg-url/lib/urlencoded.js";
import { URLPattern } from "urlpattern-polyfill/urlpattern";
import { fastParseURL, fastParseUrlencoded } from "./url-shims/fast-url.ts";

// whatwg-url has initialized by now (esbuild evaluates the CommonJS require at the import).
restoreUrlEnv();

// whatwg-url's own modules look these functions up on their exports objects at each call (the
// default imports above are those objects), so the fast paths serve URL, URL.parse/canParse, the
// href setter and URLSearchParams alike; anything they do not handle goes to the full algorithm.
// Setters (a state override or a URL to modify) always take the full algorithm.
const basicURLParse = urlStateMachine.basicURLParse;
urlStateMachine.basicURLParse = (input, options) =>
  (options === undefined ? fastParseURL(input) : options.url === undefined && options.stateOverride === undefined ? fastParseURL(input, options.baseURL) : undefined) ??
  basicURLParse(input, options);
const parseUrlencodedString = urlencoded.parseUrlencodedString;
urlencoded.parseUrlencodedString = (input) => fastParseUrlencoded(input) ?? parseUrlencodedString(input);

export { URL, URLSearchParams, URLPattern };
