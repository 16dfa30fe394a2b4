// Event, EventTarget, CustomEvent, ErrorEvent (DOM standard, without a node tree: every
// dispatch is at the target). As in workerd, an exception thrown by a listener stops the
// dispatch and propagates out of dispatchEvent().
import { DOMException } from "./dom-exception.ts";

export interface EventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}

// Set by Event's static block; lets EventTarget reach an event's private state.
let eventInternals!: EventInternals;

const NONE = 0;
const CAPTURING_PHASE = 1;
const AT_TARGET = 2;
const BUBBLING_PHASE = 3;

export class Event {
  #type: string;
  #bubbles: boolean;
  #cancelable: boolean;
  #composed: boolean;
  #target: EventTarget | null = null;
  #currentTarget: EventTarget | null = null;
  #phase = NONE;
  #canceled = false;
  #stop = false;
  #stopImmediate = false;
  #dispatching = false;
  #inPassive = false;
  #trusted = false;
  #timeStamp = Date.now();

  constructor(type: string, init?: EventInit) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'Event': 1 argument required, but only 0 present.");
    if (init !== undefined && init !== null && typeof init !== "object")
      throw new TypeError("Failed to construct 'Event': The provided value is not of type 'EventInit'.");
    this.#type = String(type);
    this.#bubbles = Boolean(init?.bubbles);
    this.#cancelable = Boolean(init?.cancelable);
    this.#composed = Boolean(init?.composed);
  }

  get type(): string {
    return this.#type;
  }
  get target(): EventTarget | null {
    return this.#target;
  }
  get srcElement(): EventTarget | null {
    return this.#target;
  }
  get currentTarget(): EventTarget | null {
    return this.#currentTarget;
  }
  get eventPhase(): number {
    return this.#phase;
  }
  get bubbles(): boolean {
    return this.#bubbles;
  }
  get cancelable(): boolean {
    return this.#cancelable;
  }
  get composed(): boolean {
    return this.#composed;
  }
  get defaultPrevented(): boolean {
    return this.#canceled;
  }
  get isTrusted(): boolean {
    return this.#trusted;
  }
  get timeStamp(): number {
    return this.#timeStamp;
  }
  get returnValue(): boolean {
    return !this.#canceled;
  }
  set returnValue(v: boolean) {
    if (!v) this.preventDefault();
  }
  get cancelBubble(): boolean {
    return this.#stop;
  }
  set cancelBubble(v: boolean) {
    if (v) this.#stop = true;
  }
  composedPath(): EventTarget[] {
    return this.#dispatching && this.#currentTarget ? [this.#currentTarget] : [];
  }
  stopPropagation(): void {
    this.#stop = true;
  }
  stopImmediatePropagation(): void {
    this.#stop = true;
    this.#stopImmediate = true;
  }
  preventDefault(): void {
    if (this.#cancelable && !this.#inPassive) this.#canceled = true;
  }
  initEvent(type: string, bubbles = false, cancelable = false): void {
    if (this.#dispatching) return;
    this.#type = String(type);
    this.#bubbles = Boolean(bubbles);
    this.#cancelable = Boolean(cancelable);
    this.#stop = this.#stopImmediate = this.#canceled = false;
    this.#target = null;
  }

  static readonly NONE = NONE;
  static readonly CAPTURING_PHASE = CAPTURING_PHASE;
  static readonly AT_TARGET = AT_TARGET;
  static readonly BUBBLING_PHASE = BUBBLING_PHASE;
  declare readonly NONE: number;
  declare readonly CAPTURING_PHASE: number;
  declare readonly AT_TARGET: number;
  declare readonly BUBBLING_PHASE: number;

  // Internal hooks used by EventTarget (not reachable from user code: the helpers below are module-private).
  static {
    eventInternals = {
      begin(e, target) {
        if (e.#dispatching) throw new DOMException("The event is already being dispatched.", "InvalidStateError");
        e.#dispatching = true;
        e.#target = target;
        e.#currentTarget = target;
        e.#phase = AT_TARGET;
      },
      end(e) {
        e.#dispatching = false;
        e.#currentTarget = null;
        e.#phase = NONE;
        e.#stop = false;
        e.#stopImmediate = false;
      },
      stoppedImmediately: (e) => e.#stopImmediate,
      stopped: (e) => e.#stop,
      setPassive(e, v) {
        e.#inPassive = v;
      },
      setTrusted(e, v) {
        e.#trusted = v;
      },
      isEvent: (e) => typeof e === "object" && e !== null && #type in e,
    };
  }
}

interface EventInternals {
  begin(e: Event, target: EventTarget): void;
  end(e: Event): void;
  stoppedImmediately(e: Event): boolean;
  stopped(e: Event): boolean;
  setPassive(e: Event, v: boolean): void;
  setTrusted(e: Event, v: boolean): void;
  isEvent(e: unknown): e is Event;
}

/** Marks an event as dispatched by the platform (isTrusted). */
export function markTrusted(e: Event): void {
  eventInternals.setTrusted(e, true);
}

for (const [k, v] of [
  ["NONE", NONE],
  ["CAPTURING_PHASE", CAPTURING_PHASE],
  ["AT_TARGET", AT_TARGET],
  ["BUBBLING_PHASE", BUBBLING_PHASE],
] as const) {
  Object.defineProperty(Event, k, { value: v, enumerable: true, writable: false, configurable: false });
  Object.defineProperty(Event.prototype, k, { value: v, enumerable: true, writable: false, configurable: false });
}

type Callback = ((event: Event) => unknown) | { handleEvent(event: Event): unknown };

interface Listener {
  callback: Callback;
  capture: boolean;
  once: boolean;
  passive: boolean;
  removed: boolean;
  signal?: AbortSignalLike;
  onAbort?: () => void;
}

interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: string, cb: () => void, opts?: { once?: boolean }): void;
  removeEventListener(type: string, cb: () => void): void;
}

