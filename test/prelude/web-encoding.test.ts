// TextEncoder / TextDecoder / TextEncoderStream / TextDecoderStream / atob / btoa inside a real isolate.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createWebIsolate, type WebIsolate } from "./web-harness.ts";

let w: WebIsolate;
before(async () => {
  w = await createWebIsolate();
});
after(() => w.dispose());

test("TextEncoder.encode: UTF-8 incl. astral chars and lone surrogates", async () => {
  const r = await w.run<unknown[]>(`
    const e = new TextEncoder();
    return [e.encoding, [...e.encode("aé€😀")], [...e.encode("\\ud800x")], [...e.encode("\\udc00")], e.encode().length, e.encode(undefined).length, [...e.encode(123)],
      e.encode("x") instanceof Uint8Array];
  `);
  assert.deepEqual(r, [
    "utf-8",
    [...new TextEncoder().encode("aé€😀")],
    [0xef, 0xbf, 0xbd, 0x78],
    [0xef, 0xbf, 0xbd],
    0,
    0,
    [49, 50, 51],
    true,
  ]);
});

test("TextEncoder.encodeInto never splits a character", async () => {
  const r = await w.run(`
    const e = new TextEncoder();
    const out = [];
    for (const n of [0, 1, 3, 4, 5, 7, 8, 9]) { const d = new Uint8Array(n); const res = e.encodeInto("a€😀b", d); out.push([res.read, res.written]); }
    let err; try { e.encodeInto("x", []); } catch (x) { err = x.constructor.name; }
    return [out, err];
  `);
  const node = new TextEncoder();
  const expected = [0, 1, 3, 4, 5, 7, 8, 9].map((n) => {
    const res = node.encodeInto("a€😀b", new Uint8Array(n));
    return [res.read, res.written];
  });
  assert.deepEqual(r, [expected, "TypeError"]);
});

function randomBytes(n: number, seed: number): number[] {
  // Biased towards UTF-8 lead/continuation bytes to hit the decoder's edge cases.
  const pool = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff];
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out.push(pool[x % pool.length]);
  }
  return out;
}

test("TextDecoder utf-8 matches the Encoding standard on malformed input (vs Node)", async () => {
  const cases: number[][] = [
    [0xc0, 0x80], [0xe0, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xef, 0xbb, 0xbf, 0x41],
    [0xe2, 0x82], [0x80], [0xff, 0xfe], [0xf0, 0x9f, 0x98, 0x80, 0x41],
  ];
  for (let i = 0; i < 200; i++) cases.push(randomBytes(1 + (i % 17), i + 1));
  const r = await w.run<string[]>(`return ${JSON.stringify(cases)}.map((b) => new TextDecoder().decode(new Uint8Array(b)));`);
  assert.deepEqual(r, cases.map((b) => new TextDecoder().decode(new Uint8Array(b))));
});

test("TextDecoder utf-8 stream: true across every split point equals one-shot decoding", async () => {
  const cases: number[][] = [[0xf0, 0x9f, 0x98, 0x80, 0xe2, 0x82, 0xac, 0x41], [0xe2, 0x82, 0xf0, 0x41, 0xc3]];
  for (let i = 0; i < 40; i++) cases.push(randomBytes(9, 1000 + i));
  const r = await w.run<boolean[]>(`
    return ${JSON.stringify(cases)}.map((b) => {
      const bytes = new Uint8Array(b);
      const whole = new TextDecoder().decode(bytes);
      for (let i = 0; i <= bytes.length; i++) for (let j = i; j <= bytes.length; j++) {
        const d = new TextDecoder();
        const s = d.decode(bytes.subarray(0, i), { stream: true }) + d.decode(bytes.subarray(i, j), { stream: true }) + d.decode(bytes.subarray(j));
        if (s !== whole) return false;
      }
      return true;
    });
  `);
  assert.deepEqual(r, cases.map(() => true));
});

test("TextDecoder fatal throws TypeError and the decoder stays usable", async () => {
  const r = await w.run(`
    const d = new TextDecoder("utf-8", { fatal: true });
    const out = [d.fatal];
    try { d.decode(new Uint8Array([0x41, 0xff])); } catch (e) { out.push(e.constructor.name, e.message); }
    out.push(d.decode(new Uint8Array([0x41])));
    d.decode(new Uint8Array([0xe2, 0x82]), { stream: true });
    try { d.decode(); } catch (e) { out.push("flush:" + e.constructor.name); }
    out.push(d.decode(new Uint8Array([0xe2, 0x82, 0xac])));
    return out;
  `);
  assert.deepEqual(r, [true, "TypeError", "Failed to decode input.", "A", "flush:TypeError", "€"]);
});

