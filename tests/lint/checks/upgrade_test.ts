/**
 * `--upgrade-to 3`: rules whose meaning changes from Prometheus 2 to 3, each with its rewrite
 * (the Prometheus 3.0 migration guide's PromQL section), table-driven.
 */
import assert from "node:assert/strict";
import { alertFile, checkTable, exprCol, lint } from "../helpers.ts";
import { withoutNewlineDots } from "../../../src/lint/checks/upgrade_regex_newline.ts";

const up = { upgradeTo: 3 as const, prometheus: 2 as const };
const at = exprCol;

const le = 'histogram_quantile(0.9, rate(x_bucket{le="1"}[5m])) > 1';
const leRe = 'rate(x_bucket{le=~"1|2.5|\\\\+Inf"}[5m]) > 0';
const q = 'rpc_duration_seconds{quantile!="1"} > 1';
checkTable("upgrade/le-quantile", [
  {
    name: "le=1",
    yaml: alertFile(le),
    opts: up,
    want: [["warning", 5, at(le, "le="), 'write le="1.0"', 'le="1"']],
  },
  {
    name: "a regex of alternatives",
    yaml: alertFile(leRe),
    opts: up,
    want: [["warning", 5, at(leRe, "le="), 'write le=~"1(\\\\.0)?|2.5|\\\\+Inf"']],
  },
  {
    name: "quantile!=1",
    yaml: alertFile(q),
    opts: up,
    want: [["warning", 5, at(q, "quantile"), 'write quantile!="1.0"']],
  },
  {
    name: "float values are fine",
    yaml: alertFile('x{le="1.0",quantile="0.99"} > 1'),
    opts: up,
    want: [],
  },
  { name: "other labels are fine", yaml: alertFile('x{code="500"} > 1'), opts: up, want: [] },
  { name: "off without --upgrade-to", yaml: alertFile(le), opts: { prometheus: 2 }, want: [] },
]);

const re = 'up{job=~"api.*"} == 0';
checkTable("upgrade/regex-newline", [
  {
    name: ".* gets newlines",
    yaml: alertFile(re),
    opts: up,
    want: [["info", 5, at(re, "job"), "job=~`api[^\\n]*`"]],
  },
  {
    name: "escaped dots and classes are literal",
    yaml: alertFile('up{job=~"a\\\\.b|[.]"} == 0'),
    opts: up,
    want: [],
  },
  { name: "equality matchers are fine", yaml: alertFile('up{job="a.b"} == 0'), opts: up, want: [] },
  {
    name: "(?s) already matches newlines",
    yaml: alertFile('up{job=~"(?s)a.*"} == 0'),
    opts: up,
    want: [],
  },
]);

const hw = "holt_winters(x[10m], 0.3, 0.3) > 1";
checkTable("upgrade/holt-winters", [
  {
    name: "renamed, behind a feature flag",
    yaml: alertFile(hw),
    opts: up,
    want: [["error", 5, 16, "write double_exponential_smoothing(…)"]],
  },
  {
    name: "in a string it is just text",
    yaml: alertFile('x{a="holt_winters(y)"} > 1'),
    opts: up,
    want: [],
  },
]);

const r1 = "rate(x[1m:1m]) > 0";
const r2 = "max_over_time(x[5m:1m]) > 0";
checkTable("upgrade/range-boundary", [
  {
    name: "rate over one step: no result in 3",
    yaml: alertFile(r1),
    opts: up,
    want: [["warning", 5, at(r1, "x["), "write x[2m:1m]"]],
  },
  {
    name: "a whole number of steps: one point fewer",
    yaml: alertFile(r2),
    opts: up,
    want: [["info", 5, at(r2, "x["), "holds 5 points in Prometheus 3, not 6"]],
  },
  {
    name: "two steps are enough for rate",
    yaml: alertFile("rate(x[2m:1m]) > 0"),
    opts: { ...up },
    want: [["info", 5, 21, "holds 2 points"]],
  },
  {
    name: "no explicit step: not detectable",
    yaml: alertFile("rate(x[1m:]) > 0"),
    opts: up,
    want: [],
  },
  {
    name: "plain ranges: promql/range covers them",
    yaml: alertFile("rate(x[5m]) > 0"),
    opts: up,
    want: [],
  },
]);

Deno.test("upgrade/regex-newline: the rewrite keeps escapes and classes", () => {
  assert.equal(withoutNewlineDots("a.b"), "a[^\\n]b");
  assert.equal(withoutNewlineDots("a\\.b"), undefined);
  assert.equal(withoutNewlineDots("[.]x"), undefined);
  assert.equal(withoutNewlineDots("[^].]."), "[^].][^\\n]");
  assert.equal(withoutNewlineDots(".+|foo.?bar"), "[^\\n]+|foo[^\\n]?bar");
});

Deno.test("upgrade: the checks also run in 3 mode, and not at all without --upgrade-to", () => {
  const found = (o: Parameters<typeof lint>[1]) =>
    lint(alertFile('x{le="1"} > 0 and rate(y[1m:1m]) > 0'), o).map((p) => p.check)
      .filter((c) => c.startsWith("upgrade/"));
  assert.deepEqual(found({ upgradeTo: 3 }), ["upgrade/le-quantile", "upgrade/range-boundary"]);
  assert.deepEqual(found({}), []);
});
