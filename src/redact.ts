/**
 * A URL as it may be shown (logs, error messages): without its password.
 *
 * @module
 */

/** `scheme://user:secret@host/…` → `scheme://user:***@host/…`; other text unchanged. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}
