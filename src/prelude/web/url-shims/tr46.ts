// Stand-in for "tr46" when bundling whatwg-url (see ../README.md). tr46's UTS #46 mapping table
// costs ≈2.2 MB of heap in every isolate; hostnames are nearly always ASCII, which need only
// lowercasing. Anything else (non-ASCII, or an "xn--" label to validate) goes to the host's
// WHATWG "domain to ASCII" (Node's url.domainToASCII), which returns "" for invalid domains.
import { callHostSync } from "../../bridge.ts";

const needsIdna = /[^\x00-\x7f]|(?:^|[.])xn--/i;

export function toASCII(domain: string): string | null {
  if (!needsIdna.test(domain)) return domain.toLowerCase();
  const result = callHostSync("url.domainToASCII", [domain]) as string;
  return result === "" ? null : result;
}

export function toUnicode(domain: string): { domain: string; error: boolean } {
  if (!needsIdna.test(domain)) return { domain: domain.toLowerCase(), error: false };
  const result = callHostSync("url.domainToUnicode", [domain]) as string;
  return { domain: result, error: result === "" };
}
