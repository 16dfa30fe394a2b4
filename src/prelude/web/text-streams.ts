// TextEncoderStream / TextDecoderStream (WHATWG Encoding), as TransformStreams (like workerd).
import { TextDecoder, TextEncoder } from "./encoding.ts";
import { TransformStream } from "./streams.ts";

const encoder = new TextEncoder();

export class TextEncoderStream extends TransformStream<string, Uint8Array> {
  constructor() {
    let pendingLead = "";
    super({
      transform(chunk, controller) {
        let s = pendingLead + String(chunk);
        pendingLead = "";
        if (s.length === 0) return;
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pendingLead = s[s.length - 1];
          s = s.slice(0, -1);
        }
        if (s.length) controller.enqueue(encoder.encode(s));
      },
      flush(controller) {
        if (pendingLead) controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
      },
    });
  }
  get encoding(): string {
    return "utf-8";
  }
}

const decoders = new WeakMap<object, TextDecoder>();

export class TextDecoderStream extends TransformStream<AllowSharedBufferSource, string> {
  constructor(label: string = "utf-8", options?: { fatal?: boolean; ignoreBOM?: boolean }) {
    const decoder = new TextDecoder(label, options);
    super({
      transform(chunk, controller) {
        if (!(chunk instanceof ArrayBuffer) && !ArrayBuffer.isView(chunk) && !(typeof SharedArrayBuffer !== "undefined" && chunk instanceof SharedArrayBuffer))
          throw new TypeError("TextDecoderStream: chunk is not an ArrayBuffer or ArrayBufferView");
        const s = decoder.decode(chunk, { stream: true });
        if (s) controller.enqueue(s);
      },
      flush(controller) {
        const s = decoder.decode();
        if (s) controller.enqueue(s);
      },
    });
    decoders.set(this, decoder);
  }
  get encoding(): string {
    return decoders.get(this)!.encoding;
  }
  get fatal(): boolean {
    return decoders.get(this)!.fatal;
  }
  get ignoreBOM(): boolean {
    return decoders.get(this)!.ignoreBOM;
  }
}

for (const C of [TextEncoderStream, TextDecoderStream]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
}
