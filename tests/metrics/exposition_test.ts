/**
 * `/metrics` negotiation and rendering: the Accept headers Prometheus 2.42 and 3.x send (from
 * their scrape code: 2.42's two constant headers, 3.x's `acceptHeader(scrape_protocols)` with
 * the default protocol lists and escaping), each answered in the format and with the exact
 * Content-Type client_golang would; OpenMetrics never changes the text format (prom-client
 * renames counters of the registry it renders), concurrent scrapes in mixed formats never mix,
 * gzip when allowed.
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { createCatalog } from "../../src/metrics/catalog.ts";
import {
  acceptsGzip,
  expose as exposeWith,
  type ExpositionFormat,
  negotiate,
  OPENMETRICS_CONTENT_TYPE,
  renderMetrics as renderWith,
  TEXT_CONTENT_TYPE,
} from "../../src/metrics/exposition.ts";
import type { MetricCatalog } from "../../src/metrics/catalog.ts";
import { PROTOBUF_CONTENT_TYPE } from "../../src/metrics/protobuf.ts";
import { parseExposition, startInProcess } from "../server/helpers.ts";

const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75," +
  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

const expose = (c: MetricCatalog, accept: string | null, encoding: string | null) =>
  exposeWith(c.adapter, c.registry, accept, encoding);
const renderMetrics = async (c: MetricCatalog, format: ExpositionFormat) =>
  String(await renderWith(c.adapter, c.registry, format));

const PROTO = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
  "encoding=delimited";
const OM1 = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const OM0 = "application/openmetrics-text; version=0.0.1; charset=utf-8";
const TEXT1 = "text/plain; version=1.0.0; charset=utf-8";
const TEXT0 = TEXT_CONTENT_TYPE;

/** [who sends it, Accept, format, exact Content-Type of the answer] */
const ACCEPT_TABLE: [string, string, ExpositionFormat, string][] = [
  ["Prometheus 2.42 default (scrapeAcceptHeader)", PROMETHEUS_ACCEPT, "openmetrics-1.0.0", OM1],
  [
    "Prometheus 2.42 --enable-feature=native-histograms (scrapeAcceptHeaderWithProtobuf)",
    `${PROTO},application/openmetrics-text;version=1.0.0;q=0.8,` +
    "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    "protobuf",
    PROTOBUF_CONTENT_TYPE,
  ],
  [
    "Prometheus 3.x default scrape_protocols (escaping on the 1.0.0 versions)",
    "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6," +
    "application/openmetrics-text;version=0.0.1;q=0.5," +
    "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
    "openmetrics-1.0.0",
    `${OM1}; escaping=allow-utf-8`,
  ],
  [
    "Prometheus 3.x proto-first scrape_protocols (scrape_native_histograms)",
    `${PROTO};q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,` +
    "application/openmetrics-text;version=0.0.1;q=0.4," +
    "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
    "protobuf",
    PROTOBUF_CONTENT_TYPE,
  ],
  [
    "Prometheus 3.0 proto-first, UTF-8 names (escaping on every range)",
    `${PROTO};escaping=allow-utf-8;q=0.6,` +
    "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5," +
    "application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.4," +
    "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3," +
    "text/plain;version=0.0.4;escaping=allow-utf-8;q=0.2,*/*;q=0.1",
    "protobuf",
    `${PROTOBUF_CONTENT_TYPE}; escaping=allow-utf-8`,
  ],
  [
    "Prometheus 3.x, metric_name_escaping_scheme: underscores",
    "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6," +
    "application/openmetrics-text;version=0.0.1;q=0.5," +
    "text/plain;version=1.0.0;escaping=underscores;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
    "openmetrics-1.0.0",
    `${OM1}; escaping=underscores`,
  ],
  [
    "Prometheus 3.x scrape_protocols: [PrometheusText1.0.0]",
    "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,*/*;q=0.5",
    "text-1.0.0",
    `${TEXT1}; escaping=allow-utf-8`,
  ],
  [
    "Prometheus 3.x scrape_protocols: [OpenMetricsText0.0.1]",
    "application/openmetrics-text;version=0.0.1;q=0.6,*/*;q=0.5",
    "openmetrics-0.0.1",
    OM0,
  ],
  [
    "Prometheus 3.x scrape_protocols: [PrometheusText0.0.4]",
    "text/plain;version=0.0.4;q=0.6,*/*;q=0.5",
    "text-0.0.4",
    TEXT0,
  ],
  ["no Accept", "", "text-0.0.4", TEXT0],
  ["curl", "*/*", "text-0.0.4", TEXT0],
  ["a browser", "text/html,application/xhtml+xml,*/*;q=0.8", "text-0.0.4", TEXT0],
  ["JSON only", "application/json", "text-0.0.4", TEXT0],
  ["unknown text version", "text/plain;version=2.0.0", "text-0.0.4", TEXT0],
  ["protobuf, text encoding", PROTO.replace("delimited", "text"), "text-0.0.4", TEXT0],
  ["bare OpenMetrics", "application/openmetrics-text", "openmetrics-1.0.0", OM1],
  ["upper case", "APPLICATION/OPENMETRICS-TEXT; version=1.0.0", "openmetrics-1.0.0", OM1],
  [
    "q orders, not position",
    "text/plain;q=0.3,application/openmetrics-text;q=0.9",
    "openmetrics-1.0.0",
    OM1,
  ],
  [
    "equal q: the one listed first",
    "text/plain;version=1.0.0,application/openmetrics-text",
    "text-1.0.0",
    TEXT1,
  ],
  ["q=0 refuses", "application/openmetrics-text;q=0", "text-0.0.4", TEXT0],
  ["bad q refuses", "application/openmetrics-text;q=abc", "text-0.0.4", TEXT0],
  ["unknown escaping ignored", "text/plain;version=1.0.0;escaping=rot13", "text-1.0.0", TEXT1],
  [
    "hostile length",
    "x,".repeat(100_000) + "application/openmetrics-text",
    "text-0.0.4",
    TEXT0,
  ],
];

for (const [who, accept, format, contentType] of ACCEPT_TABLE) {
  Deno.test(`negotiate: ${who}`, () => {
    const n = negotiate(accept);
    assert.equal(n.format, format);
    assert.equal(n.contentType, contentType);
  });
}

Deno.test("negotiate: an absent header is text 0.0.4", () => {
  assert.deepEqual(negotiate(null), { format: "text-0.0.4", escaping: null, contentType: TEXT0 });
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
  const before = await renderMetrics(catalog, "text-0.0.4");
  const om = await renderMetrics(catalog, "openmetrics-1.0.0");
  const after = await renderMetrics(catalog, "text-0.0.4");
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
  assert.equal(await renderMetrics(catalog, "openmetrics-1.0.0"), om);
});

Deno.test("expose() sets content type, Vary and gzip", async () => {
  const catalog = createCatalog();
  const text = await expose(catalog, null, null);
  assert.equal(text.headers["content-type"], TEXT_CONTENT_TYPE);
  assert.equal(text.gzipped, false);
  const om = await expose(catalog, PROMETHEUS_ACCEPT, "gzip");
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
        assert.match(
          body,
          /^order_count_total\{symbol="AAPL",side="BUY",status="filled"\} 1 # \{trace_id="[0-9a-f]{32}",order_id="[^"]+"\} 1 \d+\.\d{3}$/m,
        );
      } else {
        assert.ok(!body.includes("# EOF"));
        assert.ok(!body.includes(" # {"), "no exemplar in the text format");
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
