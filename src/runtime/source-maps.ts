// Maps stack traces from bundled code back to the user's original file:line:column.
import { isAbsolute, relative, resolve } from "node:path";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import type { WorkerBundle } from "./worker-bundle.ts";

export class StackMapper {
  #maps = new Map<string, TraceMap>();
  #bundle: WorkerBundle;
  constructor(bundle: WorkerBundle) {
    this.#bundle = bundle;
  }

  #map(name: string): TraceMap | undefined {
    let map = this.#maps.get(name);
    if (!map) {
      const raw = this.#bundle.sourceMaps.get(name);
      if (!raw) return undefined;
      map = new TraceMap(raw);
      this.#maps.set(name, map);
    }
    return map;
  }

  /** Rewrites every `name:line:col` of a bundled module in `stack` to its original position. */
  mapStack(stack: string): string {
    return stack.replace(/([^\s()]+):(\d+):(\d+)/g, (whole, file: string, line: string, column: string) => {
      const map = this.#map(file);
      if (!map) return whole;
      const pos = originalPositionFor(map, { line: Number(line), column: Number(column) - 1 });
      if (pos.source === null || pos.line === null) return whole;
      const abs = isAbsolute(pos.source) ? pos.source : resolve(this.#bundle.sourceRoot, pos.source);
      return `${relative(process.cwd(), abs) || abs}:${pos.line}:${(pos.column ?? 0) + 1}`;
    });
  }
}
