// Web Crypto inside a real isolate (bundled prelude crypto module + real host WebCrypto through the
// emulated bridge loop of crypto-harness.ts). Known-answer vectors come from the RFCs named.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createCryptoIsolate, type CryptoIsolate } from "./crypto-harness.ts";

let iso: CryptoIsolate;
before(async () => {
  iso = await createCryptoIsolate();
});
after(() => iso.dispose());

type Err = { name: string; message: string; dom: boolean; type: string } | null;

describe("globals and classes", () => {
  test("crypto, Crypto, SubtleCrypto, CryptoKey are wired and not constructible", async () => {
    const r = await iso.run<unknown[]>(`
      return [
        crypto instanceof Crypto,
        crypto.subtle instanceof SubtleCrypto,
        crypto.subtle === crypto.subtle,
        Object.prototype.toString.call(crypto),
        Object.prototype.toString.call(crypto.subtle),
        syncErrorOf(() => new CryptoKey()),
        syncErrorOf(() => new Crypto()),
        syncErrorOf(() => new SubtleCrypto()),
        typeof crypto.DigestStream,
        typeof crypto.subtle.timingSafeEqual,
      ];
    `);
    const illegal = { name: "TypeError", message: "Illegal constructor", dom: false, type: "TypeError" };
    assert.deepEqual(r, [true, true, true, "[object Crypto]", "[object SubtleCrypto]", illegal, illegal, illegal, "function", "function"]);
  });
});

describe("getRandomValues and randomUUID", () => {
  test("fills integer typed arrays in place and returns them", async () => {
    const r = await iso.run<unknown[]>(`
      const a = new Uint8Array(64);
      const same = crypto.getRandomValues(a) === a;
      const u32 = crypto.getRandomValues(new Uint32Array(4));
      const big = crypto.getRandomValues(new BigUint64Array(2));
      const buf = new Uint8Array(10);
      crypto.getRandomValues(new Uint8Array(buf.buffer, 2, 4));
      return [same, a.some((x) => x !== 0), u32.some((x) => x !== 0), typeof big[0],
        buf[0] === 0 && buf[1] === 0 && buf[6] === 0 && buf[9] === 0,
        crypto.getRandomValues(new Int8Array(65536)).length, crypto.getRandomValues(new Uint8Array(0)).length];
    `);
    assert.deepEqual(r, [true, true, true, "bigint", true, 65536, 0]);
  });

  test("rejects float arrays, DataView, oversize buffers and non-views like workerd", async () => {
    const r = await iso.run<Err[]>(`
      return [
        syncErrorOf(() => crypto.getRandomValues(new Float64Array(2))),
        syncErrorOf(() => crypto.getRandomValues(new DataView(new ArrayBuffer(4)))),
        syncErrorOf(() => crypto.getRandomValues(new Uint8Array(65537))),
        syncErrorOf(() => crypto.getRandomValues(new ArrayBuffer(4))),
        syncErrorOf(() => crypto.getRandomValues()),
      ];
    `);
    assert.equal(r[0]!.name, "TypeMismatchError");
    assert.equal(r[0]!.dom, true);
    assert.equal(r[0]!.message, "ArrayBufferView argument to getRandomValues() must be an integer-typed view.");
    assert.equal(r[1]!.name, "TypeMismatchError");
    assert.deepEqual(
      { name: r[2]!.name, dom: r[2]!.dom, message: r[2]!.message },
      { name: "QuotaExceededError", dom: true, message: "getRandomValues() only accepts buffers of size <= 64K but provided 65537 bytes." },
    );
    assert.equal(r[3]!.type, "TypeError");
    assert.equal(r[4]!.type, "TypeError");
  });

  test("randomUUID gives distinct version 4 UUIDs", async () => {
    const r = await iso.run<string[]>(`return Array.from({ length: 20 }, () => crypto.randomUUID());`);
    for (const u of r) assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(r).size, 20);
  });
});

