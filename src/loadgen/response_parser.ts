/**
 * An incremental HTTP/1.1 response parser, small on purpose: status line, the three headers a
 * keep-alive client needs (`Content-Length`, `Transfer-Encoding: chunked`, `Connection`), and the
 * body framed by one of them or by the end of the connection. It is fed the bytes of a socket as
 * they arrive and says when one response is complete.
 *
 * @module
 */

const CR = 13;
const LF = 10;
/** Longest header block accepted, as in most servers (Node's default is 16 KiB). */
const MAX_HEADER_BYTES = 64 * 1024;

/** Raised when the bytes are not an HTTP/1.1 response; the connection cannot be reused. */
export class ResponseParseError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "ResponseParseError";
  }
}

const enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailer,
  UntilClose,
  Done,
}

/** The parsed response; `body` is set only when the parser was asked to keep bodies. */
export interface ParsedResponse {
  status: number;
  /** False when the server asked to close, or the body was framed by the end of the connection. */
  keepAlive: boolean;
  body: Uint8Array | null;
}

/**
 * Parses one response at a time. Call {@link ResponseParser.reset} before each request, then
 * {@link ResponseParser.feed} the received bytes until it returns the number of bytes consumed
 * (the response is complete); bytes after that belong to nothing (no pipelining).
 */
export class ResponseParser {
  /** Keep response bodies (needed only by scenarios that read the answer). */
  keepBody: boolean;
  /** Set to true for the answer to a HEAD request (no body, whatever the headers say). */
  headRequest = false;

  #state = State.Head;
  #head: Uint8Array | null = null; // partial header block carried across reads
  #remaining = 0;
  #status = 0;
  #keepAlive = true;
  #chunks: Uint8Array[] = [];
  #lineLen = 0; // bytes of the current chunk-size or trailer line seen so far
  #chunkSize = 0;
  #sawSizeDigit = false;
  #inExtension = false;

  /** Create a parser; keep bodies when `keepBody` is true. */
  constructor(keepBody = false) {
    this.keepBody = keepBody;
  }

  /** Forget any partial response: call before sending each request. */
  reset(): void {
    this.#state = State.Head;
    this.#head = null;
    this.#remaining = 0;
    this.#status = 0;
    this.#keepAlive = true;
    this.#chunks = [];
    this.#lineLen = 0;
    this.#chunkSize = 0;
    this.#sawSizeDigit = false;
    this.#inExtension = false;
  }

  /** True once a complete response has been parsed. */
  get done(): boolean {
    return this.#state === State.Done;
  }

  /** True when the body runs until the server closes the connection. */
  get untilClose(): boolean {
    return this.#state === State.UntilClose;
  }

