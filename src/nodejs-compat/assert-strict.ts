// node:assert/strict: assert's strict mode.
import { strict } from "./assert.ts";

export const {
  AssertionError, ok, fail, equal, notEqual, strictEqual, notStrictEqual, deepEqual, notDeepEqual, deepStrictEqual,
  notDeepStrictEqual, throws, doesNotThrow, rejects, doesNotReject, match, doesNotMatch, ifError,
} = strict;
export { strict };
export default strict;
