// node:crypto inside a nodejs_compat worker, against published test vectors (FIPS 180, RFC 4231,
// RFC 6070, RFC 7914, RFC 5869, NIST SP 800-38A, the GCM spec) and Node's own results.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startWorker, type RunningDev, getJson } from "../support/worker.ts";

const WORKER = `
import crypto, { createHash, createHmac, createCipheriv, createDecipheriv, pbkdf2Sync, pbkdf2, scryptSync, scrypt,
  hkdfSync, randomBytes, randomUUID, randomInt, timingSafeEqual, getHashes, webcrypto, createSign, hash } from "node:crypto";

const hex = (b) => Buffer.from(b).toString("hex");
const catching = (fn) => { try { return fn(); } catch (e) { return "threw " + e.name + ": " + e.message; } };

const routes = {
  hashes() {
    const million = createHash("sha256");
    const chunk = "a".repeat(10000);
    for (let i = 0; i < 100; i++) million.update(chunk);
    const h = createHash("sha1").update("ab");
    const copy = h.copy().update("c");
    return {
      md5Empty: createHash("md5").update("").digest("hex"),
      md5: createHash("md5").update("abc").digest("hex"),
      sha1: createHash("sha1").update("abc").digest("hex"),
      sha256: createHash("sha256").update("abc").digest("hex"),
      sha512: createHash("sha512").update("a").update("b").update(new Uint8Array([0x63])).digest("hex"),
      sha256Base64: createHash("sha256").update("abc").digest("base64"),
      sha256Buffer: Buffer.isBuffer(createHash("sha256").update("abc").digest()),
      hexInput: createHash("sha256").update("616263", "hex").digest("hex"),
      million: million.digest("hex"),
      copy: copy.digest("hex"), original: h.digest("hex"),
      oneShot: hash("sha256", "abc"),
      twice: catching(() => { const x = createHash("md5"); x.digest(); return x.digest(); }),
      unknown: catching(() => createHash("nope")),
      hashes: getHashes().includes("sha256"),
    };
  },
  hmac() {
    return {
      tc1: createHmac("sha256", Buffer.alloc(20, 0x0b)).update("Hi There").digest("hex"),
      tc2: createHmac("sha256", "Jefe").update("what do ya want for nothing?").digest("hex"),
      sha512: createHmac("sha512", "Jefe").update("what do ya want for nothing?").digest("hex"),
      base64url: createHmac("sha256", "k").update("v").digest("base64url"),
      ...(() => {
        const h = createHmac("sha256", "k");
        h.digest();
        return { twice: h.digest("hex"), updateAfter: catching(() => h.update("x")), isHash: h instanceof crypto.Hash, isHmac: h instanceof crypto.Hmac };
      })(),
    };
  },
  async kdf() {
    const asyncPbkdf2 = await new Promise((resolve, reject) => pbkdf2("password", "salt", 2, 20, "sha1", (e, k) => (e ? reject(e) : resolve(hex(k)))));
    const asyncScrypt = await new Promise((resolve, reject) => scrypt("", "", 64, { N: 16, r: 1, p: 1 }, (e, k) => (e ? reject(e) : resolve(hex(k)))));
    return {
      pbkdf2c1: pbkdf2Sync("password", "salt", 1, 20, "sha1").toString("hex"),
      pbkdf2c4096: pbkdf2Sync("password", "salt", 4096, 20, "sha1").toString("hex"),
      asyncPbkdf2,
      scrypt: scryptSync("", "", 64, { N: 16, r: 1, p: 1 }).toString("hex"),
      asyncScrypt,
      hkdf: hex(hkdfSync("sha256", Buffer.alloc(22, 0x0b), Buffer.from("000102030405060708090a0b0c", "hex"), Buffer.from("f0f1f2f3f4f5f6f7f8f9", "hex"), 42)),
      tooManyIterations: catching(() => pbkdf2Sync("p", "s", 1000000, 32, "sha256")),
    };
  },
  ciphers() {
    const cbc = createCipheriv("aes-128-cbc", Buffer.from("2b7e151628aed2a6abf7158809cf4f3c", "hex"), Buffer.from("000102030405060708090a0b0c0d0e0f", "hex")).setAutoPadding(false);
    const cbcOut = cbc.update("6bc1bee22e409f96e93d7e117393172a", "hex", "hex") + cbc.final("hex");
    const gcm = createCipheriv("aes-256-gcm", Buffer.alloc(32), Buffer.alloc(12));
    const gcmOut = Buffer.concat([gcm.update(Buffer.alloc(16)), gcm.final()]);
    const tag = gcm.getAuthTag();
    const gcmBack = createDecipheriv("aes-256-gcm", Buffer.alloc(32), Buffer.alloc(12)).setAuthTag(tag);
    const plain = Buffer.concat([gcmBack.update(gcmOut), gcmBack.final()]);
    const key = randomBytes(32), iv = randomBytes(16);
    const enc = createCipheriv("aes-256-cbc", key, iv);
    const ct = enc.update("a secret message that spans several blocks", "utf8", "base64") + enc.final("base64");
    const dec = createDecipheriv("aes-256-cbc", key, iv);
    const pt = dec.update(ct, "base64", "utf8") + dec.final("utf8");
    const aad = createCipheriv("aes-256-gcm", key, iv.subarray(0, 12));
    aad.setAAD(Buffer.from("header"));
    const sealed = Buffer.concat([aad.update("body"), aad.final()]);
    const wrongTag = createDecipheriv("aes-256-gcm", key, iv.subarray(0, 12));
    wrongTag.setAAD(Buffer.from("other header"));
    wrongTag.setAuthTag(aad.getAuthTag());
    wrongTag.update(sealed);
    return {
      cbc: cbcOut, gcm: hex(gcmOut), tag: hex(tag), gcmPlain: hex(plain), roundTrip: pt,
      badTag: catching(() => wrongTag.final()),
      unsupported: catching(() => createCipheriv("des-ede3-cbc", Buffer.alloc(24), Buffer.alloc(8))),
    };
  },
  random() {
    const a = Buffer.from("same"), b = Buffer.from("same"), c = Buffer.from("diff");
    const ints = Array.from({ length: 50 }, () => randomInt(3, 7));
    return {
      bytes: randomBytes(16).length, big: randomBytes(100000).length, uuid: randomUUID(),
      intsInRange: ints.every((n) => n >= 3 && n < 7 && Number.isInteger(n)),
      equal: timingSafeEqual(a, b), notEqual: timingSafeEqual(a, c),
      lengths: catching(() => timingSafeEqual(a, Buffer.from("x"))),
      webcrypto: webcrypto === globalThis.crypto && crypto.subtle === globalThis.crypto.subtle,
      sign: catching(() => createSign("sha256")),
    };
  },
};

export default { async fetch(request) { return Response.json(await routes[new URL(request.url).pathname.slice(1)]()); } };
`;

