// The host side of Web Crypto, called directly: real Node WebCrypto, a real HandleTable.
import { noSockets } from "../support/no-sockets.ts";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { describe, test } from "node:test";
import {
  cryptoHostFunctions as fns,
  cryptoHostSyncFunctions as syncFns,
  type KeyDescriptor,
  KeyEntry,
} from "../../src/runtime/host-crypto.ts";
import { HandleTable, type HostCallContext } from "../../src/runtime/host-functions.ts";
import { serializeHostError } from "../../src/runtime/serialize-error.ts";

function context(): HostCallContext {
  return { worker: "t", requestId: 1, handles: new HandleTable(), countSubrequest() {}, signal: new AbortController().signal, attachSocket: noSockets };
}

const enc = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;
const hex = (b: ArrayBuffer) => Buffer.from(b).toString("hex");

async function rejection(p: unknown): Promise<{ name: string; message: string; dom: boolean }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error;
    return { name: err.name, message: err.message, dom: e instanceof DOMException };
  }
  throw new Error("expected a rejection");
}

describe("crypto.randomBytes (sync)", () => {
  test("returns an ArrayBuffer of n random bytes, n in 0..65536", () => {
    const r = syncFns["crypto.randomBytes"](32) as ArrayBuffer;
    assert.ok(r instanceof ArrayBuffer);
    assert.equal(r.byteLength, 32);
    assert.equal((syncFns["crypto.randomBytes"](65536) as ArrayBuffer).byteLength, 65536);
    assert.equal((syncFns["crypto.randomBytes"](0) as ArrayBuffer).byteLength, 0);
    assert.throws(() => syncFns["crypto.randomBytes"](65537), RangeError);
    assert.throws(() => syncFns["crypto.randomBytes"](-1), RangeError);
    assert.throws(() => syncFns["crypto.randomBytes"]("8"), RangeError);
  });
});

describe("keys live in the handle table", () => {
  test("importKey returns a descriptor; sign/verify use the handle; releaseKey frees it", async () => {
    const ctx = context();
    const d = (await fns["crypto.importKey"](ctx, "raw", enc("Jefe"), { name: "HMAC", hash: { name: "SHA-256" } }, false, [
      "verify",
      "sign",
    ])) as KeyDescriptor;
    assert.deepEqual(
      { ...d, handle: typeof d.handle },
      { handle: "number", type: "secret", extractable: false, algorithm: { name: "HMAC", length: 32, hash: { name: "SHA-256" } }, usages: ["sign", "verify"] },
    );
    assert.ok(ctx.handles.get(d.handle) instanceof KeyEntry);
    const data = enc("what do ya want for nothing?");
    const sig = (await fns["crypto.sign"](ctx, { name: "HMAC" }, d.handle, data)) as ArrayBuffer;
    assert.equal(hex(sig), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert.equal(await fns["crypto.verify"](ctx, { name: "HMAC" }, d.handle, sig, data), true);
    await fns["crypto.releaseKey"](ctx, d.handle);
    assert.equal(ctx.handles.get(d.handle), undefined);
    await assert.rejects(fns["crypto.sign"](ctx, { name: "HMAC" }, d.handle, data) as Promise<unknown>, TypeError);
  });

  test("a handle that is not a key is refused, and releaseKey leaves it alone", async () => {
    const ctx = context();
    const other = ctx.handles.add({ some: "body stream" });
    await assert.rejects(fns["crypto.sign"](ctx, { name: "HMAC" }, other, enc("x")) as Promise<unknown>, TypeError);
    await fns["crypto.releaseKey"](ctx, other);
    assert.deepEqual(ctx.handles.get(other), { some: "body stream" });
  });

  test("generateKey returns a pair of descriptors; RSA publicExponent crosses as an ArrayBuffer", async () => {
    const ctx = context();
    const pair = (await fns["crypto.generateKey"](
      ctx,
      { name: "RSA-PSS", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]).buffer, hash: { name: "SHA-256" } },
      true,
      ["verify", "sign"],
    )) as { publicKey: KeyDescriptor; privateKey: KeyDescriptor };
    assert.equal(pair.publicKey.type, "public");
    assert.equal(pair.privateKey.type, "private");
    assert.deepEqual(pair.publicKey.usages, ["verify"]);
    assert.ok(pair.publicKey.algorithm.publicExponent instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(pair.publicKey.algorithm.publicExponent as ArrayBuffer)], [1, 0, 1]);
    assert.notEqual(pair.publicKey.handle, pair.privateKey.handle);
  });

  test("ECDH public key crosses as a handle inside the algorithm", async () => {
    const ctx = context();
    const gen = () => fns["crypto.generateKey"](ctx, { name: "X25519" }, false, ["deriveBits"]) as Promise<{ publicKey: KeyDescriptor; privateKey: KeyDescriptor }>;
    const a = await gen();
    const b = await gen();
    const ab = (await fns["crypto.deriveBits"](ctx, { name: "X25519", public: b.publicKey.handle }, a.privateKey.handle, 256)) as ArrayBuffer;
    const ba = (await fns["crypto.deriveBits"](ctx, { name: "X25519", public: a.publicKey.handle }, b.privateKey.handle, null)) as ArrayBuffer;
    assert.equal(hex(ab), hex(ba));
  });
});

