// One instance of lol-html's WebAssembly build (npm `html-rewriter-wasm` 0.4.1, which wraps
// Cloudflare's lol-html with wasm-bindgen and Binaryen's Asyncify). This file replaces the
// package's Node-only JS glue: the same calling conventions, but scoped to one instance (the
// package keeps its object table and memory views in module globals), with no `require`, and with
// the tokens made by the caller (src/prelude/html-rewriter/tokens.ts).
//
// The wasm is not in the prelude bundle (≈0.9 MB, it would be baked into every isolate's
// snapshot): the first use asks the host for it (`htmlrewriter.wasm`, a synchronous call), which
// returns the module the host compiled once (shared compiled code; bytes are compiled here).
//
// Asyncify: when a handler returns a promise, the wasm stack of that rewriter is unwound into a
// buffer, the promise is awaited, and the stack is rewound. The shadow stack of an instance is
// shared, so an instance runs at most one rewriter at a time (see the pool in index.ts).
import { callHostSync } from "../bridge.ts";
import { TextDecoder, TextEncoder } from "../web/index.ts";

/** What the Rust side hands to JS for each token kind. */
export type TokenKind = "element" | "comment" | "textchunk" | "doctype" | "endtag" | "documentend";

/** Makes the JS object for a token the Rust side created (it owns `ptr` from then on). */
export type TokenFactory = (kind: TokenKind, lol: LolHtml, ptr: number) => object;

type Fn = (...args: number[]) => number;
type Exports = Record<string, Fn> & { memory: WebAssembly.Memory };

let compiled: WebAssembly.Module | undefined;

/** The compiled module, from the host on first use in this isolate. */
function wasmModule(): WebAssembly.Module {
  if (!compiled) {
    const value = callHostSync("htmlrewriter.wasm", []);
    if (value instanceof WebAssembly.Module) compiled = value;
    else if (value instanceof ArrayBuffer) compiled = new WebAssembly.Module(value);
    else throw new Error("HTMLRewriter: the host did not provide lol-html.");
  }
  return compiled;
}

const UNWINDING = 1;
const REWINDING = 2;
/** Bytes of the Asyncify buffer html-rewriter-wasm reserves per rewriter (at asyncifyStackPtr). */
const ASYNCIFY_BUFFER = 1024;

const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * lol-html's output reaches the sink as `new Uint8Array(new Uint8Array(memory.buffer, off, len))`
 * built through four imports. Typed arrays are costly to make in such numbers (one per token), so
 * those imports pass this stand-in instead and the sink copies straight out of wasm memory.
 */
class Slice {
  off = 0;
  len = 0;
}
const MEMORY_BUFFER = Symbol("memory.buffer");

/** Receives output: `len` bytes at `off` in `mem` (valid only during the call). */
export type OutputSink = (mem: Uint8Array, off: number, len: number) => void;
const utf8Encoder = new TextEncoder();

export class LolHtml {
  readonly x: Exports;
  /** wasm-bindgen's table of JS objects the wasm refers to by index. */
  #heap: unknown[] = [...new Array(32).fill(undefined), undefined, null, true, false];
  #heapNext = this.#heap.length;
  #stackPointer = 32;
  #u8: Uint8Array | null = null;
  #i32: Int32Array | null = null;
  #vectorLength = 0;
  /** The promise a handler returned, while the rewriter's stack is unwound. */
  #pending: unknown = undefined;
  #factory: TokenFactory;
  /** The one Slice in use (the sink consumes it before lol-html emits the next piece). */
  #slice = new Slice();
  /**
   * Set when a rewriter-level call threw (a bad selector, a handler's exception, a lol-html error):
   * the rewriter's Rust state is then left borrowed (freeing it fails) and the wasm shadow stack is
   * not unwound, so the instance is not reused. (Errors of token methods are harmless.)
   */
  tainted = false;
  /** Called when a handler's promise suspends the rewriter (to flush the output so far). */
  onSuspend: (() => void) | undefined;

