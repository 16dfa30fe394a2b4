// HTMLRewriter inside a real `atoll dev` worker: the element, text, comment, doctype and
// document-end APIs, selectors, errors, and transform()'s response handling. Expected outputs
// follow workerd (lol-html) behaviour.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, type RunningDev } from "../support/worker.ts";

let dev: RunningDev;

const worker = `
const rewrite = (html, build, init) => build(new HTMLRewriter()).transform(new Response(html, init)).text();
const attempt = (fn) => { try { return fn(); } catch (e) { return "THREW " + e.name + ": " + e.message; } };
const attemptAsync = async (fn) => { try { return await fn(); } catch (e) { return "THREW " + e.name + ": " + e.message; } };

const routes = {
  async element() {
    const seen = {};
    const out = await rewrite(
      '<div id="main" class="a b" data-x="1"><p>one</p><span>two</span><em>three</em><b>four</b><i>five</i><u>six</u></div>',
      (r) => r
        .on("div", { element(e) {
          seen.tagName = e.tagName;
          seen.attributes = [...e.attributes];
          seen.id = e.getAttribute("id");
          seen.missing = e.getAttribute("nope");
          seen.has = [e.hasAttribute("class"), e.hasAttribute("nope")];
          seen.namespace = e.namespaceURI;
          seen.removedBefore = e.removed;
          seen.chain = e.setAttribute("data-y", "2") === e && e.removeAttribute("data-x") === e;
          e.tagName = "section";
          e.before("<b>&</b>");
          e.before("<hr>", { html: true });
          e.after("<footer>", { html: true });
        } })
        .on("p", { element(e) { e.prepend("<1>"); e.prepend("<i>0</i>", { html: true }); e.append("<2>"); e.append("<i>3</i>", { html: true }); } })
        .on("span", { element(e) { e.setInnerContent("<x>"); } })
        .on("em", { element(e) { e.setInnerContent("<x>", { html: true }); } })
        .on("b", { element(e) { e.replace("B", { html: false }); seen.removedAfterReplace = e.removed; } })
        .on("i", { element(e) { e.remove(); } })
        .on("u", { element(e) { e.removeAndKeepContent(); } }),
    );
    return { out, seen };
  },

  async attributes() {
    const seen = {};
    await rewrite('<a href="/x" title=t disabled>l</a>', (r) => r.on("a", { element(e) {
      const it = e.attributes;
      seen.proto = Object.getPrototypeOf(Object.getPrototypeOf(it)) === Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
      seen.self = it[Symbol.iterator]() === it;
      seen.first = it.next();
      e.setAttribute("rel", "x");
      seen.afterSet = attempt(() => it.next());
      seen.fresh = [...e.attributes];
      const it2 = e.attributes;
      e.removeAttribute("rel");
      seen.afterRemove = attempt(() => it2.next());
      seen.empty = e.getAttribute("disabled");
      const done = e.attributes; [...done];
      seen.exhausted = [done.next(), done.next()];
      seen.badName = attempt(() => e.setAttribute("a b", "v"));
      seen.badTag = attempt(() => { e.tagName = "a b"; });
      seen.stillWorks = e.getAttribute("href");
    } }));
    return seen;
  },

  async text() {
    const chunks = [];
    const out = await rewrite("<p>hello world</p><q>drop me</q><s>x</s>", (r) => r
      .on("p", { text(t) { chunks.push([t.text, t.lastInTextNode, t.removed]); if (t.text) { t.before("["); t.after("]"); } } })
      .on("q", { text(t) { t.remove(); chunks.push(["removed", t.removed]); } })
      .on("s", { text(t) { if (t.text) t.replace("<y>", { html: true }); } }));
    return { out, chunks };
  },

  async comments() {
    const seen = [];
    const out = await rewrite("<!--keep--><div><!--set--><!--gone--><!--swap--><!--wrap--></div>", (r) => r
      .on("div", { comments(c) {
        seen.push(c.text);
        if (c.text === "set") c.text = "changed";
        else if (c.text === "gone") c.remove();
        else if (c.text === "swap") c.replace("<b>", { html: true });
        else if (c.text === "wrap") { c.before("<", { html: false }); c.after("!", {}); }
        seen.push(c.removed);
      } }));
    const streamContent = await attemptAsync(() => rewrite("<div><!--c--></div>", (r) => r.on("div", { comments(c) { c.replace(new Response("x")); } })));
    return { out, seen, streamContent };
  },

  async document() {
    const seen = {};
    const out = await rewrite('<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd"><!--c-->top<p>x</p>', (r) => r.onDocument({
      doctype(d) { seen.doctype = [d.name, d.publicId, d.systemId]; },
      comments(c) { seen.comment = c.text; },
      text(t) { (seen.text ??= []).push(t.text); },
      end(e) { e.append("<!--end-->", { html: true }); e.append("<&>"); },
    }));
    const plain = {};
    await rewrite("<!doctype html><p>", (r) => r.onDocument({ doctype(d) { plain.doctype = [d.name, d.publicId, d.systemId]; } }));
    return { out, seen, plain };
  },

  async endTag() {
    const names = [];
    const out = await rewrite("<div><p>a</p><p>b</p><p>c</p><br></div>", (r) => r
      .on("p", { element(e) {
        e.onEndTag((end) => {
          names.push(end.name);
          if (names.length === 1) { end.before("!", { html: false }); end.after("<hr>", { html: true }); }
          if (names.length === 2) end.name = "q";
          if (names.length === 3) end.remove();
        });
      } })
      .on("br", { element(e) { names.push(attempt(() => e.onEndTag(() => {}))); } }));
    return { out, names };
  },

  async content() {
    return {
      canHaveContent: await (async () => {
        const seen = [];
        await rewrite('<div><img src=x><br/><p/>t<svg><path d="M0"/><g></g></svg></div>', (r) => r.on("*", { element(e) {
          seen.push([e.tagName, e.canHaveContent, e.selfClosing, e.namespaceURI.split("/").pop()]);
          if (e.tagName === "g") e.onEndTag((end) => { end.before("<!--g-->", { html: true }); });
        } }));
        return seen;
      })(),
      endTagAfterProbe: await rewrite("<p>x</p>", (r) => r.on("p", { element(e) { e.onEndTag((end) => { end.after("!"); }); void e.canHaveContent; } })),
    };
  },

  async selectors() {
    const doc = '<div id="d" class="c1 c2" lang="en-US" data-v="abc"><p>1</p><p class="x">2</p><span>3</span><p>4</p></div><p>5</p>';
    const tags = async (selector) => {
      const hits = [];
      await rewrite(doc, (r) => r.on(selector, { element(e) { hits.push(e.tagName + (e.getAttribute("class") ? "." + e.getAttribute("class") : "")); } }));
      return hits.join(",");
    };
    const result = {};
    for (const s of ["*", "p", ".x", "#d", "div p", "div > span", "[data-v]", "[data-v=abc]", '[data-v="abc"]', "[class~=c2]", "[data-v^=a]", "[data-v$=c]", "[data-v*=b]", "[lang|=en]", "[data-v=ABC i]", "p:nth-child(2)", "p:first-child", "p:nth-of-type(2)", "p:first-of-type", "p:not(.x)", "div, span"]) {
      result[s] = await attemptAsync(() => tags(s));
    }
    const errors = {};
    for (const s of ["p:hover", "div >", "", "[", "p::before", "a:last-child", "p ~ span"]) errors[s] = attempt(() => { new HTMLRewriter().on(s, {}); return "ok"; });
    return { result, errors };
  },

  async errors() {
    const make = (handlers) => new HTMLRewriter().on("p", handlers).transform(new Response("<p>hello</p>"));
    return {
      sync: await attemptAsync(() => make({ element() { throw new RangeError("boom"); } }).text()),
      async: await attemptAsync(() => make({ async text() { await null; throw new Error("later"); } }).text()),
      thenAfter: await rewrite("<p>fine</p>", (r) => r.on("p", { element(e) { e.setInnerContent("ok"); } })),
      notObject: attempt(() => new HTMLRewriter().on("p", 5)),
      notFunction: attempt(() => new HTMLRewriter().on("p", { element: 5 })),
    };
  },

  async deadTokens() {
    const kept = {};
    await rewrite("<!doctype html><p a=1>t<!--c--></p>", (r) => r
      .onDocument({ doctype(d) { kept.doctype = d; }, end(e) { kept.end = e; } })
      .on("p", { element(e) { kept.element = e; kept.iterator = e.attributes; e.onEndTag((t) => { kept.endTag = t; }); }, text(t) { kept.text ??= t; }, comments(c) { kept.comment = c; } }));
    return {
      element: attempt(() => kept.element.getAttribute("a")),
      tagName: attempt(() => kept.element.tagName),
      iterator: attempt(() => kept.iterator.next()),
      text: attempt(() => kept.text.text),
      comment: attempt(() => kept.comment.text),
      doctype: attempt(() => kept.doctype.name),
      endTag: attempt(() => kept.endTag.name),
      end: attempt(() => kept.end.append("x")),
      asyncStillValid: await rewrite("<p>x</p>", (r) => r.on("p", { async element(e) { await scheduler.wait(1); e.setAttribute("late", "yes"); } })),
      fresh: await (async () => {
        let first;
        const tags = [];
        await rewrite("<img><img>", (r) => r.on("img", { element(e) { tags.push(first === undefined ? (first = e, "first") : first === e ? "same" : "new"); } }));
        return tags;
      })(),
    };
  },

  async streamContent() {
    const stream = (s) => new Response(s).body;
    return {
      prepend: await rewrite("<html>beta</html>", (r) => r.on("html", { element(e) { e.prepend(stream("alpha "), { html: false }); e.append(new Response(" <b>gamma</b>"), { html: true }); e.append("!"); } })),
      replace: await rewrite('<div class="d">old</div>', (r) => r.on(".d", { async element(e) { e.replace((await fetch("data:,goodbye%20world")).body); } })),
      text: await rewrite("<p>abc</p>", (r) => r.on("p", { text(t) { if (t.text) t.replace(stream("xyz")); } })),
      empty: await rewrite("<p>abc</p>", (r) => r.on("p", { element(e) { e.append(new Response(null)); } })),
      badUtf8: await attemptAsync(() => rewrite("<p>x</p>", (r) => r.on("p", { element(e) { e.prepend(new Response(new Uint8Array([0x61, 0xe2, 0x28, 0xa1]))); } }))),
      documentEnd: await attemptAsync(() => rewrite("<p>x</p>", (r) => r.onDocument({ end(e) { e.append(stream("x")); } }))),
    };
  },

  async handlerThis() {
    class Handlers {
      count = 0;
      element() { this.count++; }
      text(t) { if (t.lastInTextNode) this.last = true; }
    }
    const h = new Handlers();
    await rewrite("<p>a</p><p>b</p>", (r) => r.on("p", h));
    const doc = { n: 0, end() { this.n++; } };
    await rewrite("<p>", (r) => r.onDocument(doc));
    return { count: h.count, last: h.last, doc: doc.n };
  },

  async transform() {
    const r = new HTMLRewriter().on("p", { element(e) { e.setInnerContent("new"); } });
    const original = new Response("<p>old</p>", { status: 201, statusText: "Made", headers: { "x-a": "1", "content-type": "text/html;charset=UTF-8", "content-length": "10" } });
    const out = r.transform(original);
    const empty = new Response(null, { status: 204 });
    return {
      status: [out.status, out.statusText],
      headers: [out.headers.get("x-a"), out.headers.get("content-type"), out.headers.get("content-length")],
      notSame: out !== original,
      body: await out.text(),
      originalUsed: original.bodyUsed,
      nullBody: new HTMLRewriter().transform(empty) === empty,
      errorResponse: attempt(() => new HTMLRewriter().transform(Response.error())),
      notResponse: attempt(() => new HTMLRewriter().transform("<p>")),
      badCharset: attempt(() => new HTMLRewriter().on("*", {}).transform(new Response("x", { headers: { "content-type": "text/html; charset=invalid" } }))),
      utf16: attempt(() => new HTMLRewriter().transform(new Response("x", { headers: { "content-type": "text/html; charset=utf-16" } }))),
      latin1: await new HTMLRewriter().on("p", { element(e) { e.setAttribute("a", "b"); } }).transform(new Response("<p>x</p>", { headers: { "content-type": "text/html; charset=iso-8859-1" } })).text(),
      passthrough: await new HTMLRewriter().transform(new Response("plain text, no tags")).text(),
      reuse: await (async () => {
        const shared = new HTMLRewriter().on("b", { element(e) { e.setInnerContent("B"); } });
        return [await shared.transform(new Response("<b>1</b>")).text(), await shared.transform(new Response("<b>2</b>")).text()];
      })(),
      unicode: await rewrite("<p title='héllo'>日本語 😀</p>", (r) => r.on("p", { element(e) { e.setAttribute("data-t", e.getAttribute("title") + "→✓"); e.append("ü"); } })),
      bytesInput: await new HTMLRewriter().on("i", { element(e) { e.remove(); } }).transform(new Response(new Blob(["<p>a<i>b</i>c</p>"]).stream())).text(),
    };
  },
};

export default {
  async fetch(request) {
    const name = new URL(request.url).pathname.slice(1);
    const route = routes[name];
    if (!route) return new Response("no route", { status: 404 });
    return Response.json(await route());
  },
};
`;

