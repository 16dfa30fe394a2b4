// `atoll kv …` as child processes against real state directories, alone and beside a running
// `atoll dev` on the same state (write with one, read with the other).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, startWorker, writeProject } from "../support/worker.ts";

const bin = join(repoRoot, "bin", "atoll.js");

interface Run {
  code: number;
  stdout: Buffer;
  out: string;
  err: string;
}

function atoll(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--no-node-snapshot", bin, ...args],
      { cwd, encoding: "buffer", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, out: stdout.toString(), err: stderr.toString() });
      },
    );
  });
}

/** Runs and expects success; returns stdout. */
async function ok(cwd: string, ...args: string[]): Promise<Run> {
  const run = await atoll(cwd, ...args);
  assert.equal(run.code, 0, `atoll ${args.join(" ")} failed:\n${run.err}`);
  return run;
}

const TOML = `name = "kv-cli"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\n\n[[kv_namespaces]]\nbinding = "KV"\nid = "ns-main"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "ns-cache"\n`;

function project(toml = TOML): string {
  const dir = mkdtempSync(join(tmpdir(), "atoll-kv-cli-"));
  writeProject(dir, { "wrangler.toml": toml, "index.js": "export default { fetch() { return new Response('x'); } }" });
  return dir;
}

test("key put / get / list / delete by --binding use the namespace file atoll dev uses", async () => {
  const dir = project();
  try {
    const put = await ok(dir, "kv", "key", "put", "greeting", "hello wörld", "--binding", "KV", "--metadata", '{ "lang": "de" }', "--ttl", "3600");
    assert.match(put.out, /Wrote the value "hello wörld" to the key "greeting" on namespace ns-main with metadata \{"lang":"de"\}\./);
    assert.ok(existsSync(join(dir, ".atoll", "kv", "ns-main.sqlite")));

    assert.deepEqual((await ok(dir, "kv", "key", "get", "greeting", "--binding", "KV")).stdout, Buffer.from("hello wörld"));
    assert.equal((await ok(dir, "kv", "key", "get", "greeting", "--binding", "KV", "--text")).out, "hello wörld\n");

    const listed = JSON.parse((await ok(dir, "kv", "key", "list", "--binding", "KV")).out);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].name, "greeting");
    assert.deepEqual(listed[0].metadata, { lang: "de" });
    const now = Date.now() / 1000;
    assert.ok(listed[0].expiration > now + 3000 && listed[0].expiration <= now + 3600, String(listed[0].expiration));

    // The other binding is another namespace.
    assert.equal((await ok(dir, "kv", "key", "get", "greeting", "--binding", "CACHE")).out, "Value not found\n");

    assert.match((await ok(dir, "kv", "key", "delete", "greeting", "--binding", "KV")).out, /Deleted the key "greeting" on namespace ns-main\./);
    assert.equal((await ok(dir, "kv", "key", "get", "greeting", "--binding", "KV")).out, "Value not found\n");
    assert.equal((await ok(dir, "kv", "key", "list", "--binding", "KV")).out, "[]\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--path stores a file's bytes exactly and get prints them raw; list --prefix filters and pages through everything", async () => {
  const dir = project();
  try {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    writeFileSync(join(dir, "blob.bin"), bytes);
    assert.match((await ok(dir, "kv", "key", "put", "blob", "--path", "blob.bin", "--binding", "KV")).out, /Wrote the contents of blob\.bin to the key "blob"/);
    assert.deepEqual((await ok(dir, "kv", "key", "get", "blob", "--binding", "KV")).stdout, bytes);

    const items = Array.from({ length: 1205 }, (_, i) => ({ key: `many/${String(i).padStart(4, "0")}`, value: "v" }));
    writeFileSync(join(dir, "many.json"), JSON.stringify(items));
    await ok(dir, "kv", "bulk", "put", "many.json", "--binding", "KV");
    const listed = JSON.parse((await ok(dir, "kv", "key", "list", "--binding", "KV", "--prefix", "many/")).out);
    assert.deepEqual(
      listed.map((k: { name: string }) => k.name),
      items.map((i) => i.key),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--namespace-id and --persist-to need no config; -c from elsewhere puts state beside that config", async () => {
  const dir = project();
  const elsewhere = mkdtempSync(join(tmpdir(), "atoll-kv-cwd-"));
  try {
    const state = join(elsewhere, "state");
    await ok(elsewhere, "kv", "key", "put", "k", "v", "--namespace-id", "raw-id", "--persist-to", "state");
    assert.ok(existsSync(join(state, "kv", "raw-id.sqlite")));
    assert.equal((await ok(elsewhere, "kv", "key", "get", "k", "--namespace-id", "raw-id", "--persist-to", state, "--text")).out, "v\n");

    await ok(elsewhere, "kv", "key", "put", "k2", "v2", "--binding", "KV", "-c", join(dir, "wrangler.toml"));
    assert.ok(existsSync(join(dir, ".atoll", "kv", "ns-main.sqlite")));
    assert.ok(!existsSync(join(elsewhere, ".atoll")));
    // --namespace-id with -c: same default state directory, beside the config.
    assert.equal((await ok(elsewhere, "kv", "key", "get", "k2", "--namespace-id", "ns-main", "-c", join(dir, "wrangler.toml"), "--text")).out, "v2\n");
    // Found upward from a subdirectory, as atoll dev finds it.
    const sub = join(dir, "src", "deep");
    mkdirSync(sub, { recursive: true });
    assert.equal((await ok(sub, "kv", "key", "get", "k2", "--binding", "KV", "--text")).out, "v2\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test("--env uses that environment's kv_namespaces", async () => {
  const dir = project(`${TOML}\n[[env.staging.kv_namespaces]]\nbinding = "KV"\nid = "ns-staging"\npreview_id = "ns-staging-preview"\n`);
  try {
    await ok(dir, "kv", "key", "put", "k", "staged", "--binding", "KV", "--env", "staging");
    assert.ok(existsSync(join(dir, ".atoll", "kv", "ns-staging-preview.sqlite")));
    assert.equal((await ok(dir, "kv", "key", "get", "k", "--binding", "KV", "--text")).out, "Value not found\n");
    const missing = await atoll(dir, "kv", "key", "get", "k", "--binding", "CACHE", "--env", "staging");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No KV namespace with binding "CACHE" in .*wrangler\.toml \(env staging\)\. Its KV bindings: KV\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("errors: unknown binding lists the KV bindings; the binding's own validation errors; bad flags", async () => {
  const dir = project();
  try {
    // Each case: arguments, then what stderr must say; every one exits 1.
    const cases: [string[], RegExp][] = [
      [["key", "get", "k", "--binding", "NOPE"], /No KV namespace with binding "NOPE" in .*wrangler\.toml\. Its KV bindings: KV, CACHE\./],
      [["key", "put", "k", "v", "--binding", "KV", "--ttl", "10"], /Error: KV PUT failed: 400 Invalid expiration_ttl of 10\. Expiration TTL must be at least 60\./],
      [["key", "put", "", "v", "--binding", "KV"], /TypeError: Key name cannot be empty\./],
      [["key", "get", "x".repeat(513), "--binding", "KV"], /Error: KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512\./],
      [
        ["key", "put", "k", "v", "--binding", "KV", "--metadata", JSON.stringify({ x: "y".repeat(1100) })],
        /Error: KV PUT failed: 413 Metadata length of 1108 exceeds limit of 1024\./,
      ],
      [["key", "get", "k", "--binding", "KV", "--namespace-id", "x"], /Exactly one of --binding NAME and --namespace-id ID is required\./],
      [["key", "list"], /Exactly one of --binding NAME and --namespace-id ID is required\./],
      [["key", "put", "k", "--binding", "KV"], /Give the value either as VALUE or with --path FILE\./],
      [["key", "put", "k", "v", "--binding", "KV", "--metadata", "{nope"], /--metadata: not valid JSON/],
      [["key", "put", "k", "v", "--binding", "KV", "--ttl", "soon"], /--ttl soon: expected a number of seconds\./],
      [["key", "frobnicate"], /Unknown command "atoll kv key frobnicate"/],
      [["key", "get", "k", "--bogus"], /Unknown option '--bogus'/],
      [["key", "get", "--binding", "KV"], /Expected KEY\./],
    ];
    for (const [args, message] of cases) {
      const run = await atoll(dir, "kv", ...args);
      assert.equal(run.code, 1, args.join(" "));
      assert.match(run.err, message);
    }

    // Nothing above wrote anything.
    assert.equal((await ok(dir, "kv", "key", "list", "--binding", "KV")).out, "[]\n");
    assert.match((await ok(dir, "kv", "--help")).out, /key put KEY \[VALUE\]/);
    assert.match((await ok(dir, "kv", "key", "put", "--help")).out, /--ttl N/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bulk put (base64, metadata, expiration_ttl) and bulk delete; a bad item writes nothing", async () => {
  const dir = project();
  try {
    writeFileSync(
      join(dir, "put.json"),
      JSON.stringify([
        { key: "plain", value: "text" },
        { key: "b64", value: Buffer.from([0, 255, 1]).toString("base64"), base64: true },
        { key: "meta", value: "m", metadata: { tag: "x" }, expiration_ttl: 600 },
      ]),
    );
    assert.match((await ok(dir, "kv", "bulk", "put", "put.json", "--binding", "KV")).out, /Wrote 3 key-value pairs to namespace ns-main\./);
    assert.deepEqual((await ok(dir, "kv", "key", "get", "b64", "--binding", "KV")).stdout, Buffer.from([0, 255, 1]));
    const listed = JSON.parse((await ok(dir, "kv", "key", "list", "--binding", "KV")).out);
    assert.deepEqual(
      listed.map((k: Record<string, unknown>) => [k.name, k.metadata ?? null, typeof k.expiration]),
      [
        ["b64", null, "undefined"],
        ["meta", { tag: "x" }, "number"],
        ["plain", null, "undefined"],
      ],
    );

    writeFileSync(join(dir, "bad.json"), JSON.stringify([{ key: "new", value: "1" }, { key: "new2", value: "2", expiration_ttl: 5 }]));
    const bad = await atoll(dir, "kv", "bulk", "put", "bad.json", "--binding", "KV");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /The item at index 1: KV PUT failed: 400 Invalid expiration_ttl of 5\. Expiration TTL must be at least 60\./);
    writeFileSync(join(dir, "shape.json"), JSON.stringify([{ key: "k", value: 5 }]));
    assert.match((await atoll(dir, "kv", "bulk", "put", "shape.json", "--binding", "KV")).err, /shape\.json: each item must be .*the item at index 0 is \{"key":"k","value":5\}/);
    writeFileSync(join(dir, "notjson.json"), "{");
    assert.match((await atoll(dir, "kv", "bulk", "put", "notjson.json", "--binding", "KV")).err, /notjson\.json: not valid JSON/);
    assert.equal((await ok(dir, "kv", "key", "get", "new", "--binding", "KV")).out, "Value not found\n");

    writeFileSync(join(dir, "delete.json"), JSON.stringify(["plain", "b64", "never-there"]));
    assert.match((await ok(dir, "kv", "bulk", "delete", "delete.json", "--binding", "KV")).out, /Deleted 3 keys from namespace ns-main\./);
    assert.deepEqual(
      JSON.parse((await ok(dir, "kv", "key", "list", "--binding", "KV")).out).map((k: { name: string }) => k.name),
      ["meta"],
    );
    writeFileSync(join(dir, "delete-bad.json"), JSON.stringify(["meta", 7]));
    assert.match((await atoll(dir, "kv", "bulk", "delete", "delete-bad.json", "--binding", "KV")).err, /the item at index 1 is 7/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("while atoll dev runs on the same state: CLI writes are read by the worker and worker writes by the CLI", async () => {
  const worker = `export default {
    async fetch(request, env) {
      const url = new URL(request.url);
      const key = decodeURIComponent(url.pathname.slice(3));
      if (url.pathname.startsWith("/w/")) {
        await env.KV.put(key, await request.text(), { metadata: { by: "worker" } });
        return new Response("ok");
      }
      if (url.pathname.startsWith("/r/")) {
        const { value, metadata } = await env.KV.getWithMetadata(key);
        return value === null ? new Response("not found", { status: 404 }) : Response.json({ value, metadata });
      }
      return Response.json((await env.KV.list()).keys.map((k) => k.name));
    },
  };`;
  const dev = await startWorker({ toml: TOML, files: { "index.js": worker } });
  try {
    // CLI → worker.
    await ok(dev.dir, "kv", "key", "put", "from-cli", "hello from the CLI", "--binding", "KV", "--metadata", '{"by":"cli"}');
    const res = await fetch(`${dev.url}/r/from-cli`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { value: "hello from the CLI", metadata: { by: "cli" } });

    // Worker → CLI.
    assert.equal(await (await fetch(`${dev.url}/w/from-worker`, { method: "POST", body: "hello from the worker" })).text(), "ok");
    assert.equal((await ok(dev.dir, "kv", "key", "get", "from-worker", "--binding", "KV", "--text")).out, "hello from the worker\n");
    const listed = JSON.parse((await ok(dev.dir, "kv", "key", "list", "--binding", "KV")).out);
    assert.deepEqual(listed, [{ name: "from-cli", metadata: { by: "cli" } }, { name: "from-worker", metadata: { by: "worker" } }]);

    // Bulk writes and deletes by the CLI, interleaved with worker writes.
    writeFileSync(join(dev.dir, "bulk.json"), JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ key: `bulk-${i}`, value: `b${i}` }))));
    const [bulk] = await Promise.all([
      ok(dev.dir, "kv", "bulk", "put", "bulk.json", "--binding", "KV"),
      ...Array.from({ length: 20 }, (_, i) => fetch(`${dev.url}/w/during-${i}`, { method: "POST", body: "x" }).then((r) => r.text())),
    ]);
    assert.match(bulk.out, /Wrote 50 key-value pairs/);
    const names: string[] = await (await fetch(`${dev.url}/`)).json();
    assert.equal(names.filter((n) => n.startsWith("bulk-")).length, 50);
    assert.equal(names.filter((n) => n.startsWith("during-")).length, 20);
    assert.deepEqual(await (await fetch(`${dev.url}/r/bulk-7`)).json(), { value: "b7", metadata: null });

    await ok(dev.dir, "kv", "key", "delete", "from-worker", "--binding", "KV");
    assert.equal((await fetch(`${dev.url}/r/from-worker`)).status, 404);
  } finally {
    await dev.stop();
  }
});
