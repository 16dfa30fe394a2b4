// Stand-in for "@exodus/bytes/whatwg.js" when bundling whatwg-url (see ../README.md): the URL
// API always parses with UTF-8, so the legacy-encoding machinery (≈470 KB) is not needed.
// https://url.spec.whatwg.org/#string-percent-encode-after-encoding, UTF-8 only.

const hex = Array.from({ length: 256 }, (_, i) => "%" + i.toString(16).toUpperCase().padStart(2, "0"));

export function percentEncodeAfterEncoding(encoding: string, input: string, percentEncodeSet: string, spaceAsPlus = false): string {
  if (String(encoding).toLowerCase() !== "utf-8") throw new RangeError(`Unsupported encoding for URL percent-encoding: ${encoding}`);
  let out = "";
  for (let i = 0; i < input.length; i++) {
    let cp = input.charCodeAt(i);
    if (cp < 0x80) {
      if (cp === 0x20 && spaceAsPlus) out += "+";
      else if (cp < 0x20 || cp > 0x7e || percentEncodeSet.includes(input[i])) out += hex[cp];
      else out += input[i];
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < input.length) {
      const lo = input.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else cp = 0xfffd;
    } else if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x800) out += hex[0xc0 | (cp >> 6)] + hex[0x80 | (cp & 0x3f)];
    else if (cp < 0x10000) out += hex[0xe0 | (cp >> 12)] + hex[0x80 | ((cp >> 6) & 0x3f)] + hex[0x80 | (cp & 0x3f)];
    else out += hex[0xf0 | (cp >> 18)] + hex[0x80 | ((cp >> 12) & 0x3f)] + hex[0x80 | ((cp >> 6) & 0x3f)] + hex[0x80 | (cp & 0x3f)];
  }
  return out;
}
