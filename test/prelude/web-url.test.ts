// URL, URLSearchParams and URLPattern inside a real isolate, checked against Node's (spec-compliant) URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { isDeepStrictEqual } from "node:util";
import { createWebIsolate, type WebIsolate } from "./web-harness.ts";
import { fastParseURL, fastParseUrlencoded, type UrlRecord } from "../../src/prelude/web/url-shims/fast-url.ts";

// whatwg-url's own algorithms (with the real tr46), which the fast paths must reproduce exactly.
const requireCjs = createRequire(import.meta.url);
const usm = requireCjs("whatwg-url/lib/url-state-machine.js") as {
  basicURLParse(input: string, options?: { baseURL?: UrlRecord | null }): UrlRecord | null;
};
const urlencoded = requireCjs("whatwg-url/lib/urlencoded.js") as { parseUrlencodedString(input: string): [string, string][] };

let w: WebIsolate;
let full: WebIsolate; // bundled without the url-shims aliases (real tr46 and @exodus/bytes)
before(async () => {
  w = await createWebIsolate();
  full = await createWebIsolate({ aliases: false });
});
after(() => {
  w.dispose();
  full.dispose();
});

const cases: [string, string?][] = [
  ["https://user:pass@EXAMPLE.com:443/path/../x?y=1#z"],
  ["HTTP://example.COM:80/a/./b/../c"],
  ["../c", "http://a/b/d/e"],
  ["?q", "http://a/b/c?x#y"],
  ["#frag", "http://a/b/c?x"],
  ["//other.host/p", "https://a/b"],
  ["http://münchen.de/ü?ä=ö#ß"],
  ["http://xn--mnchen-3ya.de/"],
  ["http://0x7f.1/"],
  ["http://192.168.0.257/"],
  ["http://[0:0:0:0:0:0:0:1]:8080/"],
  ["http://[::ffff:1.2.3.4]/"],
  ["http://a/ b<c>d\"e`f{g}"],
  ["http://a/?q=a b'c\"<>"],
  ["http:\\\\a\\b\\c"],
  ["  http://a/\t\nb  "],
  ["file:///C:/x/../y"],
  ["file://host/share/x"],
  ["blob:https://a.com/uuid"],
  ["data:text/plain,hello world"],
  ["mailto:someone@example.com"],
  ["javascript:alert(1)"],
  ["non-special://host:123/path?x#y"],
  ["ws://a:80/"],
  ["wss://a:443/"],
  ["https://a.com:65536/"],
  ["http://a b/"],
  ["foo"],
  ["http://"],
  ["https://%41.com/"],
  ["http://a.com/%zz%41"],
  ["http://EXAMPLE.com./"],
  ["http://[1:2:3:4:5:6:7:8:9]/"],
  ["http://1.2.3.4.5/"],
  ["sc://ñ.test/"],
  ["https://@a.com/"],
  ["https://:@a.com/"],
  ["http://a.com/?%"],
  ["http://a/?é=ü&x=\ud83d&y=😀"],
  ["non-special:/p?é '\"<>`#x y"],
  ["http://a/?'\"<>`{}|^ #é"],
  ["ws://a/?'\u0001\u007f"],
];

const idnCases: [string, string?][] = [
  ["http://MÜNCHEN.de/"], ["http://xn--mnchen-3ya.de/"], ["http://XN--MNCHEN-3YA.de/"], ["http://faß.de/"], ["http://a\u200db.com/"],
  ["http://１２７.０.０.１/"], ["http://ＥＸＡＭＰＬＥ.com/"], ["http://例え.テスト/"], ["http://مثال.إختبار/"], 
  ["http://☕.us/"], ["http://ab--c.com/"], ["http://-a.com/"], ["http://a..b/"], ["http://a%C3%BCb.com/"], ["http://%F0%9F%92%A9.la/"], ["http://\u00ad.com/"],
  ["http://a\u3002b/"], ["http://xn--ls8h.la/"], ["http://xn--55qx5d.cn/"],
];

