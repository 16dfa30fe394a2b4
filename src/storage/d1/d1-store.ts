// The D1 storage interface (defined with the D1 binding, issue 5).
export interface D1Store {
  close(): void;
}