describe("node:crypto", () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startWorker({
      toml: `name = "crypto"\nmain = "index.js"\ncompatibility_date = "2025-06-01"\ncompatibility_flags = ["nodejs_compat"]\n`,
      files: { "index.js": WORKER },
    });
  });
  after(async () => {
    await dev?.stop();
  });
  const get = (route: string) => getJson(dev, `/${route}`);

  test("createHash: FIPS 180 vectors, streaming update, copy, encodings, errors", async () => {
    const body = await get("hashes");
    assert.equal(body.md5Empty, "d41d8cd98f00b204e9800998ecf8427e");
    assert.equal(body.md5, "900150983cd24fb0d6963f7d28e17f72");
    assert.equal(body.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(body.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(
      body.sha512,
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    assert.equal(body.sha256Base64, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    assert.equal(body.sha256Buffer, true);
    assert.equal(body.hexInput, body.sha256);
    assert.equal(body.million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    assert.equal(body.copy, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(body.original, "da23614e02469a0d7c7bd1bdab5c9c474b1904dc");
    assert.equal(body.oneShot, body.sha256);
    assert.equal(body.twice, "threw Error: Digest already called");
    assert.match(body.unknown, /^threw Error: Digest method not supported/);
    assert.equal(body.hashes, true);
  });

  test("createHmac: RFC 4231 vectors", async () => {
    const body = await get("hmac");
    assert.equal(body.tc1, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    assert.equal(body.tc2, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert.equal(
      body.sha512,
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    );
    assert.equal(body.base64url, createHmac("sha256", "k").update("v").digest("base64url"));
    // As in Node: a second digest() is empty, update() after it throws, and an Hmac is no Hash.
    assert.equal(body.twice, "");
    assert.equal(body.updateAfter, "threw Error: Digest already called");
    assert.equal(body.isHash, false);
    assert.equal(body.isHmac, true);
  });

  test("pbkdf2 (RFC 6070), scrypt (RFC 7914), hkdf (RFC 5869), sync and with callbacks", async () => {
    const body = await get("kdf");
    assert.equal(body.pbkdf2c1, "0c60c80f961f0e71f3a9b524af6012062fe037a6");
    assert.equal(body.pbkdf2c4096, "4b007901b765489abead49d926f721d065a429c1");
    assert.equal(body.asyncPbkdf2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
    const scrypt =
      "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906";
    assert.equal(body.scrypt, scrypt);
    assert.equal(body.asyncScrypt, scrypt);
    assert.equal(body.hkdf, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    assert.equal(body.tooManyIterations, "threw RangeError: Pbkdf2 failed: iteration counts above 100000 are not supported (requested 1000000).");
  });

  test("createCipheriv/createDecipheriv: AES-CBC (SP 800-38A), AES-GCM (spec test case 14), AAD and tag checks", async () => {
    const body = await get("ciphers");
    assert.equal(body.cbc, "7649abac8119b246cee98e9b12e9197d");
    assert.equal(body.gcm, "cea7403d4d606b6e074ec5d3baf39d18");
    assert.equal(body.tag, "d0d1c8a799996bf0265b98b5d48ab919");
    assert.equal(body.gcmPlain, "00".repeat(16));
    assert.equal(body.roundTrip, "a secret message that spans several blocks");
    assert.equal(body.badTag, "threw Error: Unsupported state or unable to authenticate data");
    assert.match(body.unsupported, /^threw Error: Unsupported cipher algorithm: des-ede3-cbc/);
  });

  test("randomness, timingSafeEqual, webcrypto; what is not implemented says so", async () => {
    const body = await get("random");
    assert.equal(body.bytes, 16);
    assert.equal(body.big, 100000);
    assert.match(body.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(body.intsInRange, true);
    assert.equal(body.equal, true);
    assert.equal(body.notEqual, false);
    assert.equal(body.lengths, "threw RangeError: Input buffers must have the same byte length");
    assert.equal(body.webcrypto, true);
    assert.equal(body.sign, "threw Error: [atoll] crypto.createSign is not supported: Atoll's nodejs_compat does not implement it.");
  });
});
