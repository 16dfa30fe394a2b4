// Module kinds and project shapes: Text, Data and CompiledWasm imports, custom rules, no_bundle,
// a TypeScript main, and bare npm imports resolved from node_modules. Real `atoll dev`, real HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, startWorker } from "../support/worker.ts";

/** A hand-written WebAssembly module exporting add(i32, i32) -> i32. */
const ADD_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type section: (i32, i32) -> i32
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, // export section: "add" = function 0
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, // code: local.get 0, local.get 1, i32.add
]);

/** Bytes that are not valid UTF-8, so a Data module that went through a string would be caught. */
const DATA_BYTES = new Uint8Array([0x00, 0x01, 0xfe, 0xff, 0x80, 0xc3, 0x28, 0x7f]);

const bundledProject: Record<string, string | Uint8Array> = {
  "src/index.ts": `
import hello from "./assets/hello.txt";
import page from "./assets/page.html";
import data from "./assets/data.bin";
import addModule from "./assets/add.wasm";
import addModuleSuffixed from "./assets/add.wasm?module";
import notes from "./assets/notes.md";
import custom from "./assets/blob.dat";
import { describe, Shape } from "./lib/shapes.ts";
import { nested } from "./lib/nested.ts";

interface Env {
  GREETING: string;
}

const handler = {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/text":
        return Response.json({ hello, page, nested, type: typeof hello });
      case "/data": {
        const bytes = new Uint8Array(data as ArrayBuffer);
        return Response.json({ isArrayBuffer: data instanceof ArrayBuffer, bytes: [...bytes] });
      }
      case "/wasm": {
        const module = addModule as WebAssembly.Module;
        const instance = await WebAssembly.instantiate(module);
        const add = instance.exports.add as (a: number, b: number) => number;
        const again = new WebAssembly.Instance(addModuleSuffixed as WebAssembly.Module);
        return Response.json({
          isModule: module instanceof WebAssembly.Module,
          exports: WebAssembly.Module.exports(module),
          sum: add(2, 40),
          wraps: add(0x7fffffff, 1),
          suffixed: (again.exports.add as (a: number, b: number) => number)(7, 8),
        });
      }
      case "/rules":
        return Response.json({ notes, custom: [...new Uint8Array(custom as ArrayBuffer)] });
      case "/ts":
        return Response.json({ square: describe({ kind: Shape.Square, size: 3 }), greeting: env.GREETING });
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;

export default handler;
`,
  "src/lib/shapes.ts": `
export enum Shape { Circle = "circle", Square = "square" }
type Described = { kind: Shape; size: number };
export function describe(shape: Described): string {
  const area: number = shape.kind === Shape.Square ? shape.size ** 2 : Math.round(Math.PI * shape.size ** 2);
  return \`\${shape.kind} of area \${area}\`;
}
`,
  "src/lib/nested.ts": `import text from "../assets/sub/nested.txt";\nexport const nested: string = text.trim();\n`,
  "src/assets/hello.txt": "Hello, text module! é ✓\n",
  "src/assets/page.html": "<h1>hi</h1>",
  "src/assets/sub/nested.txt": "  from a subdirectory  \n",
  "src/assets/data.bin": DATA_BYTES,
  "src/assets/add.wasm": ADD_WASM,
  "src/assets/notes.md": "# Notes\n\n- markdown as Text\n",
  "src/assets/blob.dat": new Uint8Array([9, 8, 7]),
  "src/types.d.ts": `declare module "*.txt" { const s: string; export default s; }\ndeclare module "*.html" { const s: string; export default s; }\ndeclare module "*.md" { const s: string; export default s; }\ndeclare module "*.bin" { const b: ArrayBuffer; export default b; }\ndeclare module "*.dat" { const b: ArrayBuffer; export default b; }\ndeclare module "*.wasm" { const m: WebAssembly.Module; export default m; }\ndeclare module "*.wasm?module" { const m: WebAssembly.Module; export default m; }\n`,
};

const bundledToml = `name = "test"
main = "src/index.ts"
compatibility_date = "2025-01-01"

[vars]
GREETING = "typed"

[[rules]]
type = "Text"
globs = ["**/*.md"]
fallthrough = true

[[rules]]
type = "Data"
globs = ["**/*.dat"]
fallthrough = true
`;

test("bundled TypeScript project: Text, Data, CompiledWasm imports and custom rules", async () => {
  const dev = await startWorker({ toml: bundledToml, files: bundledProject });
  try {
    const text = await (await fetch(`${dev.url}/text`)).json();
    assert.deepEqual(text, { hello: "Hello, text module! é ✓\n", page: "<h1>hi</h1>", nested: "from a subdirectory", type: "string" });

    const data = await (await fetch(`${dev.url}/data`)).json();
    assert.deepEqual(data, { isArrayBuffer: true, bytes: [...DATA_BYTES] });

    const wasm = await (await fetch(`${dev.url}/wasm`)).json();
    assert.deepEqual(wasm, {
      isModule: true,
      exports: [{ name: "add", kind: "function" }],
      sum: 42,
      wraps: -2147483648,
      suffixed: 15,
    });

    const rules = await (await fetch(`${dev.url}/rules`)).json();
    assert.deepEqual(rules, { notes: "# Notes\n\n- markdown as Text\n", custom: [9, 8, 7] });

    const ts = await (await fetch(`${dev.url}/ts`)).json();
    assert.deepEqual(ts, { square: "square of area 9", greeting: "typed" });
  } finally {
    await dev.stop();
  }
});

