/**
 * `/metrics` negotiation and rendering: OpenMetrics never changes the text format (prom-client
 * renames counters of the registry it renders), concurrent scrapes in both formats never mix,
 * gzip when allowed.
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { createCatalog } from "../../src/metrics/catalog.ts";
import {
  acceptsGzip,
  expose,
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  renderMetrics,
  TEXT_CONTENT_TYPE,
} from "../../src/metrics/exposition.ts";
import { parseExposition, startInProcess } from "../server/helpers.ts";

const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75," +
  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

Deno.test("negotiateFormat: text by default, OpenMetrics only when preferred", () => {
  assert.equal(negotiateFormat(null), "text");
  assert.equal(negotiateFormat(""), "text");
  assert.equal(negotiateFormat("*/*"), "text");
  assert.equal(negotiateFormat("text/plain;version=0.0.4"), "text");
  assert.equal(negotiateFormat("application/json"), "text");
  assert.equal(negotiateFormat(PROMETHEUS_ACCEPT), "openmetrics");
  assert.equal(negotiateFormat("application/openmetrics-text"), "openmetrics");
  assert.equal(negotiateFormat("application/openmetrics-text;q=0.3, text/plain"), "text");
  assert.equal(negotiateFormat("application/openmetrics-text;q=0"), "text");
  assert.equal(negotiateFormat("APPLICATION/OPENMETRICS-TEXT; version=1.0.0"), "openmetrics");
  assert.equal(negotiateFormat("application/openmetrics-text;q=abc"), "text");
  assert.equal(negotiateFormat("x,".repeat(100_000) + "application/openmetrics-text"), "text");
});

Deno.test("acceptsGzip honours q-values and *", () => {
  assert.equal(acceptsGzip(null), false);
  assert.equal(acceptsGzip("gzip"), true);
  assert.equal(acceptsGzip("br, gzip;q=0.5"), true);
  assert.equal(acceptsGzip("gzip;q=0"), false);
  assert.equal(acceptsGzip("identity"), false);
  assert.equal(acceptsGzip("*"), true);
  assert.equal(acceptsGzip("*;q=0"), false);
  assert.equal(acceptsGzip("gzip;q=0, *"), false);
});

function names(text: string): string[] {
  return [...new Set(parseExposition(text).samples.map((s) => s.name))].sort();
}

Deno.test("an OpenMetrics render leaves the registry and the text format unchanged", async () => {
  const catalog = createCatalog();
  catalog.metrics.orderCount.inc({ symbol: "AAPL", side: "BUY", status: "filled" });
  catalog.metrics.httpRequests.inc({ method: "GET", endpoint: "/", status: "200" });
  catalog.metrics.cacheHits.inc();
  const before = await renderMetrics(catalog.registry, "text");
  const om = await renderMetrics(catalog.registry, "openmetrics");
  const after = await renderMetrics(catalog.registry, "text");
  assert.equal(after, before);
  assert.ok(names(after).includes("order_count_total"));
  assert.ok(names(after).includes("redis_cache_hits_total"));
  // OpenMetrics: family without _total in metadata, samples with it, # EOF at the end.
  assert.match(om, /^# TYPE order_count counter$/m);
  assert.match(om, /^order_count_total\{symbol="AAPL",side="BUY",status="filled"\} 1$/m);
  assert.match(om, /^# TYPE redis_cache_hits counter$/m);
  assert.match(om, /^redis_cache_hits_total 1$/m);
  assert.ok(om.endsWith("# EOF\n"));
  assert.ok(!om.includes("_total_total"));
  // deno-lint-ignore no-explicit-any
  assert.equal((catalog.metrics.orderCount as any).name, "order_count_total");
  // The same twice: nothing accumulates.
  assert.equal(await renderMetrics(catalog.registry, "openmetrics"), om);
});

Deno.test("expose() sets content type, Vary and gzip", async () => {
  const catalog = createCatalog();
  const text = await expose(catalog.registry, null, null);
  assert.equal(text.headers["content-type"], TEXT_CONTENT_TYPE);
  assert.equal(text.gzipped, false);
  const om = await expose(catalog.registry, PROMETHEUS_ACCEPT, "gzip");
  assert.equal(om.headers["content-type"], OPENMETRICS_CONTENT_TYPE);
  assert.equal(om.headers["content-encoding"], "gzip");
  assert.match(om.headers["vary"], /Accept-Encoding/);
  const unzipped = new TextDecoder().decode(gunzipSync(om.body as Uint8Array));
  assert.ok(unzipped.endsWith("# EOF\n"));
});

Deno.test("live: text after OpenMetrics has the same names; concurrent mixed scrapes never mix", async () => {
  const server = await startInProcess();
  try {
    const post = await fetch(`${server.base}/orders?symbol=AAPL&side=BUY&quantity=1`, {
      method: "POST",
    });
    assert.equal(post.status, 201);
    await post.body?.cancel();
    const text1 = await (await fetch(`${server.base}/metrics`)).text();
    const omRes = await fetch(`${server.base}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
    assert.equal(omRes.headers.get("content-type"), OPENMETRICS_CONTENT_TYPE);
    const om = await omRes.text();
    assert.ok(om.endsWith("# EOF\n"));
    const text2Res = await fetch(`${server.base}/metrics`);
    assert.equal(text2Res.headers.get("content-type"), TEXT_CONTENT_TYPE);
    const text2 = await text2Res.text();
    assert.deepEqual(names(text2), names(text1));
    for (const n of ["order_count_total", "http_requests_total", "redis_cache_hits_total"]) {
      assert.ok(names(text2).includes(n), n);
    }

    // 60 concurrent scrapes alternating formats (and gzip): each body is pure in its format.
    const jobs = Array.from({ length: 60 }, async (_, i) => {
      const openmetrics = i % 2 === 0;
      const gzip = i % 3 === 0;
      const res = await fetch(`${server.base}/metrics`, {
        headers: {
          ...(openmetrics ? { accept: PROMETHEUS_ACCEPT } : {}),
          ...(gzip ? { "accept-encoding": "gzip" } : { "accept-encoding": "identity" }),
        },
      });
      const body = await res.text(); // fetch decodes gzip transparently
      return { openmetrics, gzip, res, body };
    });
    for (const { openmetrics, gzip, res, body } of await Promise.all(jobs)) {
      assert.equal(res.status, 200);
      if (gzip) assert.equal(res.headers.get("content-encoding"), "gzip");
      if (openmetrics) {
        assert.ok(body.endsWith("# EOF\n"));
        assert.match(body, /^# TYPE order_count counter$/m);
        assert.ok(!/^# TYPE order_count_total /m.test(body));
      } else {
        assert.ok(!body.includes("# EOF"));
        assert.match(body, /^# TYPE order_count_total counter$/m);
        assert.ok(!/^# TYPE order_count counter$/m.test(body));
      }
    }
    assert.deepEqual(names(await (await fetch(`${server.base}/metrics`)).text()), names(text1));
  } finally {
    await server.shutdown();
    await server.finished;
  }
});
