// examples/hono: an ordinary Hono app, written exactly as it would be for Cloudflare Workers.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { logger } from "hono/logger";
import { HTTPException } from "hono/http-exception";
import { streamSSE, streamText } from "hono/streaming";

type Bindings = {
  APP_NAME: string;
  LIMITS: { max_items: number; tags: string[] };
};

type Variables = {
  requestId: string;
};

const app = new Hono<{ Bindings: Bindings; Variables: Variables }>();

// Built-in middleware.
app.use(logger());
app.use("/api/*", cors({ origin: "https://example.com", allowMethods: ["GET", "POST"], exposeHeaders: ["x-response-time"] }));

// A hand-written timing middleware: runs code before and after the handler and adds headers.
app.use(async (c, next) => {
  const start = Date.now();
  c.set("requestId", crypto.randomUUID());
  await next();
  c.header("x-response-time", `${Date.now() - start}ms`);
  c.header("x-powered-by", "hono-on-atoll");
});

app.get("/", (c) => c.text(`Hello from ${c.env.APP_NAME}!`));

app.get("/users/:id", (c) => {
  const id = c.req.param("id");
  return c.json({ id, name: `user-${id}`, requestId: c.get("requestId") });
});

app.get("/users/:id/posts/:postId", (c) => {
  const { id, postId } = c.req.param();
  return c.json({ id, postId });
});

app.get("/search", (c) => {
  const q = c.req.query("q");
  const tags = c.req.queries("tag") ?? [];
  const limit = Number(c.req.query("limit") ?? c.env.LIMITS.max_items);
  return c.json({ q, tags, limit });
});

const api = new Hono<{ Bindings: Bindings; Variables: Variables }>();

api.post("/echo", async (c) => {
  const body = await c.req.json<{ name: string; items: number[] }>();
  return c.json({ received: body, sum: body.items.reduce((a, b) => a + b, 0), contentType: c.req.header("content-type") }, 201);
});

api.get("/env", (c) => c.json({ appName: c.env.APP_NAME, limits: c.env.LIMITS }));

app.route("/api", api);

app.get("/stream", (c) =>
  streamText(c, async (stream) => {
    for (let i = 1; i <= 5; i++) {
      await stream.writeln(`chunk ${i}`);
      await stream.sleep(20);
    }
  }),
);

app.get("/sse", (c) =>
  streamSSE(c, async (stream) => {
    for (let i = 1; i <= 3; i++) {
      await stream.writeSSE({ event: "tick", id: String(i), data: JSON.stringify({ n: i }) });
      await stream.sleep(10);
    }
  }),
);

app.get("/teapot", () => {
  throw new HTTPException(418, { message: "I am a teapot" });
});

app.get("/boom", () => {
  throw new Error("kaboom");
});

app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));

app.onError((err, c) => {
  if (err instanceof HTTPException) return err.getResponse();
  console.error(`handled error: ${err.message}`);
  return c.json({ error: err.message }, 500);
});

export default app;
