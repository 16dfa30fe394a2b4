// Web Crypto: crypto.getRandomValues, randomUUID, crypto.subtle (bridged to the host's WebCrypto,
// see src/runtime/host-crypto.ts), CryptoKey, and Cloudflare's crypto.DigestStream and
// subtle.timingSafeEqual. Each entry of cryptoGlobals becomes a global of the same name.
import { Crypto, crypto } from "./crypto.ts";
import { CryptoKey } from "./crypto-key.ts";
import { SubtleCrypto } from "./subtle.ts";

export const cryptoGlobals: Record<string, unknown> = {
  crypto,
  Crypto,
  SubtleCrypto,
  CryptoKey,
};
