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

/**
 * A guard requiring `Authorization: Bearer TOKEN`: it throws ApiError 401 (with
 * `WWW-Authenticate` for `realm`) when the header is missing or names another token.
 */
export function bearerGuard(token: string, realm: string): (c: Context) => void {
  const digest = sha256(token);
  return function requireBearer(c) {
    const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(c.req.header("authorization") ?? "");
    if (!m || !timingSafeEqual(sha256(m[1]), digest)) {
      c.header("www-authenticate", `Bearer realm="${realm}"`);
      throw new ApiError(401, "a valid bearer token is required", "authorization");
    }
  };
}