// Invalid "xn--" labels: tr46 6 rejects them, Node 24's ada (and so the tr46 stand-in) accepts them.
const punycodeDisagreements = ["http://xn--zz/", "http://a.xn--/", "http://xn--a.b/"];

test("invalid punycode labels: the stand-in follows the host, real tr46 is stricter", async () => {
  const body = `return ${JSON.stringify(punycodeDisagreements)}.map((u) => { try { return new URL(u).href; } catch (e) { return "ERR"; } });`;
  assert.deepEqual(await w.run(body), punycodeDisagreements.map((u) => new URL(u).href));
  assert.deepEqual(await full.run(body), punycodeDisagreements.map(() => "ERR"));
});

test("URL hosts (IDNA) agree with Node with and without the tr46 stand-in", async () => {
  const body = `
    return ${JSON.stringify(idnCases)}.map(([u, b]) => {
      try { const x = new URL(u, b); return x.href; } catch (e) { return "ERR:" + e.constructor.name; }
    });
  `;
  const expected = idnCases.map(([u, b]) => {
    try {
      return new URL(u, b).href;
    } catch (e) {
      return "ERR:" + (e as Error).constructor.name;
    }
  });
  const [shim, real] = [await w.run<unknown[]>(body), await full.run<unknown[]>(body)];
  const mismatches: string[] = [];
  for (let i = 0; i < idnCases.length; i++) {
    if (shim[i] !== expected[i]) mismatches.push(`shim ${idnCases[i][0]}: ${shim[i]} vs ${expected[i]}`);
    if (real[i] !== expected[i]) mismatches.push(`tr46 ${idnCases[i][0]}: ${real[i]} vs ${expected[i]}`);
  }
  assert.deepEqual(mismatches, []);
});

test("URL parsing agrees with Node's WHATWG URL on edge cases", async () => {
  const r = await w.run<unknown[]>(`
    return ${JSON.stringify(cases)}.map(([u, b]) => {
      try { const x = new URL(u, b); return [x.href, x.origin, x.host, x.pathname, x.search, x.hash, x.username, x.password, x.port]; }
      catch (e) { return "ERR:" + e.constructor.name; }
    });
  `);
  const expected = cases.map(([u, b]) => {
    try {
      const x = new URL(u, b);
      return [x.href, x.origin, x.host, x.pathname, x.search, x.hash, x.username, x.password, x.port];
    } catch (e) {
      return "ERR:" + (e as Error).constructor.name;
    }
  });
  for (let i = 0; i < cases.length; i++) assert.deepEqual(r[i], expected[i], JSON.stringify(cases[i]));
});

test("URL setters, statics, searchParams link, JSON", async () => {
  const r = await w.run(`
    const u = new URL("https://a.com/p?x=1");
    u.searchParams.append("b c", "d&e");
    const s1 = u.search;
    u.search = "?z=9";
    const sp = u.searchParams.get("z");
    u.pathname = "/new path";
    u.hash = "h";
    u.port = "8443";
    u.protocol = "http";
    u.hostname = "B.com";
    u.username = "us er";
    return [s1, sp, u.href, JSON.stringify({ u }), String(u), URL.canParse("foo"), URL.canParse("/x", "http://a"), URL.parse("x"), URL.parse("/y", "http://a").href,
      Object.prototype.toString.call(u), u instanceof URL];
  `);
  assert.deepEqual(r, [
    "?x=1&b+c=d%26e",
    "9",
    "http://us%20er@b.com:8443/new%20path?z=9#h",
    '{"u":"http://us%20er@b.com:8443/new%20path?z=9#h"}',
    "http://us%20er@b.com:8443/new%20path?z=9#h",
    false,
    true,
    null,
    "http://a/y",
    "[object URL]",
    true,
  ]);
});

