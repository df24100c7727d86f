/**
 * Reading a request body under a size limit. Hono's `bodyLimit` middleware re-creates the
 * `Request` when there is no Content-Length, which reads `request.signal` and makes Deno print a
 * legacy-abort deprecation warning (observed here with `curl -X POST`); this reader consumes the
 * stream in place instead.
 *
 * @module
 */
import { deadlines } from "./deadline.ts";
import { ApiError, safeField } from "./errors.ts";
import { findDuplicateKey } from "./json_keys.ts";

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
  // On the deadline the read is cancelled, which ends a pending read() as done.
  let expired = false;
  const deadline = Number.isFinite(timeoutMs)
    ? deadlines(timeoutMs).set(() => {
      expired = true;
      reader.cancel().catch(() => {});
    })
    : null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (expired) {
        throw new ApiError(
          408,
          `the body did not arrive within ${timeoutMs} ms (--body-timeout)`,
          "body",
        );
      }
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    deadline?.clear();
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

const JSON_TYPE = "application/json";

/** Whether a Content-Type header names JSON (`application/json` or `application/*+json`). */
export function isJsonType(contentType: string): boolean {
  const type = contentType.split(";")[0].trim().toLowerCase();
  return type === JSON_TYPE || (type.startsWith("application/") && type.endsWith("+json"));
}

/**
 * The request body parsed as JSON, or undefined when there is none. A key given twice in one
 * object is refused (JSON.parse would keep the last one silently).
 * @throws {ApiError} 413 over `maxBytes`, 408 after `timeoutMs`, 415 when not declared as JSON,
 * 400 when not JSON or with a duplicate key
 */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
  timeoutMs = Infinity,
): Promise<unknown> {
  const text = await readBodyLimited(request, maxBytes, timeoutMs);
  if (text.trim() === "") return undefined;
  if (!isJsonType(request.headers.get("content-type") ?? "")) {
    throw new ApiError(415, "the body must be application/json", "content-type");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "the body is not valid JSON", "body");
  }
  const twice = findDuplicateKey(text);
  if (twice !== null) {
    throw new ApiError(400, "field is given more than once", safeField(twice, "body"));
  }
  return value;
}
