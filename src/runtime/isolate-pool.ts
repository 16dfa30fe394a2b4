// Spare isolates, made from the prelude snapshot ahead of need: creating an isolate and its
// context is most of a cold start, so a worker that is not loaded yet takes a ready one and only
// compiles and evaluates its own modules. The pool refills one isolate at a time, a little after
// it was drawn from, so refilling does not stall the cold start it just served.
import ivm from "isolated-vm";
import { loadPrelude, PRELUDE_FILENAME } from "./prelude-bundle.ts";

export interface FreshIsolate {
  isolate: ivm.Isolate;
  context: ivm.Context;
  /** The prelude's entry points, taken off the global so user code cannot reach them. */
  init: ivm.Reference<(...args: unknown[]) => void>;
  dispatch: ivm.Reference<(events: ivm.Transferable) => unknown>;
  recover: ivm.Reference<() => unknown>;
}

/** Spares kept ready (each is an idle isolate: about the RSS of one idle worker). */
const SPARES = Number(process.env.ATOLL_ISOLATE_SPARES ?? 2);

const REFILL_DELAY_MS = 20;

const spares: { memoryMb: number; ready: Promise<FreshIsolate> }[] = [];
let refilling = false;

/**
 * Makes isolates off the host thread. `new ivm.Isolate({ snapshot })` deserializes the prelude
 * snapshot synchronously on the calling thread (≈ 7 ms here): called from the host, every cold
 * start and every refill would stall all requests in flight for that long. Called inside a small
 * factory isolate (isolated-vm can hand its own module to an isolate, and isolate handles are
 * transferable), the work runs on isolated-vm's thread pool and the host only awaits it. The
 * factory never runs user code.
 */
let factory: Promise<ivm.Reference<(memoryLimit: number) => ivm.Isolate>> | undefined;

async function makeFactory(): Promise<ivm.Reference<(memoryLimit: number) => ivm.Isolate>> {
  const prelude = await loadPrelude();
  const isolate = new ivm.Isolate({ memoryLimit: 16 });
  const context = await isolate.createContext();
  await context.global.set("ivm", ivm);
  if (prelude.snapshot) await context.global.set("snapshot", prelude.snapshot);
  return context.eval("(memoryLimit) => new ivm.Isolate({ memoryLimit, snapshot: globalThis.snapshot })", { reference: true });
}

async function newIsolate(memoryMb: number): Promise<ivm.Isolate> {
  factory ??= makeFactory();
  return (await factory).apply(undefined, [memoryMb]);
}

async function create(memoryMb: number): Promise<FreshIsolate> {
  const prelude = await loadPrelude();
  const isolate = await newIsolate(memoryMb);
  const context = await isolate.createContext();
  if (!prelude.snapshot) await context.eval(prelude.code, { filename: PRELUDE_FILENAME });
  // The first entry into a context made from a snapshot is the slow one (V8 finishes
  // deserializing it): pay it here, ahead of need.
  const init = await context.global.get("__atollInit", { reference: true });
  const dispatch = await context.global.get("__atollDispatch", { reference: true });
  const recover = await context.global.get("__atollRecover", { reference: true });
  await context.eval("delete globalThis.__atollInit; delete globalThis.__atollDispatch; delete globalThis.__atollRecover; delete globalThis.__atollWarmup;");
  return { isolate, context, init, dispatch, recover };
}

function refill(memoryMb: number): void {
  if (refilling || spares.length >= SPARES) return;
  refilling = true;
  // Wait until the cold start that took a spare has finished: making an isolate takes a few ms
  // of a core, even off this thread.
  setTimeout(() => {
    const ready = create(memoryMb);
    spares.push({ memoryMb, ready });
    ready.then(
      () => {
        refilling = false;
        refill(memoryMb);
      },
      () => {
        refilling = false;
      },
    );
  }, REFILL_DELAY_MS).unref();
}

/** A fresh isolate with the prelude loaded: a spare when one with this memory limit is ready. */
export async function takeIsolate(memoryMb: number): Promise<FreshIsolate> {
  const i = spares.findIndex((s) => s.memoryMb === memoryMb);
  const taken = i >= 0 ? spares.splice(i, 1)[0].ready : create(memoryMb);
  refill(memoryMb);
  return taken;
}

/** Disposes the spares (process shutdown, or tests that count isolates). */
export async function drainIsolatePool(): Promise<void> {
  for (const spare of spares.splice(0)) {
    const fresh = await spare.ready.catch(() => undefined);
    fresh?.isolate.dispose();
  }
}