describe("digest", () => {
  test("SHA-1/256/384/512 and MD5 known answers for 'abc'", async () => {
    const r = await iso.run<string[]>(`
      const d = (a) => crypto.subtle.digest(a, utf8("abc")).then(hex);
      return Promise.all([d("SHA-1"), d({ name: "SHA-256" }), d("sha-384"), d("SHA-512"), d("MD5")]);
    `);
    assert.deepEqual(r, [
      "a9993e364706816aba3e25717850c26c9cd0d89d",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
      "900150983cd24fb0d6963f7d28e17f72",
    ]);
  });

  test("hashes exactly the bytes of a view, copied at call time", async () => {
    const r = await iso.run<string[]>(`
      const buf = utf8("xxabcxx");
      const view = new DataView(buf.buffer, 2, 3);
      const data = utf8("abc");
      const p = crypto.subtle.digest("SHA-256", data);
      data[0] = 0;
      return [hex(await crypto.subtle.digest("SHA-256", view)), hex(await p)];
    `);
    const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert.deepEqual(r, [abc, abc]);
  });

  test("unsupported algorithms and bad data reject with the right errors", async () => {
    const r = await iso.run<Err[]>(`
      return [
        await errorOf(crypto.subtle.digest("SHA3-256", utf8("a"))),
        await errorOf(crypto.subtle.digest("SHA-256", "abc")),
        await errorOf(crypto.subtle.digest("SHA-256")),
        await errorOf(crypto.subtle.digest({}, utf8("a"))),
      ];
    `);
    assert.deepEqual(r[0], { name: "NotSupportedError", message: "Unrecognized or unimplemented digest algorithm requested.", dom: true, type: "DOMException" });
    assert.equal(r[1]!.type, "TypeError");
    assert.equal(r[2]!.type, "TypeError");
    assert.equal(r[3]!.type, "TypeError");
  });
});