test("no_bundle: a multi-file plain-JS project runs as written, with Text, Data and Wasm modules beside it", async () => {
  const dev = await startWorker({
    toml: `name = "test"\nmain = "src/index.js"\ncompatibility_date = "2025-01-01"\nno_bundle = true\n\n[[rules]]\ntype = "Text"\nglobs = ["**/*.md"]\nfallthrough = true\n`,
    files: {
      "src/index.js": `
import { add, PI } from "./lib/math.js";
import { shout } from "./lib/strings.mjs";
import * as counter from "./lib/counter.js";
import greeting from "./greeting.txt";
import readme from "./docs/readme.md";
import data from "./data.bin";
import wasm from "./add.wasm";

export default {
  async fetch(request) {
    const instance = await WebAssembly.instantiate(wasm);
    return Response.json({
      add: add(2, 3),
      pi: PI,
      shout: shout(greeting.trim()),
      readme,
      data: [...new Uint8Array(data)],
      wasm: instance.exports.add(20, 22),
      // Module instances are shared: counter.js is evaluated once.
      count: counter.next(),
      sameModule: counter.viaMath() === counter.next() - 1,
    });
  },
};
`,
      "src/lib/math.js": `import { next } from "./counter.js";\nexport const add = (a, b) => a + b;\nexport const PI = 3.14;\nexport const peek = () => next;\n`,
      "src/lib/strings.mjs": `export function shout(s) { return s.toUpperCase() + "!"; }\n`,
      "src/lib/counter.js": `import { peek } from "./math.js";\nlet n = 0;\nexport function next() { return ++n; }\nexport function viaMath() { return peek()(); }\n`,
      "src/greeting.txt": "hello there\n",
      "src/docs/readme.md": "*readme*",
      "src/data.bin": DATA_BYTES,
      "src/add.wasm": ADD_WASM,
    },
  });
  try {
    const res = await fetch(`${dev.url}/`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      add: 5,
      pi: 3.14,
      shout: "HELLO THERE!",
      readme: "*readme*",
      data: [...DATA_BYTES],
      wasm: 42,
      count: 1,
      sameModule: true,
    });
  } finally {
    await dev.stop();
  }
});

test(
  "no_bundle: dynamic import() of a module beside main",
  { todo: "not supported yet: isolated-vm has no dynamic import hook, so no_bundle workers cannot import() (bundled workers can: esbuild inlines it)" },
  async () => {
    const dev = await startWorker({
      toml: `name = "test"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\nno_bundle = true\n`,
      files: {
        "index.js": `export default { async fetch() { const m = await import("./lazy.js"); return new Response(m.message); } };\n`,
        "lazy.js": `export const message = "loaded lazily";\n`,
      },
    });
    try {
      const res = await fetch(dev.url);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "loaded lazily");
    } finally {
      await dev.stop();
    }
  },
);

test(
  'await import("cloudflare:workers") works in a bundled worker (libraries such as hono use it)',
  async () => {
    const dev = await startWorker({
      toml: `name = "test"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\n\n[vars]\nGREETING = "dynamic"\n`,
      files: {
        "index.js": `export default { async fetch() { const { env } = await import("cloudflare:workers"); return new Response(env.GREETING); } };\n`,
      },
    });
    try {
      const res = await fetch(dev.url);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "dynamic");
    } finally {
      await dev.stop();
    }
  },
);

test("bare npm imports resolve from node_modules: a real package (hono), CommonJS, and the workerd export condition", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-test-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(join(repoRoot, "node_modules", "hono"), join(dir, "node_modules", "hono"), "dir");
    const dev = await startWorker({
      dir,
      files: {
        "index.js": `
import { Hono } from "hono/tiny";
import { getMimeType } from "hono/utils/mime";
import cjs from "cjs-lib";
import { named } from "cjs-lib";
import { runtime } from "conditional-lib";
import { helper } from "@scope/helper";

const app = new Hono();
app.get("/", (c) => c.json({
  mime: getMimeType("file.json"),
  cjs: cjs.double(21),
  named: named(),
  runtime,
  helper: helper(),
}));
export default app;
`,
        "node_modules/cjs-lib/package.json": JSON.stringify({ name: "cjs-lib", version: "1.0.0", main: "lib/index.js" }),
        "node_modules/cjs-lib/lib/index.js": `"use strict";\nconst util = require("./util.js");\nmodule.exports = { double: (n) => util.times(n, 2), named: () => "named export from CJS" };\n`,
        "node_modules/cjs-lib/lib/util.js": `exports.times = (a, b) => a * b;\n`,
        "node_modules/conditional-lib/package.json": JSON.stringify({
          name: "conditional-lib",
          version: "1.0.0",
          type: "module",
          exports: { ".": { workerd: "./workerd.js", node: "./node.js", default: "./default.js" } },
        }),
        "node_modules/conditional-lib/workerd.js": `export const runtime = "workerd";\n`,
        "node_modules/conditional-lib/node.js": `export const runtime = "node";\n`,
        "node_modules/conditional-lib/default.js": `export const runtime = "default";\n`,
        "node_modules/@scope/helper/package.json": JSON.stringify({ name: "@scope/helper", version: "2.0.0", type: "module", module: "esm/index.js", main: "cjs/index.js" }),
        "node_modules/@scope/helper/esm/index.js": `export const helper = () => "esm entry";\n`,
        "node_modules/@scope/helper/cjs/index.js": `exports.helper = () => "cjs entry";\n`,
      },
    });
    try {
      const res = await fetch(dev.url);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        mime: "application/json",
        cjs: 42,
        named: "named export from CJS",
        runtime: "workerd",
        helper: "esm entry",
      });
    } finally {
      await dev.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
