/**
 * The label-propagation model and Prometheus' type checks (`src/lint/promql/infer.ts`), table
 * driven; the parser's length and depth (what promtool 2.42 accepts is accepted); `__name__`
 * matchers; zero durations, compared with Debian's promtool live where it is installed.
 */
import assert from "node:assert/strict";
import { parsePromql } from "../../src/lint/promql/parse.ts";
import { type LabelSet, outputLabels } from "../../src/lint/promql/infer.ts";
import { promtoolPresent } from "./helpers.ts";

/** A label set as text: `*` (any label), `* -a -b` (any but a and b), or `{a,b}` (exactly). */
function show(set: LabelSet): string {
  if (set.all) return ["*", ...[...set.removed].sort().map((l) => `-${l}`)].join(" ");
  return `{${[...set.only].sort().join(",")}}`;
}

function labelsOf(expr: string): string {
  const p = parsePromql(expr, 3);
  assert.deepEqual(p.errors, [], expr);
  return show(outputLabels(expr, p.tree.topNode));
}

const LABELS: [string, string][] = [
  // Selectors and literals.
  ["up", "*"],
  ["1", "{}"],
  ['"s"', "{}"],
  // Scalar–vector operations keep the vector's labels (the scalar can be any expression).
  ["time() - pg_postmaster_start_time_seconds < 60", "*"],
  ["pg_postmaster_start_time_seconds - time()", "*"],
  ["scalar(x) * on_fire", "*"],
  ["(time() - max by (job) (x)) / 60 > 24", "{job}"],
  ["-(time() - sum by (a) (x))", "{a}"],
  ["time() - time()", "{}"],
  // Set operators.
  ["sum by (a) (x) and sum by (b) (y)", "{a}"],
  ["sum by (a) (x) unless y", "{a}"],
  ["sum by (a) (x) or sum by (b) (y)", "{a,b}"],
  ["sum by (a) (x) or y", "*"],
  ["sum without (a) (x) or sum without (a, b) (y)", "* -a"],
  // Vector matching.
  ["x / y", "*"],
  ["x / on (a, b) y", "{a,b}"],
  ["sum by (a) (x) / on (a, b) y", "{a}"],
  ["x / ignoring (code) y", "* -code"],
  ["x / on (a) group_left (b) sum by (a, b) (y)", "*"],
  ["sum by (a, c) (x) / on (a) group_left (b) sum by (a, b) (y)", "{a,b,c}"],
  ["sum by (a, c) (x) / on (a) group_left (b) sum by (a) (y)", "{a,c}"],
  // group_x copies included labels from the "one" side, and deletes those it does not have.
  ["sum by (a) (y) * on (a) group_right (b) sum by (a, b, d) (x)", "{a,d}"],
  ["sum by (a, b) (y) * on (a) group_right (b) sum by (a, d) (x)", "{a,b,d}"],
  ["x > bool on (a) y", "{a}"],
  // Aggregations.
  ["sum(x)", "{}"],
  ["sum by (job, instance) (x)", "{instance,job}"],
  ["sum(x) by (job)", "{job}"],
  ["sum without (instance) (x)", "* -instance"],
  ["max by (a) (sum by (a, b) (x))", "{a}"],
  ["sum by (c) (sum by (a) (x))", "{}"],
  ["topk(3, sum by (a) (x))", "{a}"],
  ["bottomk by (a) (3, x)", "*"],
  ['count_values("v", x)', "{v}"],
  ['count_values by (a) ("v", x)', "{a,v}"],
  ["quantile by (a) (0.9, x)", "{a}"],
  // Functions.
  ["rate(x[5m])", "*"],
  ["abs(sum by (a) (x))", "{a}"],
  ["vector(1)", "{}"],
  ["scalar(x)", "{}"],
  ['absent(x{job="a", env=~"p.*", z=""})', "{job}"],
  ["absent(sum(x))", "{}"],
  ['absent_over_time(x{job="a"}[5m])', "{job}"],
  ['label_replace(sum by (a) (x), "dst", "$1", "a", "(.*)")', "{a,dst}"],
  ['label_join(sum by (a) (x), "dst", ",", "a")', "{a,dst}"],
  ["histogram_quantile(0.9, sum by (le, job) (rate(x_bucket[5m])))", "{job}"],
  ["histogram_quantile(0.9, rate(x_bucket[5m]))", "* -le"],
  ["round(sum by (a) (x), 5)", "{a}"],
  ["clamp_max(sum by (a) (x), 1)", "{a}"],
  ["day_of_month()", "{}"],
  ["day_of_month(sum by (a) (x))", "{a}"],
  ["max_over_time(sum by (a) (x)[1h:5m])", "{a}"],
  ["x offset 5m", "*"],
  ["sum by (a) (x @ 100)", "{a}"],
  ["sort_desc(sum by (a) (x))", "{a}"],
  // Comments before the expression.
  ["# a comment\nsum by (a) (x)", "{a}"],
];

