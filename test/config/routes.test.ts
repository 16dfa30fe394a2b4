// `route` / `routes` in the config, and the route table `atoll dev` picks workers with.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/index.ts";
import { RouteTable } from "../../src/server/route-table.ts";
import { ENTRY, project } from "./project.ts";

const HEAD = 'name = "w"\nmain = "src/index.ts"\ncompatibility_date = "2024-09-23"\n';

function routesOf(toml: string): string[] {
  return loadConfig({ cwd: project({ ...ENTRY, "wrangler.toml": toml }) }).routes;
}

function errorOf(toml: string): string {
  const dir = project({ ...ENTRY, "wrangler.toml": toml });
  try {
    loadConfig({ cwd: dir });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.replaceAll(path.join(dir, "wrangler.toml"), "FILE");
  }
  assert.fail("expected a ConfigError");
}

test("route and routes are read in wrangler's forms: strings and tables with a pattern", () => {
  assert.deepEqual(routesOf(HEAD), []);
  assert.deepEqual(routesOf(`${HEAD}route = "example.com/*"\n`), ["example.com/*"]);
  assert.deepEqual(
    routesOf(`${HEAD}route = { pattern = "a.example/*", zone_name = "example" }\nroutes = ["b.example/api/*", { pattern = "*.c.example/*", custom_domain = false }]\n`),
    ["a.example/*", "b.example/api/*", "*.c.example/*"],
  );
  // [env.NAME] inherits routes, like the other deploy settings.
  const dir = project({ ...ENTRY, "wrangler.toml": `${HEAD}routes = ["top.example/*"]\n[env.staging]\n` });
  assert.deepEqual(loadConfig({ cwd: dir, env: "staging" }).routes, ["top.example/*"]);
});

test("bad routes name the file and key, what is wrong and how to write it", () => {
  assert.equal(errorOf(`${HEAD}route = 5\n`), 'FILE: route: expected a route pattern like "example.com/*" (or a table with a "pattern"), found number 5');
  assert.equal(errorOf(`${HEAD}routes = "x.example/*"\n`), 'FILE: routes: expected an array of route patterns (strings, or tables with a "pattern"), found string "x.example/*"');
  assert.equal(errorOf(`${HEAD}routes = [{ zone_name = "x" }]\n`), 'FILE: routes[0].pattern: expected a route pattern like "example.com/*", but the key is missing');
  assert.equal(
    errorOf(`${HEAD}routes = ["ok.example/*", "x.example/a?b=1"]\n`),
    'FILE: routes[1]: a route pattern cannot contain a query string; end the path with "*" to match every query (found "x.example/a?b=1")',
  );
  assert.equal(errorOf(`${HEAD}route = "a.*.example/*"\n`), 'FILE: route: a wildcard "*" may only start the host, as in "*.example.com/*" (found "a.*.example/*")');
  assert.equal(errorOf(`${HEAD}route = "example.com/*/x"\n`), 'FILE: route: a wildcard "*" may only end the path, as in "example.com/api/*" (found "example.com/*/x")');
  assert.equal(errorOf(`${HEAD}route = "/api/*"\n`), 'FILE: route: a route pattern needs a host, like "example.com/*" or "*.example.com/*" (found "/api/*")');
});

test("the most specific matching route wins; no match is undefined", () => {
  const table = new RouteTable<string>();
  table.add("any", ["*/*"]);
  table.add("site", ["example.com/*"]);
  table.add("api", ["example.com/api/*"]);
  table.add("subs", ["*.example.com/*"]);
  table.add("exact", ["https://example.com/exact"]);
  table.add("other", ["other.example"]);
  assert.equal(table.match("example.com", "/"), "site");
  assert.equal(table.match("EXAMPLE.com", "/page?x=1"), "site");
  assert.equal(table.match("example.com", "/api/users?id=1"), "api");
  assert.equal(table.match("example.com", "/apix"), "site");
  assert.equal(table.match("www.example.com", "/api/users"), "subs");
  assert.equal(table.match("example.com", "/exact"), "exact");
  assert.equal(table.match("example.com", "/exact?q"), "site", "a pattern without * matches the path and query exactly");
  assert.equal(table.match("other.example", "/"), "other");
  assert.equal(table.match("other.example", "/x"), "any");
  assert.equal(table.match("unrelated.test", "/x"), "any");

  const narrow = new RouteTable<string>();
  narrow.add("only", ["only.example/*"]);
  assert.equal(narrow.match("localhost", "/"), undefined);
  assert.equal(narrow.size, 1);
});
