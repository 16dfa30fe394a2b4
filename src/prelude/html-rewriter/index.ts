// HTMLRewriter: Cloudflare's streaming HTML rewriter, on lol-html's WebAssembly build running in
// this isolate (see lol-html.ts). `transform(response)` returns a Response whose body is rewritten
// as it is read: each chunk of the input goes through lol-html as soon as the reader asks for more,
// and what lol-html emitted for it goes out as one chunk (also when a handler's promise pauses the
// parser), so the first bytes leave before the input has ended.
import { Response } from "../fetch/index.ts";
import { ReadableStream, resolveEncodingLabel } from "../web/index.ts";
import type { ReadableByteStreamController, ReadableStreamDefaultReader } from "../web/index.ts";
import { LolHtml } from "./lol-html.ts";
import { invokeHandler, makeToken } from "./tokens.ts";

type Handler = (token: never) => void | Promise<void>;

interface ElementHandlers {
  element?: Handler;
  comments?: Handler;
  text?: Handler;
}

interface DocumentHandlers {
  doctype?: Handler;
  comments?: Handler;
  text?: Handler;
  end?: Handler;
}

/** One on() (selector) or onDocument() (null) call: its handler functions and their `this`. */
interface Registration {
  selector: string | null;
  handlers: Record<string, Function>;
  self: object;
}

// ---- the pool of wasm instances: one rewriter per instance at a time (Asyncify shares its stack) ----

const idle: LolHtml[] = [];
const MAX_IDLE = 2;

function acquire(): LolHtml {
  return idle.pop() ?? new LolHtml(makeToken);
}

function release(lol: LolHtml): void {
  lol.onSuspend = undefined;
  if (!lol.tainted && idle.length < MAX_IDLE) idle.push(lol);
}

function pickHandlers(value: unknown, names: readonly string[], method: string): Record<string, Function> {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    throw new TypeError(`Failed to execute '${method}' on 'HTMLRewriter': parameter ${method === "on" ? 2 : 1} is not of type 'object'.`);
  }
  const out: Record<string, Function> = {};
  for (const name of names) {
    const fn = (value as Record<string, unknown>)[name];
    if (fn === undefined || fn === null) continue;
    if (typeof fn !== "function") throw new TypeError(`Failed to execute '${method}' on 'HTMLRewriter': '${name}' is not a function.`);
    out[name] = fn;
  }
  return out;
}

/** Throws lol-html's error (workerd's TypeError "Parser error: ...", plus the selector) for an unsupported selector. */
function checkSelector(selector: string): void {
  const lol = acquire();
  const rewriter = lol.newRewriter(noop);
  try {
    lol.on(rewriter, selector, {});
  } catch (error) {
    // workerd's message alone does not say which selector failed; name it, keeping its text first.
    if (error instanceof TypeError) throw new TypeError(`${error.message} (selector "${selector}")`);
    throw error;
  } finally {
    // A failed `on` leaves the rewriter borrowed: the instance is tainted and dropped with it.
    if (!lol.tainted) lol.free(rewriter);
    release(lol);
  }
}

function noop(): void {}

/** The charset parameter of a Content-Type, if any. */
function charsetOf(contentType: string | null): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(contentType);
  if (!m) return null;
  return m[2] ?? m[1];
}

export class HTMLRewriter {
  #registrations: Registration[] = [];

  on(selector: string, handlers: ElementHandlers): this {
    const text = String(selector);
    const picked = pickHandlers(handlers, ["element", "comments", "text"], "on");
    checkSelector(text);
    this.#registrations.push({ selector: text, handlers: picked, self: handlers as object });
    return this;
  }

  onDocument(handlers: DocumentHandlers): this {
    const picked = pickHandlers(handlers, ["doctype", "comments", "text", "end"], "onDocument");
    this.#registrations.push({ selector: null, handlers: picked, self: handlers as object });
    return this;
  }