  constructor(factory: TokenFactory) {
    this.#factory = factory;
    const module = wasmModule();
    const table = this.#imports();
    const imports: Record<string, Function> = {};
    for (const { module: from, name } of WebAssembly.Module.imports(module)) {
      const fn = table[name];
      if (from !== "__wbindgen_placeholder__" || !fn) throw new Error(`HTMLRewriter: unsupported lol-html build (import ${name}).`);
      imports[name] = fn;
    }
    const instance = new WebAssembly.Instance(module, { __wbindgen_placeholder__: imports } as WebAssembly.Imports);
    this.x = instance.exports as unknown as Exports;
  }

  // ---- wasm-bindgen object table and memory ----

  get(idx: number): unknown {
    return this.#heap[idx];
  }

  add(obj: unknown): number {
    if (this.#heapNext === this.#heap.length) this.#heap.push(this.#heap.length + 1);
    const idx = this.#heapNext;
    this.#heapNext = this.#heap[idx] as number;
    this.#heap[idx] = obj;
    return idx;
  }

  take(idx: number): unknown {
    const value = this.#heap[idx];
    if (idx >= 36) {
      this.#heap[idx] = this.#heapNext;
      this.#heapNext = idx;
    }
    return value;
  }

  #borrow(obj: unknown): number {
    if (this.#stackPointer === 1) throw new Error("out of js stack");
    this.#heap[--this.#stackPointer] = obj;
    return this.#stackPointer;
  }

  #unborrow(): void {
    this.#heap[this.#stackPointer++] = undefined;
  }

