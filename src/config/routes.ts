// `route` / `routes`: wrangler's route patterns (`example.com/*`, `*.example.com/api/*`, or
// `{ pattern = "...", zone_name = "..." }`). On Cloudflare they bind a worker to URLs of a zone;
// `atoll dev` uses them to pick which of several workers (repeated `-c`) serves a request.
import type { Field } from "./env-merge.ts";
import { isTable, joinPath, readArray, warnUnknownKeys, type Report } from "./validate.ts";

/** The keys a route table may have besides `pattern`; deploy-time only, accepted silently. */
const ROUTE_TABLE_KEYS = ["pattern", "zone_name", "zone_id", "custom_domain"];

/** The patterns of `route` (one) and `routes` (a list), in that order; each checked. */
export function readRoutes(r: Report, route: Field | undefined, routes: Field | undefined): string[] {
  const out: string[] = [];
  if (route && route.value !== undefined) {
    const pattern = readRoute(r, route.value, route.path);
    if (pattern !== undefined) out.push(pattern);
  }
  if (routes && routes.value !== undefined) {
    const items = readArray(r, routes.value, routes.path, `an array of route patterns (strings, or ${r.tableWord}s with a "pattern")`);
    items?.forEach((item, i) => {
      const pattern = readRoute(r, item, joinPath(routes.path, i));
      if (pattern !== undefined) out.push(pattern);
    });
  }
  return out;
}

function readRoute(r: Report, value: unknown, path: string): string | undefined {
  let pattern: unknown = value;
  let at = path;
  if (isTable(value)) {
    warnUnknownKeys(r, value, path, ROUTE_TABLE_KEYS);
    pattern = value.pattern;
    at = joinPath(path, "pattern");
    if (pattern === undefined) {
      r.missing(at, 'a route pattern like "example.com/*"');
      return undefined;
    }
  }
  if (typeof pattern !== "string") {
    r.wrongType(at, `a route pattern like "example.com/*" (or ${r.aTable} with a "pattern")`, pattern);
    return undefined;
  }
  const problem = routePatternProblem(pattern);
  if (problem) {
    r.error(at, `${problem} (found "${pattern}")`);
    return undefined;
  }
  return pattern;
}

/** A pattern's host and path ("" when it has none), its scheme dropped. */
export function splitRoutePattern(pattern: string): { host: string; path: string } {
  const rest = pattern.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  const slash = rest.indexOf("/");
  return slash === -1 ? { host: rest, path: "" } : { host: rest.slice(0, slash), path: rest.slice(slash) };
}

/** Why Cloudflare would refuse `pattern`, with the fix; undefined if it is fine. */
export function routePatternProblem(pattern: string): string | undefined {
  const { host, path } = splitRoutePattern(pattern);
  if (host === "") return 'a route pattern needs a host, like "example.com/*" or "*.example.com/*"';
  if (pattern.includes("?")) return 'a route pattern cannot contain a query string; end the path with "*" to match every query';
  if (host !== "*" && host.slice(1).includes("*")) return 'a wildcard "*" may only start the host, as in "*.example.com/*"';
  if (path.slice(0, -1).includes("*")) return 'a wildcard "*" may only end the path, as in "example.com/api/*"';
  return undefined;
}