Deno.test("infer: labels a result can carry (operators, matching, aggregations, functions)", () => {
  const wrong = LABELS.filter(([e, want]) => labelsOf(e) !== want)
    .map(([e, want]) => `${e}: want ${want}, got ${labelsOf(e)}`);
  assert.deepEqual(wrong, []);
});

/** [expression, version, the first error's message (or "" for valid)]. */
const TYPES: [string, 2 | 3, string][] = [
  ["rate(x) > 1", 3, 'expected type range vector in call to function "rate", got instant vector'],
  ["1 < 2", 3, "comparisons between scalars must use BOOL modifier"],
  ["1 < bool 2", 3, ""],
  ["x + bool y", 3, "bool modifier can only be used on comparison operators"],
  ["1 and x", 2, 'set operator "and" not allowed in binary scalar expression'],
  ["x or on (a) group_left y", 2, 'no grouping allowed for "or" operation'],
  ["x + on (a) group_left (a) y", 2, 'label "a" must not occur in ON and GROUP clause at once'],
  ["1 + on (a) x", 3, "vector matching only allowed between instant vectors"],
  ["x[5m] + 1", 3, "binary expression must contain only scalar and instant vector types"],
  ["sum(x[5m])", 3, "expected type instant vector in aggregation expression, got range vector"],
  ["topk(x, y)", 3, "expected type scalar in aggregation parameter, got instant vector"],
  ["topk(y)", 3, "wrong number of arguments for aggregate expression provided, expected 2, got 1"],
  ["count_values(1, x)", 3, "expected type string in aggregation parameter, got scalar"],
  ["clamp_max(x)", 3, 'expected 2 argument(s) in call to "clamp_max", got 1'],
  ["round(x, 1, 2)", 3, 'expected at most 2 argument(s) in call to "round", got 3'],
  ["label_join(x)", 3, 'expected at least 3 argument(s) in call to "label_join", got 1'],
  ['-"a"', 3, "unary expression only allowed on expressions of type scalar or instant vector"],
  ["x[5m:1m][10m:1m]", 3, "subquery is only allowed on instant vector, got matrix instead"],
  ["(x)[5m]", 3, "ranges only allowed for vector selectors"],
  ["sum(x) offset 5m", 3, "offset modifier must be preceded by an instant vector selector"],
  ["x offset 5m offset 1m", 3, "offset may not be set multiple times"],
  ["sum(x) @ 100", 3, "@ modifier must be preceded by an instant vector selector"],
  ["x @ 100 offset 5m", 2, ""],
  ["holt_winters(x[5m], 0.5, 0.5)", 2, ""],
  // __name__ matchers: several are valid without a name outside the braces.
  ['{__name__=~"pg_settings_.*",__name__!="pg_settings_transaction_read_only"}', 2, ""],
  ['{__name__=~"pg_settings_.*",__name__!="pg_settings_transaction_read_only"}', 3, ""],
  ['{__name__="a", __name__="b"}', 2, ""],
  ['foo{__name__="bar"}', 2, 'metric name must not be set twice: "foo" or "bar"'],
  ['foo{__name__!="bar"}', 3, 'metric name must not be set twice: "foo" or "bar"'],
  ['{__name__=""}', 2, "vector selector must contain at least one non-empty matcher"],
  // Zero and negative durations (as promtool 2.42; parseDuration is the same in 3.x).
  ["rate(x[0s])", 2, "duration must be greater than 0"],
  ["rate(x[0m])", 3, "duration must be greater than 0"],
  ["rate(x[0h0m])", 2, "duration must be greater than 0"],
  ["max_over_time(x[0s:1m])", 2, "duration must be greater than 0"],
  ["max_over_time(x[5m:0s])", 3, "duration must be greater than 0"],
  ["max_over_time(x[5m:])", 2, ""],
  ["x offset 0s", 2, "duration must be greater than 0"],
  ["x offset -0s", 3, "duration must be greater than 0"],
  ["max_over_time(x[5m:1m] offset 0s)", 2, "duration must be greater than 0"],
  ["x offset -5m", 2, ""],
  ["x offset -5m", 3, ""],
];

Deno.test("infer: Prometheus' type checks and messages", () => {
  const wrong: string[] = [];
  for (const [e, v, want] of TYPES) {
    const got = parsePromql(e, v).errors[0]?.message ?? "";
    if (want === "" ? got !== "" : !got.startsWith(want)) {
      wrong.push(`${v}: ${e}: want "${want}", got "${got}"`);
    }
  }
  assert.deepEqual(wrong, []);
});

