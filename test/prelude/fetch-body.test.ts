// Request, Response, the Body mixin, Blob, File, FormData and multipart inside a real isolate.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createFetchIsolate, type FetchIsolate } from "./fetch-harness.ts";

let iso: FetchIsolate;
before(async () => {
  iso = await createFetchIsolate();
});
after(() => iso.dispose());

const T = `const msg = async (f) => { try { await f(); return "ok"; } catch (e) { return e.name + ": " + e.message; } };`;

test("Response basics: defaults, status text, ok, type, json, clone", async () => {
  const r = await iso.run(`
    const a = new Response("hi");
    const b = new Response(null, { status: 404 });
    const c = new Response("x", { status: 299, statusText: "Fine" });
    const j = Response.json({ a: 1 }, { status: 201, headers: { "x-y": "z" } });
    const j2 = Response.json([1], { headers: { "content-type": "application/vnd+json" } });
    const e = Response.error();
    const cl = a.clone();
    return {
      a: [a.status, a.statusText, a.ok, a.type, a.url, a.redirected, a.headers.get("content-type"), a.bodyUsed, a.body !== null],
      b: [b.status, b.statusText, b.ok, b.body],
      c: [c.statusText, new Response("", { status: 599 }).statusText, new Response("", { status: 250 }).statusText],
      j: [j.status, j.headers.get("content-type"), j.headers.get("x-y"), await j.text()],
      j2: j2.headers.get("content-type"),
      e: [e.status, e.type, e.statusText, e.ok],
      clone: [await cl.text(), await a.text()],
      tag: String(a), name: Response.name, proto: Object.getPrototypeOf(Response.prototype).constructor.name,
    };
  `);
  assert.deepEqual(r, {
    a: [200, "OK", true, "default", "", false, "text/plain;charset=UTF-8", false, true],
    b: [404, "Not Found", false, null],
    c: ["Fine", "Server Error", "Successful"],
    j: [201, "application/json", "z", '{"a":1}'],
    j2: "application/vnd+json",
    e: [0, "error", "", false],
    clone: ["hi", "hi"],
    tag: "[object Response]",
    name: "Response",
    proto: "Body",
  });
});

test("Response validation follows workerd", async () => {
  const r = await iso.run(`${T}
    return {
      low: await msg(() => new Response("", { status: 199 })),
      high: await msg(() => new Response("", { status: 600 })),
      ws101: await msg(() => new Response(null, { status: 101 })),
      wsOk: await msg(() => new Response(null, { status: 101, webSocket: {} })),
      wsBad: await msg(() => new Response(null, { status: 200, webSocket: {} })),
      nullBody: await msg(() => new Response("x", { status: 204 })),
      nullBodyEmpty: await msg(() => new Response("", { status: 204 })),
      nullBodyStream: await msg(() => new Response(new ReadableStream(), { status: 304 })),
      statusText: await msg(() => new Response("", { statusText: "a\\nb" })),
      encodeBody: await msg(() => new Response("", { encodeBody: "gzip" })),
      redirect: await msg(() => Response.redirect("https://a/", 200)),
      redirectRel: await msg(() => Response.redirect("/relative")),
      redirectOk: Response.redirect("https://a.example/p?q").headers.get("location"),
      redirectStatus: Response.redirect("https://a.example/").status,
      emptyIsNull: new Response("", { status: 204 }).body,
      jsonBad: await msg(() => Response.json(undefined)),
    };
  `);
  assert.deepEqual(r, {
    low: "RangeError: Responses may only be constructed with status codes in the range 200 to 599, inclusive.",
    high: "RangeError: Responses may only be constructed with status codes in the range 200 to 599, inclusive.",
    ws101: "RangeError: Responses may only be constructed with status codes in the range 200 to 599, inclusive.",
    wsOk: "ok",
    wsBad: "RangeError: Responses with a WebSocket must have status code 101.",
    nullBody: "TypeError: Response with null body status (101, 204, 205, or 304) cannot have a body.",
    nullBodyEmpty: "ok",
    nullBodyStream: "TypeError: Response with null body status (101, 204, 205, or 304) cannot have a body.",
    statusText: "TypeError: Invalid statusText",
    encodeBody: "TypeError: encodeBody: unexpected value: gzip",
    redirect: "RangeError: 200 is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.",
    redirectRel: "TypeError: Unable to parse URL: /relative",
    redirectOk: "https://a.example/p?q",
    redirectStatus: 302,
    emptyIsNull: null,
    jsonBad: "TypeError: Value is not JSON serializable.",
  });
});