function flattenCapture(options: unknown): boolean {
  if (typeof options === "boolean") return options;
  if (typeof options === "object" && options !== null) return Boolean((options as { capture?: unknown }).capture);
  return false;
}

export class EventTarget {
  #listeners = new Map<string, Listener[]>();

  addEventListener(type: string, callback: Callback | null, options?: boolean | AddEventListenerOptions): void {
    if (arguments.length < 2)
      throw new TypeError(`Failed to execute 'addEventListener' on 'EventTarget': 2 arguments required, but only ${arguments.length} present.`);
    if (callback === null || callback === undefined) return;
    if (typeof callback !== "function" && typeof callback !== "object")
      throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': parameter 2 is not of type 'Object'.");
    type = String(type);
    const capture = flattenCapture(options);
    let once = false;
    let passive = false;
    let signal: AbortSignalLike | undefined;
    if (typeof options === "object" && options !== null) {
      once = Boolean(options.once);
      passive = Boolean(options.passive);
      if (options.signal !== undefined) {
        signal = options.signal as unknown as AbortSignalLike;
        if (!isAbortSignal(signal))
          throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': member signal is not of type 'AbortSignal'.");
      }
    }
    if (signal?.aborted) return;
    let list = this.#listeners.get(type);
    if (!list) this.#listeners.set(type, (list = []));
    if (list.some((l) => l.callback === callback && l.capture === capture)) return;
    const listener: Listener = { callback, capture, once, passive, removed: false, signal };
    list.push(listener);
    if (signal) {
      listener.onAbort = () => this.#remove(type, listener);
      signal.addEventListener("abort", listener.onAbort, { once: true });
    }
  }

  removeEventListener(type: string, callback: Callback | null, options?: boolean | EventListenerOptions): void {
    if (callback === null || callback === undefined) return;
    type = String(type);
    const capture = flattenCapture(options);
    const list = this.#listeners.get(type);
    const l = list?.find((x) => x.callback === callback && x.capture === capture);
    if (l) this.#remove(type, l);
  }

  #remove(type: string, l: Listener): void {
    l.removed = true;
    const list = this.#listeners.get(type);
    if (list) {
      const i = list.indexOf(l);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#listeners.delete(type);
    }
    if (l.signal && l.onAbort) {
      const s = l.signal;
      const cb = l.onAbort;
      l.onAbort = undefined;
      s.removeEventListener("abort", cb);
    }
  }

  dispatchEvent(event: Event): boolean {
    if (!eventInternals.isEvent(event))
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    eventInternals.begin(event, this);
    try {
      const type = event.type;
      const handlerProp = (this as unknown as Record<symbol, unknown>)[eventHandlersKey] as Map<string, unknown> | undefined;
      const attr = handlerProp?.get(type);
      const snapshot = [...(this.#listeners.get(type) ?? [])];
      // At the target, capturing listeners run first, then the others (DOM "invoke" twice).
      const ordered = [...snapshot.filter((l) => l.capture), ...snapshot.filter((l) => !l.capture)];
      // The on<type> attribute handler behaves like a listener registered first (as in workerd).
      if (typeof attr === "function") {
        (attr as (e: Event) => unknown).call(this, event);
      }
      for (const l of ordered) {
        if (eventInternals.stoppedImmediately(event)) break;
        if (l.removed) continue;
        if (l.once) this.#remove(type, l);
        const cb = l.callback;
        if (l.passive) eventInternals.setPassive(event, true);
        try {
          if (typeof cb === "function") cb.call(this, event);
          else {
            const handle = (cb as { handleEvent?: unknown }).handleEvent;
            if (typeof handle !== "function") throw new TypeError("'handleEvent' property of event listener should be a function");
            handle.call(cb, event);
          }
        } finally {
          if (l.passive) eventInternals.setPassive(event, false);
        }
      }
    } finally {
      eventInternals.end(event);
    }
    return !event.defaultPrevented;
  }
}

/** Storage for `on<type>` event handler attributes, keyed by event type. */
export const eventHandlersKey = Symbol("atoll.eventHandlers");

/** Defines an `on<type>` accessor on a prototype (e.g. AbortSignal.prototype.onabort). */
export function defineEventHandler(proto: object, type: string): void {
  Object.defineProperty(proto, "on" + type, {
    get(this: Record<symbol, Map<string, unknown> | undefined>) {
      return this[eventHandlersKey]?.get(type) ?? null;
    },
    set(this: Record<symbol, Map<string, unknown> | undefined>, v: unknown) {
      let m = this[eventHandlersKey];
      if (!m) {
        m = new Map();
        Object.defineProperty(this, eventHandlersKey, { value: m, enumerable: false, configurable: true });
      }
      if (typeof v === "function" || (typeof v === "object" && v !== null)) m.set(type, v);
      else m.delete(type);
    },
    enumerable: true,
    configurable: true,
  });
}

let isAbortSignal: (v: unknown) => boolean = () => true;
/** The abort module registers its brand check here (avoids an import cycle). */
export function setAbortSignalCheck(check: (v: unknown) => boolean): void {
  isAbortSignal = check;
}

export interface CustomEventInit<T = unknown> extends EventInit {
  detail?: T;
}

export class CustomEvent<T = unknown> extends Event {
  #detail: T | null;
  constructor(type: string, init?: CustomEventInit<T>) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'CustomEvent': 1 argument required, but only 0 present.");
    super(type, init);
    this.#detail = init?.detail === undefined ? null : init.detail;
  }
  get detail(): T | null {
    return this.#detail;
  }
}