describe("HMAC, PBKDF2, HKDF known answers", () => {
  test("HMAC-SHA-256 (RFC 4231 test case 2), verify, generateKey shape", async () => {
    const r = await iso.run<unknown[]>(`
      const key = await crypto.subtle.importKey("raw", utf8("Jefe"), { name: "HMAC", hash: "SHA-256" }, true, ["verify", "sign"]);
      const data = utf8("what do ya want for nothing?");
      const sig = await crypto.subtle.sign("HMAC", key, data);
      const bad = new Uint8Array(sig).slice(); bad[0] ^= 1;
      const gen = await crypto.subtle.generateKey({ name: "HMAC", hash: { name: "SHA-512" } }, false, ["sign"]);
      return [hex(sig), await crypto.subtle.verify({ name: "hmac" }, key, sig, data), await crypto.subtle.verify("HMAC", key, bad, data),
        key.algorithm, key.usages, key.type, key.extractable, key.algorithm === key.algorithm,
        gen.algorithm, gen.extractable, hex(await crypto.subtle.exportKey("raw", key))];
    `);
    assert.deepEqual(r, [
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      true,
      false,
      { name: "HMAC", length: 32, hash: { name: "SHA-256" } },
      ["sign", "verify"],
      "secret",
      true,
      true,
      { name: "HMAC", length: 1024, hash: { name: "SHA-512" } },
      false,
      "4a656665",
    ]);
  });

  test("PBKDF2-HMAC-SHA-256 (RFC 7914 style vectors), deriveKey, iteration limit", async () => {
    const r = await iso.run<unknown[]>(`
      const base = await crypto.subtle.importKey("raw", utf8("password"), "PBKDF2", false, ["deriveBits", "deriveKey"]);
      const bits = (iterations) => crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: utf8("salt"), iterations }, base, 256).then(hex);
      const aes = await crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: utf8("salt"), iterations: 1 }, base,
        { name: "AES-GCM", length: 256 }, true, ["encrypt"]);
      return [await bits(1), await bits(4096), base.algorithm, hex(await crypto.subtle.exportKey("raw", aes)), aes.algorithm,
        await errorOf(crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: utf8("salt"), iterations: 100001 }, base, 256))];
    `);
    assert.deepEqual(r, [
      "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
      "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a",
      { name: "PBKDF2" },
      "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
      { name: "AES-GCM", length: 256 },
      {
        name: "NotSupportedError",
        message: "Pbkdf2 failed: iteration counts above 100000 are not supported (requested 100001).",
        dom: true,
        type: "DOMException",
      },
    ]);
  });

  test("HKDF-SHA-256 (RFC 5869 test case 1)", async () => {
    const r = await iso.run<string>(`
      const ikm = await crypto.subtle.importKey("raw", new Uint8Array(22).fill(0x0b), "HKDF", false, ["deriveBits"]);
      const salt = fromHex("000102030405060708090a0b0c");
      const info = fromHex("f0f1f2f3f4f5f6f7f8f9");
      return hex(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, ikm, 42 * 8));
    `);
    assert.equal(r, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });
});

describe("AES", () => {
  test("AES-GCM, AES-CBC, AES-CTR round trips; wrong key fails with OperationError", async () => {
    const r = await iso.run<unknown[]>(`
      const pt = utf8("attack at dawn, attack at dawn!!");
      const out = [];
      const gcm = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: utf8("hdr") }, gcm, pt);
      out.push(ct.byteLength, hex(await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: utf8("hdr") }, gcm, ct)) === hex(pt));
      const other = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["decrypt"]);
      out.push(await errorOf(crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: utf8("hdr") }, other, ct)));
      const cbc = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["encrypt", "decrypt"]);
      const iv16 = new Uint8Array(16);
      const c2 = await crypto.subtle.encrypt({ name: "AES-CBC", iv: iv16 }, cbc, pt);
      out.push(c2.byteLength, hex(await crypto.subtle.decrypt({ name: "AES-CBC", iv: iv16 }, cbc, c2)) === hex(pt));
      const ctr = await crypto.subtle.importKey("raw", new Uint8Array(16).fill(1), { name: "AES-CTR" }, false, ["encrypt", "decrypt"]);
      const c3 = await crypto.subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, ctr, pt);
      out.push(c3.byteLength, hex(await crypto.subtle.decrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, ctr, c3)) === hex(pt));
      out.push(gcm.algorithm, cbc.algorithm);
      return out;
    `);
    assert.deepEqual(r, [
      48,
      true,
      { name: "OperationError", message: r[2] && (r[2] as { message: string }).message, dom: true, type: "DOMException" },
      48,
      true,
      32,
      true,
      { name: "AES-GCM", length: 256 },
      { name: "AES-CBC", length: 128 },
    ]);
  });

  test("AES known answer (FIPS-197 C.1, one block via AES-CBC with zero IV)", async () => {
    const r = await iso.run<string>(`
      const key = await crypto.subtle.importKey("raw", fromHex("000102030405060708090a0b0c0d0e0f"), "AES-CBC", false, ["encrypt"]);
      const ct = await crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, key, fromHex("00112233445566778899aabbccddeeff"));
      return hex(ct).slice(0, 32);
    `);
    assert.equal(r, "69c4e0d86a7b0430d8cdb78070b4c55a");
  });

  test("AES-KW wrapKey/unwrapKey round trip", async () => {
    const r = await iso.run<unknown[]>(`
      const kek = await crypto.subtle.generateKey({ name: "AES-KW", length: 128 }, false, ["wrapKey", "unwrapKey"]);
      const key = await crypto.subtle.importKey("raw", fromHex("00112233445566778899aabbccddeeff"), "AES-GCM", true, ["encrypt"]);
      const wrapped = await crypto.subtle.wrapKey("raw", key, kek, "AES-KW");
      const back = await crypto.subtle.unwrapKey("raw", wrapped, kek, "AES-KW", "AES-GCM", true, ["encrypt", "decrypt"]);
      return [wrapped.byteLength, hex(await crypto.subtle.exportKey("raw", back)), back.usages, back.algorithm];
    `);
    assert.deepEqual(r, [24, "00112233445566778899aabbccddeeff", ["encrypt", "decrypt"], { name: "AES-GCM", length: 128 }]);
  });
});

describe("RSA", () => {
  test("RSASSA-PKCS1-v1_5, RSA-PSS sign/verify; RSA-OAEP encrypt/decrypt; spki/pkcs8/jwk export and re-import", async () => {
    const r = await iso.run<unknown[]>(`
      const s = crypto.subtle;
      const e = new Uint8Array([1, 0, 1]);
      const data = utf8("hello");
      const out = [];
      const pk = await s.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: e, hash: "SHA-256" }, true, ["sign", "verify"]);
      const sig = await s.sign("RSASSA-PKCS1-v1_5", pk.privateKey, data);
      out.push(sig.byteLength, await s.verify("RSASSA-PKCS1-v1_5", pk.publicKey, sig, data));
      out.push(pk.publicKey.algorithm.publicExponent instanceof Uint8Array, Array.from(pk.publicKey.algorithm.publicExponent),
        pk.publicKey.algorithm.modulusLength, pk.publicKey.algorithm.hash, pk.publicKey.usages, pk.privateKey.usages, pk.publicKey.type, pk.privateKey.type);
      const spki = await s.exportKey("spki", pk.publicKey);
      const pub2 = await s.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]);
      out.push(await s.verify("RSASSA-PKCS1-v1_5", pub2, sig, data));
      const pkcs8 = await s.exportKey("pkcs8", pk.privateKey);
      const priv2 = await s.importKey("pkcs8", new Uint8Array(pkcs8), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
      out.push(hex(await s.sign("RSASSA-PKCS1-v1_5", priv2, data)) === hex(sig));
      const jwk = await s.exportKey("jwk", pk.privateKey);
      out.push(jwk.kty, jwk.alg, typeof jwk.d);
      const pss = await s.generateKey({ name: "RSA-PSS", modulusLength: 2048, publicExponent: e, hash: "SHA-384" }, false, ["sign", "verify"]);
      const psig = await s.sign({ name: "RSA-PSS", saltLength: 32 }, pss.privateKey, data);
      out.push(await s.verify({ name: "RSA-PSS", saltLength: 32 }, pss.publicKey, psig, data));
      const oaep = await s.generateKey({ name: "RSA-OAEP", modulusLength: 2048, publicExponent: e, hash: "SHA-256" }, false, ["encrypt", "decrypt", "wrapKey", "unwrapKey"]);
      const ct = await s.encrypt({ name: "RSA-OAEP", label: utf8("l") }, oaep.publicKey, data);
      out.push(hex(await s.decrypt({ name: "RSA-OAEP", label: utf8("l") }, oaep.privateKey, ct)) === hex(data));
      const aes = await s.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
      const wrapped = await s.wrapKey("jwk", aes, oaep.publicKey, "RSA-OAEP");
      const unwrapped = await s.unwrapKey("jwk", wrapped, oaep.privateKey, "RSA-OAEP", "AES-GCM", true, ["encrypt"]);
      out.push(hex(await s.exportKey("raw", unwrapped)) === hex(await s.exportKey("raw", aes)));
      return out;
    `);
    assert.deepEqual(r, [
      256, true,
      true, [1, 0, 1], 2048, { name: "SHA-256" }, ["verify"], ["sign"], "public", "private",
      true, true,
      "RSA", "RS256", "string",
      true, true, true,
    ]);
  });
});

describe("EC, Ed25519, X25519", () => {
  // RFC 7515 appendix A.3: ES256 JWS with its JWK.
  const es256 = {
    jwk: { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" },
    signingInput:
      "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
    sig: "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q",
  };

  test("ECDSA: imports the RFC 7515 A.3 public JWK and verifies its signature; JWK private import, sign/verify", async () => {
    const r = await iso.run<unknown[]>(`
      const t = ${JSON.stringify(es256)};
      const s = crypto.subtle;
      const pub = await s.importKey("jwk", t.jwk, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
      const data = utf8(t.signingInput);
      const ok = await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, b64url(t.sig), data);
      const tampered = b64url(t.sig); tampered[5] ^= 1;
      const bad = await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, tampered, data);
      const p256 = await s.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
      const jwk = await s.exportKey("jwk", p256.privateKey);
      const priv = await s.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
      const mine = await s.sign({ name: "ECDSA", hash: "SHA-256" }, priv, data);
      const raw = await s.exportKey("raw", pub);
      const p384 = await s.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"]);
      const sig384 = await s.sign({ name: "ECDSA", hash: "SHA-384" }, p384.privateKey, data);
      return [ok, bad, mine.byteLength, await s.verify({ name: "ECDSA", hash: "SHA-256" }, p256.publicKey, mine, data), pub.algorithm,
        new Uint8Array(raw)[0], raw.byteLength, sig384.byteLength, await s.verify({ name: "ECDSA", hash: "SHA-384" }, p384.publicKey, sig384, data)];
    `);
    assert.deepEqual(r, [true, false, 64, true, { name: "ECDSA", namedCurve: "P-256" }, 4, 65, 96, true]);
  });

  test("ECDH and X25519 derive the same secret on both sides", async () => {
    const r = await iso.run<unknown[]>(`
      const s = crypto.subtle;
      const a = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits", "deriveKey"]);
      const b = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
      const ab = await s.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, 256);
      const ba = await s.deriveBits({ name: "ECDH", public: a.publicKey }, b.privateKey, 256);
      const x = await s.generateKey({ name: "X25519" }, true, ["deriveBits"]);
      const y = await s.generateKey("X25519", true, ["deriveBits"]);
      const xy = await s.deriveBits({ name: "X25519", public: y.publicKey }, x.privateKey, null);
      const yx = await s.deriveBits({ name: "X25519", public: x.publicKey }, y.privateKey);
      const k = await s.deriveKey({ name: "ECDH", public: b.publicKey }, a.privateKey, { name: "HMAC", hash: "SHA-256", length: 256 }, true, ["sign"]);
      return [hex(ab) === hex(ba), ab.byteLength, hex(xy) === hex(yx), xy.byteLength, x.publicKey.algorithm, x.privateKey.usages, k.algorithm];
    `);
    assert.deepEqual(r, [true, 32, true, 32, { name: "X25519" }, ["deriveBits"], { name: "HMAC", length: 256, hash: { name: "SHA-256" } }]);
  });

  // RFC 8032 section 7.1, TEST 1.
  const rfc8032 = {
    pub: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  };

  test("Ed25519 and Cloudflare's NODE-ED25519 alias verify RFC 8032 test 1", async () => {
    const r = await iso.run<unknown[]>(`
      const t = ${JSON.stringify(rfc8032)};
      const s = crypto.subtle;
      const std = await s.importKey("raw", fromHex(t.pub), "Ed25519", true, ["verify"]);
      const legacy = await s.importKey("raw", fromHex(t.pub), { name: "NODE-ED25519", namedCurve: "NODE-ED25519" }, true, ["verify"]);
      return [
        await s.verify("Ed25519", std, fromHex(t.sig), new Uint8Array(0)),
        await s.verify({ name: "NODE-ED25519" }, legacy, fromHex(t.sig), new Uint8Array(0)),
        await s.verify("Ed25519", std, fromHex(t.sig), utf8("x")),
        std.algorithm, legacy.algorithm,
        hex(await s.exportKey("raw", legacy)),
        await errorOf(s.verify("NODE-ED25519", std, fromHex(t.sig), new Uint8Array(0))),
      ];
    `);
    assert.deepEqual(r.slice(0, 6), [
      true, true, false,
      { name: "Ed25519" },
      { name: "NODE-ED25519", namedCurve: "NODE-ED25519" },
      rfc8032.pub,
    ]);
    assert.deepEqual(r[6], {
      name: "InvalidAccessError",
      message: 'Requested algorithm "NODE-ED25519" does not match this CryptoKey\'s algorithm "Ed25519".',
      dom: true,
      type: "DOMException",
    });
  });

  test("Ed25519 generateKey, sign/verify, JWK as workerd writes it; NODE-ED25519 namedCurve checks", async () => {
    const r = await iso.run<unknown[]>(`
      const s = crypto.subtle;
      const k = await s.generateKey("Ed25519", true, ["sign", "verify"]);
      const sig = await s.sign("Ed25519", k.privateKey, utf8("m"));
      const n = await s.generateKey({ name: "NODE-ED25519", namedCurve: "NODE-ED25519" }, true, ["sign", "verify"]);
      const nsig = await s.sign("NODE-ED25519", n.privateKey, utf8("m"));
      const jwk = await s.exportKey("jwk", k.publicKey);
      const njwk = await s.exportKey("jwk", n.privateKey);
      const back = await s.importKey("jwk", jwk, "Ed25519", true, ["verify"]);
      return [
        sig.byteLength, await s.verify("Ed25519", k.publicKey, sig, utf8("m")),
        await s.verify("NODE-ED25519", n.publicKey, nsig, utf8("m")), n.privateKey.algorithm,
        jwk.alg, jwk.crv, "alg" in njwk, typeof njwk.d, await s.verify("Ed25519", back, sig, utf8("m")),
        await errorOf(s.generateKey({ name: "NODE-ED25519" }, true, ["sign", "verify"])),
        await errorOf(s.importKey("raw", new Uint8Array(32), { name: "NODE-ED25519", namedCurve: "Ed25519" }, true, ["verify"])),
      ];
    `);
    assert.deepEqual(r, [
      64, true, true, { name: "NODE-ED25519", namedCurve: "NODE-ED25519" },
      "EdDSA", "Ed25519", false, "string", true,
      { name: "TypeError", message: 'Missing field "namedCurve" in "algorithm".', dom: false, type: "TypeError" },
      { name: "NotSupportedError", message: 'EDDSA curve "Ed25519" isn\'t supported.', dom: true, type: "DOMException" },
    ]);
  });
});

describe("errors come out as WebCrypto's types", () => {
  test("key/algorithm mismatch, missing usage, non-extractable export, bad usages, unknown names", async () => {
    const r = await iso.run<Err[]>(`
      const s = crypto.subtle;
      const hmac = await s.importKey("raw", utf8("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return [
        await errorOf(s.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, hmac, utf8("x"))),
        await errorOf(s.verify("HMAC", hmac, new Uint8Array(32), utf8("x"))),
        await errorOf(s.exportKey("raw", hmac)),
        await errorOf(s.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["sign"])),
        await errorOf(s.importKey("raw", new Uint8Array(16), "AES-FOO", false, ["encrypt"])),
        await errorOf(s.importKey("raw", new Uint8Array(32), "Ed448", false, ["verify"])),
        await errorOf(s.importKey("pem", new Uint8Array(16), "AES-GCM", false, ["encrypt"])),
        await errorOf(s.importKey("jwk", { kty: "oct", k: "!!" }, "AES-GCM", false, ["encrypt"])),
        await errorOf(s.importKey("jwk", new Uint8Array(16), "AES-GCM", false, ["encrypt"])),
        await errorOf(s.importKey("raw", { kty: "oct" }, "AES-GCM", false, ["encrypt"])),
        await errorOf(s.sign("HMAC", { type: "secret" }, utf8("x"))),
        await errorOf(s.generateKey({ name: "AES-GCM", length: 128 }, true, [])),
        await errorOf(s.generateKey({ name: "FOO" }, true, ["sign"])),
        await errorOf(s.deriveKey("HKDF", hmac, "ECDSA", true, ["sign"])),
        await errorOf(s.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, await s.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["decrypt"]), new Uint8Array(40))),
      ];
    `);
    const names = r.map((e) => e && `${e.type}:${e.name}`);
    assert.deepEqual(names, [
      "DOMException:InvalidAccessError",
      "DOMException:InvalidAccessError",
      "DOMException:InvalidAccessError",
      "DOMException:SyntaxError",
      "DOMException:NotSupportedError",
      "DOMException:NotSupportedError",
      "DOMException:NotSupportedError",
      "DOMException:DataError",
      "TypeError:TypeError",
      "TypeError:TypeError",
      "TypeError:TypeError",
      "DOMException:SyntaxError",
      "DOMException:NotSupportedError",
      "DOMException:NotSupportedError",
      "DOMException:OperationError",
    ]);
    assert.equal(r[0]!.message, 'Requested algorithm "AES-GCM" does not match this CryptoKey\'s algorithm "HMAC".');
    assert.equal(r[1]!.message, 'Requested key usage "verify" does not match any usage listed in this CryptoKey.');
    assert.equal(r[2]!.message, "Attempt to export non-extractable HMAC key.");
    assert.equal(r[4]!.message, 'Unrecognized key import algorithm "AES-FOO" requested.');
    assert.equal(r[6]!.message, 'Unrecognized key import format "pem".');
    assert.equal(r[12]!.message, 'Unrecognized key generation algorithm "FOO" requested.');
    assert.equal(r[13]!.message, 'Unrecognized derived key type "ECDSA" requested.');
  });
});

describe("timingSafeEqual", () => {
  test("compares equal-length buffers; TypeError on length mismatch", async () => {
    const r = await iso.run<unknown[]>(`
      const t = (a, b) => crypto.subtle.timingSafeEqual(a, b);
      return [t(utf8("abc"), utf8("abc")), t(utf8("abc"), utf8("abd")), t(new Uint8Array(0), new ArrayBuffer(0)),
        t(new Uint16Array([0x6261]), utf8("ab")), syncErrorOf(() => t(utf8("a"), utf8("ab"))), syncErrorOf(() => t("a", "a"))];
    `);
    assert.deepEqual(r.slice(0, 4), [true, false, true, true]);
    assert.deepEqual(r[4], { name: "TypeError", message: "Input buffers must have the same byte length.", dom: false, type: "TypeError" });
    assert.equal((r[5] as { type: string }).type, "TypeError");
  });
});

describe("DigestStream", () => {
  test("hashes written chunks (bytes and strings); digest matches subtle.digest", async () => {
    const r = await iso.run<unknown[]>(`
      const ds = new crypto.DigestStream("SHA-256");
      const w = ds.getWriter();
      await w.write(utf8("a"));
      await w.write("b");
      await w.write(new Uint8Array([0x63]).buffer);
      await w.close();
      return [ds instanceof WritableStream, ds instanceof crypto.DigestStream, hex(await ds.digest), ds.bytesWritten];
    `);
    assert.deepEqual(r, [true, true, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3]);
  });

  test("large streams flush to a host handle, which is closed at the end", async () => {
    const before = iso.calls.length;
    const r = await iso.run<unknown[]>(`
      const chunk = new Uint8Array(50000).fill(7);
      const all = new Uint8Array(50000 * 5).fill(7);
      const ds = new crypto.DigestStream({ name: "SHA-512" });
      const w = ds.getWriter();
      for (let i = 0; i < 5; i++) await w.write(chunk);
      await w.close();
      return [hex(await ds.digest) === hex(await crypto.subtle.digest("SHA-512", all)), ds.bytesWritten];
    `);
    assert.deepEqual(r, [true, 250000]);
    const calls = iso.calls.slice(before);
    assert.ok(calls.filter((c) => c === "crypto.digestStreamUpdate").length >= 2);
    assert.equal(calls.filter((c) => c === "crypto.digestStreamFinish").length, 1);
  });

  test("MD5, crc32, crc32c; unknown algorithm throws NotSupportedError at construction", async () => {
    const r = await iso.run<unknown[]>(`
      const run = async (alg, data) => { const ds = new crypto.DigestStream(alg); const w = ds.getWriter(); await w.write(data); await w.close(); return hex(await ds.digest); };
      return [await run("MD5", utf8("abc")), await run("crc32", utf8("123456789")), await run("crc32c", utf8("123456789")),
        syncErrorOf(() => new crypto.DigestStream("SHA3-256")), syncErrorOf(() => crypto.DigestStream("SHA-256"))];
    `);
    assert.deepEqual(r.slice(0, 3), ["900150983cd24fb0d6963f7d28e17f72", "cbf43926", "e3069283"]);
    assert.deepEqual(r[3], { name: "NotSupportedError", message: "Unrecognized or unimplemented digest algorithm requested.", dom: true, type: "DOMException" });
    assert.equal((r[4] as { type: string }).type, "TypeError");
  });

  test("abort rejects the digest", async () => {
    const r = await iso.run<Err>(`
      const ds = new crypto.DigestStream("SHA-1");
      const w = ds.getWriter();
      await w.write(utf8("x"));
      await w.abort(new RangeError("stop"));
      return errorOf(ds.digest);
    `);
    assert.deepEqual(r, { name: "RangeError", message: "stop", dom: false, type: "RangeError" });
  });
});

describe("key lifetime", () => {
  test("CryptoKeys the isolate drops are released on the host (FinalizationRegistry)", async () => {
    const released = () => iso.calls.filter((c) => c === "crypto.releaseKey").length;
    const start = released();
    for (let round = 0; round < 4 && released() === start; round++) {
      await iso.run(`
        for (let i = 0; i < 200; i++) await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
        const junk = [];
        for (let i = 0; i < 200000; i++) junk.push({ i, s: "x" + i });
        return junk.length;
      `);
    }
    assert.ok(released() > start, "no key was released after allocation pressure");
  });
});