  /** The complete response (only valid when {@link ResponseParser.done}). */
  result(): ParsedResponse {
    return { status: this.#status, keepAlive: this.#keepAlive, body: this.#body() };
  }

  /**
   * The peer closed the connection. Completes a close-delimited body and returns true; returns
   * false when the response is incomplete (or never started).
   */
  end(): boolean {
    if (this.#state === State.UntilClose) {
      this.#state = State.Done;
      this.#keepAlive = false;
    }
    return this.#state === State.Done;
  }

  /** True while no byte of the response has arrived. */
  get pristine(): boolean {
    return this.#state === State.Head && this.#head === null;
  }

  /**
   * Feed `buf[start..end)`. Returns the index after the last byte of the response once it is
   * complete, or -1 when more bytes are needed. Throws {@link ResponseParseError} on bad input.
   */
  feed(buf: Uint8Array, start: number, end: number): number {
    let i = start;
    while (i < end || this.#state === State.Done) {
      switch (this.#state) {
        case State.Head:
          i = this.#feedHead(buf, i, end);
          if (i < 0) return -1;
          break;
        case State.FixedBody:
          i = this.#feedCounted(buf, i, end);
          if (this.#remaining === 0) this.#state = State.Done;
          break;
        case State.ChunkSize:
          i = this.#feedChunkSize(buf, i, end);
          break;
        case State.ChunkData:
          i = this.#feedCounted(buf, i, end);
          if (this.#remaining === 0) {
            this.#state = State.ChunkDataEnd;
            this.#lineLen = 0;
          }
          break;
        case State.ChunkDataEnd: {
          // Expect exactly CRLF after the chunk data.
          const c = buf[i++];
          if (this.#lineLen === 0 ? c !== CR : c !== LF) {
            throw new ResponseParseError("Chunk data is not followed by CRLF");
          }
          if (++this.#lineLen === 2) this.#startChunkSize();
          break;
        }
        case State.Trailer:
          i = this.#feedTrailer(buf, i, end);
          break;
        case State.UntilClose: {
          if (this.keepBody) this.#chunks.push(buf.slice(i, end));
          i = end;
          break;
        }
        case State.Done:
          return i;
      }
    }
    return -1;
  }

  /** Take up to `#remaining` body bytes of `buf[i..end)`; returns the index after them. */
  #feedCounted(buf: Uint8Array, i: number, end: number): number {
    const n = Math.min(this.#remaining, end - i);
    if (this.keepBody) this.#chunks.push(buf.slice(i, i + n));
    this.#remaining -= n;
    return i + n;
  }

  #body(): Uint8Array | null {
    if (!this.keepBody) return null;
    if (this.#chunks.length === 1) return this.#chunks[0];
    let len = 0;
    for (const c of this.#chunks) len += c.length;
    const out = new Uint8Array(len);
    let o = 0;
    for (const c of this.#chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  /** Find the end of the header block; returns the index after it, or -1. */
  #feedHead(buf: Uint8Array, start: number, end: number): number {
    let block: Uint8Array;
    let from: number;
    let to: number;
    if (this.#head === null) {
      block = buf;
      from = start;
      to = end;
    } else {
      // Rare: the header block spans reads; join what we have.
      const joined = new Uint8Array(this.#head.length + (end - start));
      joined.set(this.#head, 0);
      joined.set(buf.subarray(start, end), this.#head.length);
      block = joined;
      from = 0;
      to = joined.length;
    }
    const headEnd = findHeaderEnd(block, from, to);
    if (headEnd < 0) {
      if (to - from > MAX_HEADER_BYTES) {
        throw new ResponseParseError("Response header block is too large");
      }
      this.#head = block.slice(from, to);
      return -1;
    }
    this.#parseHead(block, from, headEnd);
    const carried = this.#head === null ? 0 : this.#head.length;
    this.#head = null;
    // Index in `buf` just after the header block.
    return block === buf ? headEnd + 4 : start + (headEnd + 4 - carried);
  }

  #parseHead(b: Uint8Array, from: number, headEnd: number): void {
    // Status line: "HTTP/1.x SSS reason"
    if (
      headEnd - from < 12 || b[from] !== 72 /* H */ || b[from + 1] !== 84 || b[from + 2] !== 84 ||
      b[from + 3] !== 80 || b[from + 4] !== 47 || b[from + 5] !== 49 || b[from + 6] !== 46 ||
      b[from + 8] !== 32
    ) {
      throw new ResponseParseError("Response does not start with an HTTP/1.x status line");
    }
    const d0 = b[from + 9] - 48, d1 = b[from + 10] - 48, d2 = b[from + 11] - 48;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      throw new ResponseParseError("Response has an invalid status code");
    }
    this.#status = d0 * 100 + d1 * 10 + d2;
    const http10 = b[from + 7] === 48; // HTTP/1.0 closes unless told otherwise
    let keepAlive = !http10;
    let contentLength = -1;
    let chunked = false;

    // Header lines.
    let p = from;
    while (p < headEnd && !(b[p] === CR && b[p + 1] === LF)) p++;
    p += 2;
    while (p < headEnd + 2) {
      // One pass per line: up to the colon, then to the CR.
      let colon = p;
      while (b[colon] !== 58 /* : */ && b[colon] !== CR) colon++;
      if (b[colon] === CR) {
        throw new ResponseParseError("Response has a header line without a colon");
      }
      let eol = colon + 1;
      while (b[eol] !== CR) eol++;
      const nameLen = colon - p;
      const first = b[p] | 0x20;
      // Only three header names matter; compare length and first letter, then the bytes.
      if (nameLen === 14 && first === 99 /* c */ && matchLower(b, p, "content-length")) {
        const n = digits(b, colon + 1, eol);
        if (n < 0) throw new ResponseParseError("Response has an invalid Content-Length");
        if (contentLength >= 0 && n !== contentLength) {
          throw new ResponseParseError("Response has conflicting Content-Length headers");
        }
        contentLength = n;
      } else if (nameLen === 17 && first === 116 /* t */ && matchLower(b, p, "transfer-encoding")) {
        const v = trimmed(b, colon + 1, eol).toLowerCase();
        chunked = v === "chunked" || v.endsWith(",chunked") || v.endsWith(", chunked");
      } else if (nameLen === 10 && first === 99 && matchLower(b, p, "connection")) {
        const v = trimmed(b, colon + 1, eol).toLowerCase();
        if (v.includes("close")) keepAlive = false;
        else if (v.includes("keep-alive")) keepAlive = true;
      }
      p = eol + 2;
    }
    this.#keepAlive = keepAlive;
    const s = this.#status;
    if (s >= 100 && s < 200 && s !== 101) {
      // An interim answer (100 Continue, 103 Early Hints): the final one follows.
      this.#state = State.Head;
    } else if (this.headRequest || s === 101 || s === 204 || s === 304) {
      this.#state = State.Done;
    } else if (chunked) {
      this.#startChunkSize();
    } else if (contentLength >= 0) {
      this.#remaining = contentLength;
      this.#state = contentLength === 0 ? State.Done : State.FixedBody;
    } else {
      this.#keepAlive = false;
      this.#state = State.UntilClose;
    }
  }

  #startChunkSize(): void {
    this.#state = State.ChunkSize;
    this.#chunkSize = 0;
    this.#lineLen = 0;
    this.#sawSizeDigit = false;
    this.#inExtension = false;
  }

  #feedChunkSize(buf: Uint8Array, i: number, end: number): number {
    while (i < end) {
      const c = buf[i++];
      if (++this.#lineLen > 1024) throw new ResponseParseError("Chunk size line is too long");
      if (c === LF) {
        if (!this.#sawSizeDigit) throw new ResponseParseError("Chunk size line has no size");
        if (this.#chunkSize === 0) {
          this.#state = State.Trailer;
          this.#lineLen = 0;
        } else {
          this.#remaining = this.#chunkSize;
          this.#state = State.ChunkData;
        }
        return i;
      }
      if (c === CR || this.#inExtension) continue;
      if (c === 59 /* ; */ || c === 32 || c === 9) {
        this.#inExtension = true;
        continue;
      }
      const v = hexValue(c);
      if (v < 0) throw new ResponseParseError("Chunk size is not hexadecimal");
      this.#chunkSize = this.#chunkSize * 16 + v;
      if (this.#chunkSize > Number.MAX_SAFE_INTEGER / 16) {
        throw new ResponseParseError("Chunk size is too large");
      }
      this.#sawSizeDigit = true;
    }
    return i;
  }

  /** Skip trailer lines until an empty line. */
  #feedTrailer(buf: Uint8Array, i: number, end: number): number {
    while (i < end) {
      const c = buf[i++];
      if (c === LF) {
        if (this.#lineLen === 0) {
          this.#state = State.Done;
          return i;
        }
        this.#lineLen = 0;
      } else if (c !== CR) {
        this.#lineLen++;
      }
    }
    return i;
  }
}

/** Index of the CRLFCRLF that ends the header block in `b[from..to)`, or -1. */
function findHeaderEnd(b: Uint8Array, from: number, to: number): number {
  for (let i = from + 3; i < to; i++) {
    if (b[i] === LF) {
      if (b[i - 1] === CR && b[i - 2] === LF && b[i - 3] === CR) return i - 3;
    }
  }
  return -1;
}

function matchLower(b: Uint8Array, p: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    if ((b[p + k] | 0x20) !== lower.charCodeAt(k) && b[p + k] !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** The decimal number in `b[from..to)` between optional blanks, or -1 when it is not one. */
function digits(b: Uint8Array, from: number, to: number): number {
  while (from < to && (b[from] === 32 || b[from] === 9)) from++;
  while (to > from && (b[to - 1] === 32 || b[to - 1] === 9)) to--;
  if (from === to || to - from > 15) return -1;
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = b[k] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function trimmed(b: Uint8Array, from: number, to: number): string {
  while (from < to && (b[from] === 32 || b[from] === 9)) from++;
  while (to > from && (b[to - 1] === 32 || b[to - 1] === 9)) to--;
  let s = "";
  for (let k = from; k < to; k++) s += String.fromCharCode(b[k]);
  return s;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
