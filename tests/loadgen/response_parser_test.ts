import assert from "node:assert/strict";
import { ResponseParseError, ResponseParser } from "../../src/loadgen/response_parser.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Feed `text` split at the given cut points; returns the parser and the consumed index. */
function feedSplit(text: string, cuts: number[], keepBody = true) {
  const bytes = enc.encode(text);
  const p = new ResponseParser(keepBody);
  p.reset();
  const bounds = [0, ...cuts, bytes.length];
  for (let k = 0; k < bounds.length - 1; k++) {
    // Copy each piece into its own buffer, as separate socket reads would.
    const piece = bytes.slice(bounds[k], bounds[k + 1]);
    const end = p.feed(piece, 0, piece.length);
    if (end >= 0) return { p, end: bounds[k] + end, last: k === bounds.length - 2 };
  }
  return { p, end: -1, last: true };
}

/** Every way of cutting `text` into two pieces, plus one byte at a time. */
function allSplits(text: string): number[][] {
  const n = enc.encode(text).length;
  const out: number[][] = [[]];
  for (let i = 1; i < n; i++) out.push([i]);
  out.push(Array.from({ length: n - 1 }, (_, i) => i + 1));
  return out;
}

Deno.test("parses a Content-Length response however the bytes are split", () => {
  const text =
    "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\ncontent-length: 11\r\n\r\n" +
    '{"id":"o1"}';
  for (const cuts of allSplits(text)) {
    const { p, end } = feedSplit(text, cuts);
    assert.equal(end, enc.encode(text).length, `cuts ${cuts}`);
    const r = p.result();
    assert.equal(r.status, 201);
    assert.equal(r.keepAlive, true);
    assert.equal(dec.decode(r.body!), '{"id":"o1"}');
  }
});

Deno.test("parses a chunked response with extensions and trailers however it is split", () => {
  const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
    "5;name=val\r\nhello\r\n7\r\n, world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n";
  for (const cuts of allSplits(text)) {
    const { p, end } = feedSplit(text, cuts);
    assert.equal(end, enc.encode(text).length, `cuts ${cuts}`);
    assert.equal(dec.decode(p.result().body!), "hello, world0123456789");
  }
});

Deno.test("a chunked body without trailers ends at the empty line", () => {
  const text = "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  const { p, end } = feedSplit(text, []);
  assert.equal(end, enc.encode(text).length);
  assert.equal(dec.decode(p.result().body!), "abc");
});

Deno.test("does not keep bodies unless asked", () => {
  const { p } = feedSplit("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", [], false);
  assert.equal(p.result().body, null);
  assert.equal(p.result().status, 200);
});

Deno.test("204, 304 and answers to HEAD have no body", () => {
  for (const status of ["204 No Content", "304 Not Modified"]) {
    const { p, end } = feedSplit(`HTTP/1.1 ${status}\r\nContent-Length: 10\r\n\r\n`, []);
    assert.ok(p.done);
    assert.equal(end, `HTTP/1.1 ${status}\r\nContent-Length: 10\r\n\r\n`.length);
  }
  const p = new ResponseParser();
  p.headRequest = true;
  const head = enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
  assert.equal(p.feed(head, 0, head.length), head.length);
});

Deno.test("Connection: close and HTTP/1.0 turn keep-alive off; HTTP/1.0 keep-alive keeps it", () => {
  assert.equal(
    feedSplit("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", []).p.result()
      .keepAlive,
    false,
  );
  assert.equal(
    feedSplit("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", []).p.result().keepAlive,
    false,
  );
  assert.equal(
    feedSplit("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", []).p
      .result().keepAlive,
    true,
  );
});

Deno.test("a body without length runs until the connection closes", () => {
  const p = new ResponseParser(true);
  const b = enc.encode("HTTP/1.1 200 OK\r\n\r\nsome ");
  assert.equal(p.feed(b, 0, b.length), -1);
  assert.ok(p.untilClose);
  const c = enc.encode("bytes");
  assert.equal(p.feed(c, 0, c.length), -1);
  assert.equal(p.end(), true);
  assert.equal(dec.decode(p.result().body!), "some bytes");
  assert.equal(p.result().keepAlive, false);
});

Deno.test("end() reports an incomplete response", () => {
  const p = new ResponseParser();
  assert.equal(p.pristine, true);
  assert.equal(p.end(), false);
  const b = enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  p.reset();
  p.feed(b, 0, b.length);
  assert.equal(p.pristine, false);
  assert.equal(p.end(), false);
});

Deno.test("parses at an offset inside a larger buffer", () => {
  const b = enc.encode("garbageHTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnopXXXX");
  const p = new ResponseParser(true);
  const end = p.feed(b, 7, b.length);
  assert.equal(end, b.length - 4);
  assert.equal(p.result().status, 404);
  assert.equal(dec.decode(p.result().body!), "nop");
});

Deno.test("the parser is reusable after reset", () => {
  const p = new ResponseParser(true);
  for (const body of ["one", "three"]) {
    p.reset();
    const b = enc.encode(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.equal(p.feed(b, 0, b.length), b.length);
    assert.equal(dec.decode(p.result().body!), body);
  }
});

Deno.test("rejects what is not an HTTP/1.1 response", () => {
  const bad = [
    "SSH-2.0-OpenSSH\r\n\r\n",
    "HTTP/1.1 2x0 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
  ];
  for (const text of bad) {
    const p = new ResponseParser();
    const b = enc.encode(text);
    assert.throws(() => p.feed(b, 0, b.length), ResponseParseError, JSON.stringify(text));
  }
});

Deno.test("rejects a header block that never ends", () => {
  const p = new ResponseParser();
  const line = enc.encode("HTTP/1.1 200 OK\r\n" + "X-Filler: aaaaaaaaaaaaaaaa\r\n".repeat(100));
  p.feed(line, 0, line.length);
  const more = enc.encode("X-Filler: " + "a".repeat(70_000));
  assert.throws(() => p.feed(more, 0, more.length), /too large/);
});

Deno.test("interim 1xx answers are skipped: the final answer is the response", () => {
  const text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
  for (const cuts of allSplits(text)) {
    const { p, end } = feedSplit(text, cuts);
    assert.equal(end, enc.encode(text).length, `cuts ${cuts}`);
    assert.equal(p.result().status, 201);
    assert.equal(dec.decode(p.result().body!), "ok");
  }
});
