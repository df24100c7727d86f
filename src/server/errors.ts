/**
 * The service's error shape: every error answer is JSON `{error, field}`, where `field` names the
 * offending input (or is null). Messages never echo unbounded request input.
 *
 * @module
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An HTTP error with the input field it is about. */
export class ApiError extends HTTPException {
  /** The offending field, or null when the error is not about one field. */
  readonly field: string | null;
  /** Extra JSON properties merged into the answer (e.g. `allow`). */
  readonly extra: Record<string, unknown> | undefined;

  /** Create an error answered with `status` and JSON `{error: message, field}`. */
  constructor(
    status: ContentfulStatusCode,
    message: string,
    field: string | null = null,
    extra?: Record<string, unknown>,
  ) {
    super(status, { message });
    this.name = "ApiError";
    this.field = field;
    this.extra = extra;
  }
}

const SAFE_FIELD = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/** A field name safe to echo: the name itself when short and plain, else `fallback`. */
export function safeField(name: string, fallback: string): string {
  return SAFE_FIELD.test(name) ? name : fallback;
}
