/**
 * `HEAD` answers with the `Content-Length` of the `GET` answer. Hono answers `HEAD` by running
 * the `GET` handler and dropping the body, and `Deno.serve` then writes `content-length: 0`
 * for the empty body; this middleware measures the body before Hono drops it and sets the
 * header, which `Deno.serve` keeps.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";

/** The middleware; register it first. */
export function headContentLength(): MiddlewareHandler {
  return async function headContentLength(c, next) {
    await next();
    if (c.req.method !== "HEAD") return;
    const res = c.res;
    if (res.headers.has("content-length")) return;
    const length = res.body === null ? 0 : (await res.clone().arrayBuffer()).byteLength;
    c.res = new Response(res.body, { status: res.status, headers: res.headers });
    c.res.headers.set("content-length", String(length));
  };
}
