/**
 * `HEAD` answers with the `Content-Length` of the `GET` answer. Hono answers `HEAD` by running
 * the `GET` handler and dropping the body, and `Deno.serve` then writes `content-length: 0`
 * for the empty body; {@link headContentLength} measures the body before Hono drops it and sets
 * the header, which `Deno.serve` keeps.
 *
 * The route wrapper (`instrument.ts`) calls it on every answer to a `HEAD` request, instead of a
 * global `app.use()` middleware: such a middleware sends every request of every method through
 * Hono's compose (an extra async frame and promise per request), which cost about 3% of
 * POST /orders' CPU (in-process A/B, `bench/order_cpu.ts`).
 *
 * @module
 */

/** `res` with the `Content-Length` of its body (for the answer to a `HEAD` request). */
export async function headContentLength(res: Response): Promise<Response> {
  if (res.headers.has("content-length")) return res;
  const length = res.body === null ? 0 : (await res.clone().arrayBuffer()).byteLength;
  const out = new Response(res.body, { status: res.status, headers: res.headers });
  out.headers.set("content-length", String(length));
  return out;
}
