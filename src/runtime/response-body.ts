// A streamed response body the host reads with `for await`: each read asks the isolate for one
// chunk (backpressure: the isolate produces the next chunk only when the server wants it).

export class ResponseBody implements AsyncIterable<Uint8Array> {
  #chunks: Uint8Array[] = [];
  #waiting: { resolve(r: IteratorResult<Uint8Array>): void; reject(e: Error): void } | undefined;
  #error: Error | undefined;
  #pull: () => void;
  finished = false;

  constructor(pull: () => void) {
    this.#pull = pull;
  }

  push(chunk: Uint8Array): void {
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w.resolve({ done: false, value: chunk });
    } else this.#chunks.push(chunk);
  }

  finish(error: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    if (error) this.#error = error;
    const w = this.#waiting;
    this.#waiting = undefined;
    if (w) {
      if (error) w.reject(error);
      else w.resolve({ done: true, value: undefined });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => {
        const chunk = this.#chunks.shift();
        if (chunk) return Promise.resolve({ done: false, value: chunk });
        if (this.#error) return Promise.reject(this.#error);
        if (this.finished) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve, reject) => {
          this.#waiting = { resolve, reject };
          this.#pull();
        });
      },
      return: () => {
        this.finish(null);
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
