// WHATWG streams, BYOB readers, and Cloudflare's IdentityTransformStream / FixedLengthStream.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createWebIsolate, type WebIsolate } from "./web-harness.ts";

let w: WebIsolate;
before(async () => {
  w = await createWebIsolate();
});
after(() => w.dispose());

test("ReadableStream: pull respects highWaterMark (backpressure) and cancel reaches the source", async () => {
  const r = await w.run(`
    let pulls = 0, cancelled;
    const rs = new ReadableStream({ pull(c) { pulls++; c.enqueue(pulls); }, cancel(reason) { cancelled = reason; } }, new CountQueuingStrategy({ highWaterMark: 3 }));
    await null; await null; await null; await null; await null;
    const pullsBeforeRead = pulls;
    const reader = rs.getReader();
    const first = await reader.read();
    await null; await null;
    await reader.cancel("stop");
    const closed = await reader.closed.then(() => "closed");
    return [pullsBeforeRead, first, cancelled, closed, rs.locked];
  `);
  assert.deepEqual(r, [3, { value: 1, done: false }, "stop", "closed", true]);
});

test("WritableStream: desiredSize / ready reflect backpressure; errors propagate", async () => {
  const r = await w.run(`
    const written = [];
    let release;
    const ws = new WritableStream({ write(chunk) { written.push(chunk); return new Promise((r) => { release = r; }); } }, { highWaterMark: 2 });
    const writer = ws.getWriter();
    const sizes = [writer.desiredSize];
    writer.write("a"); writer.write("b"); writer.write("c");
    sizes.push(writer.desiredSize);
    let readyResolved = false; writer.ready.then(() => { readyResolved = true; });
    await null; await null;
    const before = readyResolved;
    while (written.length < 3) { release(); await null; await null; await null; }
    release(); await null; await null; await null;
    const bad = new WritableStream({ write() { throw new Error("sink failed"); } });
    const bw = bad.getWriter();
    let err; try { await bw.write("x"); } catch (e) { err = e.message; }
    return [sizes, before, readyResolved, written, err];
  `);
  assert.deepEqual(r, [[2, -1], false, true, ["a", "b", "c"], "sink failed"]);
});

test("TransformStream pipeThrough, tee, pipeTo with an AbortSignal", async () => {
  const r = await w.run(`
    const src = () => new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
    const upper = new TransformStream({ transform(ch, c) { c.enqueue(ch.toUpperCase()); }, flush(c) { c.enqueue("!"); } });
    const out = [];
    for await (const x of src().pipeThrough(upper)) out.push(x);
    const [t1, t2] = src().tee();
    const a = [], b = [];
    for await (const x of t1) a.push(x);
    for await (const x of t2) b.push(x);
    const ac = new AbortController();
    const never = new ReadableStream({ pull() { return new Promise(() => {}); } });
    const p = never.pipeTo(new WritableStream(), { signal: ac.signal });
    ac.abort(new Error("piping aborted"));
    let pipeErr; try { await p; } catch (e) { pipeErr = e.message; }
    const aborted = AbortSignal.abort();
    let pre; try { await src().pipeTo(new WritableStream(), { signal: aborted }); } catch (e) { pre = e.name; }
    return [out, a, b, pipeErr, pre];
  `);
  assert.deepEqual(r, [["A", "B", "!"], ["a", "b"], ["a", "b"], "piping aborted", "AbortError"]);
});

test("ReadableStream.from and async iteration with early exit cancels", async () => {
  const r = await w.run(`
    async function* gen() { yield 1; yield 2; yield 3; }
    const out = [];
    for await (const x of ReadableStream.from(gen())) out.push(x);
    let cancelled = false;
    const rs = new ReadableStream({ pull(c) { c.enqueue(0); }, cancel() { cancelled = true; } });
    for await (const x of rs) break;
    return [out, cancelled, typeof ReadableStream.prototype.values];
  `);
  assert.deepEqual(r, [[1, 2, 3], true, "function"]);
});

