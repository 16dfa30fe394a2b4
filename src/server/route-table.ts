// Which worker serves a URL, by the workers' route patterns (config `route` / `routes`), ranked as
// Cloudflare ranks them: the most specific pattern wins (more host labels, then more path segments;
// a leading host wildcard or a trailing path wildcard counts less), ties go to the longer pattern.
// The scheme of a pattern is ignored: `atoll dev` serves plain HTTP whatever the route says.
import { splitRoutePattern } from "../config/routes.ts";

interface ParsedRoute<T> {
  target: T;
  pattern: string;
  specificity: number;
  /** `*example.com` / `*.example.com`: any host ending in `host`. */
  hostSuffix: boolean;
  /** Lower case, without the leading `*`; "" for a host of just `*` (any host). */
  host: string;
  path: string;
  /** A trailing `*`: any path (and query) starting with `path`. */
  pathPrefix: boolean;
}

export class RouteTable<T> {
  readonly #routes: ParsedRoute<T>[] = [];

  /** Adds `target`'s patterns (already validated by src/config/routes.ts). */
  add(target: T, patterns: readonly string[]): void {
    for (const pattern of patterns) this.#routes.push(parseRoute(target, pattern));
    this.#routes.sort((a, b) => b.specificity - a.specificity || b.pattern.length - a.pattern.length);
  }

  get size(): number {
    return this.#routes.length;
  }

  /** The target of the most specific pattern matching `hostname` and `pathAndQuery`, if any. */
  match(hostname: string, pathAndQuery: string): T | undefined {
    const host = hostname.toLowerCase();
    for (const route of this.#routes) {
      if (route.hostSuffix ? !host.endsWith(route.host) : host !== route.host) continue;
      if (route.pathPrefix ? !pathAndQuery.startsWith(route.path) : pathAndQuery !== route.path) continue;
      return route.target;
    }
    return undefined;
  }
}

function parseRoute<T>(target: T, pattern: string): ParsedRoute<T> {
  const split = splitRoutePattern(pattern);
  let host = split.host.toLowerCase();
  let path = split.path || "/";
  const hostLabels = host.split(".");
  const pathSegments = path.split("/");
  const specificity =
    (hostLabels.length - (hostLabels[0] === "*" ? 2 : 0)) * 26 + pathSegments.length - (pathSegments[pathSegments.length - 1] === "*" ? 2 : 0);
  const hostSuffix = host.startsWith("*");
  if (hostSuffix) host = host.slice(1);
  // A port in the pattern is not part of what routes match.
  host = host.replace(/:\d+$/, "");
  const pathPrefix = path.endsWith("*");
  if (pathPrefix) path = path.slice(0, -1);
  return { target, pattern, specificity, hostSuffix, host, path, pathPrefix };
}
