/**
 * configs/alert_rules.yml and configs/alert_rules.test.yml against the real promtool (2.42):
 * the rules load, their unit tests pass, every alert is documented and tested both ways, and
 * the unit tests really catch an alert that never fires or always fires (mutation testing).
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { CONFIGS, describeResult, lintRules, ROOT, runCommand } from "./tools.ts";
import { alertingRules, readRules, readRuleTests, type RuleFile } from "./rules.ts";

const SEED_ALERTS = ["HighAPILatency", "HighOrderFailureRate", "LargePositionLoss"];
const OPERATOR_ALERTS = [
  "TradingAPIDown",
  "MarketDataStale",
  "VaRAboveLimit",
  "DBPoolExhausted",
  "CacheHitRateLow",
  "High5xxErrorRatio",
];

Deno.test("promtool check rules accepts configs/alert_rules.yml", async () => {
  const r = await runCommand("promtool", ["check", "rules", `${CONFIGS}alert_rules.yml`]);
  assert.equal(r.code, 0, describeResult(r));
  const rules = (await readRules()).groups.flatMap((g) => g.rules);
  assert.match(r.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`), describeResult(r));
});

Deno.test("promtool test rules passes configs/alert_rules.test.yml", async () => {
  const r = await runCommand("promtool", ["test", "rules", "alert_rules.test.yml"], {
    cwd: CONFIGS,
  });
  assert.equal(r.code, 0, describeResult(r));
  assert.match(r.stdout, /SUCCESS/);
});

Deno.test("alert rules keep the seed's alerts and add the operator's, all annotated", async () => {
  const alerts = alertingRules(await readRules());
  const names = alerts.map((a) => a.alert);
  for (const name of [...SEED_ALERTS, ...OPERATOR_ALERTS]) {
    assert.ok(names.includes(name), `missing alert ${name}`);
  }
  assert.equal(new Set(names).size, names.length, "alert names must be unique");
  for (const a of alerts) {
    assert.match(a.labels?.severity ?? "", /^(critical|warning)$/, `${a.alert}: severity`);
    for (const key of ["summary", "description", "runbook_url"]) {
      assert.ok(a.annotations?.[key]?.trim(), `${a.alert}: annotation ${key}`);
    }
    assert.equal(
      a.annotations?.runbook_url,
      `https://github.com/tradewatch/tradewatch#alert-${a.alert.toLowerCase()}`,
      `${a.alert}: runbook_url`,
    );
  }
  // The seed's severities and `for` durations are kept.
  const byName = new Map(alerts.map((a) => [a.alert, a]));
  assert.equal(byName.get("HighAPILatency")?.labels?.severity, "warning");
  assert.equal(byName.get("HighAPILatency")?.for, "5m");
  assert.equal(byName.get("HighOrderFailureRate")?.labels?.severity, "critical");
  assert.equal(byName.get("HighOrderFailureRate")?.for, "5m");
  assert.equal(byName.get("LargePositionLoss")?.labels?.severity, "critical");
  assert.equal(byName.get("LargePositionLoss")?.for, "1m");
});

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function githubSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, "").replace(/ /g, "-");
}

Deno.test("every runbook_url anchor is an `### Alert: Name` heading of the README", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const anchors = new Set(
    [...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => githubSlug(m[1])),
  );
  for (const a of alertingRules(await readRules())) {
    const anchor = a.annotations!.runbook_url.split("#")[1];
    assert.ok(anchors.has(anchor), `README has no heading for #${anchor} (${a.alert})`);
    assert.ok(
      readme.includes(`### Alert: ${a.alert}\n`),
      `README lacks the heading "### Alert: ${a.alert}"`,
    );
  }
});

Deno.test("every alert has a firing and a not-firing unit test", async () => {
  const tests = await readRuleTests();
  assert.deepEqual(tests.rule_files, ["alert_rules.yml"]);
  const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const a of alertingRules(await readRules())) {
    const mine = cases.filter((c) => c.alertname === a.alert);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${a.alert}: no firing case`);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${a.alert}: no quiet case`);
  }
});

/** Replace the expression of one alert of a rule file (a deep copy). */
function withExpr(file: RuleFile, alert: string, mutate: (expr: string) => string): RuleFile {
  const copy = structuredClone(file);
  const rule = copy.groups.flatMap((g) => g.rules).find((r) => r.alert === alert);
  if (!rule) throw new Error(`No alert ${alert}`);
  rule.expr = mutate(rule.expr);
  return copy;
}

/** Every numeric comparison made always true (`x > 0.1` → `x >= -Inf`). */
function thresholdsRemoved(expr: string): string {
  const out = expr.replace(/(==|!=|>=|<=|>|<)\s*-?\d+(\.\d+)?/g, ">= -Inf");
  if (out === expr) throw new Error(`No threshold to remove in ${expr}`);
  return out;
}

Deno.test("the unit tests catch each alert never firing or always firing", async () => {
  const rules = await readRules();
  const tests = await readRuleTests();
  // Each mutant runs only the test groups about its alert (the others cannot notice it).
  const testsOf = (alert: string) =>
    stringify({
      ...tests,
      tests: tests.tests.filter((t) => t.alert_rule_test?.some((c) => c.alertname === alert)),
    });
  const jobs: { alert: string; kind: string; file: RuleFile }[] = [];
  for (const a of alertingRules(rules)) {
    jobs.push({
      alert: a.alert,
      kind: "never fires",
      file: withExpr(rules, a.alert, () => "vector(0) > 1"),
    });
    jobs.push({
      alert: a.alert,
      kind: "always fires",
      file: withExpr(rules, a.alert, thresholdsRemoved),
    });
  }
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-mutants-" });
  try {
    const results: string[] = [];
    const queue = [...jobs.entries()];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [i, job] = next;
        const sub = `${dir}/${i}`;
        await Deno.mkdir(sub);
        await Deno.writeTextFile(`${sub}/alert_rules.yml`, stringify(job.file));
        await Deno.writeTextFile(`${sub}/alert_rules.test.yml`, testsOf(job.alert));
        const r = await runCommand("promtool", ["test", "rules", "alert_rules.test.yml"], {
          cwd: sub,
        });
        if (r.code === 0) results.push(`${job.alert} (${job.kind}): unit tests still pass`);
        else if (!(r.stdout + r.stderr).includes(`alertname: ${job.alert},`)) {
          results.push(`${job.alert} (${job.kind}): failure not about it\n${describeResult(r)}`);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    assert.deepEqual(results, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--lint-rules reports nothing on configs/alert_rules.yml (Prometheus 2 and 3)", async () => {
  for (const version of ["2", "3"]) {
    const r = await lintRules(version, `${CONFIGS}alert_rules.yml`);
    assert.equal(r.code, 0, describeResult(r));
    assert.match(r.stdout, / 0 errors, 0 warnings/, describeResult(r));
  }
});
