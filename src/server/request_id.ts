/**
 * Request IDs: an incoming `X-Request-Id` is kept when it is short and plain (so it can be logged
 * and echoed safely), otherwise a new one is generated: a per-process random prefix plus a
 * sequence number, cheaper than a UUID per request and still unique across restarts.
 *
 * @module
 */

const VALID_ID = /^[A-Za-z0-9._:@\/+=-]{1,128}$/;
const PREFIX = crypto.randomUUID().slice(0, 8);
let sequence = 0;

/** The incoming ID when it is 1-128 safe characters, else a freshly generated one. */
export function requestId(incoming: string | null | undefined): string {
  if (incoming && incoming.length <= 128 && VALID_ID.test(incoming)) return incoming;
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `${PREFIX}-${sequence.toString(36)}`;
}
