/**
 * A minimal HTTP/1.1 keep-alive client on raw `Deno.connect` sockets: the load generator's hot
 * path.
 *
 * Why not `fetch()` or `npm:undici`: measured on this project's 2-core machines, closed loop with
 * 50 connections against a Deno server, `fetch()` reached 0.34x of wrk's rate, undici 0.34–0.45x
 * and autocannon 0.53x, all limited by the JavaScript-thread cost per request. This client (one
 * fixed request buffer per request, the small parser of `response_parser.ts`, writes not awaited)
 * reached 1.09–1.18x of wrk at less CPU per request. It does not pipeline: one request in flight
 * per connection, as wrk, k6 and vegeta do by default.
 *
 * @module
 */
import { type ParsedResponse, ResponseParseError, ResponseParser } from "./response_parser.ts";

/** Where to connect (an already-resolved address), and what to put in the `Host` header. */
export interface Endpoint {
  hostname: string;
  port: number;
}

/** Kinds of transport failure, as counted in reports. */
export type ErrorKind =
  | "refused"
  | "reset"
  | "closed"
  | "timeout"
  | "parse"
  | "connect";

/** A request that got no (complete) HTTP response. */
export class RequestError extends Error {
  /** What went wrong, for the error breakdown. */
  readonly kind: ErrorKind;
  /** Create the error. */
  constructor(kind: ErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RequestError";
    this.kind = kind;
  }
}

/** Size of each connection's read buffer. */
const READ_BUFFER_BYTES = 16 * 1024;

/**
 * One keep-alive connection, one request at a time. It connects lazily, reconnects after an
 * error or a `Connection: close`, and can be timed out from outside by {@link HttpConnection.abort}
 * (a watchdog is cheaper than a timer per request at tens of thousands of requests per second).
 */
export class HttpConnection {
  /** Number of TCP connections opened (1 + reconnects). */
  connects = 0;
  /** `performance.now()` when the current request was sent, or -1 when idle. */
  busySince = -1;

