// For harnesses that call host functions directly: they open no WebSockets.
export function noSockets(): never {
  throw new Error("this test harness does not connect WebSockets");
}
