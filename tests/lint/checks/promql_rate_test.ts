import { alertFile, checkTable, exprCol } from "../helpers.ts";

const g1 = "rate(trade_pnl_dollars[5m]) > 1";
const g2 = "sum(increase(position_value_dollars[1h])) > 1";

checkTable("promql/rate", [
  {
    name: "rate over counters and histogram buckets",
    yaml: alertFile("rate(order_count_total[5m]) + rate(order_latency_seconds_bucket[5m]) > 1"),
    opts: { catalog: true },
    want: [],
  },
  {
    name: "rate over a gauge",
    yaml: alertFile(g1),
    opts: { catalog: true },
    want: [[
      "error",
      5,
      exprCol(g1, "rate"),
      'rate() over gauge "trade_pnl_dollars"',
      g1.slice(0, g1.indexOf(")") + 1),
    ]],
  },
  {
    name: "increase over a gauge suggests delta",
    yaml: alertFile(g2),
    opts: { catalog: true },
    want: [["error", 5, exprCol(g2, "increase"), "use delta()"]],
  },
  { name: "off without a catalog", yaml: alertFile(g1), want: [] },
]);
