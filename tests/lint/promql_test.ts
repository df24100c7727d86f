/**
 * PromQL parsing: the 2.42 fast path agrees with 2.42's grammar, messages use Prometheus' words.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  compatible242,
  numberShape,
  parsePromql,
  parsesIn242,
} from "../../src/lint/promql/parse.ts";
import { parseYaml } from "../../src/lint/yaml.ts";
import { RunCache } from "../../src/lint/cache.ts";
import { CORPUS, corpusPresent } from "./helpers.ts";

const EXPRS = [
  "up == 0",
  'sum by (job, le) (rate(http_request_duration_seconds_bucket{endpoint!="/metrics"}[5m]))',
  "x @ start() offset -5m",
  "-x[5m:1m]",
  "x / ignoring(a) group_left(b) y",
  'count_values("v", x) > bool 1',
  "holt_winters(x[5m], 0.5, 0.5)",
  "x > 5m",
  "rate(x[90])",
  "0x1F + 1e3 + Inf - NaN",
  'sort_by_label(up, "a")',
  "rate(up[1m] anchored)",
  "limitk(2, x)",
  '{"a.b"}',
  "rate(up[1m * 2])",
  "x offset 1h30m",
  "quantile_over_time(0.9, x[1d])",
  'absent_over_time(nonexistent{job="x"}[5m])',
  "# a comment, as kube-prometheus writes them\nmax_over_time(up[5m]) == 0 # and after",
];

Deno.test("promql: the 2.42 fast path never accepts what 2.42's grammar refuses", () => {
  const exprs = [...EXPRS];
  if (corpusPresent()) {
    for (
      const f of [
        "cases/good_trading_full.yml",
        "prometheus/cmd/promtool/testdata/rules.yml",
        "prometheus/cmd/promtool/testdata/features.yml",
      ]
    ) {
      const { root, table } = parseYaml(Deno.readTextFileSync(join(CORPUS, f)));
      for (let n = 0; n < table.count; n++) {
        if (table.value(n) === "expr" && table.next[n] !== -1) {
          exprs.push(String(table.value(table.next[n])));
        }
      }
      assert.ok(root !== undefined);
    }
  }
  for (const e of exprs) {
    if (compatible242(e)) assert.ok(parsesIn242(e), `fast path accepted ${e}`);
  }
  assert.ok(
    exprs.filter((e) => compatible242(e)).length >= 10,
    "the fast path is taken for common expressions",
  );
});

Deno.test("promql: 2 and 3 verdicts on version-specific syntax", () => {
  const ok = (e: string, v: 2 | 3) => parsePromql(e, v).errors.length === 0;
  for (const e of ['sort_by_label(up, "a")', '{"a.b"} > 1', "rate(x[90]) > 1", "limitk(2, x)"]) {
    assert.equal(ok(e, 2), false, `2: ${e}`);
    assert.equal(ok(e, 3), true, `3: ${e}`);
  }
  assert.equal(ok("holt_winters(x[5m], 0.5, 0.5)", 2), true);
});

Deno.test("promql: messages use Prometheus' type names and point into the expression", () => {
  const [err] = parsePromql("rate(x) > 1", 3).errors;
  assert.equal(
    err.message,
    'expected type range vector in call to function "rate", got instant vector',
  );
  assert.equal(err.from, 5);
  const [unclosed] = parsePromql("sum(rate(x[5m])", 2).errors;
  assert.deepEqual([unclosed.message, unclosed.from], ["unclosed left parenthesis", 3]);
  const [empty] = parsePromql("  ", 3).errors;
  assert.equal(empty.message, "no expression found in input");
});

Deno.test("promql: expressions differing only in number digits share a parse, not a text", () => {
  const cache = new RunCache();
  const a = parsePromql("rate(order_count_total[5m]) > 0.25", 2, cache);
  const b = parsePromql("rate(order_count_total[5m]) > 7.75", 2, cache);
  assert.equal(b.expr, "rate(order_count_total[5m]) > 7.75");
  assert.equal(a.tree, b.tree, "the tree is reused");
  assert.deepEqual([a.errors, b.errors], [[], []]);
  assert.equal(
    numberShape('x{a="5.5"}[5m] offset 1h > 0x1F + 12.5e3'),
    'x{a="5.5"}[5m] offset 1h > 0x1F + 11.1e1',
  );
  // Invalid expressions are never served from the cache.
  assert.equal(parsePromql("1 < 2", 3, cache).errors.length, 1);
  assert.equal(parsePromql("3 < 4", 3, cache).errors.length, 1);
  // Another run does not see this run's entries.
  assert.notEqual(
    parsePromql("rate(order_count_total[5m]) > 0.25", 2, new RunCache()).tree,
    a.tree,
  );
});