test("new Response(body, response) copies status, headers and cf", async () => {
  const r = await iso.run(`
    const orig = new Response("a", { status: 418, headers: { "x-a": "1" }, cf: { cacheTtl: 5 } });
    const copy = new Response("b", orig);
    copy.headers.set("x-a", "2");
    return [copy.status, copy.statusText, copy.headers.get("x-a"), orig.headers.get("x-a"), copy.cf.cacheTtl, copy.cf !== orig.cf, await copy.text()];
  `);
  assert.deepEqual(r, [418, "I'm a teapot", "2", "1", 5, true, "b"]);
});

test("body can be read once; the error matches workerd", async () => {
  const r = await iso.run(`${T}
    const a = new Response("once");
    await a.text();
    const b = new Response("x");
    const reader = b.body.getReader();
    return {
      again: await msg(() => a.text()),
      used: a.bodyUsed,
      clone: await msg(() => a.clone()),
      locked: await msg(() => b.text()),
      bodyAfter: a.body !== null,
    };
  `);
  assert.deepEqual(r, {
    again: "TypeError: Body has already been used. It can only be used once. Use tee() first if you need to read it twice.",
    used: true,
    clone: "TypeError: Body has already been used. It can only be used once. Use tee() first if you need to read it twice.",
    locked: "TypeError: This ReadableStream is currently locked to a reader.",
    bodyAfter: true,
  });
});

test("body readers: arrayBuffer, bytes, json, blob, stream bodies, iterables", async () => {
  const r = await iso.run(`
    const enc = new TextEncoder();
    const stream = () => new ReadableStream({ start(c) { c.enqueue(enc.encode('{"a":')); c.enqueue(enc.encode('[1,2]}')); c.close(); } });
    const ab = await new Response(new Uint8Array([1, 2, 3]).subarray(1)).arrayBuffer();
    const bytes = await new Response("é").bytes();
    const json = await new Response(stream()).json();
    const blob = await new Response("xyz", { headers: { "content-type": "text/x" } }).blob();
    async function* gen() { yield enc.encode("g1"); yield enc.encode("g2"); }
    const fromGen = await new Response(gen()).text();
    const bom = await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0xff])).text();
    const bad = new Response(new ReadableStream({ start(c) { c.enqueue("str"); c.close(); } }));
    let badErr; try { await bad.text(); } catch (e) { badErr = e.name + ": " + e.message; }
    const usp = new Response(new URLSearchParams({ a: "1 2", b: "é" }));
    return {
      ab: [ab instanceof ArrayBuffer, ab.byteLength, [...new Uint8Array(ab)]],
      bytes: [bytes instanceof Uint8Array, [...bytes]],
      json,
      blob: [blob.size, blob.type, await blob.text()],
      fromGen, bom, badErr,
      usp: [usp.headers.get("content-type"), await usp.text()],
    };
  `);
  assert.deepEqual(r, {
    ab: [true, 2, [2, 3]],
    bytes: [true, [0xc3, 0xa9]],
    json: { a: [1, 2] },
    blob: [3, "text/x", "xyz"],
    fromGen: "g1g2",
    bom: "A\ufffd",
    badErr: "TypeError: This ReadableStream did not return bytes.",
    usp: ["application/x-www-form-urlencoded;charset=UTF-8", "a=1+2&b=%C3%A9"],
  });
});

test("buffer bodies are copied at construction", async () => {
  const r = await iso.run(`
    const u = new Uint8Array([1, 2]);
    const res = new Response(u);
    u[0] = 9;
    return [...new Uint8Array(await res.arrayBuffer())];
  `);
  assert.deepEqual(r, [1, 2]);
});

test("clone of a stream body tees it", async () => {
  const r = await iso.run(`
    const res = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([65])); c.enqueue(new Uint8Array([66])); c.close(); } }));
    const c = res.clone();
    return [await c.text(), await res.text(), res.bodyUsed, c.bodyUsed];
  `);
  assert.deepEqual(r, ["AB", "AB", true, true]);
});

