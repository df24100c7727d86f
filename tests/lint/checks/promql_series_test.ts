import assert from "node:assert/strict";
import { alertFile, type Case, checkTable, exprCol, lint } from "../helpers.ts";
import { loadServiceCatalog } from "../../../src/lint/catalog.ts";

const at = (expr: string, part: string) => exprCol(expr, part);
const e1 = 'rate(order_count_total{side="buy"}[5m]) > 0';
const e2 = 'rate(order_count_total{sid="BUY"}[5m]) > 0';
const e3 = 'rate(order_count_total{sid!="BUY"}[5m]) > 0';
const e4 = 'rate(order_count_total{status=~"fail|err.*"}[5m]) > 0';
const e5 = "order_cont_total > 1";
const e6 = "rate(grpc_requests_total[5m]) > 1";
const catalog: Case["opts"] = { catalog: true };

checkTable("promql/series", [
  {
    name: "known metric, labels and values; Prometheus' own series; target labels",
    yaml: alertFile(
      'rate(order_count_total{side="BUY",status=~"fail.*",job="t",instance!=""}[5m]) > 0 or up == 0',
    ),
    opts: catalog,
    want: [],
  },
  {
    name: "impossible value, with the allowed ones and a suggestion",
    yaml: alertFile(e1),
    opts: catalog,
    want: [[
      "error",
      5,
      at(e1, "side"),
      'side="buy" never matches order_count_total: side is one of BUY, SELL, INVALID; did you mean "BUY"?',
    ]],
  },
  {
    name: "unknown label name that must match: never matches",
    yaml: alertFile(e2),
    opts: catalog,
    want: [[
      "error",
      5,
      at(e2, "sid"),
      'metric "order_count_total" has no label "sid", did you mean "side"?',
    ]],
  },
  {
    name: "unknown label name in a negative matcher: matches everything",
    yaml: alertFile(e3),
    opts: catalog,
    want: [["warning", 5, at(e3, "sid"), "this matcher matches every series"]],
  },
  {
    name: "regex matching no allowed value",
    yaml: alertFile(e4),
    opts: catalog,
    want: [["error", 5, at(e4, "status"), "matches no value of order_count_total"]],
  },
  {
    name: "a misspelt metric: a warning with the suggestion (it never fires)",
    yaml: alertFile(e5),
    opts: catalog,
    want: [[
      "warning",
      5,
      16,
      'metric "order_cont_total" does not exist; did you mean "order_count_total"?',
    ]],
  },
  ...([
    ["order_count_totl", "order_count_total", "one edit"],
    ["order_count", "order_count_total", "a missing _total"],
    // (A histogram's base name is no typo: native histograms are stored under it.)
    [
      "order_latency_seconds_buckets",
      "order_latency_seconds_bucket",
      "a histogram's bucket, plural",
    ],
    ["order_count_tot", "order_count_total", "a truncation"],
    ["http_requests_count", "http_requests_total", "another suffix"],
  ] as const).map(([name, want, how]) => ({
    name: `typo (${how}): ${name}`,
    yaml: alertFile(`${name} > 1`),
    opts: catalog,
    want: [["warning", 5, 16, `did you mean "${want}"?`]] as Case["want"],
  })),
  {
    name: "another job's metric: a notice",
    yaml: alertFile(e6),
    opts: catalog,
    want: [[
      "info",
      5,
      at(e6, "grpc"),
      'metric "grpc_requests_total" is not exported by tradewatch',
    ]],
  },
  {
    name: "names recorded in the file are known",
    yaml:
      "groups:\n  - name: g\n    rules:\n      - record: my_series\n        expr: vector(1)\n      - alert: A\n        expr: my_series > 0\n",
    opts: catalog,
    want: [],
  },
  {
    name: "the process collector the server registers is part of the catalog",
    yaml: alertFile("process_resident_memory_bytes > 1e9 or deno_heap_size_used_bytes > 1e9"),
    opts: catalog,
    want: [],
  },
  { name: "--catalog none turns it off", yaml: alertFile(e1), want: [] },
]);

Deno.test("promql/series: selectors of jobs the Prometheus configuration has not are not ours", async () => {
  const catalog = await loadServiceCatalog([], ["trading_api", "prometheus"]);
  const found = (expr: string) =>
    lint(alertFile(expr), { catalog }).filter((p) =>
      p.check === "promql/series" && p.severity !== "info"
    ).map((p) => p.message);
  // Thanos' rules select its own http_requests_total by job: the catalog says nothing about it.
  assert.deepEqual(
    found('rate(http_requests_total{job=~".*thanos-query.*",handler="q"}[5m]) > 1'),
    [],
  );
  assert.deepEqual(
    found('rate(http_requests_total{job="alertmanager-main",code="5"}[5m]) > 1'),
    [],
  );
  assert.deepEqual(found('order_count_totl{job="other"} > 1'), []);
  // Our job, a job regex that matches it, or no job matcher: checked.
  for (const job of ['job="trading_api",', 'job=~"trading.*",', 'job!="x",', ""]) {
    assert.equal(found(`rate(http_requests_total{${job}handler="q"}[5m]) > 1`).length, 1, job);
  }
});
