/**
 * `Deno.serve`, kept listening. When the process runs out of file descriptors, `Deno.serve`'s
 * accept loop fails (`Too many open files`), its `finished` promise rejects and, unhandled, that
 * ended the process. Here the failure is logged and the listener is opened again on the same
 * address, every `retryMs` until it succeeds: meanwhile new connections are refused by the
 * kernel, the connections already accepted keep being served (their tasks do not depend on the
 * accept loop; tests/server/faults_test.ts checks it), and the service answers new clients
 * again as soon as descriptors are free.
 *
 * What Deno 2.9's `Deno.serve` does not offer: idle keep-alive and header-read timeouts (no
 * option; denoland/deno#34172 proposes `keepAliveTimeout`): `front.ts` adds them at a price,
 * when asked to. The request body has its own deadline (`body.ts`), and shutdown is bounded by
 * the caller whatever clients do.
 *
 * @module
 */
import type { Logger } from "./logger.ts";

/** Options of {@link serveResilient}. */
export interface ResilientServeOptions {
  hostname: string;
  port: number;
  handler: (request: Request) => Response | Promise<Response>;
  logger: Logger;
  /** Time between attempts to listen again after a failure, in ms (default 100). */
  retryMs?: number;
}

/** A listening server that reopens its listener after accept failures. */
export interface ResilientServer {
  /** The bound address. */
  readonly addr: Deno.NetAddr;
  /** How many times the listener failed and was reopened. */
  readonly restarts: number;
  /** Stops accepting and resolves once every connection finished (may never: race it). */
  shutdown(): Promise<void>;
}

/**
 * Listens at once (throws `AddrInUse` and the like right away), then keeps listening.
 */
export function serveResilient(options: ResilientServeOptions): ResilientServer {
  const { hostname, handler, logger } = options;
  const retryMs = options.retryMs ?? 100;
  const servers: Deno.HttpServer<Deno.NetAddr>[] = [];
  let stopping = false;
  let restarts = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const listen = (port: number): Deno.HttpServer<Deno.NetAddr> => {
    const server = Deno.serve({ hostname, port, onListen: () => {} }, handler);
    servers.push(server);
    server.finished.catch((error: unknown) => {
      if (stopping) return;
      logger.warn("the listener failed; new connections are refused until it listens again", {
        error: error instanceof Error ? error.message : String(error),
      });
      schedule();
    });
    return server;
  };
  const first = listen(options.port);
  const addr = first.addr;

  const schedule = () => {
    if (stopping || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (stopping) return;
      try {
        listen(addr.port);
        restarts++;
        logger.info("listening again", { port: addr.port, restarts });
      } catch {
        schedule();
      }
    }, retryMs);
  };

  return {
    addr,
    get restarts() {
      return restarts;
    },
    shutdown() {
      stopping = true;
      if (retry !== undefined) clearTimeout(retry);
      retry = undefined;
      return Promise.all(servers.map((s) => s.shutdown().catch(() => {}))).then(() => {});
    },
  };
}
