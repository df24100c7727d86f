/**
 * configs/alertmanager.yml against the real amtool (0.25): it loads, groups by alert name, and
 * routes each severity the alert rules use to the intended receiver.
 */
import assert from "node:assert/strict";
import { CONFIGS, describeResult, readConfigYaml, runCommand } from "./tools.ts";
import { alertingRules, readRules } from "./rules.ts";

const FILE = `${CONFIGS}alertmanager.yml`;

interface AlertmanagerConfig {
  route: { receiver: string; group_by?: string[] };
  receivers: { name: string }[];
  inhibit_rules?: { source_matchers: string[]; target_matchers: string[]; equal?: string[] }[];
}

Deno.test("amtool check-config accepts configs/alertmanager.yml", async () => {
  const r = await runCommand("amtool", ["check-config", FILE]);
  assert.equal(r.code, 0, describeResult(r));
  assert.match(r.stdout, /SUCCESS/);
});

Deno.test("alertmanager groups by alert name", async () => {
  const cfg = await readConfigYaml("alertmanager.yml") as AlertmanagerConfig;
  assert.ok(cfg.route.group_by?.includes("alertname"), "group_by must include alertname");
});

Deno.test("every alert routes to the receiver of its severity", async () => {
  const expected: Record<string, string> = { critical: "critical", warning: "default" };
  for (const a of alertingRules(await readRules())) {
    const severity = a.labels!.severity;
    const r = await runCommand("amtool", [
      "config",
      "routes",
      "test",
      `--config.file=${FILE}`,
      `--verify.receivers=${expected[severity]}`,
      `alertname=${a.alert}`,
      `severity=${severity}`,
      "job=trading_api",
    ]);
    assert.equal(r.code, 0, `${a.alert}: ${describeResult(r)}`);
    assert.equal(r.stdout.trim(), expected[severity]);
  }
});

Deno.test("inhibit rules name only alerts that exist", async () => {
  const cfg = await readConfigYaml("alertmanager.yml") as AlertmanagerConfig;
  const names = new Set(alertingRules(await readRules()).map((a) => a.alert));
  const mentioned = (cfg.inhibit_rules ?? []).flatMap((r) => [
    ...r.source_matchers,
    ...r.target_matchers,
  ]).flatMap((m) => {
    const match = /^alertname(=~?)"(.*)"$/.exec(m);
    if (!match) return [];
    return match[1] === "=" ? [match[2]] : match[2].split("|");
  });
  assert.ok(mentioned.length > 0);
  for (const name of mentioned) assert.ok(names.has(name), `inhibit rule names unknown ${name}`);
});