test("bodyForTransmit: bytes without a stream for plain bodies, the stream otherwise", async () => {
  const r = await iso.run(`
    const { bodyForTransmit } = __fetchInternals;
    const describe = (b) => b === null ? null : "bytes" in b
      ? { bytes: new TextDecoder().decode(b.bytes), exact: b.bytes.byteOffset === 0 && b.bytes.byteLength === b.bytes.buffer.byteLength }
      : { stream: b.stream instanceof ReadableStream };
    const hello = new Response("hello");
    const out = {
      text: describe(bodyForTransmit(hello)),
      used: hello.bodyUsed,
      none: describe(bodyForTransmit(new Response(null))),
      blob: describe(bodyForTransmit(new Response(new Blob(["abcdef"]).slice(1, 3)))),
      view: describe(bodyForTransmit(new Response(new Uint8Array([104, 105])))),
      stream: describe(bodyForTransmit(new Response(new ReadableStream()))),
    };
    const touched = new Response("t");
    touched.body;
    out.touchedUntouched = describe(bodyForTransmit(touched));
    const read = new Response("r");
    const reader = read.body.getReader();
    reader.releaseLock();
    out.lockedOnce = describe(bodyForTransmit(read));
    const cl = new Response("shared");
    const cl2 = cl.clone();
    out.cloneA = describe(bodyForTransmit(cl));
    out.cloneB = describe(bodyForTransmit(cl2));
    try { bodyForTransmit(hello); } catch (e) { out.twice = e.message; }
    return out;
  `);
  assert.deepEqual(r, {
    text: { bytes: "hello", exact: true },
    used: true,
    none: null,
    blob: { bytes: "bc", exact: true },
    view: { bytes: "hi", exact: true },
    stream: { stream: true },
    touchedUntouched: { bytes: "t", exact: true },
    lockedOnce: { bytes: "r", exact: true },
    cloneA: { bytes: "shared", exact: true },
    cloneB: { bytes: "shared", exact: true },
    twice: "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.",
  });
});

test("Request basics: method normalisation, defaults, cf, signal, clone", async () => {
  const r = await iso.run(`${T}
    const req = new Request("https://EXAMPLE.com/a/../b?x#frag", { method: "post", body: "data", cf: { cacheTtl: 1 }, headers: { "X-A": "1" } });
    const c = req.clone();
    const copy = new Request(req, { method: "PUT" });
    return {
      req: [req.method, req.url, req.redirect, req.headers.get("content-type"), req.cf.cacheTtl, req.integrity, req.keepalive, req.fetcher, req.signal.aborted, req.cache],
      clone: [c.method, c.cf.cacheTtl, c.cf !== req.cf, await c.text()],
      copy: [copy.method, copy.headers.get("x-a"), await copy.text(), req.bodyUsed],
      patch: new Request("https://a/", { method: "patch" }).method,
      custom: await msg(() => new Request("https://a/", { method: "FOO" })),
      getBody: await msg(() => new Request("https://a/", { body: "x" })),
      headBody: await msg(() => new Request("https://a/", { method: "HEAD", body: "x" })),
      badUrl: await msg(() => new Request("/relative")),
      redirectError: await msg(() => new Request("https://a/", { redirect: "error" })),
      manual: new Request("https://a/", { redirect: "manual" }).redirect,
      integrity: await msg(() => new Request("https://a/", { integrity: "sha256-x" })),
      cache: await msg(() => new Request("https://a/", { cache: "reload" })),
      noStore: new Request("https://a/", { cache: "no-store" }).cache,
      usedBody: await msg(() => new Request(req)),
      name: Request.name,
    };
  `);
  assert.deepEqual(r, {
    req: ["POST", "https://example.com/b?x#frag", "follow", "text/plain;charset=UTF-8", 1, "", false, null, false, null],
    clone: ["POST", 1, true, "data"],
    copy: ["PUT", "1", "data", true],
    patch: "PATCH",
    custom: "TypeError: Invalid HTTP method string: FOO",
    getBody: "TypeError: Request with a GET or HEAD method cannot have a body.",
    headBody: "TypeError: Request with a GET or HEAD method cannot have a body.",
    badUrl: "TypeError: Invalid URL: /relative",
    redirectError:
      'TypeError: Invalid redirect value, must be one of "follow" or "manual" ("error" won\'t be implemented since it does not make sense at the edge; use "manual" and check the response status code).',
    manual: "manual",
    integrity: "TypeError: Subrequest integrity checking is not implemented. The integrity option must be either undefined or an empty string.",
    cache: "TypeError: Unsupported cache mode: reload",
    noStore: "no-store",
    usedBody: "TypeError: Cannot reconstruct a Request with a used body.",
    name: "Request",
  });
});

