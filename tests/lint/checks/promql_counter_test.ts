import { alertFile, checkTable, exprCol } from "../helpers.ts";

const c1 = 'order_count_total{status="failed"} > 10';
const c2 = "sum by (job) (redis_cache_misses_total) > 100";

checkTable("promql/counter", [
  {
    name: "a counter through rate or increase",
    yaml: alertFile(
      "rate(order_count_total[5m]) > 1 and increase(redis_cache_misses_total[1h]) > 10",
    ),
    opts: { catalog: true },
    want: [],
  },
  {
    name: "a counter compared as a total",
    yaml: alertFile(c1),
    opts: { catalog: true },
    want: [[
      "warning",
      5,
      exprCol(c1, "order"),
      'counter "order_count_total" is compared as a total',
    ]],
  },
  {
    name: "through an aggregation",
    yaml: alertFile(c2),
    opts: { catalog: true },
    want: [["warning", 5, exprCol(c2, "redis"), 'counter "redis_cache_misses_total"']],
  },
  {
    name: "a gauge compared is fine",
    yaml: alertFile("trade_pnl_dollars < -10000"),
    opts: { catalog: true },
    want: [],
  },
]);
