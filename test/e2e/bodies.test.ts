// Request and response bodies over real HTTP: text, JSON, urlencoded and multipart forms,
// binary echo, chunked uploads, streamed responses, redirects, cookies, HEAD and 204.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { startWorker, type RunningDev } from "../support/worker.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const worker = `
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const encoder = new TextEncoder();
let released = false;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      // ---- request bodies ----
      case "/text": {
        const text = await request.text();
        return Response.json({ text, length: text.length, contentType: request.headers.get("content-type") });
      }
      case "/json": {
        const body = await request.json();
        return Response.json({ doubled: body.values.map((v) => v * 2), name: body.name, bodyUsed: request.bodyUsed });
      }
      case "/form": {
        const form = await request.formData();
        const out = {};
        for (const [key, value] of form) {
          const entry = typeof value === "string"
            ? value
            : { file: true, name: value.name, type: value.type, size: value.size, sha256: hex(await crypto.subtle.digest("SHA-256", await value.arrayBuffer())) };
          (out[key] ??= []).push(entry);
        }
        return Response.json({ contentType: request.headers.get("content-type").split(";")[0], fields: out });
      }
      case "/digest": {
        const buf = await request.arrayBuffer();
        return Response.json({ length: buf.byteLength, sha256: hex(await crypto.subtle.digest("SHA-256", buf)) });
      }
      case "/echo":
        return new Response(request.body, { headers: { "content-type": "application/octet-stream" } });
      case "/chunked": {
        const reader = request.body.getReader();
        const parts = [];
        let chunks = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks++;
          parts.push(value);
        }
        const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
        let offset = 0;
        for (const p of parts) { all.set(p, offset); offset += p.byteLength; }
        return Response.json({
          contentLength: request.headers.get("content-length"),
          readChunks: chunks > 0,
          length: all.byteLength,
          sha256: hex(await crypto.subtle.digest("SHA-256", all)),
        });
      }
      case "/duplex": {
        // Answer after the first request chunk, then echo the rest as it arrives.
        const reader = request.body.getReader();
        const first = await reader.read();
        const body = new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode("got:" + new TextDecoder().decode(first.value) + "|"));
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              controller.enqueue(value);
            }
            controller.enqueue(encoder.encode("|end"));
            controller.close();
          },
        });
        return new Response(body);
      }

      // ---- response bodies ----
      case "/stream": {
        const body = new ReadableStream({
          async start(controller) {
            for (let i = 1; i <= 5; i++) {
              await sleep(5);
              controller.enqueue(encoder.encode("part " + i + "\\n"));
            }
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/plain; charset=utf-8" } });
      }
      case "/stream-gated": {
        released = false;
        const { readable, writable } = new TransformStream();
        const writer = writable.getWriter();
        (async () => {
          await writer.write(encoder.encode("first;"));
          while (!released) await sleep(5);
          await writer.write(encoder.encode("second;"));
          await writer.close();
        })();
        return new Response(readable);
      }
      case "/release":
        released = true;
        return new Response("released");
      case "/json-response":
        return Response.json({ ok: true, list: [1, 2], nested: { s: "é" } }, { status: 202, headers: { "x-extra": "1" } });
      case "/redirect":
        return Response.redirect(new URL("/target?from=redirect", url).toString());
      case "/redirect-301":
        return Response.redirect("https://example.com/elsewhere", 301);
      case "/target":
        return new Response("target reached via " + url.searchParams.get("from"));
      case "/cookies": {
        const headers = new Headers({ "content-type": "text/plain" });
        headers.append("set-cookie", "a=1; Path=/; HttpOnly");
        headers.append("set-cookie", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure");
        headers.append("x-multi", "one");
        headers.append("x-multi", "two");
        return new Response("cookies: " + headers.getSetCookie().length, { headers });
      }
      case "/head":
        return new Response("a body that a HEAD response must not carry", { headers: { "x-method": request.method } });
      case "/no-content":
        return new Response(null, { status: 204, headers: { "x-empty": "yes" } });
    }
    return new Response("not found", { status: 404 });
  },
};
`;

describe("bodies", () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startWorker({ files: { "index.js": worker } });
  });
  after(async () => {
    await dev?.stop();
  });

  // ---- request bodies ----

  test("text body", async () => {
    const text = "plain text ✓ with ünïcødé\nand a second line";
    const res = await fetch(`${dev.url}/text`, { method: "POST", body: text });
    assert.deepEqual(await res.json(), { text, length: text.length, contentType: "text/plain;charset=UTF-8" });
  });

  test("JSON body", async () => {
    const res = await fetch(`${dev.url}/json`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "numbers", values: [1, 2.5, -3] }),
    });
    assert.deepEqual(await res.json(), { doubled: [2, 5, -6], name: "numbers", bodyUsed: true });
  });

  test("urlencoded body through request.formData()", async () => {
    const body = new URLSearchParams([["name", "Ada Lovelace"], ["tag", "a&b"], ["tag", "c=d"], ["empty", ""]]);
    const res = await fetch(`${dev.url}/form`, { method: "POST", body });
    assert.deepEqual(await res.json(), {
      contentType: "application/x-www-form-urlencoded",
      fields: { name: ["Ada Lovelace"], tag: ["a&b", "c=d"], empty: [""] },
    });
  });

  test("multipart body through request.formData(), with text fields and binary files", async () => {
    const fileBytes = randomBytes(64 * 1024);
    const form = new FormData();
    form.append("title", "multipart ✓");
    form.append("tag", "x");
    form.append("tag", "y");
    form.append("upload", new Blob([fileBytes], { type: "application/octet-stream" }), "random.bin");
    form.append("note", new Blob(["hello file"], { type: "text/plain" }), "note.txt");
    const res = await fetch(`${dev.url}/form`, { method: "POST", body: form });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      contentType: "multipart/form-data",
      fields: {
        title: ["multipart ✓"],
        tag: ["x", "y"],
        upload: [{ file: true, name: "random.bin", type: "application/octet-stream", size: fileBytes.byteLength, sha256: sha256(fileBytes) }],
        note: [{ file: true, name: "note.txt", type: "text/plain", size: 10, sha256: sha256(new TextEncoder().encode("hello file")) }],
      },
    });
  });

  test("1 MB of random bytes: read whole by the worker, and echoed back as a stream", async () => {
    const bytes = randomBytes(1024 * 1024);
    const digest = await fetch(`${dev.url}/digest`, { method: "POST", body: bytes });
    assert.deepEqual(await digest.json(), { length: bytes.byteLength, sha256: sha256(bytes) });

    const echo = await fetch(`${dev.url}/echo`, { method: "POST", body: bytes });
    assert.equal(echo.status, 200);
    const back = new Uint8Array(await echo.arrayBuffer());
    assert.equal(back.byteLength, bytes.byteLength);
    assert.equal(sha256(back), sha256(bytes));
  });

  test("chunked upload without content-length", async () => {
    const parts = Array.from({ length: 8 }, (_, i) => randomBytes(16 * 1024 + i));
    const all = new Uint8Array(Buffer.concat(parts));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const p of parts) {
          controller.enqueue(new Uint8Array(p));
          await new Promise((r) => setImmediate(r));
        }
        controller.close();
      },
    });
    const res = await fetch(`${dev.url}/chunked`, { method: "POST", body, duplex: "half" } as RequestInit);
    assert.equal(res.status, 200);
    const json = (await res.json()) as Record<string, unknown>;
    assert.equal(json.contentLength, null);
    assert.equal(json.readChunks, true);
    assert.equal(json.length, all.byteLength);
    assert.equal(json.sha256, sha256(all));
  });

  test("the request body streams into the worker: it answers after the first chunk, before the upload ends", { timeout: 20000 }, async () => {
    const url = new URL(`${dev.url}/duplex`);
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "transfer-encoding": "chunked" } });
      req.on("error", reject);
      req.on("response", (res) => {
        let received = "";
        let sentRest = false;
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          received += d;
          // Only once the worker has answered for the first chunk does the client send the rest;
          // a runtime that buffered the whole upload first would never get here.
          if (!sentRest && received.includes("got:one|")) {
            sentRest = true;
            req.write("two");
            req.end("three");
          }
        });
        res.on("end", () => resolve(received));
        res.on("error", reject);
      });
      req.write("one");
      req.flushHeaders();
    });
    assert.equal(text, "got:one|twothree|end");
  });

  // ---- response bodies ----

  test("ReadableStream response with chunks produced over several awaits", async () => {
    const res = await fetch(`${dev.url}/stream`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), null);
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await res.text(), "part 1\npart 2\npart 3\npart 4\npart 5\n");
  });

  test("a streamed response reaches the client before the stream ends", { timeout: 20000 }, async () => {
    const res = await fetch(`${dev.url}/stream-gated`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    // The worker writes "first;" and then waits for /release: the client must see it first.
    let text = "";
    while (!text.includes("first;")) {
      const { done, value } = await reader.read();
      assert.equal(done, false, "stream ended before the release");
      text += decoder.decode(value, { stream: true });
    }
    assert.equal(text, "first;");
    assert.equal(await (await fetch(`${dev.url}/release`)).text(), "released");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    assert.equal(text, "first;second;");
  });

  test("Response.json with status and extra headers", async () => {
    const res = await fetch(`${dev.url}/json-response`);
    assert.equal(res.status, 202);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.headers.get("x-extra"), "1");
    assert.deepEqual(await res.json(), { ok: true, list: [1, 2], nested: { s: "é" } });
  });

  test("Response.redirect: 302 by default, explicit 301, followed by the client", async () => {
    const manual = await fetch(`${dev.url}/redirect`, { redirect: "manual" });
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get("location"), `${dev.url}/target?from=redirect`);
    await manual.arrayBuffer();

    const permanent = await fetch(`${dev.url}/redirect-301`, { redirect: "manual" });
    assert.equal(permanent.status, 301);
    assert.equal(permanent.headers.get("location"), "https://example.com/elsewhere");
    await permanent.arrayBuffer();

    const followed = await fetch(`${dev.url}/redirect`);
    assert.equal(followed.status, 200);
    assert.equal(followed.redirected, true);
    assert.equal(await followed.text(), "target reached via redirect");
  });

  test("several set-cookie headers stay separate; other repeated headers are joined", async () => {
    const res = await fetch(`${dev.url}/cookies`);
    assert.equal(await res.text(), "cookies: 2");
    assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/; HttpOnly", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure"]);
    assert.equal(res.headers.get("x-multi"), "one, two");
  });

  test("HEAD gets the headers and no body", async () => {
    const res = await fetch(`${dev.url}/head`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-method"), "HEAD");
    assert.equal((await res.arrayBuffer()).byteLength, 0);

    // Over a raw socket too: nothing follows the head on the connection.
    const url = new URL(`${dev.url}/head`);
    const raw = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: "HEAD" }, (r) => {
        let body = "";
        r.on("data", (d) => (body += d));
        r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
    assert.deepEqual(raw, { status: 200, body: "" });
  });

  test("204 No Content", async () => {
    const res = await fetch(`${dev.url}/no-content`);
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("x-empty"), "yes");
    assert.equal(await res.text(), "");
    // The connection is still usable for the next request.
    const next = await fetch(`${dev.url}/text`, { method: "POST", body: "still alive" });
    assert.equal(((await next.json()) as { text: string }).text, "still alive");
  });
});
