import { alertFile, checkTable, exprCol } from "../helpers.ts";

const h1 =
  "histogram_quantile(0.95, sum by (job) (rate(http_request_duration_seconds_bucket[5m]))) > 1";
const h2 = "histogram_quantile(0.95, rate(http_request_duration_seconds_count[5m])) > 1";
const h3 = "histogram_quantile(0.95, rate(order_latency_seconds[5m])) > 1";

checkTable("promql/histogram", [
  {
    name: "buckets, le kept",
    yaml: alertFile(
      "histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m]))) > 1",
    ),
    opts: { catalog: true },
    want: [],
  },
  {
    name: "le aggregated away (no catalog needed)",
    yaml: alertFile(h1),
    want: [["error", 5, exprCol(h1, "sum"), 'histogram_quantile needs the "le" label']],
  },
  {
    name: "over a _count series",
    yaml: alertFile(h2),
    opts: { catalog: true },
    want: [["error", 5, exprCol(h2, "http"), "a counter series, not a histogram's _bucket series"]],
  },
  {
    name: "over the family name: the native histogram (the service exposes native buckets)",
    yaml: alertFile(h3),
    opts: { catalog: true },
    want: [],
  },
  {
    name: "a native histogram of another job is not judged",
    yaml: alertFile("histogram_quantile(0.9, sum(rate(other_seconds[5m]))) > 1"),
    opts: { catalog: true },
    want: [],
  },
]);
