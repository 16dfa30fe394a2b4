// HTMLRewriter streaming through a real `atoll dev` worker: the rewritten body leaves before the
// origin has finished, async handlers (with subrequests) pause the stream, concurrent rewrites
// with interleaved async handlers stay independent, and large documents come through intact.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startWorker, type RunningDev } from "../support/worker.ts";

let dev: RunningDev;
let origin: Server;
let originUrl = "";

/** Slow responses waiting for the test to release their second half, by id. */
const held = new Map<string, { res: ServerResponse; release(by: string): void }>();

function bigPage(items: number): string {
  let s = "<!doctype html><html><head><title>big</title></head><body><ul>";
  for (let i = 0; i < items; i++) s += `<li class="item" data-i="${i}"><a href="/p/${i}">Item ${i}</a> <span>text ${i}</span></li>`;
  return s + "</ul></body></html>";
}

const worker = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const origin = url.searchParams.get("origin");
    switch (url.pathname) {
      case "/slow": {
        const res = await fetch(origin + "/slow?id=" + url.searchParams.get("id"));
        return new HTMLRewriter()
          .on("p", { element(e) { e.setAttribute("data-rewritten", "1"); } })
          .transform(res);
      }
      case "/fetching": {
        // Each <x-include src> is replaced by the fragment a subrequest returns.
        const res = await fetch(origin + "/page");
        return new HTMLRewriter()
          .on("x-include", { async element(e) {
            const part = await fetch(origin + e.getAttribute("src"));
            e.replace(await part.text(), { html: true });
          } })
          .transform(res);
      }
      case "/interleaved": {
        let arrived = 0;
        let open;
        const gate = new Promise((r) => (open = r));
        const barrier = async () => { if (++arrived === 2) open(); await gate; };
        const [a, b] = await Promise.all([
          new HTMLRewriter().on("body", { async element(e) { await barrier(); e.setInnerContent("foo bar"); } }).transform(new Response("<body>body value</body>")).text(),
          new HTMLRewriter().on("body", { async element(e) { await barrier(); e.remove(); } }).transform(new Response("<!doctype html><html><head></head><body></body></html>")).text(),
        ]);
        const combined = await new HTMLRewriter().on("html", { element(e) { e.append(a, { html: true }); } }).transform(new Response(b)).text();
        return new Response(combined);
      }
      case "/big": {
        const res = await fetch(origin + "/big?n=" + url.searchParams.get("n"));
        let links = 0;
        return new HTMLRewriter()
          .on("a[href]", { element(e) { links++; e.setAttribute("href", "https://example.com" + e.getAttribute("href")); } })
          .on("li.item", { element(e) { e.removeAttribute("data-i"); } })
          .on("span", { text(t) { if (t.text) t.replace(t.text.toUpperCase()); } })
          .onDocument({ end(end) { end.append("<!-- links: " + links + " -->", { html: true }); } })
          .transform(res);
      }
      case "/upload":
        return new HTMLRewriter().on("b", { element(e) { e.tagName = "strong"; } }).transform(new Response(request.body, { headers: { "content-type": "text/html" } }));
      case "/slow-async": {
        const res = await fetch(origin + "/slow?id=" + url.searchParams.get("id"));
        return new HTMLRewriter()
          .on("p", { async element(e) { await scheduler.wait(1); e.setAttribute("data-async", "1"); } })
          .transform(res);
      }
    }
    return new Response("no route", { status: 404 });
  },
};
`;

before(async () => {
  origin = createServer((req, res) => {
    const url = new URL(req.url!, "http://origin");
    if (url.pathname === "/slow") {
      const id = url.searchParams.get("id")!;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.write("<html><body><p>first</p>");
      const timer = setTimeout(() => entry.release("timeout"), 15000);
      const entry = {
        res,
        release(by: string) {
          clearTimeout(timer);
          held.delete(id);
          res.end(`<!--${by}--><p>second</p></body></html>`);
        },
      };
      held.set(id, entry);
      return;
    }
    if (url.pathname === "/page") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end('<main><x-include src="/frag/a"></x-include> and <x-include src="/frag/b"></x-include></main>');
      return;
    }
    if (url.pathname.startsWith("/frag/")) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<b>${url.pathname.slice(6)}</b>`);
      return;
    }
    if (url.pathname === "/big") {
      const body = Buffer.from(bigPage(Number(url.searchParams.get("n"))));
      // A fixed Content-Length: the rewritten body is longer, and must still arrive whole.
      res.writeHead(200, { "content-type": "text/html", "content-length": String(body.byteLength) });
      let at = 0;
      const step = () => {
        while (at < body.byteLength) {
          const end = Math.min(at + 7919, body.byteLength);
          const ok = res.write(body.subarray(at, end));
          at = end;
          if (!ok) return void res.once("drain", step);
        }
        res.end();
      };
      step();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  dev = await startWorker({ files: { "index.js": worker } });
});

