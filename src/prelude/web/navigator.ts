// navigator and performance, as on Cloudflare Workers: a fixed user agent; performance.now()
// equals Date.now() (timeOrigin 0), since the platform does not expose precise timers.
import { DOMException } from "./dom-exception.ts";
import { EventTarget } from "./events.ts";

const illegal = Symbol("illegal");

export class Navigator {
  constructor(key?: unknown) {
    if (key !== illegal) throw new TypeError("Illegal constructor");
  }
  get userAgent(): string {
    return "Cloudflare-Workers";
  }
  get hardwareConcurrency(): number {
    return 1;
  }
  get language(): string {
    return "en";
  }
  get languages(): string[] {
    return ["en"];
  }
  sendBeacon(): boolean {
    throw new TypeError("navigator.sendBeacon() is not supported");
  }
}
Object.defineProperty(Navigator.prototype, Symbol.toStringTag, { value: "Navigator", configurable: true });

interface Entry {
  name: string;
  entryType: "mark" | "measure";
  startTime: number;
  duration: number;
  detail: unknown;
}

export class PerformanceEntry {
  #e: Entry;
  constructor(key: unknown, e: Entry) {
    if (key !== illegal) throw new TypeError("Illegal constructor");
    this.#e = e;
  }
  get name(): string {
    return this.#e.name;
  }
  get entryType(): string {
    return this.#e.entryType;
  }
  get startTime(): number {
    return this.#e.startTime;
  }
  get duration(): number {
    return this.#e.duration;
  }
  get detail(): unknown {
    return this.#e.detail;
  }
  toJSON(): Record<string, unknown> {
    return { ...this.#e };
  }
}

export class Performance extends EventTarget {
  #entries: PerformanceEntry[] = [];
  constructor(key?: unknown) {
    if (key !== illegal) throw new TypeError("Illegal constructor");
    super();
  }
  get timeOrigin(): number {
    return 0;
  }
  now(): number {
    return Date.now();
  }
  mark(name: string, options?: { startTime?: number; detail?: unknown }): PerformanceEntry {
    const e = new PerformanceEntry(illegal, {
      name: String(name),
      entryType: "mark",
      startTime: options?.startTime ?? this.now(),
      duration: 0,
      detail: options?.detail ?? null,
    });
    this.#entries.push(e);
    return e;
  }
  measure(name: string, start?: string | { start?: number | string; end?: number | string; duration?: number; detail?: unknown }, end?: string): PerformanceEntry {
    const time = (m: number | string | undefined, dflt: number): number => {
      if (m === undefined) return dflt;
      if (typeof m === "number") return m;
      const found = this.#entries.findLast((x) => x.entryType === "mark" && x.name === m);
      if (!found) throw new DOMException(`The mark '${m}' does not exist.`, "SyntaxError");
      return found.startTime;
    };
    let s: number;
    let en: number;
    let detail: unknown = null;
    if (typeof start === "object" && start !== null) {
      en = start.end !== undefined ? time(start.end, 0) : start.duration !== undefined && start.start !== undefined ? time(start.start, 0) + start.duration : time(end, this.now());
      s = start.start !== undefined ? time(start.start, 0) : start.duration !== undefined ? en - start.duration : 0;
      detail = start.detail ?? null;
    } else {
      s = time(start, 0);
      en = time(end, this.now());
    }
    const e = new PerformanceEntry(illegal, { name: String(name), entryType: "measure", startTime: s, duration: en - s, detail });
    this.#entries.push(e);
    return e;
  }
  getEntries(): PerformanceEntry[] {
    return [...this.#entries];
  }
  getEntriesByName(name: string, type?: string): PerformanceEntry[] {
    return this.#entries.filter((e) => e.name === name && (type === undefined || e.entryType === type));
  }
  getEntriesByType(type: string): PerformanceEntry[] {
    return this.#entries.filter((e) => e.entryType === type);
  }
  clearMarks(name?: string): void {
    this.#entries = this.#entries.filter((e) => e.entryType !== "mark" || (name !== undefined && e.name !== name));
  }
  clearMeasures(name?: string): void {
    this.#entries = this.#entries.filter((e) => e.entryType !== "measure" || (name !== undefined && e.name !== name));
  }
  toJSON(): Record<string, unknown> {
    return { timeOrigin: 0 };
  }
}
Object.defineProperty(Performance.prototype, Symbol.toStringTag, { value: "Performance", configurable: true });
Object.defineProperty(PerformanceEntry.prototype, Symbol.toStringTag, { value: "PerformanceEntry", configurable: true });

export const navigator = new Navigator(illegal);
export const performance = new Performance(illegal);
