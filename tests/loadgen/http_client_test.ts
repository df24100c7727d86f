import assert from "node:assert/strict";
import { buildRequest, HttpConnection, RequestError } from "../../src/loadgen/http_client.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A raw TCP server on a free loopback port: `handle` gets each connection and the text of each
 * request head as it arrives. Closes every connection and the listener in `close()`.
 */
function rawServer(
  handle: (conn: Deno.Conn, request: string, index: number) => Promise<"keep" | "close">,
) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  let accepted = 0;
  const tasks: Promise<void>[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      accepted++;
      conns.add(conn);
      tasks.push((async () => {
        const buf = new Uint8Array(65536);
        let pending = "";
        let index = 0;
        try {
          for (;;) {
            const n = await conn.read(buf);
            if (n === null) break;
            pending += dec.decode(buf.subarray(0, n));
            let cut: number;
            let closed = false;
            while ((cut = pending.indexOf("\r\n\r\n")) >= 0) {
              const head = pending.slice(0, cut);
              const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
              if (pending.length < cut + 4 + len) break;
              pending = pending.slice(cut + 4 + len);
              if ((await handle(conn, head, index++)) === "close") {
                closed = true;
                break;
              }
            }
            if (closed) break;
          }
        } catch {
          // the client went away
        } finally {
          conns.delete(conn);
          try {
            conn.close();
          } catch { /* already closed */ }
        }
      })());
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get accepted() {
      return accepted;
    },
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await loop.catch(() => {});
      await Promise.all(tasks);
    },
  };
}

