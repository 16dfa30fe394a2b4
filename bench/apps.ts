// The request handlers of the `json`, `big` and `cpu` scenarios, shared by the worker (whose source
// embeds these functions' own text) and the plain Node baseline (which imports them): the same
// JavaScript runs in every server. No other imports, so the baseline starts as fast as plain Node.

/**
 * ~1 ms of pure JavaScript when `n` is calibrated (calibrateSpin); returns a value so it is not
 * dropped. In chunks of a small function called many times, with int32 arithmetic throughout: one
 * long loop depends on V8 replacing it while it runs (on-stack replacement), and an int32 overflow
 * in it made V8 deoptimize mid-loop; on two busy cores the same n then took 1 to 4.5 ms from run to
 * run in any engine, which measured the JIT's luck rather than the server.
 */
export function spin(n: number): number {
  let x = 0;
  for (let from = 0; from < n; from += 4096) x = spinChunk(x, from, Math.min(n, from + 4096));
  return x;
}

export function spinChunk(x: number, from: number, to: number): number {
  for (let i = from; i < to; i++) x = ((Math.imul(x, 31) + i) | 0) ^ (x >>> 7);
  return x;
}

/** The ~1 KB JSON answer of `json`: built from the URL and two request headers. */
export function jsonPayload(href: string, userAgent: string, accept: string): string {
  const url = new URL(href);
  const items = [];
  for (let i = 0; i < 12; i++) items.push({ id: i, name: "item-" + i, tags: ["a", "b", "c"], price: i * 1.25, inStock: i % 3 !== 0 });
  return JSON.stringify({
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    userAgent: userAgent,
    accept: accept,
    items: items,
  });
}

/** The `big` response body: 256 KiB of a fixed byte pattern (built once per server). */
export function bigBody(): Uint8Array {
  const body = new Uint8Array(256 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = 97 + (i % 26);
  return body;
}

export const BIG_BYTES = 256 * 1024;
export const UPLOAD_BYTES = 10 * 1024 * 1024;

/** The worker serving every route (/json, /big, /upload, /cpu?n=N, /hello, /noisy?n=N). */
export const APPS_WORKER = `${spin.toString()}
${spinChunk.toString()}
${jsonPayload.toString()}
${bigBody.toString()}
const BIG = bigBody();
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
export default {
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/json":
        return new Response(jsonPayload(request.url, request.headers.get("user-agent") ?? "", request.headers.get("accept") ?? ""), { headers: { "content-type": "application/json" } });
      case "/big":
        return new Response(BIG, { headers: { "content-type": "application/octet-stream" } });
      case "/upload": {
        const chunks = [];
        let size = 0;
        for await (const chunk of request.body) { chunks.push(chunk); size += chunk.byteLength; }
        const all = new Uint8Array(size);
        let at = 0;
        for (const c of chunks) { all.set(c, at); at += c.byteLength; }
        const digest = await crypto.subtle.digest("SHA-256", all);
        return new Response(size + " " + hex(digest));
      }
      case "/cpu":
      case "/noisy":
        return new Response(String(spin(Number(url.searchParams.get("n")))));
      default:
        return new Response("Hello World!");
    }
  },
};
`;

/** Loop iterations for `targetMs` of spin() on this machine (median of a few timings, after warm-up). */
export function calibrateSpin(targetMs: number): number {
  let n = 100_000;
  for (let i = 0; i < 20; i++) spin(n);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    spin(n);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.max(1, Math.round((n * targetMs) / times[7]));
}