test("TextDecoder BOM handling (ignoreBOM, once per stream, again after flush)", async () => {
  const r = await w.run(`
    const bom = [0xef, 0xbb, 0xbf];
    const d = new TextDecoder();
    const a = d.decode(new Uint8Array([...bom, 0x41]));
    const b = d.decode(new Uint8Array([...bom, 0x42]));
    const s1 = d.decode(new Uint8Array([0xef, 0xbb]), { stream: true });
    const s2 = d.decode(new Uint8Array([0xbf, 0x43]), { stream: true });
    const s3 = d.decode(new Uint8Array([...bom]), { stream: true });
    const s4 = d.decode();
    const keep = new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([...bom, 0x41]));
    return [a, b, s1, s2, s3.charCodeAt(0), s4, keep.charCodeAt(0), keep.length];
  `);
  assert.deepEqual(r, ["A", "B", "", "C", 0xfeff, "", 0xfeff, 2]);
});

test("TextDecoder utf-16le/be: odd chunks, split surrogates, lone surrogates", async () => {
  const bytes = [0xff, 0xfe, 0x41, 0x00, 0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8, 0x42, 0x00];
  const r = await w.run<unknown[]>(`
    const b = new Uint8Array(${JSON.stringify(bytes)});
    const whole = new TextDecoder("utf-16le").decode(b);
    const parts = [];
    for (let i = 0; i <= b.length; i++) {
      const d = new TextDecoder("utf-16");
      parts.push(d.decode(b.subarray(0, i), { stream: true }) + d.decode(b.subarray(i)));
    }
    const be = new TextDecoder("utf-16be").decode(new Uint8Array([0xfe, 0xff, 0x00, 0x41, 0xd8, 0x3d, 0xde, 0x00]));
    const odd = new TextDecoder("utf-16le").decode(new Uint8Array([0x41, 0x00, 0x42]));
    let fatal; try { new TextDecoder("utf-16le", { fatal: true }).decode(new Uint8Array([0x00, 0xd8])); } catch (e) { fatal = e.constructor.name; }
    return [whole, parts.every((p) => p === whole), be, odd, fatal, new TextDecoder("unicode").encoding];
  `);
  assert.deepEqual(r, [
    new TextDecoder("utf-16le").decode(new Uint8Array(bytes)),
    true,
    "A😀",
    "A\ufffd",
    "TypeError",
    "utf-16le",
  ]);
});

test("TextDecoder labels: trimming, case, aliases, invalid labels", async () => {
  const r = await w.run(`
    const enc = (l) => { try { return new TextDecoder(l).encoding; } catch (e) { return e.constructor.name + ": " + e.message; } };
    return [" UTF8\\n", "Latin1", "ascii", "unicode-1-1-utf-8", "csunicode", "ISO-8859-2", "sjis", "gbk", "gb2312", "big5", "euc-kr", "koi8-u", "utf-32", "foo", "replacement", "x-user-defined", "\\u00a0utf-8", ""].map(enc);
  `);
  assert.deepEqual(r, [
    "utf-8", "windows-1252", "windows-1252", "utf-8", "utf-16le", "iso-8859-2", "shift_jis", "gbk", "gbk", "big5", "euc-kr", "koi8-u",
    'RangeError: "utf-32" is not a valid encoding.',
    'RangeError: "foo" is not a valid encoding.',
    'RangeError: "replacement" is not a valid encoding.',
    'RangeError: "x-user-defined" is not a valid encoding.',
    'RangeError: "\u00a0utf-8" is not a valid encoding.',
    'RangeError: "" is not a valid encoding.',
  ]);
});

test("TextDecoder windows-1252 (all 256 bytes) matches Node", async () => {
  const all = Array.from({ length: 256 }, (_, i) => i);
  const r = await w.run(`return new TextDecoder("latin1").decode(new Uint8Array(${JSON.stringify(all)}));`);
  assert.equal(r, new TextDecoder("windows-1252").decode(new Uint8Array(all)));
});