test("URLSearchParams: parsing, encoding, sort, iteration, constructors", async () => {
  const r = await w.run(`
    const p = new URLSearchParams("?a=1&a=2&b=%20x+y&c&=e&%zz=1");
    const out = [p.getAll("a"), p.get("b"), p.get("c"), p.get(""), p.get("%zz"), p.has("a", "2"), p.size];
    p.delete("a", "1");
    p.set("z", "~!*()'é 😀");
    p.sort();
    out.push(p.toString(), [...p.keys()]);
    out.push(new URLSearchParams({ x: "1", y: "2" }).toString(), new URLSearchParams([["k", "v"], ["k", "w"]]).toString(), new URLSearchParams(new Map([["m", "n"]])).toString());
    let bad; try { new URLSearchParams([["only-one"]]); } catch (e) { bad = e.constructor.name; }
    const seen = []; new URLSearchParams("a=1&b=2").forEach((v, k) => seen.push(k + v));
    out.push(bad, seen);
    return out;
  `);
  const p = new URLSearchParams("?a=1&a=2&b=%20x+y&c&=e&%zz=1");
  const exp: unknown[] = [p.getAll("a"), p.get("b"), p.get("c"), p.get(""), p.get("%zz"), p.has("a", "2"), p.size];
  p.delete("a", "1");
  p.set("z", "~!*()'é 😀");
  p.sort();
  exp.push(p.toString(), [...p.keys()]);
  exp.push("x=1&y=2", "k=v&k=w", "m=n", "TypeError", ["a1", "b2"]);
  assert.deepEqual(r, exp);
});

test("URLPattern: groups, wildcards, test/exec with base URLs, no global patching needed", async () => {
  const r = await w.run(`
    const p = new URLPattern({ pathname: "/users/:id/posts/:post?" });
    const m = p.exec("https://x.com/users/42/posts");
    const str = new URLPattern("https://*.example.com/api/*");
    const rel = new URLPattern("/books/:id(\\\\d+)", "https://shop.test");
    return [m.pathname.groups, p.test("https://x.com/users/42/posts/7"), p.test("https://x.com/other"), str.test("https://a.b.example.com/api/v1/x"),
      str.exec("https://a.example.com/api/v1").hostname.groups["0"], rel.test("https://shop.test/books/12"), rel.test("https://shop.test/books/ab"),
      p.pathname, typeof URLPattern, p.test({ pathname: "/users/1/posts" }), p.test({ pathname: "/users/1" })];
  `);
  assert.deepEqual(r, [{ id: "42" }, true, false, true, "a", true, false, "/users/:id/posts/:post?", "function", true, false]);
});

// Pieces whose combinations cover what the fast path handles and, around it, what it must leave
// to whatwg-url: schemes, authority forms, ports, hosts (IPv4 forms, IPv6, IDNA, percent-escapes),
// dot segments, backslashes, characters of each percent-encode set, whitespace, non-ASCII.
const schemes = ["http", "HTTPS", "ws", "WsS", "ftp", "file", "foo", "htt", "httpx"];
const separators = ["://", ":/", ":", ":///", ":\\\\", "://\\"];
const hosts = [
  "a", "A.b", "127.0.0.1", "1.2.3", "0x7f.1", "0X7F.0.0.1", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "4294967295", "255.255.255.255", "a.1", "a.0x1",
  "a.09", "a.0x", "xn--mnchen-3ya.de", "XN--a.b", "a..b", ".a", "a.", "a_b", "-a-.b", "a%41", "[::1]", "[1:2::3]", "u@a", "u:p@a", "", "a b", "a!b", "ü.de",
];
const ports = ["", ":", ":80", ":443", ":0080", ":8080", ":0", ":65535", ":65536", ":99999", ":000000080", ":1a", ":1:2"];
const paths = ["", "/", "/json", "/a/b/", "/./a", "/../a", "/a/%2e/b", "/a/%2E%2e", "/a/.b", "/a/..b", "/a\\b", "/{x}^`\"<>|'", "/%zz%41", "/a//b", "/ b", "/é", "/a/.."];
const queries = ["", "?", "?x=1&y=abc", "?'\"<>`{}^|", "?a?b", "?%zz&+=+", "?é"];
const fragments = ["", "#", "#x", "#\"<>`'{}#^", "#a b"];

