// Placeholder until the D1 engine lands (issue 5).
import type { D1Store } from "./d1-store.ts";

export class SqliteD1Store implements D1Store {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  close(): void {}
}