before(async () => {
  dev = await startWorker({ files: { "index.js": worker } });
});
after(async () => {
  await dev?.stop();
});

async function get(path: string): Promise<any> {
  const res = await fetch(`${dev.url}/${path}`);
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

const DEAD = "THREW TypeError: This content token is no longer valid. Content tokens are only valid during the execution of the relevant content handler.";

test("element handlers read and rewrite elements", async () => {
  const { out, seen } = await get("element");
  assert.equal(
    out,
    '&lt;b&gt;&amp;&lt;/b&gt;<hr><section id="main" class="a b" data-y="2"><p><i>0</i>&lt;1&gt;one&lt;2&gt;<i>3</i></p><span>&lt;x&gt;</span><em><x></em>Bsix</section><footer>',
  );
  assert.deepEqual(seen, {
    tagName: "div",
    attributes: [["id", "main"], ["class", "a b"], ["data-x", "1"]],
    id: "main",
    missing: null,
    has: [true, false],
    namespace: "http://www.w3.org/1999/xhtml",
    removedBefore: false,
    chain: true,
    removedAfterReplace: true,
  });
});

test("the attributes iterator behaves like workerd's", async () => {
  const seen = await get("attributes");
  assert.equal(seen.proto, true);
  assert.equal(seen.self, true);
  assert.deepEqual(seen.first, { done: false, value: ["href", "/x"] });
  const modified = "THREW Error: The attributes of this element have been modified during iteration. You must create a new iterator after modifying attributes.";
  assert.equal(seen.afterSet, modified);
  assert.equal(seen.afterRemove, modified);
  assert.deepEqual(seen.fresh, [["href", "/x"], ["title", "t"], ["disabled", ""], ["rel", "x"]]);
  assert.equal(seen.empty, "");
  assert.deepEqual(seen.exhausted, [{ done: true }, { done: true }]);
  assert.equal(seen.badName, "THREW TypeError: Parser error: ` ` character is forbidden in the attribute name");
  assert.equal(seen.badTag, "THREW TypeError: Parser error: ` ` character is forbidden in the tag name");
  assert.equal(seen.stillWorks, "/x");
});

test("text chunks: text, lastInTextNode, before/after/replace/remove", async () => {
  const { out, chunks } = await get("text");
  assert.equal(out, "<p>[hello world]</p><q></q><s><y></s>");
  assert.deepEqual(chunks[0], ["hello world", false, false]);
  assert.deepEqual(chunks.at(-3), ["", true, false]);
  assert.deepEqual(chunks.filter((c: unknown[]) => c[0] === "removed"), [["removed", true], ["removed", true]]);
});

test("comments: text, remove, replace, before/after; string content only", async () => {
  const { out, seen, streamContent } = await get("comments");
  assert.equal(out, "<!--keep--><div><!--changed--><b>&lt;<!--wrap-->!</div>");
  assert.deepEqual(seen, ["set", false, "gone", true, "swap", true, "wrap", false]);
  assert.equal(
    streamContent,
    "THREW TypeError: Replacing HTML content using a ReadableStream or Response object is not implemented. You must provide a string.",
  );
});

test("document handlers: doctype, comments, text, end", async () => {
  const { out, seen, plain } = await get("document");
  assert.equal(
    out,
    '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd"><!--c-->top<p>x</p><!--end-->&lt;&amp;&gt;',
  );
  assert.deepEqual(seen.doctype, ["html", "-//W3C//DTD HTML 4.01//EN", "http://www.w3.org/TR/html4/strict.dtd"]);
  assert.equal(seen.comment, "c");
  assert.equal(seen.text.join(""), "topx");
  assert.deepEqual(plain.doctype, ["html", null, null]);
});

test("onEndTag: before/after/remove/rename the end tag; void elements have none", async () => {
  const { out, names } = await get("endTag");
  assert.equal(out, "<div><p>a!</p><hr><p>b</q><p>c<br></div>");
  assert.deepEqual(names, ["p", "p", "p", "THREW TypeError: Parser error: No end tag."]);
});

test("canHaveContent, selfClosing and namespaceURI", async () => {
  const { canHaveContent, endTagAfterProbe } = await get("content");
  assert.deepEqual(canHaveContent, [
    ["div", true, false, "xhtml"],
    ["img", false, false, "xhtml"],
    ["br", false, false, "xhtml"],
    ["p", true, false, "xhtml"],
    ["svg", true, false, "svg"],
    ["path", false, true, "svg"],
    ["g", true, false, "svg"],
  ]);
  assert.equal(endTagAfterProbe, "<p>x</p>!");
});

test("the selector subset Cloudflare documents; unsupported selectors throw workerd's TypeError", async () => {
  const { result, errors } = await get("selectors");
  const div = "div.c1 c2";
  assert.deepEqual(result, {
    "*": `${div},p,p.x,span,p,p`,
    p: "p,p.x,p,p",
    ".x": "p.x",
    "#d": div,
    "div p": "p,p.x,p",
    "div > span": "span",
    "[data-v]": div,
    "[data-v=abc]": div,
    '[data-v="abc"]': div,
    "[class~=c2]": div,
    "[data-v^=a]": div,
    "[data-v$=c]": div,
    "[data-v*=b]": div,
    "[lang|=en]": div,
    "[data-v=ABC i]": div,
    // The top-level <p> is the second child of <body>, and the first <p> among its siblings.
    "p:nth-child(2)": "p.x,p",
    "p:first-child": "p",
    "p:nth-of-type(2)": "p.x",
    "p:first-of-type": "p,p",
    "p:not(.x)": "p,p,p",
    "div, span": `${div},span`,
  });
  // workerd's message, then the selector it was about.
  assert.deepEqual(errors, {
    "p:hover": 'THREW TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector. (selector "p:hover")',
    "div >": 'THREW TypeError: Parser error: Dangling combinator in selector. (selector "div >")',
    "": 'THREW TypeError: Parser error: The selector is empty. (selector "")',
    "[": 'THREW TypeError: Parser error: Unexpected end of selector. (selector "[")',
    "p::before": 'THREW TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector. (selector "p::before")',
    "a:last-child": 'THREW TypeError: Parser error: Unsupported pseudo-class or pseudo-element in selector. (selector "a:last-child")',
    "p ~ span": errors["p ~ span"],
  });
  assert.match(errors["p ~ span"], /\(selector "p ~ span"\)$/);
  assert.match(errors["p ~ span"], /^THREW TypeError: Parser error: /);
});

test("a handler's exception (sync or async) errors the rewritten body; later rewrites still work", async () => {
  const seen = await get("errors");
  assert.equal(seen.sync, "THREW RangeError: boom");
  assert.equal(seen.async, "THREW Error: later");
  assert.equal(seen.thenAfter, "<p>ok</p>");
  assert.match(seen.notObject, /^THREW TypeError: /);
  assert.match(seen.notFunction, /^THREW TypeError: /);
});

test("tokens are only valid while their handler runs (until its promise settles)", async () => {
  const seen = await get("deadTokens");
  for (const key of ["element", "tagName", "iterator", "text", "comment", "doctype", "endTag", "end"]) assert.equal(seen[key], DEAD, key);
  assert.equal(seen.asyncStillValid, '<p late="yes">x</p>');
  assert.deepEqual(seen.fresh, ["first", "new"]);
});

test("content from a ReadableStream or Response is inserted in call order", async () => {
  const seen = await get("streamContent");
  assert.equal(seen.prepend, "<html>alpha beta <b>gamma</b>!</html>");
  assert.equal(seen.replace, "goodbye world");
  assert.equal(seen.text, "<p>xyz</p>");
  assert.equal(seen.empty, "<p>abc</p>");
  assert.equal(seen.badUtf8, "THREW TypeError: Parser error: Invalid UTF-8");
  assert.equal(
    seen.documentEnd,
    "THREW TypeError: Replacing HTML content using a ReadableStream or Response object is not implemented. You must provide a string.",
  );
});

test("handlers are called with their handler object as `this`", async () => {
  assert.deepEqual(await get("handlerThis"), { count: 2, last: true, doc: 1 });
});

test("transform(): a new Response with the same head; null bodies, error responses, charsets", async () => {
  const seen = await get("transform");
  assert.deepEqual(seen.status, [201, "Made"]);
  assert.deepEqual(seen.headers, ["1", "text/html;charset=UTF-8", null]);
  assert.equal(seen.notSame, true);
  assert.equal(seen.originalUsed, true);
  assert.equal(seen.body, "<p>new</p>");
  assert.equal(seen.nullBody, true);
  assert.equal(seen.errorResponse, "THREW TypeError: HTMLRewriter cannot transform an error response");
  assert.match(seen.notResponse, /^THREW TypeError: /);
  assert.equal(seen.badCharset, "THREW TypeError: Parser error: Unknown character encoding has been provided.");
  assert.equal(seen.utf16, "THREW TypeError: Parser error: Unknown character encoding has been provided.");
  assert.equal(seen.latin1, '<p a="b">x</p>');
  assert.equal(seen.passthrough, "plain text, no tags");
  assert.deepEqual(seen.reuse, ["<b>B</b>", "<b>B</b>"]);
  assert.equal(seen.unicode, "<p title='héllo' data-t=\"héllo→✓\">日本語 😀ü</p>");
  assert.equal(seen.bytesInput, "<p>ac</p>");
});