test("Request accepts a ReadableStream body without duplex, and signals", async () => {
  const r = await iso.run(`
    const body = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([111, 107])); c.close(); } });
    const req = new Request("https://a/", { method: "POST", body });
    const ctl = new AbortController();
    const sreq = new Request("https://a/", { signal: ctl.signal });
    ctl.abort();
    const noSignal = new Request(sreq, { signal: null });
    return [await req.text(), sreq.signal === ctl.signal, sreq.signal.aborted, noSignal.signal.aborted, new Request(sreq).signal === ctl.signal];
  `);
  assert.deepEqual(r, ["ok", true, true, false, true]);
});

test("incoming requests: cf kept, GET body allowed, body shared through new Request(req) with bytes", async () => {
  const r = await iso.run(`
    const { createIncomingRequest, bodyForTransmit } = __fetchInternals;
    const inc = createIncomingRequest({ method: "GET", url: "https://example.com/p", headers: [["Content-Type", "text/plain"]], body: new TextEncoder().encode("get-body"), cf: { colo: "AMS", country: "NL" } });
    const viaCtor = new Request("https://example.com/q", { method: "POST", headers: [["a", "1"]], body: new TextEncoder().encode("b"), cf: { colo: "X" } });
    const passOn = new Request("https://example.com/r", { method: "POST", body: viaCtor.body });
    const tx = bodyForTransmit(passOn);
    const keepCf = new Request(inc.clone()).cf.country;
    return {
      inc: [inc.method, inc.url, inc.cf.colo, inc.headers.get("content-type"), await inc.text()],
      ctor: [viaCtor.cf.colo, viaCtor.headers.get("a")],
      reuse: "bytes" in tx ? new TextDecoder().decode(tx.bytes) : "stream",
      original: viaCtor.bodyUsed,
      keepCf,
    };
  `);
  assert.deepEqual(r, {
    inc: ["GET", "https://example.com/p", "AMS", "text/plain", "get-body"],
    ctor: ["X", "1"],
    reuse: "b",
    original: true,
    keepCf: "NL",
  });
});

test("Blob and File", async () => {
  const r = await iso.run(`
    const b = new Blob(["ab", new Uint8Array([99, 100]), new Blob(["e"])], { type: "Text/Plain" });
    const s = b.slice(1, -1, "X/Y");
    const f = new File(["x"], "f.txt", { type: "a/b", lastModified: 42 });
    let noName; try { new File(["x"]); } catch (e) { noName = e.name; }
    const chunks = []; for await (const c of b.stream()) chunks.push(new TextDecoder().decode(c));
    return {
      b: [b.size, b.type, await b.text()],
      s: [s.size, s.type, await s.text()],
      neg: await b.slice(-2).text(),
      weird: new Blob([], { type: "a\\u00e9" }).type,
      f: [f.name, f.lastModified, f.type, f instanceof Blob, Object.prototype.toString.call(f)],
      noName,
      ab: [...new Uint8Array(await b.arrayBuffer())],
      bytes: (await b.bytes()).length,
      stream: chunks.join(""),
      now: Math.abs(new File([], "n").lastModified - Date.now()) < 5000,
    };
  `);
  assert.deepEqual(r, {
    b: [5, "text/plain", "abcde"],
    s: [3, "x/y", "bcd"],
    neg: "de",
    weird: "",
    f: ["f.txt", 42, "a/b", true, "[object File]"],
    noName: "TypeError",
    ab: [97, 98, 99, 100, 101],
    bytes: 5,
    stream: "abcde",
    now: true,
  });
});

test("FormData: append/set/get/getAll/has/delete/iteration and Blob wrapping", async () => {
  const r = await iso.run(`
    const fd = new FormData();
    fd.append("a", "1");
    fd.append("b", new Blob(["x"], { type: "t/x" }));
    fd.append("a", "2");
    fd.append("c", new Blob(["y"]), "named.bin");
    const file = new File(["z"], "orig.txt");
    fd.append("d", file);
    const first = [...fd.keys()];
    fd.set("a", "3");
    const b = fd.get("b");
    const out = {
      first,
      afterSet: [...fd].map(([k, v]) => k + "=" + (typeof v === "string" ? v : "File:" + v.name)),
      getAll: fd.getAll("a"),
      has: [fd.has("c"), fd.has("zz")],
      blob: [b instanceof File, b.name, b.type],
      named: fd.get("c").name,
      same: fd.get("d") === file,
      missing: fd.get("zz"),
    };
    fd.delete("a");
    out.afterDelete = [...fd.keys()];
    return out;
  `);
  assert.deepEqual(r, {
    first: ["a", "b", "a", "c", "d"],
    afterSet: ["a=3", "b=File:blob", "c=File:named.bin", "d=File:orig.txt"],
    getAll: ["3"],
    has: [true, false],
    blob: [true, "blob", "t/x"],
    named: "named.bin",
    same: true,
    missing: null,
    afterDelete: ["b", "c", "d"],
  });
});

