// DOMException (WebIDL): name, message, legacy code constants.
const legacyCodes: Record<string, number> = {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InUseAttributeError: 10,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
};

const constantNames: [string, number][] = [
  ["INDEX_SIZE_ERR", 1],
  ["DOMSTRING_SIZE_ERR", 2],
  ["HIERARCHY_REQUEST_ERR", 3],
  ["WRONG_DOCUMENT_ERR", 4],
  ["INVALID_CHARACTER_ERR", 5],
  ["NO_DATA_ALLOWED_ERR", 6],
  ["NO_MODIFICATION_ALLOWED_ERR", 7],
  ["NOT_FOUND_ERR", 8],
  ["NOT_SUPPORTED_ERR", 9],
  ["INUSE_ATTRIBUTE_ERR", 10],
  ["INVALID_STATE_ERR", 11],
  ["SYNTAX_ERR", 12],
  ["INVALID_MODIFICATION_ERR", 13],
  ["NAMESPACE_ERR", 14],
  ["INVALID_ACCESS_ERR", 15],
  ["VALIDATION_ERR", 16],
  ["TYPE_MISMATCH_ERR", 17],
  ["SECURITY_ERR", 18],
  ["NETWORK_ERR", 19],
  ["ABORT_ERR", 20],
  ["URL_MISMATCH_ERR", 21],
  ["QUOTA_EXCEEDED_ERR", 22],
  ["TIMEOUT_ERR", 23],
  ["INVALID_NODE_TYPE_ERR", 24],
  ["DATA_CLONE_ERR", 25],
];

const state = new WeakMap<object, { name: string; message: string }>();

function internal(self: unknown): { name: string; message: string } {
  const s = typeof self === "object" && self !== null ? state.get(self) : undefined;
  if (!s) throw new TypeError("Illegal invocation");
  return s;
}

export class DOMException extends Error {
  constructor(message: unknown = "", options: unknown = "Error") {
    super();
    let name: string;
    let cause: unknown;
    let hasCause = false;
    if (typeof options === "object" && options !== null) {
      const o = options as { name?: unknown; cause?: unknown };
      name = o.name === undefined ? "Error" : String(o.name);
      if ("cause" in o) {
        hasCause = true;
        cause = o.cause;
      }
    } else {
      name = options === undefined ? "Error" : String(options);
    }
    state.set(this, { name, message: String(message) });
    if (hasCause) Object.defineProperty(this, "cause", { value: cause, writable: true, configurable: true, enumerable: false });
  }
  override get name(): string {
    return internal(this).name;
  }
  override get message(): string {
    return internal(this).message;
  }
  get code(): number {
    return legacyCodes[internal(this).name] ?? 0;
  }
}

Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });
for (const k of ["name", "message", "code"]) {
  const d = Object.getOwnPropertyDescriptor(DOMException.prototype, k)!;
  Object.defineProperty(DOMException.prototype, k, { ...d, enumerable: true });
}
for (const [k, v] of constantNames) {
  const desc = { value: v, writable: false, enumerable: true, configurable: false };
  Object.defineProperty(DOMException, k, desc);
  Object.defineProperty(DOMException.prototype, k, desc);
}