const write = (conn: Deno.Conn, s: string) => conn.write(enc.encode(s));
const ok = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${enc.encode(body).length}\r\n${extra}\r\n${body}`;

Deno.test("keeps one connection alive across requests against Deno.serve", async () => {
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    requests++;
    return new Response(`hello ${new URL(req.url).pathname}`);
  });
  const c = new HttpConnection({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    for (let i = 0; i < 20; i++) {
      const res = await c.request(buildRequest("GET", `/n${i}`, "x"), true);
      assert.equal(res.status, 200);
      assert.equal(dec.decode(res.body!), `hello /n${i}`);
    }
    assert.equal(c.connects, 1);
    assert.equal(requests, 20);
  } finally {
    c.close();
    await server.shutdown();
  }
});

Deno.test("reads chunked and large bodies from Deno.serve, and sends request bodies", async () => {
  const big = "x".repeat(200_000);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/big") return new Response(big);
    if (path === "/echo") return new Response(await req.text(), { status: 201 });
    // A streamed body is sent with Transfer-Encoding: chunked.
    const parts = ["alpha-", "beta-", "gamma"];
    return new Response(
      new ReadableStream({
        async pull(ctl) {
          const p = parts.shift();
          if (p === undefined) ctl.close();
          else {
            await new Promise((r) => setTimeout(r, 5));
            ctl.enqueue(enc.encode(p));
          }
        },
      }),
    );
  });
  const c = new HttpConnection({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    const chunked = await c.request(buildRequest("GET", "/stream", "x"), true);
    assert.equal(dec.decode(chunked.body!), "alpha-beta-gamma");
    const large = await c.request(buildRequest("GET", "/big", "x"), true);
    assert.equal(large.body!.length, big.length);
    const echo = await c.request(buildRequest("POST", "/echo", "x", '{"a":"é"}'), true);
    assert.equal(echo.status, 201);
    assert.equal(dec.decode(echo.body!), '{"a":"é"}');
    assert.equal(c.connects, 1);
  } finally {
    c.close();
    await server.shutdown();
  }
});

Deno.test("reconnects after Connection: close", async () => {
  const server = rawServer(async (conn, _head, index) => {
    await write(conn, ok(`answer ${index}`, "Connection: close\r\n"));
    return "close";
  });
  const c = new HttpConnection({ hostname: "127.0.0.1", port: server.port });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await c.request(buildRequest("GET", "/", "x"), true);
      assert.equal(dec.decode(res.body!), "answer 0");
    }
    assert.equal(c.connects, 3);
    assert.equal(server.accepted, 3);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("a response cut short is a 'closed' error, and the next request reconnects", async () => {
  const server = rawServer(async (conn, head) => {
    if (head.startsWith("GET /cut")) {
      await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
      return "close";
    }
    await write(conn, ok("fine"));
    return "keep";
  });
  const c = new HttpConnection({ hostname: "127.0.0.1", port: server.port });
  try {
    await assert.rejects(
      c.request(buildRequest("GET", "/cut", "x")),
      (e) => e instanceof RequestError && e.kind === "closed" && /middle/.test(e.message),
    );
    const res = await c.request(buildRequest("GET", "/ok", "x"), true);
    assert.equal(dec.decode(res.body!), "fine");
    assert.equal(c.connects, 2);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("a keep-alive connection closed while idle: GET is retried once, POST fails", async () => {
  // Answers without "Connection: close", then closes anyway (an idle time-out race).
  const server = rawServer(async (conn) => {
    await write(conn, ok("once"));
    return "close";
  });
  const c = new HttpConnection({ hostname: "127.0.0.1", port: server.port });
  try {
    await c.request(buildRequest("GET", "/", "x"));
    await new Promise((r) => setTimeout(r, 20)); // let the close arrive
    const again = await c.request(buildRequest("GET", "/", "x"), true, true);
    assert.equal(dec.decode(again.body!), "once");
    assert.equal(c.connects, 2);
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(
      c.request(buildRequest("POST", "/orders", "x"), false, false),
      (e) =>
        e instanceof RequestError && e.kind === "closed" && /before the response/.test(e.message),
    );
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("a reused connection closed with the next request unread: GET is retried, POST fails", async () => {
  // Answers the first request of each connection, then closes while the next request is
  // unread (the server gave up on an idle connection just as the request went out).
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const tasks: Promise<void>[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      accepted++;
      tasks.push((async () => {
        const buf = new Uint8Array(4096);
        try {
          await conn.read(buf);
          await write(conn, ok("first"));
          await new Promise((r) => setTimeout(r, 100)); // the next request arrives unread
        } finally {
          conn.close();
        }
      })());
    }
  })();
  const c = new HttpConnection({
    hostname: "127.0.0.1",
    port: (listener.addr as Deno.NetAddr).port,
  });
  try {
    await c.request(buildRequest("GET", "/", "x"));
    const again = await c.request(buildRequest("GET", "/", "x"), true, true);
    assert.equal(dec.decode(again.body!), "first");
    assert.equal(c.connects, 2);
    await assert.rejects(
      c.request(buildRequest("POST", "/orders", "x"), false, false),
      (e) => e instanceof RequestError && (e.kind === "reset" || e.kind === "closed"),
    );
    assert.equal(accepted, 2);
  } finally {
    c.close();
    listener.close();
    await loop.catch(() => {});
    await Promise.all(tasks);
  }
});

Deno.test("a refused connection is a 'refused' error", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const c = new HttpConnection({ hostname: "127.0.0.1", port });
  await assert.rejects(
    c.request(buildRequest("GET", "/", "x")),
    (e) => e instanceof RequestError && e.kind === "refused",
  );
  assert.equal(c.open, false);
  c.close();
});

Deno.test("abort() fails a request that gets no answer with 'timeout'", async () => {
  const server = rawServer(async () => {
    await new Promise((r) => setTimeout(r, 300));
    return "close";
  });
  const c = new HttpConnection({ hostname: "127.0.0.1", port: server.port });
  try {
    const pending = c.request(buildRequest("GET", "/", "x"));
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(c.busySince >= 0);
    c.abort("timeout");
    await assert.rejects(pending, (e) => e instanceof RequestError && e.kind === "timeout");
    assert.equal(c.busySince, -1);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("garbage instead of a response is a 'parse' error", async () => {
  const server = rawServer(async (conn) => {
    await write(conn, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    return "keep";
  });
  const c = new HttpConnection({ hostname: "127.0.0.1", port: server.port });
  try {
    await assert.rejects(
      c.request(buildRequest("GET", "/", "x")),
      (e) => e instanceof RequestError && e.kind === "parse",
    );
    assert.equal(c.open, false);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("buildRequest writes a complete HTTP/1.1 request", () => {
  assert.equal(
    dec.decode(buildRequest("GET", "/health", "h:1")),
    "GET /health HTTP/1.1\r\nHost: h:1\r\nUser-Agent: tradewatch-loadgen\r\n\r\n",
  );
  assert.equal(
    dec.decode(buildRequest("POST", "/orders?symbol=A", "h")),
    "POST /orders?symbol=A HTTP/1.1\r\nHost: h\r\nUser-Agent: tradewatch-loadgen\r\nContent-Length: 0\r\n\r\n",
  );
  const withBody = dec.decode(buildRequest("POST", "/o", "h", "é"));
  assert.match(withBody, /Content-Type: application\/json\r\nContent-Length: 2\r\n\r\né$/);
});
