// nodejs_compat on Atoll: an unmodified Hono app using npm packages and Node APIs.
// - /jwt      signs and verifies a JWT with `jose`, the secret from .dev.vars (process.env too)
// - /context  Hono's contextStorage() (AsyncLocalStorage) across awaits and timers
// - /queue    a CommonJS library that needs Buffer, EventEmitter, util.inherits, process.nextTick
// - /hash     node:crypto
import { Hono } from "hono";
import { contextStorage, getContext } from "hono/context-storage";
import { SignJWT, jwtVerify } from "jose";
import { createHash, createHmac } from "node:crypto";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import ByteQueue from "./legacy-queue.cjs";

type Env = { Bindings: { APP_NAME: string; ISSUER: string; JWT_SECRET: string }; Variables: { requestId: string } };

const app = new Hono<Env>();
app.use(contextStorage());
app.use(async (c, next) => {
  c.set("requestId", c.req.header("x-request-id") ?? crypto.randomUUID());
  await next();
});

/** Reads the request id from the async context, not from `c`: it must survive awaits and timers. */
function currentRequestId(): string {
  return getContext<Env>().var.requestId;
}

app.get("/jwt", async (c) => {
  const secret = new TextEncoder().encode(c.env.JWT_SECRET);
  const token = await new SignJWT({ sub: c.req.query("sub") ?? "anonymous", app: c.env.APP_NAME })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(c.env.ISSUER)
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(secret);
  const { payload, protectedHeader } = await jwtVerify(token, secret, { issuer: c.env.ISSUER });
  // The same signature computed with node:crypto over the token's first two parts.
  const [header, body, signature] = token.split(".");
  const nodeSignature = createHmac("sha256", process.env.JWT_SECRET!).update(`${header}.${body}`).digest("base64url");
  return c.json({ token, payload, alg: protectedHeader.alg, nodeCryptoAgrees: nodeSignature === signature });
});

app.get("/context", async (c) => {
  const seen: string[] = [currentRequestId()];
  await sleep(Number(c.req.query("delay") ?? 5));
  seen.push(currentRequestId());
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      seen.push(currentRequestId());
      resolve();
    }, 1),
  );
  await Promise.resolve().then(() => seen.push(currentRequestId()));
  return c.json({ requestId: c.get("requestId"), seen });
});

app.get("/queue", async (c) => {
  const queue = new ByteQueue();
  const parts: string[] = [];
  queue.on("data", (chunk: Buffer) => parts.push(chunk.toString("hex")));
  queue.push("hi");
  queue.push(Buffer.from([0xde, 0xad]));
  queue.end();
  const [all] = (await once(queue, "end")) as [Buffer];
  return c.json({ parts, all: all.toString("base64"), isEmitter: typeof queue.emit === "function" });
});

app.get("/hash", (c) => {
  const text = c.req.query("text") ?? "";
  return c.json({ sha256: createHash("sha256").update(text).digest("hex"), md5: createHash("md5").update(text).digest("base64") });
});

export default app;
