import { alertFile, checkTable, exprCol } from "../helpers.ts";

const r1 = "rate(order_count_total[15s]) > 1";

checkTable("promql/range", [
  {
    name: "twice the scrape interval",
    yaml: alertFile("rate(order_count_total[20s]) > 1"),
    want: [],
  },
  {
    name: "shorter than twice the scrape interval (10s)",
    yaml: alertFile(r1),
    want: [[
      "warning",
      5,
      exprCol(r1, "order"),
      "rate() range [15s] is shorter than twice the scrape interval",
      "order_count_total[15s]",
    ]],
  },
  {
    name: "with a 1m scrape interval, [1m] is short",
    yaml: alertFile("increase(x[1m]) > 1"),
    opts: { scrapeIntervalMs: 60_000 },
    want: [["warning", 5, 25, "use at least [2m]"]],
  },
  {
    name: "predict_linear needs two samples too",
    yaml: alertFile("predict_linear(disk_free[15s], 3600) < 0"),
    want: [[
      "warning",
      5,
      exprCol("predict_linear(disk_free[15s], 3600) < 0", "disk"),
      "predict_linear() range [15s] is shorter",
    ]],
  },
  { name: "not a rate-like function", yaml: alertFile("max_over_time(x[15s]) > 1"), want: [] },
]);
