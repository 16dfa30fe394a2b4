// The content tokens handlers receive: Element, EndTag, Comment, Text, Doctype, DocumentEnd (the
// classes workerd hands out; none is a global there). Each wraps a token of one lol-html wasm
// instance and is valid only while its handler runs (until the promise it returned settles);
// afterwards every use throws workerd's TypeError.
//
// Content may be a string or, for Element, EndTag and Text, a ReadableStream or Response (as in
// workerd). Those are read whole before they are inserted: the handler's promise waits for them,
// and mutations made after one keep their order.
import { Response } from "../fetch/index.ts";
import { ReadableStream, TextDecoder } from "../web/index.ts";
import type { LolHtml, TokenKind } from "./lol-html.ts";

export const DEAD_TOKEN =
  "This content token is no longer valid. Content tokens are only valid during the execution of the relevant content handler.";
const ATTRIBUTES_MODIFIED =
  "The attributes of this element have been modified during iteration. You must create a new iterator after modifying attributes.";
const STRING_ONLY =
  "Replacing HTML content using a ReadableStream or Response object is not implemented. You must provide a string.";

export interface ContentOptions {
  html?: boolean;
}

type Content = string | ReadableStream | Response;

interface Deferred {
  apply(text: string, html: boolean): void;
  content: ReadableStream | Response;
  html: boolean;
}

interface TokenState {
  lol: LolHtml;
  /** 0 once the token is dead (its wasm object is freed then). */
  ptr: number;
  kind: TokenKind;
  /** Mutations waiting for stream content, in call order. */
  deferred: Array<Deferred | { apply(): void }> | null;
  iterators: AttributesIterator[] | null;
  /** Element: the end tag handler the user set (re-set after the canHaveContent probe). */
  endTagHandler: Function | null;
  canHaveContent: boolean | undefined;
}

let stateOf: (token: unknown) => TokenState | undefined;
/** Tokens are only made by the rewriter (makeToken). */
let constructing = false;

