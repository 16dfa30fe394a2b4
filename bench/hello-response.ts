// The hello response, shared by the hello worker and the plain Node baseline (no other imports, so
// the baseline server starts as fast as a plain Node server does).
export const HELLO_BODY = "Hello World!";
/** What `new Response(string)` carries in workerd (and Atoll). */
export const HELLO_CONTENT_TYPE = "text/plain;charset=UTF-8";
