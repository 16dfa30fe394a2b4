// examples/hello: returns JSON describing the request it received.
interface Env {
  GREETING: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const cf = (request as Request & { cf?: Record<string, unknown> }).cf ?? {};
    return Response.json({
      greeting: env.GREETING,
      method: request.method,
      url: request.url,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      cf: { colo: cf.colo, country: cf.country, httpProtocol: cf.httpProtocol },
      userAgent: navigator.userAgent,
    });
  },
};
