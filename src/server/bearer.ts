/**
 * Bearer-token checks (`/metrics` with `--metrics-token`, the admin API with `--admin-token`):
 * the token is compared as a SHA-256 digest in constant time, so neither its length nor its
 * content leaks through timing.
 *
 * @module
 */
import type { Context } from "hono";
import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "./errors.ts";

function sha256(s: string): Uint8Array {
  return createHash("sha256").update(s).digest();
}

/** Why a bearer check failed (logged; never the presented value). */
export type BearerFailure = "no authorization header" | "not a bearer token" | "wrong token";

/**
 * A guard requiring `Authorization: Bearer TOKEN` with one of `tokens`: it throws ApiError 401
 * (with `WWW-Authenticate` for `realm`) when the header is missing or names another token, after
 * telling `onFailure` why.
 */
export function bearerGuard(
  tokens: string | readonly string[],
  realm: string,
  onFailure?: (c: Context, reason: BearerFailure) => void,
): (c: Context) => void {
  const digests = (typeof tokens === "string" ? [tokens] : tokens).map(sha256);
  return function requireBearer(c) {
    const header = c.req.header("authorization");
    const m = header === undefined ? null : /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
    if (m !== null) {
      const presented = sha256(m[1]);
      // Every digest is compared, so the time taken does not tell which one matched.
      let ok = false;
      for (const d of digests) ok = timingSafeEqual(d, presented) || ok;
      if (ok) return;
    }
    onFailure?.(
      c,
      header === undefined
        ? "no authorization header"
        : m === null
        ? "not a bearer token"
        : "wrong token",
    );
    c.header("www-authenticate", `Bearer realm="${realm}"`);
    throw new ApiError(401, "a valid bearer token is required", "authorization");
  };
}