  readonly #endpoint: Endpoint;
  readonly #parser = new ResponseParser();
  #buf: Uint8Array | null = null;
  #conn: Deno.TcpConn | null = null;
  #reused = false;
  #aborted: ErrorKind | null = null;
  #closed = false;
  /** Aborts the connect under way (a time-out or close must not wait for the OS's). */
  #connecting: AbortController | null = null;
  /** The request being written (one at a time) and its socket, for a short write's remainder. */
  #writing: Uint8Array | null = null;
  #writingOn: Deno.TcpConn | null = null;
  readonly #onWritten = (n: number): void => {
    const req = this.#writing;
    const conn = this.#writingOn;
    if (req !== null && n < req.length && conn !== null && conn === this.#conn) {
      writeAll(conn, req.subarray(n)).catch(ignore);
    }
  };

  /** Create a connection to `endpoint` (nothing is opened until the first request). */
  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
  }

  /** Open the TCP connection now (warm-up); requests otherwise connect lazily. */
  async connect(): Promise<void> {
    if (this.#conn === null && !this.#closed) await this.#connect();
  }

  /** True while a TCP connection is open. */
  get open(): boolean {
    return this.#conn !== null;
  }

  /**
   * Send `request` (a complete HTTP/1.1 request) and resolve to its response. Rejects with a
   * {@link RequestError}. A GET that finds a reused connection closed by the server before any
   * byte of the answer is retried once on a new connection (the usual keep-alive race). `now`
   * is the caller's `performance.now()`, if it has one (it saves a clock read per request).
   */
  request(
    request: Uint8Array,
    keepBody = false,
    idempotent = false,
    now: number = performance.now(),
  ): Promise<ParsedResponse> {
    if (this.#closed) {
      return Promise.reject(new RequestError("closed", "Connection was shut down"));
    }
    return this.#send(request, keepBody, idempotent, now);
  }

  /**
   * Fail the request in flight with `kind` (e.g. "timeout") by closing the socket; the next
   * request reconnects.
   */
  abort(kind: ErrorKind = "timeout"): void {
    if (this.#connecting !== null) {
      this.#aborted = kind;
      this.#connecting.abort();
      return;
    }
    if (this.#conn === null) return;
    this.#aborted = kind;
    this.#drop();
  }

  /** Close the connection for good: the request in flight fails, later ones are refused. */
  close(): void {
    this.#closed = true;
    this.#aborted ??= "closed";
    this.#connecting?.abort();
    this.#drop();
  }

  /** One request (one async frame on the hot path: this is most of the client's JS cost). */
  async #send(
    request: Uint8Array,
    keepBody: boolean,
    idempotent: boolean,
    now: number,
  ): Promise<ParsedResponse> {
    const parser = this.#parser;
    const buf = this.#buf ??= new Uint8Array(READ_BUFFER_BYTES);
    try {
      attempts: for (let attempt = 0;; attempt++) {
        // Busy from here: the watchdog's time-out covers the connect too.
        this.busySince = attempt === 0 ? now : performance.now();
        const conn = this.#conn ?? await this.#connect();
        const reused = this.#reused;
        this.#reused = true;
        parser.reset();
        parser.keepBody = keepBody;
        // Not awaited: the answer cannot come before the request is written, and a failed write
        // shows up as a failed read. A short write (rare for small requests) is completed later.
        this.#writing = request;
        this.#writingOn = conn;
        conn.write(request).then(this.#onWritten, ignore);
        for (;;) {
          let n: number | null;
          try {
            n = await conn.read(buf);
          } catch (e) {
            const err = this.#fail(e);
            // A keep-alive connection the server reset while idle: retry a GET once.
            if (
              err.kind === "reset" && parser.pristine && reused && idempotent && attempt === 0 &&
              !this.#closed
            ) {
              continue attempts;
            }
            throw err;
          }
          if (n === null) {
            if (parser.end()) break;
            const pristine = parser.pristine;
            this.#drop();
            // A keep-alive connection the server closed while idle: retry a GET once.
            if (pristine && reused && idempotent && attempt === 0 && !this.#closed) {
              continue attempts;
            }
            throw new RequestError(
              "closed",
              pristine
                ? "Connection closed before the response"
                : "Connection closed in the middle of the response",
            );
          }
          let end: number;
          try {
            end = parser.feed(buf, 0, n);
          } catch (e) {
            throw this.#fail(e);
          }
          if (end >= 0) break;
        }
        const res = parser.result();
        if (!res.keepAlive) this.#drop();
        return res;
      }
    } finally {
      this.busySince = -1;
    }
  }

  async #connect(): Promise<Deno.TcpConn> {
    this.#aborted = null;
    let conn: Deno.TcpConn;
    const connecting = this.#connecting = new AbortController();
    try {
      conn = await Deno.connect({
        hostname: this.#endpoint.hostname,
        port: this.#endpoint.port,
        transport: "tcp",
        signal: connecting.signal,
      });
    } catch (e) {
      const aborted = this.#aborted;
      if (aborted !== null) {
        throw new RequestError(aborted, aborted === "timeout" ? "Connect timed out" : "Aborted");
      }
      throw new RequestError(
        e instanceof Deno.errors.ConnectionRefused ? "refused" : "connect",
        `Cannot connect to ${this.#endpoint.hostname}:${this.#endpoint.port}: ${message(e)}`,
        { cause: e },
      );
    } finally {
      this.#connecting = null;
    }
    if (this.#closed) {
      conn.close();
      throw new RequestError("closed", "Connection was shut down");
    }
    conn.setNoDelay(true);
    this.#conn = conn;
    this.#reused = false;
    this.connects++;
    return conn;
  }

  #fail(e: unknown): RequestError {
    const aborted = this.#aborted;
    this.#drop();
    if (aborted) {
      return new RequestError(
        aborted,
        `Request ${aborted === "timeout" ? "timed out" : "aborted"}`,
      );
    }
    if (e instanceof ResponseParseError) return new RequestError("parse", e.message, { cause: e });
    if (e instanceof Deno.errors.ConnectionReset || e instanceof Deno.errors.BrokenPipe) {
      return new RequestError("reset", "Connection reset by the server", { cause: e });
    }
    return new RequestError("closed", `Connection failed: ${message(e)}`, { cause: e });
  }

  #drop(): void {
    const conn = this.#conn;
    this.#conn = null;
    if (conn) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

function ignore(): void {
  // a failed write shows up as a failed read
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const encoder = new TextEncoder();

/**
 * Build the bytes of one HTTP/1.1 request. `host` is the `Host` header value; a body is sent
 * with its `Content-Length` (and `Content-Type: application/json` unless `contentType` says).
 */
export function buildRequest(
  method: string,
  path: string,
  host: string,
  body?: string,
  contentType = "application/json",
): Uint8Array {
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: tradewatch-loadgen\r\n`;
  if (body !== undefined) {
    const bytes = encoder.encode(body);
    head += `Content-Type: ${contentType}\r\nContent-Length: ${bytes.length}\r\n\r\n`;
    const headBytes = encoder.encode(head);
    const out = new Uint8Array(headBytes.length + bytes.length);
    out.set(headBytes, 0);
    out.set(bytes, headBytes.length);
    return out;
  }
  if (method === "POST" || method === "PUT" || method === "PATCH") head += "Content-Length: 0\r\n";
  return encoder.encode(head + "\r\n");
}
