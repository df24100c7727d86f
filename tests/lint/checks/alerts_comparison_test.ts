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
/** A one-alert file with a literal block expression (lines after the first indented by 10). */
const block = (expr: string) =>
  [
    "groups:",
    "  - name: g",
    "    rules:",
    "      - alert: A",
    "        expr: |",
    `          ${expr}`,
    "",
  ]
    .join("\n");
const fine = (name: string, expr: string) => ({ name, yaml: alertFile(expr), want: [] });

checkTable("alerts/comparison", [
  fine("a comparison", "up == 0"),
  fine("absent()", "absent(up)"),
  fine("a condition on either side of and", "rate(x[5m]) and on() y > 1"),
  fine("a filter inside an aggregation", "count(up == 0) by (job)"),
  always("a bare selector", "trade_pnl_dollars"),
  fine("a constant: always fires by design (Watchdog)", "vector(1)"),
  fine("a number: no series selected", "1"),
  always("a constant or a selector", "vector(1) or up"),
  always("bool comparisons always return", "up == bool 0"),
  {
    // kube-prometheus writes comments before expressions; the top node is the expression.
    name: "a comment before a condition",
    yaml: block("# note\n          max_over_time(up[5m]) == 0"),
    want: [],
  },
  {
    name: "a comment before an expression without a condition",
    yaml: block("# note\n          max_over_time(up[5m])"),
    want: [["warning", 5, 15, "alert expression has no condition"]],
  },
  always("or with one unconditional side", "up == 0 or x"),
  {
    name: "recording rules are not alerts",
    yaml: alertFile("sum(up)", [], "record: r"),
    want: [],
  },
]);
