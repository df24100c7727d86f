/**
 * The target service: its URL, the address the raw client connects to, and (for scenarios that
 * need it) its symbol universe and last prices from `GET /quotes`.
 *
 * @module
 */
import type { Endpoint } from "./http_client.ts";
import { UsageError } from "../cli/mod.ts";

/** A parsed, reachable target. */
export interface Target {
  /** The URL as given (normalised). */
  url: string;
  /** Resolved address for raw connections. */
  endpoint: Endpoint;
  /** `Host` header value. */
  host: string;
  /** Path prefix ("" when the URL has none). */
  basePath: string;
}

/** Parse `--target`; only plain `http://` is supported (the raw client speaks no TLS). */
export function parseTarget(
  text: string,
): Omit<Target, "endpoint"> & { hostname: string; port: number } {
  let url: URL;
  try {
    url = new URL(text.includes("://") ? text : `http://${text}`);
  } catch {
    throw new UsageError(`Target "${text}" is not a URL`, "--target");
  }
  if (url.protocol !== "http:") {
    throw new UsageError(`Target must be an http:// URL, got ${url.protocol}//`, "--target");
  }
  if (url.search || url.hash) {
    throw new UsageError("Target must not have a query or fragment", "--target");
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port ? Number(url.port) : 80;
  return {
    url: url.href.replace(/\/$/, ""),
    hostname,
    port,
    host: url.host,
    basePath: url.pathname.replace(/\/+$/, ""),
  };
}

/**
 * Connect once to check that the target is reachable, and resolve its address (so that the
 * run does not look names up for every connection). Throws an {@link UsageError} otherwise.
 */
export async function resolveTarget(text: string, timeoutMs: number): Promise<Target> {
  const t = parseTarget(text);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let conn: Deno.TcpConn;
  let timedOut = false;
  try {
    const connecting = Deno.connect({ hostname: t.hostname, port: t.port, transport: "tcp" });
    // A connect that completes after the time-out is closed when it settles.
    connecting.then((c) => {
      if (timedOut) c.close();
    }, () => {});
    conn = await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } catch (e) {
    throw new UsageError(
      `Target ${t.url} is unreachable: ${e instanceof Error ? e.message : String(e)}`,
      "--target",
    );
  } finally {
    clearTimeout(timer);
  }
  const addr = conn.remoteAddr as Deno.NetAddr;
  conn.close();
  return {
    url: t.url,
    endpoint: { hostname: addr.hostname, port: addr.port },
    host: t.host,
    basePath: t.basePath,
  };
}

/** The symbols and last prices the target quotes. */
export interface Universe {
  symbols: string[];
  prices: Map<string, number>;
}

/**
 * Read the target's universe from `GET /quotes`. Accepts a JSON array of quotes, an object with
 * a `quotes` array, or an object keyed by symbol.
 */
export async function fetchUniverse(target: Target, timeoutMs: number): Promise<Universe> {
  const url = `http://${target.host}${target.basePath}/quotes`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new UsageError(
      `Cannot read the symbol universe from ${url}: ${e instanceof Error ? e.message : e}`,
      "--symbols",
    );
  }
  const text = await res.text();
  if (!res.ok) {
    throw new UsageError(
      `Cannot read the symbol universe from ${url}: HTTP ${res.status} (pass --symbols)`,
      "--symbols",
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`GET ${url} did not answer JSON (pass --symbols)`, "--symbols");
  }
  const universe = universeFrom(data);
  if (universe.symbols.length === 0) {
    throw new UsageError(`GET ${url} lists no symbols (pass --symbols)`, "--symbols");
  }
  return universe;
}

/** Extract symbols and prices from a `GET /quotes` answer (exported for tests). */
export function universeFrom(data: unknown): Universe {
  const prices = new Map<string, number>();
  const symbols: string[] = [];
  const add = (symbol: unknown, quote: unknown) => {
    if (typeof symbol !== "string" || symbol === "" || prices.has(symbol)) return;
    symbols.push(symbol);
    const q = quote as Record<string, unknown> | null;
    const p = q && typeof q === "object" ? (q.last ?? q.price ?? q.ask ?? q.bid) : undefined;
    prices.set(symbol, typeof p === "number" && p > 0 ? p : 100);
  };
  const list = Array.isArray(data)
    ? data
    : data && typeof data === "object" && Array.isArray((data as { quotes?: unknown }).quotes)
    ? (data as { quotes: unknown[] }).quotes
    : null;
  if (list) {
    for (const q of list) {
      if (typeof q === "string") add(q, null);
      else if (q && typeof q === "object") add((q as { symbol?: unknown }).symbol, q);
    }
  } else if (data && typeof data === "object") {
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (/^[A-Z][A-Z0-9.]{0,9}$/.test(k)) add(k, v);
    }
  }
  return { symbols, prices };
}