test("fast URL parser: exactly whatwg-url's record for what it accepts, for any base", () => {
  const bases = [null, usm.basicURLParse("http://base/x/y?q#f"), usm.basicURLParse("https://u:p@b:8443/"), usm.basicURLParse("wss://[::1]:99/a")];
  let handled = 0;
  const mismatches: string[] = [];
  for (const scheme of schemes)
    for (const sep of separators)
      for (const host of hosts)
        for (const port of ports)
          for (const [path, query, fragment] of [["", "", ""], ...paths.map((p) => [p, queries[p.length % queries.length], fragments[p.length % fragments.length]])]) {
            const input = scheme + sep + host + port + path + query + fragment;
            const fast = fastParseURL(input);
            if (fast === undefined) continue;
            handled++;
            for (const base of bases) {
              if (!isDeepStrictEqual(fastParseURL(input, base), usm.basicURLParse(input, { baseURL: base }))) mismatches.push(JSON.stringify(input));
            }
          }
  for (const path of paths)
    for (const query of queries)
      for (const fragment of fragments)
        for (const base of [...bases, usm.basicURLParse("ftp://f/"), usm.basicURLParse("file:///x"), usm.basicURLParse("foo://x/y"), usm.basicURLParse("data:x")]) {
          for (const input of [path + query + fragment, "//h" + path, "/\\h" + path, query + fragment]) {
            const fast = fastParseURL(input, base);
            if (fast === undefined) continue;
            handled++;
            if (!isDeepStrictEqual(fast, usm.basicURLParse(input, { baseURL: base }))) mismatches.push(`${JSON.stringify(input)} against ${JSON.stringify(base)}`);
          }
        }
  assert.deepEqual(mismatches, []);
  assert.ok(handled > 2000, `only ${handled} inputs took the fast path`);
  // The shapes requests and APIs use do take it.
  for (const input of ["http://127.0.0.1:8787/json?x=1&y=abc", "http://a/", "https://example.com/a/b?c=d#e", "wss://h:1/p", "HTTP://Example.COM:080/A"]) {
    assert.notEqual(fastParseURL(input), undefined, input);
  }
  assert.notEqual(fastParseURL("/api?x=1", usm.basicURLParse("https://a.com/app/")), undefined);
});

test("fast urlencoded parser: exactly whatwg-url's list for what it accepts", () => {
  const parts = ["", "a", "a=1", "a+b=c+d", "%41=%42", "%zz=1", "%C3%A9=%F0%9F%98%80", "%C3=1", "%ED%A0%80=x", "a=%", "a=%2", "%2B+%20", "é=ü", "a=\ud800", "=", "==", "a==b", "%00=%7F", "%EF%BB%BFa=1", "%C0%80", "%F4%90%80%80"];
  let handled = 0;
  const mismatches: string[] = [];
  for (const a of parts)
    for (const b of parts)
      for (const input of [a, `${a}&${b}`, `&${a}&&${b}&`]) {
        const fast = fastParseUrlencoded(input);
        if (fast === undefined) continue;
        handled++;
        if (!isDeepStrictEqual(fast, urlencoded.parseUrlencodedString(input))) mismatches.push(JSON.stringify(input));
      }
  assert.deepEqual(mismatches, []);
  assert.ok(handled > 500, `only ${handled} inputs took the fast path`);
  assert.deepEqual(fastParseUrlencoded("x=1&y=a+b%21"), [["x", "1"], ["y", "a b!"]]);
});