test("TextDecoder legacy encodings through the host, incl. streaming and fatal", async () => {
  const sjis = [...Buffer.from("82a082a282a4", "hex")]; // あいう
  const r = await w.run(`
    const b = new Uint8Array(${JSON.stringify(sjis)});
    const d = new TextDecoder("shift_jis");
    const streamed = [d.decode(b.subarray(0, 1), { stream: true }), d.decode(b.subarray(1, 3), { stream: true }), d.decode(b.subarray(3))];
    let fatal; try { new TextDecoder("shift_jis", { fatal: true }).decode(new Uint8Array([0x82])); } catch (e) { fatal = e.constructor.name + ": " + e.message; }
    return [new TextDecoder("shift_jis").decode(b), streamed, new TextDecoder("iso-8859-2").decode(new Uint8Array([0xa1, 0xb1])),
      new TextDecoder("gbk").decode(new Uint8Array([0xc4, 0xe3, 0xba, 0xc3])), new TextDecoder("euc-kr").decode(new Uint8Array([0xc7, 0xd1])), fatal,
      new TextDecoder("koi8-r").decode(new Uint8Array([0xc1]).buffer)];
  `);
  assert.deepEqual(r, ["あいう", ["", "あ", "いう"], "Ąą", "你好", "한", "TypeError: Failed to decode input.", "а"]);
});

test("TextDecoder.decode accepts ArrayBuffer, DataView and offset views; rejects others", async () => {
  const r = await w.run(`
    const buf = new Uint8Array([0x78, 0x41, 0x42, 0x79]).buffer;
    const d = new TextDecoder();
    let err; try { d.decode("AB"); } catch (e) { err = e.constructor.name; }
    return [d.decode(buf), d.decode(new DataView(buf, 1, 2)), d.decode(new Uint8Array(buf, 1, 2)), d.decode(new Uint16Array(buf, 2, 1)), d.decode(), err];
  `);
  assert.deepEqual(r, ["xABy", "AB", "AB", "By", "", "TypeError"]);
});

test("TextEncoderStream joins surrogate pairs split across chunks", async () => {
  const r = await w.run(`
    const s = new TextEncoderStream();
    const w = s.writable.getWriter();
    w.write("a\\ud83d"); w.write("\\ude00b"); w.write("\\ud83d"); w.close();
    const out = [];
    for await (const c of s.readable) out.push(...c);
    return [s.encoding, out, s instanceof TransformStream];
  `);
  assert.deepEqual(r, ["utf-8", [0x61, 0xf0, 0x9f, 0x98, 0x80, 0x62, 0xef, 0xbf, 0xbd], true]);
});

test("TextDecoderStream decodes multi-byte characters split across chunks", async () => {
  const r = await w.run(`
    const s = new TextDecoderStream("utf-8", { fatal: false });
    const w = s.writable.getWriter();
    w.write(new Uint8Array([0xe2, 0x82])); w.write(new Uint8Array([0xac, 0xf0])); w.write(new Uint8Array([0x9f, 0x98, 0x80])); w.close();
    let out = "";
    for await (const c of s.readable) out += c;
    const bad = new TextDecoderStream("utf-8", { fatal: true });
    const bw = bad.writable.getWriter();
    bw.write(new Uint8Array([0xff])).catch(() => {});
    let err; try { await bad.readable.getReader().read(); } catch (e) { err = e.constructor.name; }
    return [out, s.encoding, s.fatal, err];
  `);
  assert.deepEqual(r, ["€😀", "utf-8", false, "TypeError"]);
});

test("atob/btoa follow forgiving-base64 (vs Node) and throw InvalidCharacterError", async () => {
  const inputs = ["", "aGVsbG8=", "aGVsbG8", " aGVs\tbG8=\n", "aGVsbG8==", "a", "ab", "ab=", "ab==", "abc=", "abc", "a=bc", "a-b_", "====", "YQ", "YR==", "/w==", "//8=", "undefined", "null", "\u00ff", "ab\u00a0cd"];
  const r = await w.run<unknown[]>(`
    return ${JSON.stringify(inputs)}.map((s) => { try { return atob(s); } catch (e) { return ["ERR", e.name, e.code, e instanceof DOMException]; } });
  `);
  assert.deepEqual(
    r,
    inputs.map((s) => {
      try {
        return atob(s);
      } catch {
        return ["ERR", "InvalidCharacterError", 5, true];
      }
    }),
  );
  const b = await w.run(`
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
    let err; try { btoa("€"); } catch (e) { err = [e.name, e.message]; }
    return [btoa(""), btoa("a"), btoa("ab"), btoa("abc"), btoa(all), atob(btoa(all)) === all, err];
  `);
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
  assert.deepEqual(b, [
    "", "YQ==", "YWI=", "YWJj", btoa(all), true,
    ["InvalidCharacterError", "btoa() can only operate on characters in the Latin1 (ISO/IEC 8859-1) range."],
  ]);
});
