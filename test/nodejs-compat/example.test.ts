// examples/nodejs-compat end to end: Hono + jose + hono/context-storage (AsyncLocalStorage) + a
// CommonJS library needing Buffer/EventEmitter, with compatibility_flags = ["nodejs_compat"].
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { join } from "node:path";
import { repoRoot, startDev, type RunningDev } from "../support/worker.ts";

const SECRET = "dev-only-secret-please-change-me-0123456789";

describe("examples/nodejs-compat", () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startDev(join(repoRoot, "examples", "nodejs-compat"), ["--no-watch"]);
  });
  after(async () => {
    await dev?.stop();
  });

  test("jose signs and verifies an HS256 JWT; node:crypto's HMAC over it agrees", async () => {
    const res = await fetch(`${dev.url}/jwt?sub=alice`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; payload: Record<string, unknown>; alg: string; nodeCryptoAgrees: boolean };
    assert.equal(body.alg, "HS256");
    assert.equal(body.payload.sub, "alice");
    assert.equal(body.payload.iss, "urn:atoll:example");
    assert.equal(body.payload.app, "Atoll nodejs_compat");
    assert.equal(body.nodeCryptoAgrees, true);
    // The token verifies here too, with the secret from .dev.vars.
    const [header, payload, signature] = body.token.split(".");
    assert.equal(createHmac("sha256", SECRET).update(`${header}.${payload}`).digest("base64url"), signature);
    assert.deepEqual(JSON.parse(Buffer.from(header, "base64url").toString()), { alg: "HS256" });
  });

  test("hono/context-storage keeps each request's context across awaits and timers, under concurrency", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `req-${i}`);
    const responses = await Promise.all(
      ids.map((id, i) => fetch(`${dev.url}/context?delay=${(i * 7) % 20}`, { headers: { "x-request-id": id } }).then((r) => r.json())),
    );
    responses.forEach((body, i) => {
      const { requestId, seen } = body as { requestId: string; seen: string[] };
      assert.equal(requestId, ids[i]);
      assert.deepEqual(seen, [ids[i], ids[i], ids[i], ids[i]]);
    });
  });

  test("a CommonJS library using require('events'), util.inherits, Buffer and process.nextTick", async () => {
    const res = await fetch(`${dev.url}/queue`);
    assert.deepEqual(await res.json(), { parts: ["6869", "dead"], all: Buffer.from([0x68, 0x69, 0xde, 0xad]).toString("base64"), isEmitter: true });
  });

  test("node:crypto hashes match Node's", async () => {
    const res = await fetch(`${dev.url}/hash?text=${encodeURIComponent("héllo wörld")}`);
    assert.deepEqual(await res.json(), {
      sha256: createHash("sha256").update("héllo wörld").digest("hex"),
      md5: createHash("md5").update("héllo wörld").digest("base64"),
    });
  });
});