test("URL in the isolate agrees with Node's URL around the fast path: ports, hosts, encode sets, bases", async () => {
  const inputs: [string, string?][] = [];
  for (const scheme of ["http", "HTTPS", "ws", "wss", "ftp", "foo"])
    for (const host of ["a", "Ex-ample.COM", "127.0.0.1", "0x7f.1", "256.0.0.1", "[::1]", "xn--mnchen-3ya.de", "münchen.de", "a%41.b", "a..b", "u:p@h"])
      for (const port of ["", ":", ":80", ":443", ":0443", ":8787", ":65535", ":65536", ":x"])
        for (const rest of ["", "/", "/json?x=1&y=abc", "/a/b?c=d#e", "/{}^`\"<>'|?'\"<>`#\"<>`'", "/a/./b/../c", "\\\\x", "/%7e%zz?%41#%42"])
          inputs.push([`${scheme}://${host}${port}${rest}`]);
  for (const base of ["http://a.com/app/x?q#f", "https://u:p@[::1]:8443/a/", "ws://1.2.3.4/", "foo://h/p", "file:///C:/x"])
    for (const input of ["/", "/api/items?page=2#top", "/a/../b", "/{x}?'", "//other/p", "/\\other", "x", "?y", "#z", ""]) inputs.push([input, base]);
  const describe = `(u, b) => { try { const x = new URL(u, b); return [x.href, x.origin, x.protocol, x.host, x.hostname, x.port, x.pathname, x.search, x.hash, x.username, x.password]; } catch (e) { return "ERR:" + e.constructor.name; } }`;
  const got = await w.run<unknown[]>(`const d = ${describe}; return ${JSON.stringify(inputs)}.map(([u, b]) => d(u, b));`);
  const d = (0, eval)(describe) as (u: string, b?: string) => unknown;
  const mismatches = inputs.flatMap(([u, b], i) => (isDeepStrictEqual(got[i], d(u, b)) ? [] : [`${u} ${b ?? ""}: ${JSON.stringify(got[i])} vs ${JSON.stringify(d(u, b))}`]));
  assert.deepEqual(mismatches, []);
});

test("searchParams: mutations update href and search, iteration yields plain result objects", async () => {
  const r = await w.run(`
    const u = new URL("http://127.0.0.1:8787/json?x=1&y=abc#f");
    const out = [Object.fromEntries(u.searchParams), [...u.searchParams.keys()], u.searchParams.size];
    u.searchParams.set("x", "a b&c");
    u.searchParams.append("é", "😀");
    out.push(u.href, u.search);
    u.searchParams.delete("y");
    u.searchParams.sort();
    out.push(u.href);
    for (const k of [...u.searchParams.keys()]) u.searchParams.delete(k);
    out.push(u.href, u.search);
    u.search = "?q=%41+b";
    out.push(u.searchParams.get("q"), u.href);
    const it = new URLSearchParams("a=1").entries();
    const step = it.next();
    out.push(Object.getPrototypeOf(step) === Object.prototype, Object.getOwnPropertyDescriptors(step), it.next(), Object.prototype.toString.call(it));
    try { it.next.call({}); } catch (e) { out.push(e.constructor.name); }
    return out;
  `);
  assert.deepEqual(r, [
    { x: "1", y: "abc" },
    ["x", "y"],
    2,
    "http://127.0.0.1:8787/json?x=a+b%26c&y=abc&%C3%A9=%F0%9F%98%80#f",
    "?x=a+b%26c&y=abc&%C3%A9=%F0%9F%98%80",
    "http://127.0.0.1:8787/json?x=a+b%26c&%C3%A9=%F0%9F%98%80#f",
    "http://127.0.0.1:8787/json#f",
    "",
    "A b",
    "http://127.0.0.1:8787/json?q=%41+b#f",
    true,
    {
      value: { value: ["a", "1"], writable: true, enumerable: true, configurable: true },
      done: { value: false, writable: true, enumerable: true, configurable: true },
    },
    { done: true },
    "[object URLSearchParams Iterator]",
    "TypeError",
  ]);
});
