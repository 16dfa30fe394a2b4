// Builds the `env` object a worker sees from the binding descriptors the host sends at setup.
// Each binding kind registers a factory (see src/bindings/*/isolate side); kinds Atoll does not
// implement yet appear as a property that throws a clear error when touched.

export type BindingDescriptor =
  | { type: "var"; name: string; value: unknown }
  | { type: "unsupported"; name: string; key: string }
  | { type: string; name: string; [k: string]: unknown };

export type BindingFactory = (descriptor: BindingDescriptor) => unknown;

const factories = new Map<string, BindingFactory>();

export function registerBinding(type: string, factory: BindingFactory): void {
  factories.set(type, factory);
}

export function buildEnv(descriptors: BindingDescriptor[], target: Record<string, unknown>): void {
  for (const d of descriptors) {
    if (d.type === "var") {
      target[d.name] = d.value;
      continue;
    }
    const factory = factories.get(d.type);
    if (factory) {
      target[d.name] = factory(d);
      continue;
    }
    const key = d.type === "unsupported" ? String(d.key) : d.type;
    Object.defineProperty(target, d.name, {
      enumerable: true,
      get() {
        throw new Error(`Atoll does not implement ${key} bindings yet: env.${d.name} is not available.`);
      },
    });
  }
}