/** What every token class extends: holds the token's state in a private field. */
class Token {
  #state: TokenState;
  constructor(state: TokenState) {
    if (!constructing) throw new TypeError("Illegal constructor");
    constructing = false;
    this.#state = state;
  }
  static {
    stateOf = (token) => (token !== null && typeof token === "object" && #state in token ? token.#state : undefined);
  }
}

function state(token: unknown): TokenState {
  const s = stateOf(token);
  if (!s) throw new TypeError("Illegal invocation");
  return s;
}

/** The live token's wasm pointer, or workerd's TypeError. */
function live(token: unknown): TokenState {
  const s = state(token);
  if (s.ptr === 0) throw new TypeError(DEAD_TOKEN);
  return s;
}

function isHtml(options: ContentOptions | null | undefined): boolean {
  return options !== null && options !== undefined && Boolean(options.html);
}

/**
 * Applies a content mutation (export `fn`: token, string pointer and length, content type). Stream
 * contents, and any mutation after one, wait until the handler has returned (see invokeHandler).
 */
function mutate(token: unknown, fn: string, content: unknown, options: ContentOptions | null | undefined, streams: boolean): void {
  const s = live(token);
  const html = isHtml(options);
  const apply = (text: string, asHtml: boolean) => {
    if (s.ptr === 0) throw new TypeError(DEAD_TOKEN);
    const lol = s.lol;
    const ptr = lol.passString(text);
    lol.x[fn](s.ptr, ptr, lol.len, asHtml ? lol.add(HTML) : lol.add(TEXT));
  };
  const isStream = content instanceof ReadableStream || content instanceof Response;
  if (isStream && !streams) throw new TypeError(STRING_ONLY);
  if (isStream) {
    (s.deferred ??= []).push({ apply, content: content as ReadableStream | Response, html });
  } else if (s.deferred) {
    const text = String(content);
    s.deferred.push({ apply: () => apply(text, html) });
  } else {
    apply(String(content), html);
  }
}
const HTML = Object.freeze({ html: true });
const TEXT = Object.freeze({ html: false });

function simple(token: unknown, fn: string): void {
  const s = live(token);
  if (s.deferred) s.deferred.push({ apply: () => s.ptr !== 0 && s.lol.x[fn](s.ptr) });
  else s.lol.x[fn](s.ptr);
}

function flag(token: unknown, fn: string): boolean {
  const s = live(token);
  return s.lol.x[fn](s.ptr) !== 0;
}

function object(token: unknown, fn: string, ...args: number[]): unknown {
  const s = live(token);
  return s.lol.take(s.lol.x[fn](s.ptr, ...args));
}

function setString(token: unknown, fn: string, value: unknown): void {
  const s = live(token);
  const ptr = s.lol.passString(String(value));
  s.lol.x[fn](s.ptr, ptr, s.lol.len);
}

const FREE: Record<TokenKind, string> = {
  element: "__wbg_element_free",
  comment: "__wbg_comment_free",
  textchunk: "__wbg_textchunk_free",
  doctype: "__wbg_doctype_free",
  endtag: "__wbg_endtag_free",
  documentend: "__wbg_documentend_free",
};

/** Ends a token's scope: it becomes unusable and its wasm object is freed. */
function kill(token: unknown): void {
  const s = state(token);
  if (s.ptr === 0) return;
  const ptr = s.ptr;
  s.ptr = 0;
  s.deferred = null;
  if (s.iterators) for (const it of s.iterators) it[ITER].dead = true;
  s.lol.x[FREE[s.kind]](ptr);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError("This ReadableStream did not return bytes.");
}

async function readContent(content: ReadableStream | Response): Promise<string | null> {
  const stream = content instanceof Response ? content.body : content;
  if (!stream) return null;
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const bytes = asBytes(value);
    parts.push(bytes);
    size += bytes.byteLength;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  try {
    return utf8.decode(all);
  } catch {
    throw new TypeError("Parser error: Invalid UTF-8");
  }
}

/**
 * Calls a user handler with a token, ending the token's scope when the handler is done. Returns
 * a promise (which suspends the rewriter) when the handler did, or when stream content is pending.
 */
export function invokeHandler(fn: Function, thisArg: unknown, token: object): unknown {
  let result: unknown;
  try {
    result = fn.call(thisArg, token);
  } catch (e) {
    kill(token);
    throw e;
  }
  const s = state(token);
  const thenable = result !== null && (typeof result === "object" || typeof result === "function") && typeof (result as PromiseLike<unknown>).then === "function";
  if (!thenable && !s.deferred) {
    kill(token);
    return undefined;
  }
  return (async () => {
    try {
      await result;
      // Apply what waited for stream content, in call order (more may be queued meanwhile).
      while (s.deferred && s.deferred.length > 0) {
        const next = s.deferred.shift()!;
        if ("content" in next) {
          const text = await readContent(next.content);
          if (text !== null && s.ptr !== 0) next.apply(text, next.html);
        } else {
          next.apply();
        }
        if (s.deferred && s.deferred.length === 0) s.deferred = null;
      }
    } finally {
      kill(token);
    }
  })();
}

const classes = {
  element: () => Element,
  endtag: () => EndTag,
  comment: () => Comment,
  textchunk: () => Text,
  doctype: () => Doctype,
  documentend: () => DocumentEnd,
} as const;

export const makeToken = (kind: TokenKind, lol: LolHtml, ptr: number): object => {
  const C = classes[kind]();
  constructing = true;
  return new C({ lol, ptr, kind, deferred: null, iterators: null, endTagHandler: null, canHaveContent: undefined });
};

// ---- Element ----

const HTML_NS = "http://www.w3.org/1999/xhtml";

export class Element extends Token {

  get tagName(): string {
    const s = live(this);
    return s.lol.retString("element_tag_name", s.ptr);
  }
  set tagName(name: string) {
    setString(this, "element_set_tag_name", name);
  }

  get attributes(): AttributesIterator {
    const s = live(this);
    const list = s.lol.take(s.lol.x.element_attributes(s.ptr)) as [string, string][];
    const it = makeIterator(list);
    (s.iterators ??= []).push(it);
    return it;
  }

