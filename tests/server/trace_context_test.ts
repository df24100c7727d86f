/** W3C traceparent handling: valid headers are kept, invalid ones replaced, answers echo the trace. */
import assert from "node:assert/strict";
import { formatTraceparent, traceContext } from "../../src/server/trace_context.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

Deno.test("traceContext keeps a valid traceparent's trace id and flags, with a new span", () => {
  const t = traceContext(`00-${TRACE}-${PARENT}-01`);
  assert.equal(t.traceId, TRACE);
  assert.equal(t.flags, "01");
  assert.equal(t.propagated, true);
  const echoed = formatTraceparent(t);
  assert.match(t.spanId ?? "", /^[0-9a-f]{16}$/);
  assert.notEqual(t.spanId, PARENT);
  assert.equal(echoed, `00-${TRACE}-${t.spanId}-01`);
  assert.equal(formatTraceparent(t), echoed, "one span per request");
  // A future version may carry more fields: read as version 00.
  assert.equal(traceContext(`cc-${TRACE}-${PARENT}-01-extra`).traceId, TRACE);
});

Deno.test("traceContext replaces invalid or absent headers with a new trace", () => {
  const bad = [
    undefined,
    null,
    "",
    "garbage",
    `00-${"0".repeat(32)}-${PARENT}-01`, // all-zero trace id
    `00-${TRACE}-${"0".repeat(16)}-01`, // all-zero parent id
    `ff-${TRACE}-${PARENT}-01`, // version ff
    `00-${TRACE}-${PARENT}-01-extra`, // version 00 with more fields
    `00-${TRACE.toUpperCase()}-${PARENT}-01`, // upper case
    `00-${TRACE}-${PARENT}`,
    "x".repeat(10_000),
  ];
  const seen = new Set<string>();
  for (const h of bad) {
    const t = traceContext(h);
    assert.equal(t.propagated, false, String(h).slice(0, 40));
    assert.match(t.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(t.traceId, "0".repeat(32));
    assert.equal(t.flags, "00");
    seen.add(t.traceId);
  }
  assert.equal(seen.size, bad.length, "every new trace id is new");
});
