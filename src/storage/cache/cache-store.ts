// The Cache API storage interface (defined with the Cache API, issue 5).
export interface CacheStore {
  close(): void;
}