test("multipart round trip and parsing edge cases", async () => {
  const r = await iso.run(`${T}
    const fd = new FormData();
    fd.append('na"me', "v\\r\\nline");
    fd.append("file", new File([new Uint8Array([0, 255, 13, 10, 45, 45])], "a\\"b.bin", { type: "application/x-bin" }));
    fd.append("empty", new File([], "e.txt"));
    const req = new Request("https://a/", { method: "POST", body: fd });
    const ct = req.headers.get("content-type");
    const parsed = await req.clone().formData();
    const raw = await req.text();
    const f = parsed.get("file");
    const parse = (body, type) => new Response(body, { headers: { "content-type": type } }).formData();
    const quoted = await parse('preamble\\r\\n--b\\r\\nContent-Disposition: form-data; name="x"\\r\\n\\r\\nval\\r\\n--b--\\r\\n', 'multipart/form-data; boundary="b"');
    const lf = await parse('--zz\\nContent-Disposition: form-data; name="y"; filename="f.txt"\\nContent-Type: text/plain\\n\\nhello\\n--zz--', "multipart/form-data; boundary=zz");
    const lfFile = lf.get("y");
    const urlenc = await parse("a=1&b=x+y&c=%E2%82%AC&a=2&&d", "application/x-www-form-urlencoded");
    return {
      ctOk: /^multipart\\/form-data; boundary=[0-9a-f]{32}$/.test(ct),
      rawHasEscapes: raw.includes('name="na%22me"') && raw.includes('filename="a%22b.bin"') && raw.includes("Content-Type: application/octet-stream"),
      name: [...parsed.keys()],
      value: parsed.get('na%22me'),
      file: [f.name, f.type, [...new Uint8Array(await f.arrayBuffer())]],
      empty: parsed.get("empty").size,
      quoted: quoted.get("x"),
      lf: [lfFile.name, lfFile.type, await lfFile.text()],
      urlenc: [...urlenc],
      noCt: await msg(() => new Response("a=1").formData().then(() => {}, (e) => { throw e; })),
      noCt2: await msg(async () => { const r = new Response("a=1"); r.headers.delete("content-type"); await r.formData(); }),
      badType: await msg(() => parse("x", "text/plain")),
      noBoundary: await msg(() => parse("x", "multipart/form-data")),
      noInitial: await msg(() => parse("nothing", "multipart/form-data; boundary=q")),
      noName: await msg(() => parse('--q\\r\\nContent-Disposition: form-data\\r\\n\\r\\nv\\r\\n--q--', "multipart/form-data; boundary=q")),
      truncated: await msg(() => parse('--q\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\nv', "multipart/form-data; boundary=q")),
      charset: await msg(() => parse("a=1", "application/x-www-form-urlencoded; charset=latin1")),
    };
  `);
  assert.deepEqual(r, {
    ctOk: true,
    rawHasEscapes: true,
    name: ["na%22me", "file", "empty"],
    value: "v\r\nline",
    file: ['a%22b.bin', "application/x-bin", [0, 255, 13, 10, 45, 45]],
    empty: 0,
    quoted: "val",
    lf: ["f.txt", "text/plain", "hello"],
    urlenc: [["a", "1"], ["b", "x y"], ["c", "€"], ["a", "2"], ["d", ""]],
    noCt: "TypeError: Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded",
    noCt2: "TypeError: Parsing a Body as FormData requires a Content-Type header.",
    badType:
      "TypeError: Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded",
    noBoundary:
      "TypeError: No boundary string in Content-Type header. The multipart/form-data MIME type requires a boundary parameter, e.g. 'Content-Type: multipart/form-data; boundary=\"abcd\"'. See RFC 7578, section 4.",
    noInitial: "TypeError: No initial boundary string (or you have a truncated message).",
    noName: "TypeError: Content-Disposition header in FormData part is missing a name.",
    truncated: "TypeError: No subsequent boundary string after multipart message.",
    charset: "TypeError: Non-utf-8 application/x-www-form-urlencoded body.",
  });
});
