// Generates a realistic ~300 KB worker for the cold-start scenario: an application module with
// message catalogs, validators, formatters, model classes and a route table that index.js compiles
// into regular expressions at start-up, as routers do. Everything is reachable from the fetch
// handler, so esbuild's tree shaking keeps it all. Deterministic (seeded), so runs compare.
import { PLACEHOLDER } from "./workers.ts";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "account address amount archive balance billing cache calendar campaign card cart catalog channel " +
  "checkout comment company contact content country coupon currency customer dashboard delivery device " +
  "discount document domain draft email event export feature feedback file filter folder invoice item " +
  "label language ledger license limit location member message metric note notification order owner " +
  "package page partner payment permission plan policy price product profile project quota receipt " +
  "region release report request review role schedule session setting shipment source status " +
  "subscription supplier tag task team template tenant ticket token transaction upload user vendor " +
  "version warehouse webhook workspace"
).split(" ");
const VERBS = "create update delete archive restore approve reject assign export import publish verify sync".split(" ");
const ADJ = "invalid missing expired duplicate locked pending unknown disabled restricted oversized malformed".split(" ");

export interface BigWorker {
  files: Record<string, string>;
  /** Bytes of generated source (the bundle is about the same size). */
  sourceBytes: number;
}

export function generateBigWorker(targetBytes = 300 * 1024, seed = 42): BigWorker {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
  const sentence = (n: number) => {
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(pick(WORDS));
    return cap(words.join(" ")) + ".";
  };

  const parts: string[] = ["// Generated application module (bench/big-worker.ts).", ""];
  const registry: string[] = [];
  const routes: string[] = [];
  const messageKeys: string[] = [];
  let size = 0;
  let i = 0;
  const emit = (code: string) => {
    parts.push(code);
    size += code.length + 1;
  };

  while (size < targetBytes) {
    const noun = pick(WORDS);
    const other = pick(WORDS);
    const verb = pick(VERBS);
    const n = i++;
    switch (n % 5) {
      case 0: {
        // A message catalog fragment: the bulk of many real bundles is strings.
        const lines: string[] = [];
        for (let k = 0; k < 8; k++) {
          const key = `${noun}.${pick(ADJ)}_${other}_${n}_${k}`;
          messageKeys.push(key);
          lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(`${sentence(6 + Math.floor(r() * 10))} {${other}} ${sentence(4)}`)},`);
        }
        emit(`const messages_${n} = {\n${lines.join("\n")}\n};\nObject.assign(MESSAGES, messages_${n});`);
        break;
      }
      case 1: {
        const fields = [pick(WORDS), pick(WORDS), pick(WORDS)];
        emit(`function validate${cap(noun)}${n}(input) {
  const errors = [];
  if (input === null || typeof input !== "object") return { ok: false, errors: [${JSON.stringify(`${cap(noun)} must be an object`)}] };
${fields
  .map(
    (f, k) => `  if (typeof input.${f} !== ${JSON.stringify(k === 1 ? "number" : "string")}) errors.push(${JSON.stringify(`${f} is ${pick(ADJ)}: expected ${k === 1 ? "a number" : "text"} for ${noun}`)});
  else if (${k === 1 ? `input.${f} < 0 || input.${f} > ${Math.floor(r() * 100000)}` : `input.${f}.length > ${16 + Math.floor(r() * 240)}`}) errors.push(message(${JSON.stringify(pick(messageKeys) ?? "none")}, { ${other}: input.${f} }));`,
  )
  .join("\n")}
  return errors.length ? { ok: false, errors } : { ok: true, value: { ...input, kind: ${JSON.stringify(noun)} } };
}
REGISTRY.validate${cap(noun)}${n} = validate${cap(noun)}${n};`);
        registry.push(`validate${cap(noun)}${n}`);
        break;
      }
      case 2: {
        emit(`function format${cap(noun)}${cap(other)}${n}(item, locale = "en-US") {
  const parts = [];
  parts.push(\`${cap(noun)} #\${item.id ?? "?"}\`);
  if (item.${other}) parts.push(\`${other}: \${String(item.${other}).slice(0, ${20 + Math.floor(r() * 60)})}\`);
  const total = (item.lines ?? []).reduce((sum, line) => sum + (line.quantity ?? 1) * (line.price ?? 0), 0);
  parts.push(new Intl.NumberFormat(locale, { style: "currency", currency: ${JSON.stringify(pick(["USD", "EUR", "GBP", "JPY"]))} }).format(total));
  return parts.join(${JSON.stringify(pick([" · ", " | ", ", ", " / "]))});
}
REGISTRY.format${cap(noun)}${cap(other)}${n} = format${cap(noun)}${cap(other)}${n};`);
        registry.push(`format${cap(noun)}${cap(other)}${n}`);
        break;
      }
      case 3: {
        const cls = `${cap(noun)}${cap(other)}Model${n}`;
        emit(`class ${cls} {
  #data;
  static table = ${JSON.stringify(`${noun}_${other}s`)};
  constructor(data = {}) {
    this.#data = { id: data.id ?? crypto.randomUUID(), ${other}: data.${other} ?? null, status: data.status ?? ${JSON.stringify(pick(ADJ))}, createdAt: data.createdAt ?? Date.now() };
  }
  get id() { return this.#data.id; }
  ${verb}(patch) {
    if (this.#data.status === "locked") throw new Error(${JSON.stringify(`Cannot ${verb} a locked ${noun}`)});
    this.#data = { ...this.#data, ...patch, updatedAt: Date.now() };
    return this;
  }
  matches(query) {
    return Object.entries(query).every(([k, v]) => this.#data[k] === v);
  }
  toJSON() { return { type: ${JSON.stringify(noun)}, ...this.#data }; }
}
MODELS[${cls}.table] = ${cls};`);
        break;
      }
      case 4: {
        const path = `/api/v${1 + Math.floor(r() * 3)}/${noun}s/:id/${other}s${n}`;
        const handler = `handle${cap(verb)}${cap(noun)}${n}`;
        emit(`async function ${handler}(request, params) {
  if (request.method !== ${JSON.stringify(pick(["GET", "POST", "PUT", "DELETE"]))} && request.method !== "GET") {
    return json({ error: message(${JSON.stringify(pick(messageKeys) ?? "none")}, { ${other}: request.method }) }, 405);
  }
  const model = new (MODELS[${JSON.stringify(`${noun}_${other}s`)}] ?? Object)({ id: params.id });
  const check = Object.values(REGISTRY).find((fn) => fn.name.startsWith("validate${cap(noun)}"));
  const result = check ? check({ id: params.id }) : { ok: true };
  return json({ ${verb}: ${JSON.stringify(noun)}, id: params.id, model, result, total: ${Math.floor(r() * 1000)} });
}`);
        routes.push(`  ["GET", ${JSON.stringify(path)}, ${handler}],`);
        break;
      }
    }
  }

  const lib = [
    `export const MESSAGES = {};`,
    `export const REGISTRY = {};`,
    `export const MODELS = {};`,
    `export function message(key, values = {}) {
  const template = MESSAGES[key] ?? key;
  return template.replace(/\\{(\\w+)\\}/g, (_, name) => String(values[name] ?? ""));
}`,
    `export function json(value, status = 200) {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}`,
    ...parts,
    `export const ROUTES = [\n${routes.join("\n")}\n];`,
  ].join("\n");

  const index = `import { ROUTES, MESSAGES, REGISTRY, MODELS, json } from "./lib.js";
const WORKER_ID = "${PLACEHOLDER}";
// Compile the route table once per isolate, as routers do.
const compiled = ROUTES.map(([method, pattern, handler]) => ({
  method,
  handler,
  re: new RegExp("^" + pattern.replace(/:(\\w+)/g, "(?<$1>[^/]+)") + "$"),
}));
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/") {
      return json({ worker: WORKER_ID, routes: compiled.length, messages: Object.keys(MESSAGES).length, functions: Object.keys(REGISTRY).length, models: Object.keys(MODELS).length });
    }
    for (const route of compiled) {
      const match = route.re.exec(url.pathname);
      if (match && route.method === request.method) return route.handler(request, match.groups ?? {});
    }
    return json({ error: "not found", worker: WORKER_ID }, 404);
  },
};
`;
  return { files: { "index.js": index, "lib.js": lib }, sourceBytes: lib.length + index.length };
}
