/**
 * The structured access log of a real `deno run main.ts` child: one JSON line per request with
 * the request ID the client saw, probes only at debug level, nothing below the chosen level, and
 * never unbounded input.
 */
import assert from "node:assert/strict";
import { startChild } from "./helpers.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

async function exercise(base: string): Promise<string[]> {
  const ids: string[] = [];
  const long = "/x" + "y".repeat(5000);
  for (
    const [method, path, headers] of [
      ["POST", "/orders?symbol=AAPL&side=BUY&quantity=1", { traceparent: TRACEPARENT }],
      ["GET", "/nope", { "x-request-id": "client-id-1" }],
      ["GET", long, {}],
      ["GET", "/health", {}],
    ] as const
  ) {
    const res = await fetch(base + path, { method, headers });
    await res.body?.cancel();
    ids.push(res.headers.get("x-request-id")!);
  }
  return ids;
}

Deno.test("info: one JSON line per request with its request ID; probes are not logged", async () => {
  const child = await startChild(["--db", ":memory:", "--log-level", "info"]);
  let ids: string[] = [];
  try {
    ids = await exercise(child.base);
  } finally {
    await child.stop("SIGTERM");
  }
  const lines = jsonLines(child.output());
  assert.equal(lines[0].msg, "listening");
  const requests = lines.filter((l) => l.msg === "request");
  assert.deepEqual(requests.map((l) => l.request_id), ids.slice(0, 3), "health is debug-only");
  const [order, nope, long] = requests;
  assert.equal(order.method, "POST");
  assert.equal(order.endpoint, "/orders");
  assert.equal(order.status, 201);
  assert.equal(order.path, "/orders");
  assert.equal(typeof order.duration_ms, "number");
  assert.equal(typeof order.time, "string");
  assert.equal(order.trace_id, TRACE_ID, "the traceparent's trace id");
  assert.match(String(nope.trace_id), /^[0-9a-f]{32}$/, "a new trace (exemplars are on)");
  assert.notEqual(nope.trace_id, TRACE_ID);
  assert.equal(nope.request_id, "client-id-1");
  assert.equal(nope.endpoint, "unmatched");
  assert.ok((long.path as string).length <= 201, "paths are truncated");
  assert.ok(lines.some((l) => l.msg === "stopped"));
});

Deno.test("debug logs probes too; warn logs no requests but still the listening line", async () => {
  const debug = await startChild(["--db", ":memory:", "--log-level", "debug"]);
  try {
    await exercise(debug.base);
  } finally {
    await debug.stop("SIGTERM");
  }
  const dl = jsonLines(debug.output()).filter((l) => l.msg === "request");
  assert.equal(dl.length, 4);
  assert.equal(dl[3].endpoint, "/health");
  assert.equal(dl[3].level, "debug");

  const warn = await startChild(["--db", ":memory:", "--log-level", "warn"]);
  try {
    await exercise(warn.base);
  } finally {
    await warn.stop("SIGTERM");
  }
  const wl = jsonLines(warn.output());
  assert.equal(wl[0].msg, "listening");
  assert.equal(wl.filter((l) => l.msg === "request").length, 0);
});