describe("Cloudflare differences", () => {
  test("MD5 digest; SHA digests through WebCrypto", async () => {
    const ctx = context();
    assert.equal(hex((await fns["crypto.digest"](ctx, { name: "MD5" }, enc("abc"))) as ArrayBuffer), "900150983cd24fb0d6963f7d28e17f72");
    assert.equal(
      hex((await fns["crypto.digest"](ctx, { name: "SHA-256" }, enc("abc"))) as ArrayBuffer),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    const e = await rejection(fns["crypto.digest"](ctx, { name: "SHA3-256" }, enc("abc")));
    assert.deepEqual(e, { name: "NotSupportedError", message: "Unrecognized or unimplemented digest algorithm requested.", dom: true });
  });

  test("NODE-ED25519 is Ed25519 underneath with Cloudflare's algorithm shape and namedCurve rule", async () => {
    const ctx = context();
    const alias = { name: "NODE-ED25519", namedCurve: "NODE-ED25519" };
    const pair = (await fns["crypto.generateKey"](ctx, alias, true, ["sign", "verify"])) as { publicKey: KeyDescriptor; privateKey: KeyDescriptor };
    assert.deepEqual(pair.privateKey.algorithm, alias);
    const sig = (await fns["crypto.sign"](ctx, { name: "NODE-ED25519" }, pair.privateKey.handle, enc("m"))) as ArrayBuffer;
    assert.equal(sig.byteLength, 64);
    // Node itself verifies it as plain Ed25519.
    const raw = (await fns["crypto.exportKey"](ctx, "raw", pair.publicKey.handle)) as ArrayBuffer;
    const nodeKey = await webcrypto.subtle.importKey("raw", raw, "Ed25519", false, ["verify"]);
    assert.equal(await webcrypto.subtle.verify("Ed25519", nodeKey, sig, enc("m")), true);
    const jwk = (await fns["crypto.exportKey"](ctx, "jwk", pair.privateKey.handle)) as Record<string, unknown>;
    assert.equal(jwk.alg, undefined);
    assert.equal(jwk.crv, "Ed25519");

    const missing = await rejection(fns["crypto.importKey"](ctx, "raw", raw, { name: "NODE-ED25519" }, true, ["verify"]));
    assert.deepEqual(missing, { name: "TypeError", message: 'Missing field "namedCurve" in "algorithm".', dom: false });
    const wrong = await rejection(fns["crypto.importKey"](ctx, "raw", raw, { name: "NODE-ED25519", namedCurve: "X" }, true, ["verify"]));
    assert.deepEqual(wrong, { name: "NotSupportedError", message: 'EDDSA curve "X" isn\'t supported.', dom: true });
  });

  test("Ed25519 JWK export says alg EdDSA, as workerd does", async () => {
    const ctx = context();
    const pair = (await fns["crypto.generateKey"](ctx, { name: "Ed25519" }, true, ["sign", "verify"])) as { publicKey: KeyDescriptor };
    const jwk = (await fns["crypto.exportKey"](ctx, "jwk", pair.publicKey.handle)) as Record<string, unknown>;
    assert.equal(jwk.alg, "EdDSA");
  });

  test("RSA key generation limits: modulus 256..16384 in steps of 8, exponent 3 or 65537", async () => {
    const ctx = context();
    const rsa = (modulusLength: number, e: number[]) =>
      fns["crypto.generateKey"](ctx, { name: "RSA-PSS", modulusLength, publicExponent: new Uint8Array(e).buffer, hash: { name: "SHA-256" } }, true, [
        "sign",
      ]);
    assert.deepEqual(await rejection(rsa(32768, [1, 0, 1])), {
      name: "OperationError",
      message: "The modulus length must be a multiple of 8 and between 256 and 16k, but 32768 was requested.",
      dom: true,
    });
    assert.deepEqual(await rejection(rsa(1028, [1, 0, 1])), {
      name: "OperationError",
      message: "The modulus length must be a multiple of 8 and between 256 and 16k, but 1028 was requested.",
      dom: true,
    });
    assert.deepEqual(await rejection(rsa(1024, [5])), {
      name: "OperationError",
      message: 'The "publicExponent" must be either 3 or 65537, but got 5.',
      dom: true,
    });
  });

  test("PBKDF2 above 100000 iterations is refused before any work", async () => {
    const ctx = context();
    const key = (await fns["crypto.importKey"](ctx, "raw", enc("pw"), { name: "PBKDF2" }, false, ["deriveBits"])) as KeyDescriptor;
    const alg = (iterations: number) => ({ name: "PBKDF2", hash: { name: "SHA-256" }, salt: enc("salt"), iterations });
    const e = await rejection(fns["crypto.deriveBits"](ctx, alg(100001), key.handle, 256));
    assert.deepEqual(e, {
      name: "NotSupportedError",
      message: "Pbkdf2 failed: iteration counts above 100000 are not supported (requested 100001).",
      dom: true,
    });
    assert.equal(((await fns["crypto.deriveBits"](ctx, alg(2), key.handle, 256)) as ArrayBuffer).byteLength, 32);
  });
});

describe("digest streams", () => {
  test("one-shot finish with the algorithm name leaves no handle behind", async () => {
    const ctx = context();
    const before = ctx.handles.add("marker");
    const out = (await fns["crypto.digestStreamFinish"](ctx, "crc32c", enc("123456789"))) as ArrayBuffer;
    assert.equal(hex(out), "e3069283");
    assert.equal(ctx.handles.add("marker2"), before + 2); // one handle was made and deleted in between
    assert.equal(ctx.handles.get(before + 1), undefined);
  });

  test("update returns a handle that finish consumes; abort closes it", async () => {
    const ctx = context();
    const h = (await fns["crypto.digestStreamUpdate"](ctx, "SHA-256", enc("a"))) as number;
    assert.equal(await fns["crypto.digestStreamUpdate"](ctx, h, enc("b")), h);
    const out = (await fns["crypto.digestStreamFinish"](ctx, h, enc("c"))) as ArrayBuffer;
    assert.equal(hex(out), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(ctx.handles.get(h), undefined);

    const h2 = (await fns["crypto.digestStreamUpdate"](ctx, "crc32", enc("1234"))) as number;
    await fns["crypto.digestStreamAbort"](ctx, h2);
    assert.equal(ctx.handles.get(h2), undefined);
    assert.equal(hex((await fns["crypto.digestStreamFinish"](ctx, "crc32", enc("123456789"))) as ArrayBuffer), "cbf43926");
  });
});

describe("serializeHostError", () => {
  test("DOMException keeps its name and is marked; other errors keep name and message only", () => {
    assert.deepEqual(serializeHostError(new DOMException("bad usage", "SyntaxError")), {
      name: "SyntaxError",
      message: "bad usage",
      props: { domException: true },
    });
    assert.deepEqual(serializeHostError(new TypeError("nope")), { name: "TypeError", message: "nope" });
    assert.deepEqual(serializeHostError("plain"), { name: "Error", message: "plain" });
  });

  test("Node's own WebCrypto DOMExceptions serialize as DOMExceptions", async () => {
    const err = await webcrypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["sign"]).catch((e: unknown) => e);
    assert.deepEqual(serializeHostError(err), { name: "SyntaxError", message: "Unsupported key usage for AES-GCM key", props: { domException: true } });
  });
});