/** Long and deep expressions promtool 2.42 accepts (checked live below). */
const BIG: [string, string][] = [
  ["3,000 or terms", Array.from({ length: 3000 }, (_, i) => `m${i}`).join(" or ")],
  ["20,000 or terms", Array.from({ length: 20000 }, (_, i) => `m${i}`).join(" or ")],
  ["5,000 + terms", Array.from({ length: 5000 }, (_, i) => `m${i}`).join(" + ")],
  [
    "3,000 + terms compared on() group_left with 3,000 * terms",
    Array.from({ length: 3000 }, (_, i) => `a${i}`).join(" + ") + " > on(a) group_left(b) " +
    Array.from({ length: 3000 }, (_, i) => `b${i}`).join(" * "),
  ],
  ["3,000 == bool terms", Array.from({ length: 3000 }, (_, i) => `m${i}`).join(" == bool ")],
  [
    "a 3,000-term or inside sum()",
    "sum(" + Array.from({ length: 3000 }, (_, i) => `m${i}`).join(" or ") + ")",
  ],
  [
    "3,000 ^ terms (right-associative)",
    Array.from({ length: 3000 }, (_, i) => `m${i}`).join(" ^ "),
  ],
  ["5,000 nested parentheses", "(".repeat(5000) + "up" + ")".repeat(5000) + " == 0"],
  ["5,001 unary minus", "-".repeat(5001) + "up"],
  ["700 nested sums", "sum(".repeat(700) + "up" + ")".repeat(700)],
  ["5,000 nested sums", "sum(".repeat(5000) + "up" + ")".repeat(5000) + " > 1"],
  [
    "1,500 nested aggregations in a subquery",
    "rate(" + "sum by (a) (".repeat(1500) + "up" + ")".repeat(1500) + "[5m:1m]) > 0",
  ],
  [
    "2,000 nested calls as one argument of several",
    "label_replace(" + "abs(".repeat(2000) + "up" + ")".repeat(2000) + ', "a", "$1", "b", "(.*)")',
  ],
];

Deno.test("infer: long and deep valid expressions are accepted in both modes", () => {
  for (const [name, e] of BIG) {
    for (const v of [2, 3] as const) {
      assert.deepEqual(parsePromql(e, v).errors, [], `${v}: ${name}`);
    }
  }
  // Type errors are still found deep inside (the nesting is collapsed, not skipped).
  const deep = "(".repeat(3000) + "rate(up)" + ")".repeat(3000);
  assert.match(parsePromql(deep, 2).errors[0]?.message ?? "", /expected type range vector/);
  // Too deep for lezer: checked in parts, type errors inside and around still found.
  const inner = "sum(".repeat(2000) + "rate(up)" + ")".repeat(2000);
  assert.match(parsePromql(inner, 3).errors[0]?.message ?? "", /expected type range vector/);
  const outer = "rate(" + "sum(".repeat(2000) + "up" + ")".repeat(2000) + ")";
  assert.deepEqual(parsePromql(outer, 2).errors.map((e) => [e.from, e.message]), [
    [5, 'expected type range vector in call to function "rate", got instant vector'],
  ]);
  assert.equal(parsePromql("sum(".repeat(2000) + "up +" + ")".repeat(2000), 2).errors.length, 1);
  // Beyond 2,400 tree levels lezer flattens the tree: long chains are checked in parts too, and
  // the checks beyond promtool skip them.
  const chain = (n: number, op: string) => Array.from({ length: n }, (_, i) => `m${i}`).join(op);
  const long = chain(3000, " or ");
  assert.equal(parsePromql(long, 3).deep, true);
  assert.match(parsePromql(long + " or {}", 3).errors[0]?.message ?? "", /non-empty matcher/);
  assert.deepEqual(parsePromql(long + " or 1", 3).errors.map((e) => [e.from, e.message]), [
    [0, 'set operator "or" not allowed in binary scalar expression'],
  ]);
  assert.match(parsePromql("rate(" + long + ")", 2).errors[0]?.message ?? "", /range vector/);
  const sums = Array.from({ length: 3000 }, (_, i) => `${i}`).join(" + ") + " > 1";
  assert.match(parsePromql(sums, 2).errors[0]?.message ?? "", /must use BOOL modifier/);
});

Deno.test({
  name: "infer: promtool 2.42 agrees on the tables (live)",
  ignore: !promtoolPresent(),
  async fn() {
    const cases = [
      ...TYPES.filter(([, v]) => v === 2).map(([e, , want]) => ({ e, ok: want === "" })),
      ...BIG.map(([, e]) => ({ e, ok: true })),
    ];
    const dir = await Deno.makeTempDir({ prefix: "tradewatch-infer-" });
    try {
      const disagree: string[] = [];
      for (const [i, { e, ok }] of cases.entries()) {
        const file = `${dir}/r${i}.yml`;
        await Deno.writeTextFile(
          file,
          `groups:\n- name: g\n  rules:\n  - record: r\n    expr: ${JSON.stringify(e)}\n`,
        );
        const out = await new Deno.Command("promtool", {
          args: ["check", "rules", file],
          stdout: "null",
          stderr: "null",
        }).output();
        if ((out.code === 0) !== ok) disagree.push(`${e.slice(0, 80)}: promtool ${out.code}`);
      }
      assert.deepEqual(disagree, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
