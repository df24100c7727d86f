import { alertFile, type Case, checkTable, exprCol } from "../helpers.ts";

/** An expression case: the error's column is found from a part of the expression. */
function bad(
  name: string,
  expr: string,
  at: string,
  message: string,
  opts?: Case["opts"],
): Case {
  return { name, yaml: alertFile(expr), opts, want: [["error", 5, exprCol(expr, at), message]] };
}
const good = (name: string, expr: string, opts?: Case["opts"]): Case => ({
  name,
  yaml: alertFile(expr),
  opts,
  want: [],
});

checkTable("promql/syntax", [
  good("a valid expression", 'rate(order_count_total{status="failed"}[5m]) > 0.1'),
  good("@ and negative offset parse in 2.42", "x @ 1000 offset -5m > 1", { prometheus: 2 }),
  bad(
    "rate() without a range",
    'rate(order_count_total{status="failed"}) > 0.1',
    "order_count_total",
    'expected type range vector in call to function "rate", got instant vector',
  ),
  bad("unknown function", "rates(x[5m]) > 1", "rates", 'unknown function with name "rates"'),
  bad(
    "unclosed parenthesis",
    "histogram_quantile(0.9, rate(x[5m]) > 1",
    "(",
    "unclosed left parenthesis",
  ),
  bad("unterminated string", 'x{a="b} > 1', '"', "unterminated quoted string"),
  bad("bad range duration (2)", "rate(x[5x]) > 1", "5x", 'unexpected "5x"', { prometheus: 2 }),
  bad("bad range duration (3)", "rate(x[5x]) > 1", "x]", 'unexpected "x"'),
  bad(
    "scalar comparison without bool",
    "1 < 2",
    "<",
    "comparisons between scalars must use BOOL modifier",
  ),
  bad(
    "wrong argument count",
    "clamp_max(x) > 1",
    "clamp_max",
    'expected 2 argument(s) in call to "clamp_max", got 1',
  ),
  bad(
    "regex lookahead is not RE2",
    'x{a=~"(?=b)"} > 1',
    '"(?=b)"',
    'invalid regular expression "(?=b)"',
  ),
  bad(
    "named group (?<n>) is refused by 2.42's Go",
    'x{a=~"(?<n>b)"} > 1',
    '"(?<n>b)"',
    "invalid regular expression",
    { prometheus: 2 },
  ),
  good("named group (?<n>) is accepted by 3", 'x{a=~"(?<n>b)"} > 1'),
  bad(
    "only empty matchers",
    '{a=~".*"} > 1',
    "{",
    "vector selector must contain at least one non-empty matcher",
  ),
  bad(
    "3.x function in 2 mode",
    'sort_by_label(up, "a")',
    "sort_by_label",
    'unknown function with name "sort_by_label"',
    { prometheus: 2 },
  ),
  good("3.x function in 3 mode", 'sort_by_label(up, "a")'),
  bad(
    "quoted metric name in 2 mode",
    '{"trade.pnl"} < 0',
    '"trade.pnl"',
    "quoted names need Prometheus 3",
    { prometheus: 2 },
  ),
  good("quoted metric name in 3 mode", '{"trade.pnl"} < 0'),
  bad("numeric range in 2 mode", "rate(x[90]) > 1", "90", 'unexpected "90"', { prometheus: 2 }),
  good("holt_winters exists in 2.42", "holt_winters(x[5m], 0.5, 0.5) > 1", { prometheus: 2 }),
  {
    name: "position inside a literal block scalar",
    yaml:
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: |\n          sum(x)\n            / rate(y) > 1\n",
    want: [["error", 7, 20, "expected type range vector"]],
  },
]);
