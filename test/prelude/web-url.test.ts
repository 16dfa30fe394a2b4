// URL, URLSearchParams and URLPattern inside a real isolate, checked against Node's (spec-compliant) URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createWebIsolate, type WebIsolate } from "./web-harness.ts";

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
