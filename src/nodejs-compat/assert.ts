// node:assert, on util's deep equality and inspect (unenv's compares JSON strings).
import { inspect, isDeepEqual } from "./util.ts";

interface AssertionErrorOptions {
  message?: string | Error;
  actual?: unknown;
  expected?: unknown;
  operator?: string;
  stackStartFn?: (...args: any[]) => unknown;
}

const OPERATOR_TEXT: Record<string, string> = {
  deepStrictEqual: "Expected values to be strictly deep-equal:",
  strictEqual: "Expected values to be strictly equal:",
  deepEqual: "Expected values to be loosely deep-equal:",
  "==": "Expected values to be loosely equal:",
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
  notStrictEqual: 'Expected "actual" to be strictly unequal to:',
  notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  "!=": 'Expected "actual" to be loosely unequal to:',
};

export class AssertionError extends Error {
  actual: unknown;
  expected: unknown;
  operator: string;
  generatedMessage: boolean;
  code = "ERR_ASSERTION";

  constructor(options: AssertionErrorOptions) {
    const { message, actual, expected, operator = "fail" } = options;
    const generated =
      OPERATOR_TEXT[operator] !== undefined
        ? `${OPERATOR_TEXT[operator]}\n\n${inspect(actual)}\n\n${operator.startsWith("not") || operator === "!=" ? "" : "should equal\n\n"}${inspect(expected)}`.replace(
            /\n\n\n/g,
            "\n\n",
          )
        : `${inspect(actual)} ${operator} ${inspect(expected)}`;
    super(message === undefined ? generated : String(message));
    this.name = "AssertionError";
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
    this.generatedMessage = message === undefined;
    (Error as { captureStackTrace?: (e: object, fn?: unknown) => void }).captureStackTrace?.(this, options.stackStartFn);
  }
}

function fail_(actual: unknown, expected: unknown, message: string | Error | undefined, operator: string, stackStartFn: (...args: any[]) => unknown): never {
  if (message instanceof Error) throw message;
  throw new AssertionError({ actual, expected, message, operator, stackStartFn });
}

function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) fail_(value, true, message ?? "The expression evaluated to a falsy value", "==", ok);
}

function assert(value: unknown, message?: string | Error): asserts value {
  if (!value) fail_(value, true, message ?? "The expression evaluated to a falsy value", "==", assert);
}

function fail(message: string | Error = "Failed"): never {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message, operator: "fail", stackStartFn: fail });
}

function equal(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!(actual == expected || (actual !== actual && expected !== expected))) fail_(actual, expected, message, "==", equal);
}
function notEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (actual == expected || (actual !== actual && expected !== expected)) fail_(actual, expected, message, "!=", notEqual);
}
function strictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!Object.is(actual, expected)) fail_(actual, expected, message, "strictEqual", strictEqual);
}
function notStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (Object.is(actual, expected)) fail_(actual, expected, message, "notStrictEqual", notStrictEqual);
}
function deepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!isDeepEqual(actual, expected, false)) fail_(actual, expected, message, "deepEqual", deepEqual);
}
function notDeepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (isDeepEqual(actual, expected, false)) fail_(actual, expected, message, "notDeepEqual", notDeepEqual);
}
function deepStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!isDeepEqual(actual, expected, true)) fail_(actual, expected, message, "deepStrictEqual", deepStrictEqual);
}
function notDeepStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (isDeepEqual(actual, expected, true)) fail_(actual, expected, message, "notDeepStrictEqual", notDeepStrictEqual);
}

type Expected = RegExp | ((new (...args: any[]) => unknown) | ((error: unknown) => boolean)) | Record<string, unknown> | Error;

/** Whether `error` matches what throws/rejects expected; throws the AssertionError if not. */
function checkError(error: unknown, expected: Expected | undefined, message: string | Error | undefined, fn: (...args: any[]) => unknown): void {
  if (expected === undefined) return;
  if (expected instanceof RegExp) {
    if (!expected.test(String(error))) fail_(error, expected, message ?? `The input did not match the regular expression ${String(expected)}. Input:\n\n${inspect(String(error))}\n`, fn.name, fn);
    return;
  }
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && error instanceof (expected as new () => unknown)) return;
    if (Error.isPrototypeOf(expected) || expected === Error) fail_(error, expected, message ?? `The error is expected to be an instance of "${expected.name}". Received "${(error as Error)?.constructor?.name}"`, fn.name, fn);
    if ((expected as (e: unknown) => boolean).call({}, error) === true) return;
    fail_(error, expected, message ?? `The ${expected.name ? `"${expected.name}" ` : ""}validation function is expected to return "true". Received false`, fn.name, fn);
  }
  for (const key of Object.keys(expected)) {
    const want = (expected as Record<string, unknown>)[key];
    const got = (error as Record<string, unknown>)?.[key];
    if (want instanceof RegExp && typeof got === "string" ? !want.test(got) : !isDeepEqual(got, want, true)) {
      fail_(error, expected, message ?? `Expected values to be strictly deep-equal:\n\n${inspect(got)}\n\nshould equal\n\n${inspect(want)}`, fn.name, fn);
    }
  }
}