after(async () => {
  await dev?.stop();
  for (const h of held.values()) h.release("shutdown");
  origin.closeAllConnections();
  await new Promise<void>((r) => origin.close(() => r()));
});

/** Reads `res` until `predicate` holds for the text so far; returns that text. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, decoder: TextDecoder, sofar: string, predicate: (s: string) => boolean): Promise<string> {
  while (!predicate(sofar)) {
    const { done, value } = await reader.read();
    if (done) break;
    sofar += decoder.decode(value, { stream: true });
  }
  return sofar;
}

for (const [route, attr] of [["slow", 'data-rewritten="1"'], ["slow-async", 'data-async="1"']] as const) {
  test(`the rewritten body streams: first bytes arrive before the origin has finished (${route})`, async () => {
    const id = `${route}-${Math.random()}`;
    const res = await fetch(`${dev.url}/${route}?id=${id}&origin=${encodeURIComponent(originUrl)}`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const first = await readUntil(reader, decoder, "", (s) => s.includes("first</p>"));
    // The origin is still holding its second half: only the client can release it now.
    assert.ok(held.has(id), "the origin finished before the first rewritten bytes arrived");
    assert.equal(first, `<html><body><p ${attr}>first</p>`);
    held.get(id)!.release("client");
    const rest = await readUntil(reader, decoder, first, () => false);
    assert.equal(rest, `<html><body><p ${attr}>first</p><!--client--><p ${attr}>second</p></body></html>`);
  });
}

test("async handlers pause the stream while they make subrequests", async () => {
  const res = await fetch(`${dev.url}/fetching?origin=${encodeURIComponent(originUrl)}`);
  assert.equal(await res.text(), "<main><b>a</b> and <b>b</b></main>");
});

test("concurrent rewrites with interleaved async handlers stay independent", async () => {
  const res = await fetch(`${dev.url}/interleaved`);
  assert.equal(await res.text(), "<!doctype html><html><head></head><body>foo bar</body></html>");
  // Several requests at once, each with its own rewriters suspended in async handlers.
  const ids = [0, 1, 2, 3, 4, 5];
  const bodies = await Promise.all(ids.map(async () => (await fetch(`${dev.url}/interleaved`)).text()));
  for (const b of bodies) assert.equal(b, "<!doctype html><html><head></head><body>foo bar</body></html>");
});

test("a large document from a chunked origin is rewritten whole (origin Content-Length dropped)", async () => {
  const n = 4000;
  const res = await fetch(`${dev.url}/big?n=${n}&origin=${encodeURIComponent(originUrl)}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), null);
  const text = await res.text();
  let expected = bigPage(n)
    .replace(/ data-i="\d+"/g, "")
    .replace(/href="\/p\//g, 'href="https://example.com/p/')
    .replace(/<span>text (\d+)<\/span>/g, "<span>TEXT $1</span>");
  expected += `<!-- links: ${n} -->`;
  assert.equal(text.length, expected.length);
  assert.equal(text, expected);
});

test("a streamed request body can be rewritten", async () => {
  const parts = ["<p>a <b>bold</b>", " and <b>more", "</b></p>"];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(next));
    },
  });
  const res = await fetch(`${dev.url}/upload`, { method: "POST", body, duplex: "half" } as RequestInit);
  assert.equal(await res.text(), "<p>a <strong>bold</strong> and <strong>more</strong></p>");
});
