// node:util/types, from the values' internal tags (unenv leaves most of these unimplemented).
const tag = (v: unknown): string => Object.prototype.toString.call(v).slice(8, -1);
const typedArrayTag = (v: unknown): string | undefined =>
  ArrayBuffer.isView(v) && !(v instanceof DataView) ? (Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!.call(v) as string) : undefined;
// By tag, not by constructor: the bundler may lower this file's own async functions.
const boxed = (v: unknown, name: string, primitive: string): boolean => typeof v === "object" && v !== null && tag(v) === name && typeof (v as { valueOf(): unknown }).valueOf() === primitive;

export const isExternal = (_v: unknown): boolean => false;
export const isDate = (v: unknown): v is Date => v instanceof Date || tag(v) === "Date";
export const isArgumentsObject = (v: unknown): boolean => tag(v) === "Arguments";
export const isBigIntObject = (v: unknown): boolean => boxed(v, "BigInt", "bigint");
export const isBooleanObject = (v: unknown): boolean => boxed(v, "Boolean", "boolean");
export const isNumberObject = (v: unknown): boolean => boxed(v, "Number", "number");
export const isStringObject = (v: unknown): boolean => boxed(v, "String", "string");
export const isSymbolObject = (v: unknown): boolean => boxed(v, "Symbol", "symbol");
export const isBoxedPrimitive = (v: unknown): boolean =>
  isBigIntObject(v) || isBooleanObject(v) || isNumberObject(v) || isStringObject(v) || isSymbolObject(v);
export const isNativeError = (v: unknown): v is Error => v instanceof Error || tag(v) === "Error";
export const isRegExp = (v: unknown): v is RegExp => v instanceof RegExp;
export const isAsyncFunction = (v: unknown): boolean => typeof v === "function" && (tag(v) === "AsyncFunction" || tag(v) === "AsyncGeneratorFunction");
export const isGeneratorFunction = (v: unknown): boolean => typeof v === "function" && (tag(v) === "GeneratorFunction" || tag(v) === "AsyncGeneratorFunction");
export const isGeneratorObject = (v: unknown): boolean => tag(v) === "Generator";
export const isPromise = (v: unknown): v is Promise<unknown> => v instanceof Promise;
export const isMap = (v: unknown): v is Map<unknown, unknown> => v instanceof Map;
export const isSet = (v: unknown): v is Set<unknown> => v instanceof Set;
export const isMapIterator = (v: unknown): boolean => tag(v) === "Map Iterator";
export const isSetIterator = (v: unknown): boolean => tag(v) === "Set Iterator";
export const isWeakMap = (v: unknown): boolean => v instanceof WeakMap;
export const isWeakSet = (v: unknown): boolean => v instanceof WeakSet;
export const isArrayBuffer = (v: unknown): v is ArrayBuffer => v instanceof ArrayBuffer;
export const isSharedArrayBuffer = (v: unknown): boolean => tag(v) === "SharedArrayBuffer";
export const isAnyArrayBuffer = (v: unknown): boolean => isArrayBuffer(v) || isSharedArrayBuffer(v);
export const isDataView = (v: unknown): v is DataView => v instanceof DataView;
export const isProxy = (_v: unknown): boolean => false;
export const isModuleNamespaceObject = (v: unknown): boolean => tag(v) === "Module";
export const isArrayBufferView = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v);
export const isTypedArray = (v: unknown): boolean => typedArrayTag(v) !== undefined;
export const isUint8Array = (v: unknown): v is Uint8Array => typedArrayTag(v) === "Uint8Array";
export const isUint8ClampedArray = (v: unknown): boolean => typedArrayTag(v) === "Uint8ClampedArray";
export const isUint16Array = (v: unknown): boolean => typedArrayTag(v) === "Uint16Array";
export const isUint32Array = (v: unknown): boolean => typedArrayTag(v) === "Uint32Array";
export const isInt8Array = (v: unknown): boolean => typedArrayTag(v) === "Int8Array";
export const isInt16Array = (v: unknown): boolean => typedArrayTag(v) === "Int16Array";
export const isInt32Array = (v: unknown): boolean => typedArrayTag(v) === "Int32Array";
export const isFloat16Array = (v: unknown): boolean => typedArrayTag(v) === "Float16Array";
export const isFloat32Array = (v: unknown): boolean => typedArrayTag(v) === "Float32Array";
export const isFloat64Array = (v: unknown): boolean => typedArrayTag(v) === "Float64Array";
export const isBigInt64Array = (v: unknown): boolean => typedArrayTag(v) === "BigInt64Array";
export const isBigUint64Array = (v: unknown): boolean => typedArrayTag(v) === "BigUint64Array";
export const isKeyObject = (_v: unknown): boolean => false;
export const isCryptoKey = (v: unknown): boolean => typeof CryptoKey !== "undefined" && v instanceof CryptoKey;

export default {
  isExternal, isDate, isArgumentsObject, isBigIntObject, isBooleanObject, isNumberObject, isStringObject, isSymbolObject,
  isBoxedPrimitive, isNativeError, isRegExp, isAsyncFunction, isGeneratorFunction, isGeneratorObject, isPromise, isMap, isSet,
  isMapIterator, isSetIterator, isWeakMap, isWeakSet, isArrayBuffer, isSharedArrayBuffer, isAnyArrayBuffer, isDataView, isProxy,
  isModuleNamespaceObject, isArrayBufferView, isTypedArray, isUint8Array, isUint8ClampedArray, isUint16Array, isUint32Array,
  isInt8Array, isInt16Array, isInt32Array, isFloat16Array, isFloat32Array, isFloat64Array, isBigInt64Array, isBigUint64Array,
  isKeyObject, isCryptoKey,
};
