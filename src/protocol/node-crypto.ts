// What node:crypto offers a nodejs_compat worker, shared by the polyfill bundled into the worker
// (src/nodejs-compat/crypto.ts) and the host that does the work (src/runtime/host-node-crypto.ts),
// so getCiphers() lists exactly what the host accepts. Plain data and types: esbuild bundles this
// file into user code, so it must not import anything.

/** AES modes (node:crypto on Workers offers CBC, CTR, ECB and GCM), as getCiphers() lists them. */
export const AES_CIPHERS: readonly string[] = ["128", "192", "256"].flatMap((bits) =>
  ["cbc", "ctr", "ecb", "gcm"].map((mode) => `aes-${bits}-${mode}`),
);

/** OpenSSL's other names for the GCM ciphers: the host accepts them, getCiphers() does not list them. */
export const AES_CIPHER_ALIASES: readonly string[] = ["id-aes128-gcm", "id-aes192-gcm", "id-aes256-gcm"];

/** scrypt's options as the worker passes them and they cross to the host (Node's names and aliases). */
export interface ScryptOptions {
  N?: number;
  r?: number;
  p?: number;
  cost?: number;
  blockSize?: number;
  parallelization?: number;
  maxmem?: number;
}
