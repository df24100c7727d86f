/**
 * A free TCP port on 127.0.0.1 for a server a test starts (bound and released at once, so a
 * small race with other processes remains; servers that fail to bind are reported by name).
 *
 * @module
 */

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return Promise.resolve(port);
}