  get removed(): boolean {
    return flag(this, "element_removed");
  }

  get namespaceURI(): string {
    return object(this, "element_namespace_uri") as string;
  }

  /**
   * False for HTML void elements and self-closing elements in foreign content (SVG, MathML), as
   * lol-html's can_have_content. (Atoll extension: workerd does not expose it.)
   */
  get canHaveContent(): boolean {
    const s = live(this);
    if (s.canHaveContent === undefined) {
      // lol-html refuses an end tag handler exactly when the element cannot have content.
      const lol = s.lol;
      try {
        lol.x.element_onEndTag(s.ptr, lol.add(noop));
        s.canHaveContent = true;
        if (s.endTagHandler) lol.x.element_onEndTag(s.ptr, lol.add(s.endTagHandler));
      } catch {
        s.canHaveContent = false;
      }
    }
    return s.canHaveContent;
  }

  /**
   * Whether the start tag ends with `/>`. Known only where it matters, in foreign content (SVG,
   * MathML); in HTML content, where `/>` has no effect, it reads false. (Atoll extension.)
   */
  get selfClosing(): boolean {
    if (this.namespaceURI === HTML_NS) return false;
    return !this.canHaveContent;
  }

  getAttribute(name: string): string | null {
    const s = live(this);
    const ptr = s.lol.passString(String(name));
    const v = s.lol.take(s.lol.x.element_getAttribute(s.ptr, ptr, s.lol.len));
    return typeof v === "string" ? v : null;
  }

  hasAttribute(name: string): boolean {
    const s = live(this);
    const ptr = s.lol.passString(String(name));
    return s.lol.x.element_hasAttribute(s.ptr, ptr, s.lol.len) !== 0;
  }

  setAttribute(name: string, value: string): this {
    const s = live(this);
    const lol = s.lol;
    const p0 = lol.passString(String(name));
    const l0 = lol.len;
    const p1 = lol.passString(String(value));
    lol.x.element_setAttribute(s.ptr, p0, l0, p1, lol.len);
    attributesChanged(s);
    return this;
  }

  removeAttribute(name: string): this {
    const s = live(this);
    const ptr = s.lol.passString(String(name));
    s.lol.x.element_removeAttribute(s.ptr, ptr, s.lol.len);
    attributesChanged(s);
    return this;
  }

  before(content: Content, options?: ContentOptions): this {
    mutate(this, "element_before", content, options, true);
    return this;
  }
  after(content: Content, options?: ContentOptions): this {
    mutate(this, "element_after", content, options, true);
    return this;
  }
  prepend(content: Content, options?: ContentOptions): this {
    mutate(this, "element_prepend", content, options, true);
    return this;
  }
  append(content: Content, options?: ContentOptions): this {
    mutate(this, "element_append", content, options, true);
    return this;
  }
  replace(content: Content, options?: ContentOptions): this {
    mutate(this, "element_replace", content, options, true);
    return this;
  }
  setInnerContent(content: Content, options?: ContentOptions): this {
    mutate(this, "element_setInnerContent", content, options, true);
    return this;
  }
  remove(): this {
    simple(this, "element_remove");
    return this;
  }
  removeAndKeepContent(): this {
    simple(this, "element_removeAndKeepContent");
    return this;
  }