const NO_EXCEPTION = Symbol("no exception");

function throws(fn: () => unknown, expected?: Expected | string, message?: string | Error): void {
  if (typeof expected === "string") [message, expected] = [expected, undefined];
  let error: unknown = NO_EXCEPTION;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (error === NO_EXCEPTION) fail_(undefined, expected, message ?? `Missing expected exception${expected && (expected as { name?: string }).name ? ` (${(expected as { name: string }).name})` : ""}.`, "throws", throws);
  checkError(error, expected, message, throws);
}

function doesNotThrow(fn: () => unknown, expected?: Expected | string, message?: string | Error): void {
  try {
    fn();
  } catch (e) {
    if (typeof expected === "string") message = expected;
    fail_(e, expected, message ?? `Got unwanted exception.\nActual message: "${(e as Error)?.message}"`, "doesNotThrow", doesNotThrow);
  }
}

async function rejects(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), expected?: Expected | string, message?: string | Error): Promise<void> {
  if (typeof expected === "string") [message, expected] = [expected, undefined];
  let error: unknown = NO_EXCEPTION;
  try {
    await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    error = e;
  }
  if (error === NO_EXCEPTION) fail_(undefined, expected, message ?? "Missing expected rejection.", "rejects", rejects);
  checkError(error, expected, message, rejects);
}

async function doesNotReject(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), expected?: Expected | string, message?: string | Error): Promise<void> {
  try {
    await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    if (typeof expected === "string") message = expected;
    fail_(e, expected, message ?? `Got unwanted rejection.\nActual message: "${(e as Error)?.message}"`, "doesNotReject", doesNotReject);
  }
}

function match(actual: string, expected: RegExp, message?: string | Error): void {
  if (typeof actual !== "string" || !expected.test(actual)) {
    fail_(actual, expected, message ?? `The input did not match the regular expression ${String(expected)}. Input:\n\n${inspect(actual)}\n`, "match", match);
  }
}

function doesNotMatch(actual: string, expected: RegExp, message?: string | Error): void {
  if (typeof actual !== "string" || expected.test(actual)) {
    fail_(actual, expected, message ?? `The input was expected to not match the regular expression ${String(expected)}. Input:\n\n${inspect(actual)}\n`, "doesNotMatch", doesNotMatch);
  }
}

function ifError(value: unknown): void {
  if (value !== null && value !== undefined) {
    if (value instanceof Error) throw value;
    throw new AssertionError({ actual: value, expected: null, operator: "ifError", message: `ifError got unwanted exception: ${inspect(value)}`, stackStartFn: ifError });
  }
}

const methods = {
  AssertionError, ok, fail, equal, notEqual, strictEqual, notStrictEqual, deepEqual, notDeepEqual, deepStrictEqual,
  notDeepStrictEqual, throws, doesNotThrow, rejects, doesNotReject, match, doesNotMatch, ifError,
};

function strictAssert(value: unknown, message?: string | Error): asserts value {
  if (!value) fail_(value, true, message ?? "The expression evaluated to a falsy value", "==", strictAssert);
}
export const strict = Object.assign(strictAssert, methods, {
  equal: strictEqual,
  notEqual: notStrictEqual,
  deepEqual: deepStrictEqual,
  notDeepEqual: notDeepStrictEqual,
});
(strict as unknown as { strict: unknown }).strict = strict;

Object.assign(assert, methods, { strict });

export {
  ok, fail, equal, notEqual, strictEqual, notStrictEqual, deepEqual, notDeepEqual, deepStrictEqual, notDeepStrictEqual,
  throws, doesNotThrow, rejects, doesNotReject, match, doesNotMatch, ifError,
};
export default assert as typeof assert & typeof methods & { strict: typeof strict };