  transform(response: Response): Response {
    if (!(response instanceof Response)) {
      throw new TypeError("Failed to execute 'transform' on 'HTMLRewriter': parameter 1 is not of type 'Response'.");
    }
    if (response.type === "error") throw new TypeError("HTMLRewriter cannot transform an error response");
    const input = response.body;
    if (input === null) return response;
    const charset = charsetOf(response.headers.get("content-type"));
    if (charset !== null) {
      const encoding = resolveEncodingLabel(charset);
      // lol-html needs an ASCII-compatible encoding.
      if (!encoding || encoding === "utf-16le" || encoding === "utf-16be" || encoding === "replacement" || encoding === "iso-2022-jp") {
        throw new TypeError("Parser error: Unknown character encoding has been provided.");
      }
    }
    const reader = (input as ReadableStream<Uint8Array>).getReader();
    const output = rewrittenStream(reader, this.#registrations.slice());
    const result = new Response(output, response);
    // The rewritten body's length is not the original's.
    result.headers.delete("content-length");
    return result;
  }

  get [Symbol.toStringTag](): string {
    return "HTMLRewriter";
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError("This ReadableStream did not return bytes.");
}

/** Collects lol-html's many small output pieces into one chunk per flush. */
class OutputBuffer {
  #buf = new Uint8Array(16 * 1024);
  #size = 0;

  readonly push = (mem: Uint8Array, off: number, len: number): void => {
    if (len === 0) return;
    const need = this.#size + len;
    if (need > this.#buf.byteLength) {
      let cap = this.#buf.byteLength * 2;
      while (cap < need) cap *= 2;
      const bigger = new Uint8Array(cap);
      bigger.set(this.#buf.subarray(0, this.#size));
      this.#buf = bigger;
    }
    const buf = this.#buf;
    let at = this.#size;
    if (len <= 32) for (let i = off, end = off + len; i < end; i++) buf[at++] = mem[i];
    else buf.set(mem.subarray(off, off + len), at);
    this.#size = need;
  };

  get size(): number {
    return this.#size;
  }

  /** The bytes collected so far (a copy the caller owns), emptying the buffer. */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#size);
    this.#size = 0;
    return out;
  }
}

/** The rewritten body: pulls input chunks through one lol-html rewriter as it is read. */
function rewrittenStream(reader: ReadableStreamDefaultReader<Uint8Array>, registrations: Registration[]): ReadableStream<Uint8Array> {
  let lol: LolHtml | null = null;
  let rewriter = 0;
  const pending = new OutputBuffer();
  let controller: ReadableByteStreamController | null = null;
  let busy = false;
  let finished = false;

  const flush = (): boolean => {
    if (pending.size === 0) return false;
    controller!.enqueue(pending.take());
    return true;
  };

  const start = () => {
    lol = acquire();
    rewriter = lol.newRewriter(pending.push);
    lol.onSuspend = () => {
      if (!finished) flush();
    };
    for (const r of registrations) {
      const wrapped: Record<string, Function> = {};
      for (const [name, fn] of Object.entries(r.handlers)) {
        wrapped[name] = (token: object) => invokeHandler(fn, r.self, token);
      }
      if (r.selector === null) lol.onDocument(rewriter, wrapped);
      else lol.on(rewriter, r.selector, wrapped);
    }
  };

  /** Frees the rewriter and returns the instance (or drops it after an error). */
  const done = () => {
    finished = true;
    if (!lol) return;
    if (!lol.tainted) {
      try {
        lol.free(rewriter);
      } catch {
        lol.tainted = true;
      }
    }
    release(lol);
    lol = null;
  };

  return new ReadableStream<Uint8Array>(
    {
      type: "bytes",
      start(c) {
        controller = c;
      },
      async pull() {
        if (finished) return;
        busy = true;
        try {
          if (!lol) start();
          for (;;) {
            const { done: ended, value } = await reader.read();
            if (finished) return;
            if (ended) {
              await lol!.end(rewriter);
              flush();
              done();
              controller!.close();
              controller!.byobRequest?.respond(0);
              return;
            }
            const bytes = toBytes(value);
            if (bytes.byteLength === 0) continue;
            await lol!.write(rewriter, bytes);
            if (finished) return;
            if (flush()) return;
          }
        } catch (error) {
          if (lol) lol.tainted = true;
          done();
          reader.cancel(error).catch(noop);
          throw error;
        } finally {
          busy = false;
          if (finished && lol) done();
        }
      },
      cancel(reason) {
        finished = true;
        reader.cancel(reason).catch(noop);
        // A write suspended in an async handler finishes first; the pull's `finally` cleans up.
        if (!busy) done();
        else if (lol) lol.tainted = true;
      },
    },
    { highWaterMark: 0 },
  ) as ReadableStream<Uint8Array>;
}