test("byte streams: BYOB reader fills the caller's buffer; byobRequest.respond", async () => {
  const r = await w.run(`
    let n = 0;
    const rs = new ReadableStream({
      type: "bytes",
      pull(c) {
        const req = c.byobRequest;
        if (n++ >= 2) { c.close(); req?.respond(0); return; }
        const v = req.view;
        for (let i = 0; i < 3; i++) v[i] = n * 10 + i;
        req.respond(3);
      },
    });
    const reader = rs.getReader({ mode: "byob" });
    const r1 = await reader.read(new Uint8Array(8));
    const v1 = [...r1.value], len1 = r1.value.byteLength, bufLen = r1.value.buffer.byteLength;
    const r2 = await reader.read(new Uint8Array(r1.value.buffer));
    const detached = r1.value.buffer.byteLength;
    const r3 = await reader.read(new Uint8Array(4));
    const auto = new ReadableStream({ type: "bytes", autoAllocateChunkSize: 4, pull(c) { c.byobRequest.view[0] = 7; c.byobRequest.respond(1); c.close(); } });
    const d = await auto.getReader().read();
    return [v1, len1, bufLen, detached, [...r2.value], r3.done, reader instanceof ReadableStreamBYOBReader, [...d.value]];
  `);
  assert.deepEqual(r, [[10, 11, 12], 3, 8, 0, [20, 21, 22], true, true, [7]]);
});

test("IdentityTransformStream passes bytes through; BYOB works; rejects strings; write waits for the reader", async () => {
  const r = await w.run(`
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    let wrote = false;
    const p1 = writer.write(new Uint8Array([1, 2, 3, 4, 5])).then(() => { wrote = true; });
    await null; await null; await null; await null;
    const before = wrote;
    const reader = readable.getReader({ mode: "byob" });
    const a = await reader.read(new Uint8Array(2));
    const b = await reader.read(new Uint8Array(10));
    await p1;
    writer.write(new Uint16Array([0x0201]).buffer);
    const c = await reader.read(new Uint8Array(10));
    writer.close();
    const d = await reader.read(new Uint8Array(1));
    const t = new IdentityTransformStream();
    const tw = t.writable.getWriter();
    let strErr; try { await tw.write("text"); } catch (e) { strErr = e.message; }
    return [before, [...a.value], [...b.value], wrote, [...c.value], d.done, strErr, t instanceof IdentityTransformStream];
  `);
  assert.deepEqual(r, [
    false, [1, 2], [3, 4, 5], true, [1, 2], true,
    "This TransformStream is being used as a byte stream, but received a string on its writable side. If you wish to write a string, you'll probably want to explicitly UTF-8-encode it with TextEncoder.",
    true,
  ]);
});

test("IdentityTransformStream works as a pipeThrough target and with default readers", async () => {
  const r = await w.run(`
    const src = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("hello ")); c.enqueue(new TextEncoder().encode("world")); c.close(); } });
    let s = "";
    for await (const chunk of src.pipeThrough(new IdentityTransformStream()).pipeThrough(new TextDecoderStream())) s += chunk;
    return s;
  `);
  assert.equal(r, "hello world");
});

test("FixedLengthStream: exact length ok; too many / too few bytes error; expectedLength", async () => {
  const r = await w.run(`
    async function drain(rs) { const out = []; const rd = rs.getReader(); try { for (;;) { const { value, done } = await rd.read(); if (done) return ["ok", out]; out.push(...value); } } catch (e) { return ["err", e.message]; } }
    const ok = new FixedLengthStream(5);
    const okW = ok.writable.getWriter();
    okW.write(new Uint8Array([1, 2])); okW.write(new Uint8Array([3, 4, 5])); okW.close();
    const okR = await drain(ok.readable);

    const over = new FixedLengthStream(3);
    const overW = over.writable.getWriter();
    const overWrite = overW.write(new Uint8Array([1, 2, 3, 4])).catch((e) => e.message);
    const overR = await drain(over.readable);

    const under = new FixedLengthStream(3n);
    const underW = under.writable.getWriter();
    underW.write(new Uint8Array([1, 2]));
    const underClose = underW.close().catch((e) => e.constructor.name + ": " + e.message);
    const underR = await drain(under.readable);

    let badLen; try { new FixedLengthStream(-1); } catch (e) { badLen = e.constructor.name; }
    return [okR, await overWrite, overR, await underClose, underR, ok.expectedLength, badLen, new FixedLengthStream(0) instanceof IdentityTransformStream];
  `);
  assert.deepEqual(r, [
    ["ok", [1, 2, 3, 4, 5]],
    "Attempt to write too many bytes through a FixedLengthStream.",
    ["err", "Attempt to write too many bytes through a FixedLengthStream."],
    "TypeError: FixedLengthStream did not see all expected bytes before close().",
    ["err", "FixedLengthStream did not see all expected bytes before close()."],
    5,
    "TypeError",
    true,
  ]);
});

test("queuing strategies", async () => {
  const r = await w.run(`
    const b = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
    const c = new CountQueuingStrategy({ highWaterMark: 2 });
    return [b.highWaterMark, b.size(new Uint8Array(5)), c.highWaterMark, c.size("anything")];
  `);
  assert.deepEqual(r, [16, 5, 2, 1]);
});
