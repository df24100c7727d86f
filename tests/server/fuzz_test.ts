/**
 * Fuzz: 10,000 random or malformed requests (methods, paths, query strings, bodies, headers)
 * against the real server over real HTTP, plus raw malformed HTTP/1.1 on a socket. No 5xx, no
 * crash, every status in the closed set, and no series outside the closed label sets: the
 * non-HTTP series set does not change at all.
 */
import assert from "node:assert/strict";
import { HTTP_STATUSES } from "../../src/metrics/labels.ts";
import { Rng } from "../../src/rng.ts";
import { assertClosedSets } from "../metrics/closed_sets.ts";
import { type Exposition, parseExposition, seriesKey, startInProcess } from "./helpers.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? Date.now() % 1_000_000);

const generator = new Rng(SEED);
const rand = () => generator.next();
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (n: number) => Math.floor(rand() * n);

function junk(max: number): string {
  const alphabet = "abcAZ09-_.~%/?#&=+;:,'\"<>{}[]|\\^` \t\u00e9\u4e2d\u{1F600}\u0000\u007f";
  let s = "";
  const n = int(max);
  for (let i = 0; i < n; i++) s += pick([...alphabet]);
  return s;
}

const METHODS = [
  "GET",
  "GET",
  "GET",
  "POST",
  "POST",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "HEAD",
  "OPTIONS",
  "PROPFIND",
  "FOO",
  "get",
];
const PATHS = [
  "/",
  "/health",
  "/ready",
  "/metrics",
  "/orders",
  "/orders/",
  "/positions",
  "/quotes",
  "/risk",
  "/nope",
  "//orders",
  "/orders/../metrics",
  "/ORDERS",
  "/quotes/",
];
const SYMBOLS = [
  "AAPL",
  "aapl",
  "GOOGL",
  "MSFT",
  "AMZN",
  "TSLA",
  "NOPE",
  "",
  "A".repeat(300),
  "INVALID",
  "💥",
];
const SIDES = ["BUY", "sell", "Sell", "HOLD", "", "buy ", "B".repeat(100)];
const QUANTITIES = [
  "1",
  "10",
  "0",
  "-1",
  "1e9",
  "NaN",
  "Infinity",
  "abc",
  "",
  "0.5",
  "99999999",
  "1e-300",
];

function randomPath(): string {
  switch (int(6)) {
    case 0:
      return pick(PATHS);
    case 1:
      return `/orders/${encodeURIComponent(junk(40))}`;
    case 2:
      return `/quotes/${encodeURIComponent(pick(SYMBOLS))}`;
    case 3:
      return "/" + encodeURIComponent(junk(30)) +
        (rand() < 0.5 ? "/" + junk(5).replace(/[^a-z]/g, "x") : "");
    case 4:
      return "/" + "a/".repeat(int(50));
    default:
      return pick(PATHS) + "/" + int(1000);
  }
}

