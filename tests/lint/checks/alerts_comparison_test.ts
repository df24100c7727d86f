import { alertFile, checkTable } from "../helpers.ts";

const always = (name: string, expr: string) => ({
  name,
  yaml: alertFile(expr),
  want: [["warning", 5, 15, "alert expression has no condition"]] as [
    "warning",
    number,
    number,
    string,
  ][],
});
const fine = (name: string, expr: string) => ({ name, yaml: alertFile(expr), want: [] });

checkTable("alerts/comparison", [
  fine("a comparison", "up == 0"),
  fine("absent()", "absent(up)"),
  fine("a condition on either side of and", "rate(x[5m]) and on() y > 1"),
  fine("a filter inside an aggregation", "count(up == 0) by (job)"),
  always("a bare selector", "trade_pnl_dollars"),
  always("a number", "1"),
  always("bool comparisons always return", "up == bool 0"),
  always("or with one unconditional side", "up == 0 or x"),
  {
    name: "recording rules are not alerts",
    yaml: alertFile("sum(up)", [], "record: r"),
    want: [],
  },
]);
