/**
 * A typed view of `configs/alert_rules.yml` and its unit-test file, read with the `yaml`
 * library, shared by the config tests and the end-to-end tests.
 *
 * @module
 */
import { parse } from "yaml";
import { CONFIGS } from "./tools.ts";

/** One rule of a rule group, as written in the file. */
export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A rule file: groups of rules. */
export interface RuleFile {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

/** One `alert_rule_test` case of a `promtool test rules` file. */
export interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts: unknown[] | null;
}

/** A `promtool test rules` file. */
export interface RuleTestFile {
  rule_files: string[];
  tests: { name?: string; alert_rule_test?: AlertRuleTest[] }[];
}

/** Parse the repository's alert rules. */
export async function readRules(): Promise<RuleFile> {
  return parse(await Deno.readTextFile(`${CONFIGS}alert_rules.yml`)) as RuleFile;
}

/** Parse the repository's rule unit tests. */
export async function readRuleTests(): Promise<RuleTestFile> {
  return parse(await Deno.readTextFile(`${CONFIGS}alert_rules.test.yml`)) as RuleTestFile;
}

/** Every alerting rule of a rule file, in file order. */
export function alertingRules(file: RuleFile): (Rule & { alert: string })[] {
  return file.groups.flatMap((g) => g.rules).filter((r): r is Rule & { alert: string } =>
    typeof r.alert === "string"
  );
}