export interface ErrorEventInit extends EventInit {
  message?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  error?: unknown;
}

export class ErrorEvent extends Event {
  #init: ErrorEventInit;
  constructor(type: string, init?: ErrorEventInit) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'ErrorEvent': 1 argument required, but only 0 present.");
    super(type, init);
    this.#init = { ...init };
  }
  get message(): string {
    return String(this.#init.message ?? "");
  }
  get filename(): string {
    return String(this.#init.filename ?? "");
  }
  get lineno(): number {
    return Number(this.#init.lineno ?? 0) >>> 0;
  }
  get colno(): number {
    return Number(this.#init.colno ?? 0) >>> 0;
  }
  get error(): unknown {
    return this.#init.error;
  }
}

export interface MessageEventInit extends EventInit {
  data?: unknown;
  origin?: string;
  lastEventId?: string;
  source?: unknown;
  ports?: unknown[];
}

/** MessageEvent (used by WebSocket "message" events). */
export class MessageEvent extends Event {
  #init: MessageEventInit;
  constructor(type: string, init?: MessageEventInit) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'MessageEvent': 1 argument required, but only 0 present.");
    super(type, init);
    this.#init = { ...init };
  }
  get data(): unknown {
    return this.#init.data ?? null;
  }
  get origin(): string {
    return String(this.#init.origin ?? "");
  }
  get lastEventId(): string {
    return String(this.#init.lastEventId ?? "");
  }
  get source(): unknown {
    return this.#init.source ?? null;
  }
  get ports(): unknown[] {
    return [...(this.#init.ports ?? [])];
  }
}

export interface CloseEventInit extends EventInit {
  code?: number;
  reason?: string;
  wasClean?: boolean;
}

/** CloseEvent (used by WebSocket "close" events). */
export class CloseEvent extends Event {
  #init: CloseEventInit;
  constructor(type: string, init?: CloseEventInit) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'CloseEvent': 1 argument required, but only 0 present.");
    super(type, init);
    this.#init = { ...init };
  }
  get code(): number {
    return Number(this.#init.code ?? 0) & 0xffff;
  }
  get reason(): string {
    return String(this.#init.reason ?? "");
  }
  get wasClean(): boolean {
    return Boolean(this.#init.wasClean);
  }
}

export interface PromiseRejectionEventInit extends EventInit {
  promise: Promise<unknown>;
  reason?: unknown;
}

/** PromiseRejectionEvent ("unhandledrejection" / "rejectionhandled"). */
export class PromiseRejectionEvent extends Event {
  #promise: Promise<unknown>;
  #reason: unknown;
  constructor(type: string, init: PromiseRejectionEventInit) {
    if (arguments.length < 2)
      throw new TypeError(`Failed to construct 'PromiseRejectionEvent': 2 arguments required, but only ${arguments.length} present.`);
    super(type, init);
    this.#promise = init.promise;
    this.#reason = init.reason;
  }
  get promise(): Promise<unknown> {
    return this.#promise;
  }
  get reason(): unknown {
    return this.#reason;
  }
}

for (const C of [Event, EventTarget, CustomEvent, ErrorEvent, MessageEvent, CloseEvent, PromiseRejectionEvent]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
}