  // Views of wasm memory; growing the memory detaches the old buffer (its views read length 0).
  u8(): Uint8Array {
    if (this.#u8 === null || this.#u8.byteLength === 0) this.#u8 = new Uint8Array(this.x.memory.buffer);
    return this.#u8;
  }

  i32(): Int32Array {
    if (this.#i32 === null || this.#i32.byteLength === 0) this.#i32 = new Int32Array(this.x.memory.buffer);
    return this.#i32;
  }

  /** A UTF-8 string from wasm memory (ASCII without a TextDecoder: tag and attribute names mostly are). */
  str(ptr: number, len: number): string {
    const mem = this.u8();
    if (len <= 64) {
      let s = "";
      for (let i = ptr, end = ptr + len; i < end; i++) {
        const c = mem[i];
        if (c >= 0x80) return utf8Decoder.decode(mem.subarray(ptr, ptr + len));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8Decoder.decode(mem.subarray(ptr, ptr + len));
  }

  /** Copies a string into wasm memory (malloc'd; the callee frees it); its length is in `len`. */
  passString(s: string): number {
    const malloc = this.x.__wbindgen_malloc;
    const realloc = this.x.__wbindgen_realloc;
    let len = s.length;
    let ptr = malloc(len);
    let mem = this.u8();
    let offset = 0;
    for (; offset < len; offset++) {
      const code = s.charCodeAt(offset);
      if (code > 0x7f) break;
      mem[ptr + offset] = code;
    }
    if (offset !== len) {
      const rest = offset === 0 ? s : s.slice(offset);
      ptr = realloc(ptr, len, (len = offset + rest.length * 3));
      mem = this.u8();
      offset += utf8Encoder.encodeInto(rest, mem.subarray(ptr + offset, ptr + len)).written;
    }
    this.#vectorLength = offset;
    return ptr;
  }

  get len(): number {
    return this.#vectorLength;
  }

  passBytes(bytes: Uint8Array): number {
    const ptr = this.x.__wbindgen_malloc(bytes.byteLength);
    this.u8().set(bytes, ptr);
    this.#vectorLength = bytes.byteLength;
    return ptr;
  }

  /** Calls an export that returns a string through a return area (wasm-bindgen's retptr). */
  retString(fn: string, ptr: number): string {
    const x = this.x;
    const retptr = x.__wbindgen_add_to_stack_pointer(-16);
    let r0 = 0;
    let r1 = 0;
    try {
      x[fn](retptr, ptr);
      const i32 = this.i32();
      r0 = i32[retptr / 4];
      r1 = i32[retptr / 4 + 1];
      return this.str(r0, r1);
    } finally {
      x.__wbindgen_add_to_stack_pointer(16);
      x.__wbindgen_free(r0, r1);
    }
  }

  // ---- rewriters ----

  /** A new lol-html rewriter writing its output to `sink`; returns its pointer. */
  newRewriter(sink: OutputSink): number {
    const receive = (chunk: Slice | Uint8Array) => {
      if (chunk instanceof Slice) sink(this.u8(), chunk.off, chunk.len);
      else sink(chunk, 0, chunk.byteLength);
    };
    try {
      return this.x.htmlrewriter_new(this.#borrow(receive), 0);
    } finally {
      this.#unborrow();
    }
  }

  /** Registers element handlers (`handlers` holds wrapped functions); throws on a bad selector. */
  on(rewriter: number, selector: string, handlers: object): void {
    const ptr = this.passString(selector);
    try {
      this.x.htmlrewriter_on(rewriter, ptr, this.len, this.add(handlers));
    } catch (e) {
      this.tainted = true;
      throw e;
    }
  }

  onDocument(rewriter: number, handlers: object): void {
    this.x.htmlrewriter_onDocument(rewriter, this.add(handlers));
  }

  write(rewriter: number, bytes: Uint8Array): Promise<void> {
    const ptr = this.passBytes(bytes);
    const len = this.len;
    return this.#run(rewriter, () => this.x.htmlrewriter_write(rewriter, ptr, len));
  }

  end(rewriter: number): Promise<void> {
    return this.#run(rewriter, () => this.x.htmlrewriter_end(rewriter));
  }

  free(rewriter: number): void {
    this.x.__wbg_htmlrewriter_free(rewriter);
  }

  /** Runs `call`; while a handler's promise has unwound the stack, awaits it and rewinds. */
  async #run(rewriter: number, call: () => void): Promise<void> {
    const x = this.x;
    const stackPtr = x.htmlrewriter_asyncify_stack_ptr(rewriter);
    try {
      call();
      while (x.asyncify_get_state() === UNWINDING) {
        x.asyncify_stop_unwind();
        const promise = this.#pending;
        this.#pending = undefined;
        this.onSuspend?.();
        await promise;
        x.asyncify_start_rewind(stackPtr);
        call();
      }
    } catch (e) {
      this.tainted = true;
      throw e;
    }
  }

  #awaitPromise(stackPtr: number, idx: number): void {
    const x = this.x;
    if (x.asyncify_get_state() === REWINDING) {
      x.asyncify_stop_rewind();
      return;
    }
    const i32 = this.i32();
    i32[stackPtr / 4] = stackPtr + 8;
    i32[stackPtr / 4 + 1] = stackPtr + ASYNCIFY_BUFFER;
    x.asyncify_start_unwind(stackPtr);
    this.#pending = this.get(idx);
  }

  // ---- what the wasm imports (names are those of the html-rewriter-wasm 0.4.1 build) ----

  #imports(): Record<string, Function> {
    const flag = (value: unknown) => (value === undefined || value === null ? 0xffffff : value ? 1 : 0);
    const prop = (name: string) => (idx: number) => {
      const v = (this.get(idx) as Record<string, unknown>)[name];
      return v === undefined || v === null ? 0 : this.add(v);
    };
    const make = (kind: TokenKind) => (ptr: number) => this.add(this.#factory(kind, this, ptr));
    return {
      __wbindgen_object_drop_ref: (idx: number) => void this.take(idx),
      __wbindgen_object_clone_ref: (idx: number) => this.add(this.get(idx)),
      __wbindgen_string_new: (ptr: number, len: number) => this.add(this.str(ptr, len)),
      __wbindgen_memory: () => this.add(this.x.memory),
      __wbindgen_throw: (ptr: number, len: number) => {
        throw new Error(this.str(ptr, len));
      },
      __wbindgen_rethrow: (idx: number) => {
        throw this.take(idx);
      },
      __wbindgen_debug_string: (ret: number, idx: number) => this.#writeString(ret, debugString(this.get(idx))),
      __wbg_String_60c4ba333b5ca1c6: (ret: number, idx: number) => this.#writeString(ret, String(this.get(idx))),
      __wbg_html_cd9a0f328493678b: (idx: number) => flag((this.get(idx) as { html?: unknown }).html),
      __wbg_enableEsiTags_de6b91cc61a25874: (idx: number) => flag((this.get(idx) as { enableEsiTags?: unknown }).enableEsiTags),
      __wbg_element_c38470ed972aea27: prop("element"),
      __wbg_comments_ba86bc03331d9378: prop("comments"),
      __wbg_text_7800bf26cb443911: prop("text"),
      __wbg_doctype_ac58c0964a59b61b: prop("doctype"),
      __wbg_comments_94d876f6c0502e82: prop("comments"),
      __wbg_text_4606a16c30e4ae91: prop("text"),
      __wbg_end_34efb9402eac8a4e: prop("end"),
      __wbg_element_new: make("element"),
      __wbg_comment_new: make("comment"),
      __wbg_textchunk_new: make("textchunk"),
      __wbg_doctype_new: make("doctype"),
      __wbg_endtag_new: make("endtag"),
      __wbg_documentend_new: make("documentend"),
      __wbg_awaitPromise_39a1101fd8518869: (stackPtr: number, idx: number) => this.#awaitPromise(stackPtr, idx),
      __wbg_new_4fee7e2900033464: () => this.add([]),
      __wbg_push_ba9b5e3c25cff8f9: (arr: number, v: number) => (this.get(arr) as unknown[]).push(this.get(v)),
      __wbg_call_6c4ea719458624eb: (fn: number, self: number, arg: number) => {
        try {
          return this.add((this.get(fn) as Function).call(this.get(self), this.get(arg)));
        } catch (e) {
          this.x.__wbindgen_exn_store(this.add(e));
          return 0;
        }
      },
      __wbg_new_917809a3e20a4b00: (ptr: number, len: number) => this.add(new TypeError(this.str(ptr, len))),
      __wbg_instanceof_Promise_c6535fc791fcc4d2: (idx: number) => (this.get(idx) instanceof Promise ? 1 : 0),
      __wbg_buffer_89a8560ab6a3d9c6: (idx: number) => {
        const memory = this.get(idx) as WebAssembly.Memory;
        return this.add(memory === this.x.memory ? MEMORY_BUFFER : memory.buffer);
      },
      __wbg_newwithbyteoffsetandlength_e45d8b33c02dc3b5: (buf: number, off: number, len: number) => {
        const buffer = this.get(buf);
        if (buffer !== MEMORY_BUFFER) return this.add(new Uint8Array(buffer as ArrayBuffer, off >>> 0, len >>> 0));
        this.#slice.off = off >>> 0;
        this.#slice.len = len >>> 0;
        return this.add(this.#slice);
      },
      __wbg_new_bd2e1d010adb8a1a: (idx: number) => {
        const source = this.get(idx);
        return this.add(source instanceof Slice ? source : new Uint8Array(source as Uint8Array));
      },
    };
  }

  #writeString(ret: number, s: string): void {
    const ptr = this.passString(s);
    const i32 = this.i32();
    i32[ret / 4 + 1] = this.len;
    i32[ret / 4] = ptr;
  }
}

function debugString(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "function") return value.name ? `Function(${value.name})` : "Function";
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack}`;
  if (value === null || typeof value !== "object") return String(value);
  try {
    return `Object(${JSON.stringify(value)})`;
  } catch {
    return "Object";
  }
}
