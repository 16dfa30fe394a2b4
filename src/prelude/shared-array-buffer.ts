// Injected by esbuild wherever prelude code (or a library it bundles) names SharedArrayBuffer.
// V8 has no SharedArrayBuffer while it makes a startup snapshot, and libraries such as
// webidl-conversions read SharedArrayBuffer.prototype at load time: they get a stand-in then.
export const __atollSharedArrayBuffer: typeof SharedArrayBuffer =
  (globalThis as Record<string, unknown>)["SharedArrayBuffer"] as typeof SharedArrayBuffer ??
  (class SharedArrayBuffer {
    get byteLength() {
      return 0;
    }
    get growable() {
      return false;
    }
    get maxByteLength() {
      return 0;
    }
  } as unknown as typeof SharedArrayBuffer);