function randomQuery(): string {
  const params: string[] = [];
  const n = int(6);
  for (let i = 0; i < n; i++) {
    switch (int(6)) {
      case 0:
        params.push(`symbol=${encodeURIComponent(pick(SYMBOLS))}`);
        break;
      case 1:
        params.push(`side=${encodeURIComponent(pick(SIDES))}`);
        break;
      case 2:
        params.push(`quantity=${encodeURIComponent(pick(QUANTITIES))}`);
        break;
      case 3:
        params.push(
          `${pick(["limit", "before", "type", "price"])}=${encodeURIComponent(junk(10))}`,
        );
        break;
      case 4:
        params.push(`${encodeURIComponent(junk(10))}=${encodeURIComponent(junk(10))}`);
        break;
      default:
        params.push(junk(8).replace(/[#\s]/g, "%25"));
    }
  }
  return params.length ? "?" + params.join("&") : "";
}

function randomBody(): { body?: string | Uint8Array<ArrayBuffer>; type?: string } {
  switch (int(8)) {
    case 0:
      return {};
    case 1:
      return {
        body: JSON.stringify({
          symbol: pick(SYMBOLS),
          side: pick(SIDES),
          quantity: pick([1, -1, 0, 1e308, "5", null, true, [], {}]),
        }),
        type: "application/json",
      };
    case 2:
      return { body: junk(200), type: "application/json" };
    case 3:
      return {
        body: junk(100),
        type: pick([
          "text/plain",
          "application/x-www-form-urlencoded",
          "",
          "application/json;charset=utf-8",
          "application/vnd.x+json",
        ]),
      };
    case 4:
      return { body: "[".repeat(int(5000)) + "]".repeat(int(5000)), type: "application/json" };
    case 5:
      return { body: "x".repeat(70_000 + int(10_000)), type: "application/json" };
    case 6:
      return {
        body: crypto.getRandomValues(new Uint8Array(int(500))),
        type: pick(["application/json", "application/octet-stream"]),
      };
    default:
      return {
        body: JSON.stringify({
          symbol: "AAPL",
          side: "BUY",
          quantity: 1,
          type: pick(["limit", "market", "stop", 5]),
          price: pick([1, -1, "x", 1e12, undefined]),
        }),
        type: "application/json",
      };
  }
}

function randomHeaders(type?: string): Record<string, string> {
  const h: Record<string, string> = {};
  if (type) h["content-type"] = type;
  if (rand() < 0.3) {
    h["x-request-id"] = junk(300).replace(/[\r\n\0]/g, "").replace(/[^\x20-\x7e]/g, "a");
  }
  if (rand() < 0.2) {
    h["accept"] = pick([
      "application/openmetrics-text;version=1.0.0",
      "*/*",
      "text/plain;q=0",
      junk(50).replace(/[^\x20-\x7e]/g, ""),
    ]);
  }
  if (rand() < 0.2) h["accept-encoding"] = pick(["gzip", "br", "*;q=0", "gzip;q=x", "identity"]);
  if (rand() < 0.1) h["authorization"] = "Bearer " + junk(20).replace(/[^\x21-\x7e]/g, "a");
  if (rand() < 0.1) h["x-" + int(1000)] = "v".repeat(int(4000));
  return h;
}

function nonHttpSeries(e: Exposition): string[] {
  return e.samples
    .filter((s) =>
      !s.name.startsWith("http_request") && !s.name.startsWith("process_") &&
      !s.name.startsWith("deno_")
    )
    .map(seriesKey)
    .sort();
}

async function rawRequests(port: number): Promise<number[]> {
  const statuses: number[] = [];
  const payloads = [
    "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "\x00\x01\x02\x03 garbage\r\n\r\n",
    "GET /" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\r\n" + "X-Big: " + "b".repeat(100_000) + "\r\n\r\n",
    "POST /orders?symbol=AAPL&side=BUY&quantity=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\nnope\r\n0\r\n\r\n",
    "GET /health HTTP/9.9\r\nHost: x\r\n\r\n",
    "TRACE /health HTTP/1.1\r\nHost: x\r\n\r\n",
    "CONNECT /orders HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /health HTTP/1.0\r\n\r\n",
  ];
  for (const p of payloads) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode(p)).catch(() => 0);
      const buf = new Uint8Array(512);
      const n = await Promise.race([
        conn.read(buf).catch(() => null),
        new Promise<null>((r) => setTimeout(() => r(null), 2000)),
      ]);
      const head = n ? new TextDecoder().decode(buf.subarray(0, n)) : "";
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) statuses.push(Number(m[1]));
    } finally {
      conn.close();
    }
  }
  return statuses;
}

Deno.test({
  name:
    `fuzz: 10,000 random and malformed requests: no 5xx, no crash, no new series (seed ${SEED})`,
  async fn() {
    const server = await startInProcess(["--venue-latency", "0", "--tick-interval", "50"]);
    const symbols = server.service.symbols;
    try {
      const before = parseExposition(await (await fetch(`${server.base}/metrics`)).text());
      const statuses = new Map<number, number>();
      const allowed = new Set(HTTP_STATUSES.map(Number));
      let next = 0;
      const TOTAL = 10_000;
      const worker = async () => {
        while (next < TOTAL) {
          const i = next++;
          let method = pick(METHODS);
          let { body, type } = ["GET", "HEAD", "get"].includes(method) ? {} : randomBody();
          let url = server.base + randomPath() + randomQuery();
          if (i % 20 === 5) { // random bodies sent to the order route itself
            method = "POST";
            ({ body, type } = randomBody());
            url = `${server.base}/orders${randomQuery()}`;
          }
          if (i % 10 === 0) { // a valid order now and then, so the full order path is fuzzed too
            method = "POST";
            body = type = undefined;
            url = `${server.base}/orders?symbol=${pick(symbols)}&side=${pick(["buy", "SELL"])}` +
              `&quantity=${1 + int(20)}${rand() < 0.5 ? "&" + randomQuery().slice(1) : ""}`;
          }
          let res: Response;
          try {
            res = await fetch(url, { method, body, headers: randomHeaders(type) });
          } catch (e) {
            throw new Error(`request ${i} ${method} ${url.slice(0, 200)} failed: ${e}`);
          }
          await res.body?.cancel();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(res.status < 500, `${method} ${url.slice(0, 200)} answered ${res.status}`);
          assert.ok(allowed.has(res.status), `status ${res.status} is outside HTTP_STATUSES`);
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      for (const s of await rawRequests(server.addr.port)) {
        assert.ok(s < 500, `raw malformed request answered ${s}`);
      }

      const health = await fetch(`${server.base}/health`);
      assert.equal(health.status, 200, "still alive");
      await health.body?.cancel();
      const after = parseExposition(await (await fetch(`${server.base}/metrics`)).text());
      assertClosedSets(after, symbols);
      assert.deepEqual(nonHttpSeries(after), nonHttpSeries(before), "no new non-HTTP series");
      const seen = JSON.stringify(Object.fromEntries(statuses));
      for (const s of [201, 400, 404, 405, 413, 415, 422]) {
        assert.ok(statuses.get(s)! > 0, `status ${s} was exercised: ${seen}`);
      }
    } finally {
      await server.shutdown();
      await server.finished;
    }
  },
});
