// As on Cloudflare, code generation from strings is disallowed. isolated-vm's contexts allow it,
// so the prelude removes every path to the Function constructors and eval before user code runs.

const MESSAGE = "Code generation from strings disallowed for this context";

function blocked(): never {
  throw new EvalError(MESSAGE);
}

export function disallowCodeGeneration(global: typeof globalThis): void {
  const prototypes = [
    Function.prototype,
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ] as object[];
  for (const proto of prototypes) {
    const original = (proto as { constructor: { name: string } }).constructor;
    // Keeps `x instanceof Function` and `Function.prototype` working.
    const stand = function Function() {
      blocked();
    };
    Object.defineProperty(stand, "name", { value: original.name });
    Object.defineProperty(stand, "prototype", { value: proto, writable: false });
    Object.defineProperty(proto, "constructor", { value: stand, writable: false, configurable: false });
    if (proto === Function.prototype) {
      Object.defineProperty(global, "Function", { value: stand, writable: true, configurable: true, enumerable: false });
    }
  }
  // Named "eval" so that stack traces and `eval.name` look like the builtin.
  const evalStandIn = { eval: () => blocked() }.eval;
  Object.defineProperty(global, "eval", {
    value: evalStandIn,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
