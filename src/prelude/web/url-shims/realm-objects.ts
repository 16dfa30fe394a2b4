// whatwg-url's webidl2js glue makes every iterator result ({ value, done } of URLSearchParams
// iteration) with utils.newObjectInRealm: a copy through Object.create + defineProperties +
// getOwnPropertyDescriptors, so the result has the target realm's Object.prototype. That copy
// costs more than the rest of a step (≈40% of `Object.fromEntries(url.searchParams)`), and the
// prelude has one realm: the literal already has that prototype and the same data properties, so
// it is returned as is. URLSearchParams.js takes the function off the exports object while it
// loads, hence a module of its own, imported (by ../url.ts) after ../url-env.ts (utils.js reads
// SharedArrayBuffer at load) and before whatwg-url.
import utils from "whatwg-url/lib/utils.js";

const newObjectInRealm = utils.newObjectInRealm;
utils.newObjectInRealm = (globalObject, object) =>
  Object.getPrototypeOf(object) === globalObject.Object.prototype ? object : newObjectInRealm(globalObject, object);