  onEndTag(handler: (tag: EndTag) => void | Promise<void>): void {
    const s = live(this);
    if (typeof handler !== "function") throw new TypeError("Failed to execute 'onEndTag' on 'Element': parameter 1 is not a function.");
    const wrapped = (tag: EndTag) => invokeHandler(handler, undefined, tag);
    s.lol.x.element_onEndTag(s.ptr, s.lol.add(wrapped));
    s.endTagHandler = wrapped;
  }
}

function noop(): void {}

function attributesChanged(s: TokenState): void {
  if (s.iterators) for (const it of s.iterators) it[ITER].modified = true;
}

// ---- the attributes iterator (inherits %IteratorPrototype%, as workerd's) ----

const ITER: unique symbol = Symbol("atoll.attributesIterator");

interface AttributesIterator extends Iterator<[string, string]> {
  [ITER]: { list: [string, string][]; at: number; dead: boolean; modified: boolean };
}

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;
const AttributesIteratorPrototype = Object.create(IteratorPrototype, {
  next: {
    writable: true,
    configurable: true,
    value: function next(this: AttributesIterator): IteratorResult<[string, string]> {
      const st = this?.[ITER];
      if (!st) throw new TypeError("Illegal invocation");
      if (st.dead) throw new TypeError(DEAD_TOKEN);
      if (st.modified) throw new Error(ATTRIBUTES_MODIFIED);
      if (st.at >= st.list.length) return { done: true, value: undefined };
      const [name, value] = st.list[st.at++];
      return { done: false, value: [name, value] };
    },
  },
  [Symbol.toStringTag]: { value: "AttributesIterator", configurable: true },
});

function makeIterator(list: [string, string][]): AttributesIterator {
  const it = Object.create(AttributesIteratorPrototype) as AttributesIterator;
  Object.defineProperty(it, ITER, { value: { list, at: 0, dead: false, modified: false } });
  return it;
}

// ---- EndTag, Comment, Text, Doctype, DocumentEnd ----

export class EndTag extends Token {
  get name(): string {
    const s = live(this);
    return s.lol.retString("endtag_name", s.ptr);
  }
  set name(name: string) {
    setString(this, "endtag_set_name", name);
  }
  before(content: Content, options?: ContentOptions): this {
    mutate(this, "endtag_before", content, options, true);
    return this;
  }
  after(content: Content, options?: ContentOptions): this {
    mutate(this, "endtag_after", content, options, true);
    return this;
  }
  remove(): this {
    simple(this, "endtag_remove");
    return this;
  }
}

export class Comment extends Token {
  get text(): string {
    const s = live(this);
    return s.lol.retString("comment_text", s.ptr);
  }
  set text(text: string) {
    setString(this, "comment_set_text", text);
  }
  get removed(): boolean {
    return flag(this, "comment_removed");
  }
  before(content: string, options?: ContentOptions): this {
    mutate(this, "comment_before", content, options, false);
    return this;
  }
  after(content: string, options?: ContentOptions): this {
    mutate(this, "comment_after", content, options, false);
    return this;
  }
  replace(content: string, options?: ContentOptions): this {
    mutate(this, "comment_replace", content, options, false);
    return this;
  }
  remove(): this {
    simple(this, "comment_remove");
    return this;
  }
}

export class Text extends Token {
  get text(): string {
    const s = live(this);
    return s.lol.retString("textchunk_text", s.ptr);
  }
  get lastInTextNode(): boolean {
    return flag(this, "textchunk_last_in_text_node");
  }
  get removed(): boolean {
    return flag(this, "textchunk_removed");
  }
  before(content: Content, options?: ContentOptions): this {
    mutate(this, "textchunk_before", content, options, true);
    return this;
  }
  after(content: Content, options?: ContentOptions): this {
    mutate(this, "textchunk_after", content, options, true);
    return this;
  }
  replace(content: Content, options?: ContentOptions): this {
    mutate(this, "textchunk_replace", content, options, true);
    return this;
  }
  remove(): this {
    simple(this, "textchunk_remove");
    return this;
  }
}

export class Doctype extends Token {
  get name(): string | null {
    return (object(this, "doctype_name") as string | undefined) ?? null;
  }
  get publicId(): string | null {
    return (object(this, "doctype_public_id") as string | undefined) ?? null;
  }
  get systemId(): string | null {
    return (object(this, "doctype_system_id") as string | undefined) ?? null;
  }
}

export class DocumentEnd extends Token {
  append(content: string, options?: ContentOptions): this {
    mutate(this, "documentend_append", content, options, false);
    return this;
  }
}

for (const C of [Element, EndTag, Comment, Text, Doctype, DocumentEnd]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
}
