/**
 * Connection deadlines in front of `Deno.serve`, which has none in Deno 2.9 (no idle keep-alive or
 * header-read timeout; denoland/deno#34172 proposes `keepAliveTimeout`). Turned on by
 * `--idle-timeout` / `--header-timeout` (0 turns a deadline off; both 0: no front at all):
 * tradewatch then accepts TCP connections itself and relays each one to `Deno.serve` listening
 * on a Unix socket in a private temporary directory, watching the bytes without parsing HTTP:
 *
 * - idle: after the server's last bytes, the client has `idleTimeoutMs` to start a new request
 *   (a keep-alive connection that says nothing is closed);
 * - header: from the client's first byte of a request (or from connecting), the request head
 *   (up to the blank line) must be complete within `headerTimeoutMs` (slowloris);
 * - once a head is complete the front waits for the server, however long the handler takes;
 *   the body has its own deadline in the app (`--body-timeout`, 408).
 *
 * `Too many open files` on accept is waited out (100 ms) with the listener kept open, so the
 * process lives on and connections queue in the kernel's backlog until descriptors free up.
 *
 * Why not by default: each connection costs three descriptors instead of one (client socket,
 * both ends of the Unix socket) and every byte is copied through JavaScript; bench/server.ts
 * measures the cost (the "front" rows). Put a proxy with these timeouts in front instead when
 * throughput matters more.
 *
 * @module
 */
import { join } from "node:path";
import type { Logger } from "./logger.ts";

/** Options of {@link serveFronted}. */
export interface FrontOptions {
  hostname: string;
  port: number;
  handler: (request: Request) => Response | Promise<Response>;
  logger: Logger;
  /** Idle keep-alive deadline in ms (0: none). */
  idleTimeoutMs: number;
  /** Request-head deadline in ms (0: none). */
  headerTimeoutMs: number;
}

/** A fronted server. */
export interface FrontedServer {
  readonly addr: Deno.NetAddr;
  /** Stops accepting, closes idle connections; resolves when the inner server has finished. */
  shutdown(): Promise<void>;
}

const END_OF_HEAD = [13, 10, 13, 10];

/** Starts the inner server on a Unix socket and the front on `hostname:port`. */
export function serveFronted(options: FrontOptions): FrontedServer {
  const { logger, idleTimeoutMs, headerTimeoutMs } = options;
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const dir = Deno.makeTempDirSync({ prefix: "tradewatch-front-" });
  const path = join(dir, "http.sock");
  const idle = new Set<() => void>();
  let stopping = false;
  // The inner server's accept loop fails like any other when descriptors run out: it is
  // reopened on the same socket path (connections it accepted are still served).
  const inners: Deno.HttpServer[] = [];
  const listenInner = (): void => {
    if (stopping) return;
    try {
      Deno.removeSync(path);
    } catch { /* not there yet */ }
    let server: Deno.HttpServer;
    try {
      server = Deno.serve({ transport: "unix", path, onListen: () => {} }, options.handler);
    } catch {
      setTimeout(listenInner, 100);
      return;
    }
    inners.push(server);
    server.finished.catch((error: unknown) => {
      if (stopping) return;
      logger.warn("the inner listener failed; reopening it in 100 ms", {
        error: error instanceof Error ? error.message : String(error),
      });
      setTimeout(listenInner, 100);
    });
  };
  listenInner();

  const relay = async (client: Deno.Conn) => {
    let upstream: Deno.UnixConn;
    try {
      upstream = await Deno.connect({ transport: "unix", path });
    } catch {
      client.close();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      idle.delete(close);
      for (const c of [client, upstream]) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    };
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = ms > 0 ? setTimeout(close, ms) : undefined;
    };
    // Where we are in the current request: waiting for one (idle), reading its head, or
    // waiting for the server's answer.
    let state = "head" as "idle" | "head" | "answer";
    let matched = 0; // bytes of "\r\n\r\n" matched so far
    arm(headerTimeoutMs);
    const toServer = (async () => {
      const buf = new Uint8Array(16 * 1024);
      for (;;) {
        const n = await client.read(buf);
        if (n === null) break;
        const chunk = buf.subarray(0, n);
        if (state === "idle") {
          state = "head";
          idle.delete(close);
          arm(headerTimeoutMs);
        }
        if (state === "head") {
          for (let i = 0; i < n && state === "head"; i++) {
            matched = chunk[i] === END_OF_HEAD[matched] ? matched + 1 : chunk[i] === 13 ? 1 : 0;
            if (matched === 4) {
              state = "answer";
              matched = 0;
              arm(0);
            }
          }
        }
        let off = 0;
        while (off < n) off += await upstream.write(chunk.subarray(off));
      }
    })();
    const toClient = (async () => {
      const buf = new Uint8Array(64 * 1024);
      for (;;) {
        const n = await upstream.read(buf);
        if (n === null) break;
        state = "idle";
        if (stopping) setTimeout(close, 0);
        else idle.add(close);
        arm(idleTimeoutMs);
        let off = 0;
        while (off < n) off += await client.write(buf.subarray(off, n));
      }
    })();
    await Promise.race([toServer, toClient]).catch(() => {});
    close();
    await Promise.allSettled([toServer, toClient]);
  };

  (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping) return;
        if (error instanceof Deno.errors.BadResource) return;
        logger.warn("accept failed; retrying in 100 ms", {
          error: error instanceof Error ? error.message : String(error),
        });
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      void relay(conn).catch(() => {});
    }
  })();

  return {
    addr: listener.addr as Deno.NetAddr,
    async shutdown() {
      stopping = true;
      try {
        listener.close();
      } catch { /* closed */ }
      for (const close of [...idle]) close();
      await Promise.all(inners.map((i) => i.shutdown().catch(() => {})));
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
