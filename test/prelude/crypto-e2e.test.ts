// Web Crypto end to end: a real `atoll dev` process serves a worker that runs crypto checks and
// returns JSON over real HTTP; some results are cross-checked with Node's own WebCrypto.
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { after, before, test } from "node:test";
import { type RunningDev, startWorker } from "../support/worker.ts";

const worker = String.raw`
const enc = (s) => new TextEncoder().encode(s);
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const fromHex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
const b64url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
async function errorOf(p) {
  try { await (typeof p === "function" ? p() : p); return null; }
  catch (e) { return [e.constructor.name, e.name, e instanceof DOMException, e.message]; }
}
const s = crypto.subtle;

async function checks() {
  const out = {};
  out.sha256 = hex(await s.digest("SHA-256", enc("abc")));
  out.md5 = hex(await s.digest("MD5", enc("abc")));
  const hmac = await s.importKey("raw", enc("Jefe"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  out.hmac = hex(await s.sign("HMAC", hmac, enc("what do ya want for nothing?")));
  const pw = await s.importKey("raw", enc("password"), "PBKDF2", false, ["deriveBits"]);
  out.pbkdf2 = hex(await s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: enc("salt"), iterations: 4096 }, pw, 256));
  const ikm = await s.importKey("raw", new Uint8Array(22).fill(11), "HKDF", false, ["deriveBits"]);
  out.hkdf = hex(await s.deriveBits({ name: "HKDF", hash: "SHA-256", salt: fromHex("000102030405060708090a0b0c"), info: fromHex("f0f1f2f3f4f5f6f7f8f9") }, ikm, 336));
  // RFC 7515 A.3 (ES256).
  const pub = await s.importKey("jwk", { kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" },
    { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  out.es256 = await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub,
    b64url("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"),
    enc("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"));
  const rsa = await s.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
  const rsaSig = await s.sign("RSASSA-PKCS1-v1_5", rsa.privateKey, enc("m"));
  out.rsa = [await s.verify("RSASSA-PKCS1-v1_5", rsa.publicKey, rsaSig, enc("m")), rsa.publicKey.algorithm.modulusLength];
  const aes = await s.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  out.aes = new TextDecoder().decode(await s.decrypt({ name: "AES-GCM", iv }, aes, await s.encrypt({ name: "AES-GCM", iv }, aes, enc("secret"))));
  out.uuid = crypto.randomUUID();
  out.timingSafeEqual = [s.timingSafeEqual(enc("ab"), enc("ab")), s.timingSafeEqual(enc("ab"), enc("ac"))];
  const ds = new crypto.DigestStream("SHA-256");
  const w = ds.getWriter(); await w.write(enc("a")); await w.write("bc"); await w.close();
  out.digestStream = hex(await ds.digest);
  out.errors = {
    usage: await errorOf(s.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["sign"])),
    mismatch: await errorOf(s.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, aes, enc("x"))),
    decrypt: await errorOf(s.decrypt({ name: "AES-GCM", iv }, aes, new Uint8Array(32))),
    digest: await errorOf(s.digest("SHA3-256", enc("x"))),
    badData: await errorOf(s.digest("SHA-256", "x")),
    random: await errorOf(() => crypto.getRandomValues(new Float32Array(1))),
    quota: await errorOf(() => crypto.getRandomValues(new Uint8Array(70000))),
    ctor: await errorOf(() => new CryptoKey()),
  };
  return out;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/ed25519") {
      const k = await s.generateKey({ name: "NODE-ED25519", namedCurve: "NODE-ED25519" }, true, ["sign", "verify"]);
      const msg = await request.arrayBuffer();
      return Response.json({ pub: hex(await s.exportKey("raw", k.publicKey)), sig: hex(await s.sign("NODE-ED25519", k.privateKey, msg)) });
    }
    return Response.json(await checks());
  },
};
`;

let dev: RunningDev;
before(async () => {
  dev = await startWorker({ files: { "index.js": worker } });
});
after(async () => {
  await dev?.stop();
});

test("crypto checks inside a served worker: known answers, keys, errors", async () => {
  const res = await fetch(dev.url);
  assert.equal(res.status, 200, dev.output());
  const r = (await res.json()) as Record<string, unknown>;
  assert.equal(r.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(r.md5, "900150983cd24fb0d6963f7d28e17f72");
  assert.equal(r.hmac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  assert.equal(r.pbkdf2, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  assert.equal(r.hkdf, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  assert.equal(r.es256, true);
  assert.deepEqual(r.rsa, [true, 2048]);
  assert.equal(r.aes, "secret");
  assert.match(r.uuid as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(r.timingSafeEqual, [true, false]);
  assert.equal(r.digestStream, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const errors = r.errors as Record<string, [string, string, boolean, string]>;
  const kinds = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v && `${v[0]}:${v[1]}:${v[2]}`]));
  assert.deepEqual(kinds, {
    usage: "DOMException:SyntaxError:true",
    mismatch: "DOMException:InvalidAccessError:true",
    decrypt: "DOMException:OperationError:true",
    digest: "DOMException:NotSupportedError:true",
    badData: "TypeError:TypeError:false",
    random: "DOMException:TypeMismatchError:true",
    quota: "DOMException:QuotaExceededError:true",
    ctor: "TypeError:TypeError:false",
  });
  assert.equal(errors.ctor[3], "Illegal constructor");
});

test("a NODE-ED25519 signature made in the worker verifies with Node's Ed25519", async () => {
  const msg = new TextEncoder().encode("signed by atoll");
  const res = await fetch(`${dev.url}/ed25519`, { method: "POST", body: msg });
  assert.equal(res.status, 200, dev.output());
  const { pub, sig } = (await res.json()) as { pub: string; sig: string };
  const key = await webcrypto.subtle.importKey("raw", Buffer.from(pub, "hex"), "Ed25519", false, ["verify"]);
  assert.equal(await webcrypto.subtle.verify("Ed25519", key, Buffer.from(sig, "hex"), msg), true);
});
