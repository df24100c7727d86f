/**
 * Reading a request body under a size limit. Hono's `bodyLimit` middleware re-creates the
 * `Request` when there is no Content-Length, which reads `request.signal` and makes Deno print a
 * legacy-abort deprecation warning (observed here with `curl -X POST`); this reader consumes the
 * stream in place instead.
 *
 * @module
 */
import { ApiError } from "./errors.ts";

/**
 * The request body as text, or "" when there is none. A body still arriving after `timeoutMs`
 * (a client that sent part of it and stalled) is cancelled: the request answers 408 instead of
 * holding its connection, and a graceful shutdown, forever.
 * @throws {ApiError} 413 when the body is (or announces to be) larger than `maxBytes`; 408 when
 * it did not arrive within `timeoutMs`
 */
export async function readBodyLimited(
  request: Request,
  maxBytes: number,
  timeoutMs = Infinity,
): Promise<string> {
  const tooLarge = () => new ApiError(413, `the body is larger than ${maxBytes} bytes`, "body");
  const body = request.body;
  if (!body) return "";
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    await body.cancel().catch(() => {});
    throw tooLarge();
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = Number.isFinite(timeoutMs)
    ? new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)))
    : null;
  try {
    for (;;) {
      const next = expired === null ? await reader.read() : await Promise.race([
        reader.read(),
        expired,
      ]);
      if (next === null) {
        await reader.cancel().catch(() => {});
        throw new ApiError(
          408,
          `the body did not arrive within ${timeoutMs} ms (--body-timeout)`,
          "body",
        );
      }
      const { done, value } = next;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
