// AsyncLocalStorage (node:async_hooks) in nodejs_compat workers: the store follows await, promise
// callbacks, timers, queueMicrotask and process.nextTick, and never leaks from one request to
// another, however their continuations interleave in the one isolate.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startWorker, type RunningDev } from "../support/worker.ts";

const WORKER = `
import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";

const als = new AsyncLocalStorage();
const other = new AsyncLocalStorage();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let snapshotOfA;

async function deeper(log) {
  await sleep(1);
  log.push("deeper:" + als.getStore());
  return als.getStore();
}

async function* ticks(n) {
  for (let i = 0; i < n; i++) {
    await sleep(1);
    yield als.getStore();
  }
}

const routes = {
  async run(url) {
    const id = url.searchParams.get("id");
    const delayMs = Number(url.searchParams.get("delay") ?? 0);
    const before = als.getStore() ?? null;
    const log = await als.run(id, async () => {
      const log = ["start:" + als.getStore()];
      await sleep(delayMs);
      log.push("await:" + als.getStore());
      await new Promise((resolve) => setTimeout(() => { log.push("timeout:" + als.getStore()); resolve(); }, delayMs % 3));
      await Promise.resolve().then(() => log.push("then:" + als.getStore()));
      await new Promise((resolve) => queueMicrotask(() => { log.push("microtask:" + als.getStore()); resolve(); }));
      await new Promise((resolve) => process.nextTick(() => { log.push("nextTick:" + als.getStore()); resolve(); }));
      await new Promise((resolve) => { let n = 0; const t = setInterval(() => { log.push("interval:" + als.getStore()); if (++n === 2) { clearInterval(t); resolve(); } }, 1); });
      log.push("returned:" + (await deeper(log)));
      for await (const store of ticks(2)) log.push("asyncGenerator:" + store);
      await other.run("other-" + id, async () => {
        await sleep(1);
        log.push("both:" + als.getStore() + "/" + other.getStore());
      });
      log.push("otherAfter:" + (other.getStore() ?? null));
      await als.run(id + "-nested", async () => {
        await sleep(1);
        log.push("nested:" + als.getStore());
      });
      log.push("unnested:" + als.getStore());
      await Promise.all([sleep(2), fetchLikeWork()]);
      log.push("all:" + als.getStore());
      return log;
    });
    return { before, after: als.getStore() ?? null, log };
  },
  async enterWith(url) {
    const before = als.getStore() ?? null;
    als.enterWith(url.searchParams.get("id"));
    await sleep(3);
    return { before, after: als.getStore() ?? null };
  },
  async snapshot() {
    const results = {};
    als.run("A", () => {
      snapshotOfA = AsyncLocalStorage.snapshot();
      results.bound = AsyncLocalStorage.bind(() => als.getStore());
      results.resource = new AsyncResource("test");
    });
    await als.run("B", async () => {
      await sleep(1);
      results.snapshot = snapshotOfA(() => als.getStore());
      results.boundValue = results.bound();
      results.resourceValue = results.resource.runInAsyncScope(() => als.getStore());
      results.exit = als.exit(() => als.getStore() ?? null);
      results.stillB = als.getStore();
    });
    return { snapshot: results.snapshot, bound: results.boundValue, resource: results.resourceValue, exit: results.exit, stillB: results.stillB, outside: als.getStore() ?? null };
  },
};

async function fetchLikeWork() {
  await sleep(1);
  return als.getStore();
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    return Response.json(await routes[url.pathname.slice(1)](url));
  },
};
`;

const expectedLog = (id: string) => [
  `start:${id}`,
  `await:${id}`,
  `timeout:${id}`,
  `then:${id}`,
  `microtask:${id}`,
  `nextTick:${id}`,
  `interval:${id}`,
  `interval:${id}`,
  `deeper:${id}`,
  `returned:${id}`,
  `asyncGenerator:${id}`,
  `asyncGenerator:${id}`,
  `both:${id}/other-${id}`,
  "otherAfter:null",
  `nested:${id}-nested`,
  `unnested:${id}`,
  `all:${id}`,
];

describe("AsyncLocalStorage", () => {
  let dev: RunningDev;
  before(async () => {
    dev = await startWorker({
      toml: `name = "als"\nmain = "index.js"\ncompatibility_date = "2025-06-01"\ncompatibility_flags = ["nodejs_compat"]\n`,
      files: { "index.js": WORKER },
    });
  });
  after(async () => {
    await dev?.stop();
  });
  const get = async (path: string) => {
    const res = await fetch(`${dev.url}${path}`);
    const body = await res.text();
    assert.equal(res.status, 200, `${path}: ${body}\n${dev.output()}`);
    return JSON.parse(body);
  };

  test("the store follows await, timers, then, queueMicrotask, nextTick, setInterval, async generators", async () => {
    const body = await get("/run?id=solo&delay=2");
    assert.deepEqual(body, { before: null, after: null, log: expectedLog("solo") });
  });

  test("concurrent requests each see only their own store, with enterWith requests interleaved", async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `r${i}`);
    const runs = ids.map((id, i) => get(`/run?id=${id}&delay=${(i * 5) % 13}`));
    const entered = ids.map((id) => get(`/enterWith?id=entered-${id}`));
    const [runBodies, enteredBodies] = await Promise.all([Promise.all(runs), Promise.all(entered)]);
    runBodies.forEach((body, i) => assert.deepEqual(body, { before: null, after: null, log: expectedLog(ids[i]) }));
    enteredBodies.forEach((body, i) => assert.deepEqual(body, { before: null, after: `entered-${ids[i]}` }));
    // Nothing stays behind for the next request.
    assert.deepEqual(await get("/enterWith?id=last"), { before: null, after: "last" });
    assert.equal((await get("/run?id=after&delay=0")).before, null);
  });

  test("snapshot(), bind(), AsyncResource and exit()", async () => {
    assert.deepEqual(await get("/snapshot"), { snapshot: "A", bound: "A", resource: "A", exit: null, stillB: "B", outside: null });
  });
});

describe("AsyncLocalStorage in a worker with top-level await", () => {
  test("it loads with a warning; the store still follows promise callbacks and timers", async () => {
    const dev = await startWorker({
      toml: `name = "tla"\nmain = "index.js"\ncompatibility_date = "2025-06-01"\ncompatibility_flags = ["nodejs_compat"]\n`,
      files: {
        "index.js": `import { AsyncLocalStorage } from "node:async_hooks";
const als = new AsyncLocalStorage();
const config = await Promise.resolve({ ready: true });
export default {
  fetch(request) {
    return als.run(new URL(request.url).searchParams.get("id"), () =>
      new Promise((resolve) => setTimeout(resolve, 1))
        .then(() => als.getStore())
        .then((store) => Response.json({ store, ready: config.ready })));
  },
};
`,
      },
    });
    try {
      const bodies = await Promise.all(["a", "b", "c"].map((id) => fetch(`${dev.url}/?id=${id}`).then((r) => r.json())));
      assert.deepEqual(bodies, [
        { store: "a", ready: true },
        { store: "b", ready: true },
        { store: "c", ready: true },
      ]);
      assert.match(dev.output(), /uses top-level await.*AsyncLocalStorage's store follows promise callbacks and timers, but not `await`/);
    } finally {
      await dev.stop();
    }
  });
});
